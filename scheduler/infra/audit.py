"""The audit trail: every change leaves a row saying who, when, what and why."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

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
    **details: Any,
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
