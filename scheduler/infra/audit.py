"""The audit trail: every change leaves a row saying who, when, what and why."""

from __future__ import annotations

import getpass
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Connection, insert

from scheduler.infra.clock import as_utc
from scheduler.infra.db.models import AuditRow


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def write_audit(
    conn: Connection,
    *,
    at: datetime,
    actor: str,
    action: str,
    session_id: int | None = None,
    unit_id: str | None = None,
    reason: str | None = None,
    **details: object,
) -> None:
    conn.execute(
        insert(AuditRow),
        {
            "at": at,
            "actor": actor,
            "action": action,
            "session_id": session_id,
            "unit_id": unit_id,
            "reason": reason,
            "details": json.dumps(details, ensure_ascii=False, default=str),
        },
    )


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A row of the audit trail as read back: ``at`` in UTC (SQLite hands back naive UTC),
    ``details`` the JSON text written by ``write_audit``."""

    id: int
    at: datetime
    actor: str
    action: str
    session_id: int | None
    unit_id: str | None
    reason: str | None
    details: str

    @classmethod
    def of(cls, row: Sequence[object]) -> AuditEntry:
        """From a row of ``select(audit)``: its columns are this class's fields, in order."""
        i, at, *rest = row
        return cls(i, as_utc(at), *rest)  # type: ignore[arg-type]  # the columns' types, as declared


if tuple(c.name for c in AuditRow.__table__.columns) != tuple(f.name for f in fields(AuditEntry)):
    raise ImportError("AuditEntry's fields must be the columns of audit, in order")  # pragma: no cover
