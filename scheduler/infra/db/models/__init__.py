"""The database: SQLAlchemy 2 typed models, one module per group of tables. Times are UTC here;
people see Asia/Ho_Chi_Minh.

``base.py`` (the declarative base and the constraint names), ``sessions.py`` (the planned years,
the service's facts, sessions, their audit, the notices, the reception log), ``outbox.py`` (the
outbox, the delivery attempts, the refused addresses), ``accounts.py`` (users, API tokens, desk
sessions), ``followup.py`` (directions, conclusion notices), ``dialogues.py`` (dialogue
conferences). Importing this package registers every table on ``Base.metadata`` (Alembic's
``migrations/env.py`` reads it), and every model is named here: ``from
scheduler.infra.db.models import SessionRow``.
"""

from __future__ import annotations

from scheduler.infra.db.models.accounts import ApiTokenRow, DeskSessionRow, UserRow
from scheduler.infra.db.models.base import NAMING, Base
from scheduler.infra.db.models.dialogues import DialogueRow
from scheduler.infra.db.models.followup import ConclusionNoticeRow, DirectionRow
from scheduler.infra.db.models.outbox import DeliveryAttemptRow, OutboxRow, RefusedRecipientRow
from scheduler.infra.db.models.sessions import (
    AuditRow,
    LogEntryRow,
    NoticeRow,
    PlanYear,
    ServiceState,
    SessionRow,
)

__all__ = [
    "NAMING",
    "ApiTokenRow",
    "AuditRow",
    "Base",
    "ConclusionNoticeRow",
    "DeliveryAttemptRow",
    "DeskSessionRow",
    "DialogueRow",
    "DirectionRow",
    "LogEntryRow",
    "NoticeRow",
    "OutboxRow",
    "PlanYear",
    "RefusedRecipientRow",
    "ServiceState",
    "SessionRow",
    "UserRow",
]
