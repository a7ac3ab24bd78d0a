"""The reads of stored sessions for the doors: a range of sessions, who made up whom, a session's
history, and the JSON shapes of a session and of an audit row (service contract)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Engine, or_, select

from rules.vocabulary import COUNTS
from scheduler.infra.audit import AuditEntry
from scheduler.infra.db import IN_CHUNK, reading, rows_in
from scheduler.infra.db.models import AuditRow, SessionRow
from scheduler.infra.jsontype import Json, JsonObject
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases.sessions import session_row

_T = SessionRow.__table__


def list_sessions(
    engine: Engine,
    *,
    unit_ids: list[str] | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[StoredSession]:
    """The stored sessions of the units (None: every unit) dated in [first, last], by day."""
    q = select(_T).order_by(_T.c.date, _T.c.unit_id, _T.c.id)
    if first is not None:
        q = q.where(_T.c.date >= first)
    if last is not None:
        q = q.where(_T.c.date <= last)
    with reading(engine) as conn:
        if unit_ids is not None and len(unit_ids) == 1:
            rows = list(conn.execute(q.where(_T.c.unit_id == unit_ids[0])))
        else:
            rows = rows_in(conn, q, _T.c.unit_id, unit_ids)
    sessions = [StoredSession.of(r) for r in rows]
    if unit_ids is not None and len(unit_ids) > IN_CHUNK:
        # Read a chunk of units at a time: put back in the order of days across the chunks.
        sessions.sort(key=lambda s: (s.date, s.unit_id, s.id))
    return sessions


def history(engine: Engine, session_id: int) -> list[AuditEntry]:
    """The audit rows of a session and of the sessions it replaces or that replace it."""
    with reading(engine) as conn:
        row = session_row(conn, session_id)
        related = {row.id}
        if row.replaces_id:
            related.add(row.replaces_id)
        related |= set(conn.execute(select(_T.c.id).where(_T.c.replaces_id == row.id)).scalars())
        rows = conn.execute(
            select(AuditRow.__table__)
            .where(or_(AuditRow.session_id.in_(related)))
            .order_by(AuditRow.at, AuditRow.id)
        )
        return [AuditEntry.of(r) for r in rows]


def session_dict(row: StoredSession, made_up_by: int | None = None) -> JsonObject:
    """The JSON shape of ``tiepdan sessions`` and ``GET /api/sessions`` (service contract)."""
    outcome: dict[str, Json] = {k: getattr(row, k) for k in COUNTS}
    return {
        "id": row.id,
        "unit": row.unit_id,
        "date": row.date.isoformat(),
        "status": row.status,
        "kind": row.kind,
        "replaces": row.replaces_id,
        "made_up_by": made_up_by,
        "nominal": row.nominal.isoformat() if row.nominal else None,
        "start": row.start_text,
        "end": row.end_text,
        "venue": row.venue,
        "online": row.online_url or None,
        "moved": row.moved,
        "reason": row.reason,
        "needs_makeup": row.needs_makeup,
        "version": row.version,
        "outcome": outcome | {"received_by": row.received_by, "conclusion": row.conclusion},
        # Who received (true: the head in person; false: someone else, named in received_by) and
        # the form (in_person | online | both); null until recorded.
        "received_in_person": row.received_in_person,
        "received_title": row.received_title,
        "form": row.form,
    }


def audit_dict(row: AuditEntry) -> JsonObject:
    details: dict[str, Json] = json.loads(row.details or "{}")
    return {
        "at": row.at.isoformat(),  # in UTC: the same text on both backends
        "actor": row.actor,
        "action": row.action,
        "session": row.session_id,
        "reason": row.reason,
        "details": details,
    }
