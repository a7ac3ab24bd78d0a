"""Stored sessions as a reader sees them (``SessionView``): the make-up's original date, the day a
cancelled session is made up on, the day a session was moved from. The board, the feed, the
notices and the outbox's messages all read sessions through ``views_of``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, time

from sqlalchemy import Engine, select

from notifiers.views import SessionView
from rules.parsing import parse_hhmm
from scheduler.infra.clock import as_utc
from scheduler.infra.db import reading, rows_in
from scheduler.infra.db.models import AuditRow, SessionRow
from scheduler.reads.stored_session import StoredSession

_T = SessionRow.__table__


def time_of(value: str | time | None) -> time | None:
    """A stored "07:30" (a dialogue's row) or a time."""
    return value if isinstance(value, time) or value is None else parse_hhmm(value)


def replacements(engine: Engine, ids: list[int]) -> dict[int, int]:
    """{cancelled session id: its make-up's id} for the given ids."""
    if not ids:
        return {}
    with reading(engine) as conn:
        rows = rows_in(conn, select(_T.c.id, _T.c.replaces_id), _T.c.replaces_id, ids)
    return {replaced: made for made, replaced in rows}


def _moved_from(engine: Engine, ids: Sequence[int]) -> dict[int, date]:
    """{session id: the date it had before its last move by decision}, from the audit rows."""
    if not ids:
        return {}
    out: dict[int, date] = {}
    q = (
        select(AuditRow.session_id, AuditRow.details)
        .where(AuditRow.action == "move")
        .order_by(AuditRow.at, AuditRow.id)
    )
    with reading(engine) as conn:
        # A session's rows all stand in one chunk, in the order written: its last move wins.
        rows = rows_in(conn, q, AuditRow.session_id, ids)
    for session_id, details in rows:
        if session_id is None:
            continue
        try:
            out[session_id] = date.fromisoformat(json.loads(details or "{}")["from"])
        except (KeyError, ValueError, TypeError):
            continue
    return out


def _dates_of(engine: Engine, ids: Iterable[int]) -> dict[int, date]:
    ids = list(ids)
    if not ids:
        return {}
    with reading(engine) as conn:
        return {i: d for i, d in rows_in(conn, select(_T.c.id, _T.c.date), _T.c.id, ids)}


def _without(text: str | None, hide: Sequence[str]) -> str | None:
    if not text or not hide:
        return text
    for source in hide:
        text = text.replace(f" ({source})", "")
    return text


def views_of(engine: Engine, rows: Sequence[StoredSession], *, hide: Sequence[str] = ()) -> list[SessionView]:
    """Stored rows as views, with what a reader needs resolved: the make-up's original date, the
    date a cancelled session is made up on, the date a session was moved from. ``hide``: the
    citations (``publishing.citations(config)``) to leave out of the public "why it moved"."""
    by_id = {r.id: r for r in rows}
    replaced = {r.replaces_id for r in rows if r.replaces_id is not None}
    replaced_dates = {i: by_id[i].date for i in replaced if i in by_id}
    replaced_dates |= _dates_of(engine, replaced - set(replaced_dates))
    off = [r.id for r in rows if r.status in ("cancelled", "not_held")]
    makeups = replacements(engine, off)
    makeup_dates = {i: by_id[i].date for i in makeups.values() if i in by_id}
    makeup_dates |= _dates_of(engine, set(makeups.values()) - set(makeup_dates))
    decided = [r.id for r in rows if r.kind == "periodic" and r.pinned and r.status in ("planned", "held")]
    moved_from = _moved_from(engine, decided)
    out = []
    for r in rows:
        made = makeups.get(r.id)
        out.append(
            SessionView(
                id=r.id,
                date=r.date,
                kind=r.kind,
                status=r.status,
                start=r.start,
                end=r.end,
                venue=r.venue or "",
                online_url=r.online_url or "",
                nominal=r.nominal,
                moved=_without(r.moved, hide),
                reason=r.reason,
                moved_from=moved_from.get(r.id),
                replaces_date=replaced_dates.get(r.replaces_id) if r.replaces_id else None,
                made_up_on=makeup_dates.get(made) if made else None,
                version=r.version,
                updated_at=as_utc(r.updated_at) if r.updated_at else None,
            )
        )
    return out
