"""The reads of stored sessions for the doors: a range of sessions, who made up whom, a session's
history, and the JSON shapes of a session and of an audit row (service contract)."""

from __future__ import annotations

import json
from datetime import date
from datetime import time as Time
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.engine import Row

from rules.parsing import hhmm
from rules.vocabulary import COUNTS
from scheduler.infra.clock import as_utc
from scheduler.infra.db import reading
from scheduler.infra.db.models import AuditRow, SessionRow
from scheduler.usecases.sessions import (
    session_row,
)

_T = SessionRow.__table__


def list_sessions(
    engine: Engine,
    *,
    unit_ids: list[str] | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[Row[Any]]:
    q = select(_T).order_by(_T.c.date, _T.c.unit_id, _T.c.id)
    if unit_ids is not None:
        q = (
            q.where(_T.c.unit_id.in_(unit_ids))
            if len(unit_ids) != 1
            else q.where(_T.c.unit_id == unit_ids[0])
        )
    if first is not None:
        q = q.where(_T.c.date >= first)
    if last is not None:
        q = q.where(_T.c.date <= last)
    with reading(engine) as conn:
        return list(conn.execute(q))


def history(engine: Engine, session_id: int) -> list[Row[Any]]:
    """The audit rows of a session and of the sessions it replaces or that replace it."""
    with reading(engine) as conn:
        row = session_row(conn, session_id)
        related = {row.id}
        if row.replaces_id:
            related.add(row.replaces_id)
        related |= set(conn.execute(select(_T.c.id).where(_T.c.replaces_id == row.id)).scalars())
        return list(
            conn.execute(
                select(AuditRow)
                .where(or_(AuditRow.session_id.in_(related)))
                .order_by(AuditRow.at, AuditRow.id)
            )
        )


def session_dict(row: Any, made_up_by: int | None = None) -> dict[str, Any]:
    """The JSON shape of ``tiepdan sessions`` and ``GET /api/sessions`` (service contract), of a
    ``StoredSession`` or a row of ``list_sessions``."""
    start, end = row.start, row.end
    return {
        "id": row.id,
        "unit": row.unit_id,
        "date": row.date.isoformat(),
        "status": row.status,
        "kind": row.kind,
        "replaces": row.replaces_id,
        "made_up_by": made_up_by,
        "nominal": row.nominal.isoformat() if row.nominal else None,
        "start": hhmm(start) if isinstance(start, Time) else start,
        "end": hhmm(end) if isinstance(end, Time) else end,
        "venue": row.venue,
        "online": row.online_url or None,
        "moved": row.moved,
        "reason": row.reason,
        "needs_makeup": bool(row.needs_makeup),
        "version": row.version,
        "outcome": {k: getattr(row, k) for k in COUNTS}
        | {"received_by": row.received_by, "conclusion": row.conclusion},
        # Who received (true: the head in person; false: someone else, named in received_by) and
        # the form (in_person | online | both); null until recorded.
        "received_in_person": row.received_in_person,
        "received_title": row.received_title,
        "form": row.form,
    }


def audit_dict(row: Row[Any]) -> dict[str, Any]:
    return {
        "at": as_utc(row.at).isoformat(),  # SQLite hands back naive UTC: same text on both backends
        "actor": row.actor,
        "action": row.action,
        "session": row.session_id,
        "reason": row.reason,
        "details": json.loads(row.details or "{}"),
    }
