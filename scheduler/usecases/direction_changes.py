"""Use cases: write a direction (ghi nội dung kết luận, chỉ đạo) on a case of a held session's
log or on an opinion raised at a held dialogue conference, change it, delete one written by
mistake; and the guard that keeps a log row while a direction hangs on it.

Each is one transaction with an optimistic version check and an audit row; the audit records
which direction changed and its dates, never the citizen's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Engine, func, insert, select

from rules import ServiceError
from rules.vietnamese import dmy
from scheduler.infra.audit import write_audit
from scheduler.infra.config import Config
from scheduler.infra.db.models import DialogueRow, DirectionRow, LogEntryRow, SessionRow
from scheduler.reads.stored_direction import StoredDirection
from scheduler.usecases.direction_common import (
    AGENCY_MAX,
    CONTENT_MAX,
    bump,
    direction_row,
    direction_text,
)
from scheduler.usecases.direction_deadline import OFFICE_DATE, compute_deadline
from scheduler.usecases.sessions import Actor

_D = DirectionRow.__table__
_G = DialogueRow.__table__
_L = LogEntryRow.__table__
_S = SessionRow.__table__


@dataclass(frozen=True, slots=True)
class _HeldEntry:
    """A reception-log row of a held session: where a direction may be written."""

    id: int
    session_id: int
    unit_id: str
    date: dt.date


def _held_entry(conn: Connection, entry_id: int, today: date) -> _HeldEntry:
    entry = conn.execute(
        select(_L.c.id, _L.c.session_id, _L.c.unit_id, _S.c.status, _S.c.date)
        .join(_S, _S.c.id == _L.c.session_id)
        .where(_L.c.id == entry_id)
    ).first()
    if entry is None:
        raise ServiceError(f"không có dòng sổ số {entry_id}")
    if entry.status != "held" or entry.date > today:
        raise ServiceError(
            f"buổi tiếp số {entry.session_id} chưa được ghi là đã tiếp; "
            "ghi kết quả buổi tiếp trước khi ghi chỉ đạo"
        )
    return _HeldEntry(entry.id, entry.session_id, entry.unit_id, entry.date)


@dataclass(frozen=True, slots=True)
class _HeldDialogue:
    """A dialogue conference recorded held: where a direction on an opinion raised may be written."""

    id: int
    unit_id: str
    date: dt.date


def _held_dialogue(conn: Connection, dialogue_id: int, today: date) -> _HeldDialogue:
    row = conn.execute(
        select(_G.c.id, _G.c.unit_id, _G.c.status, _G.c.held_on).where(_G.c.id == dialogue_id)
    ).first()
    if row is None:
        raise ServiceError(f"không có hội nghị đối thoại số {dialogue_id}")
    if row.status != "held" or row.held_on > today:
        raise ServiceError(
            f"hội nghị đối thoại số {dialogue_id} chưa được ghi là đã tổ chức; "
            "ghi kết quả hội nghị trước khi ghi chỉ đạo"
        )
    return _HeldDialogue(row.id, row.unit_id, row.held_on)


def _insert(
    conn: Connection,
    config: Config,
    source: _HeldEntry | _HeldDialogue,
    *,
    content: str,
    agency: str,
    actor: Actor,
    now: datetime,
    today: date,
    limit: str | None,
    days: int | None,
    due: date | None,
    accepted_on: date | None,
) -> StoredDirection:
    """The one insert of a direction, from either source: the deadline runs from its day."""
    content = direction_text(content, "nội dung kết luận, chỉ đạo", CONTENT_MAX)
    agency = direction_text(agency, "cơ quan được giao", AGENCY_MAX)
    received_on = source.date
    if accepted_on is not None and not received_on <= accepted_on <= today:
        raise ServiceError(f"ngày thụ lý {dmy(accepted_on)} phải từ ngày tiếp nhận đến hôm nay")
    dl = compute_deadline(config, received_on, limit=limit, days=days, due=due, accepted_on=accepted_on)
    if isinstance(source, _HeldEntry):
        session_id, entry_id, dialogue_id = source.session_id, source.id, None
    else:
        session_id, entry_id, dialogue_id = None, None, source.id
    new_id = conn.execute(
        insert(_D).returning(_D.c.id),
        {
            "session_id": session_id,
            "entry_id": entry_id,
            "dialogue_id": dialogue_id,
            "unit_id": source.unit_id,
            "content": content,
            "agency": agency,
            "received_on": received_on,
            "accepted_on": accepted_on,
            "limit_id": dl.limit_id,
            "limit_days": dl.days,
            "due": dl.due,
            "result": "",
            "version": 1,
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one()
    write_audit(
        conn,
        at=now,
        actor=actor.name,
        action="direction_add",
        session_id=session_id,
        unit_id=source.unit_id,
        direction=new_id,
        agency=agency,
        entry=entry_id,
        dialogue=dialogue_id,
        limit=dl.limit_id,
        due=dl.due.isoformat(),
    )
    return direction_row(conn, new_id)


def add_direction(
    engine: Engine,
    config: Config,
    entry_id: int,
    *,
    content: str,
    agency: str,
    actor: Actor,
    now: datetime,
    today: date,
    limit: str | None = None,
    days: int | None = None,
    due: date | None = None,
    accepted_on: date | None = None,
) -> StoredDirection:
    """Write what the head concluded or directed on one case of the log (ghi nội dung kết luận,
    chỉ đạo), the agency that must handle it and its deadline."""
    with engine.begin() as conn:
        entry = _held_entry(conn, entry_id, today)
        return _insert(
            conn, config, entry, content=content, agency=agency, actor=actor, now=now, today=today,
            limit=limit, days=days, due=due, accepted_on=accepted_on,
        )  # fmt: skip


def add_dialogue_direction(
    engine: Engine,
    config: Config,
    dialogue_id: int,
    *,
    content: str,
    agency: str,
    actor: Actor,
    now: datetime,
    today: date,
    limit: str | None = None,
    days: int | None = None,
    due: date | None = None,
    accepted_on: date | None = None,
) -> StoredDirection:
    """Write what the head concluded or directed on an opinion raised at a held dialogue
    conference: the same follow-up, deadlines and target as a direction of a reception session,
    counted from the dialogue's day."""
    with engine.begin() as conn:
        dialogue = _held_dialogue(conn, dialogue_id, today)
        return _insert(
            conn, config, dialogue, content=content, agency=agency, actor=actor, now=now, today=today,
            limit=limit, days=days, due=due, accepted_on=accepted_on,
        )  # fmt: skip


def edit_direction(
    engine: Engine,
    config: Config,
    direction_id: int,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    content: str | None = None,
    agency: str | None = None,
    limit: str | None = None,
    days: int | None = None,
    due: date | None = None,
    accepted_on: date | None = None,
    expected_version: int | None = None,
) -> StoredDirection:
    """Change a direction's content, agency or deadline (the deadline is computed again)."""
    with engine.begin() as conn:
        row = direction_row(conn, direction_id, expected_version)
        values: dict[str, object] = {}
        if content is not None:
            values["content"] = direction_text(content, "nội dung kết luận, chỉ đạo", CONTENT_MAX)
        if agency is not None:
            values["agency"] = direction_text(agency, "cơ quan được giao", AGENCY_MAX)
        if accepted_on is not None:
            if not row.received_on <= accepted_on <= today:
                raise ServiceError(f"ngày thụ lý {dmy(accepted_on)} phải từ ngày tiếp nhận đến hôm nay")
            values["accepted_on"] = accepted_on
        new_due = row.due
        if any(x is not None for x in (limit, days, due, accepted_on)):
            if limit is None and days is None and due is None:
                # Only the acceptance changed: the same limit, counted again.
                limit = None if row.limit_id in ("office", OFFICE_DATE) else row.limit_id
                days = row.limit_days if row.limit_id == "office" else None
                due = row.due if row.limit_id == OFFICE_DATE else None
            dl = compute_deadline(
                config,
                row.received_on,
                limit=limit,
                days=days,
                due=due,
                accepted_on=row.accepted_on if accepted_on is None else accepted_on,
            )
            values |= {"limit_id": dl.limit_id, "limit_days": dl.days, "due": dl.due}
            new_due = dl.due
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not changed:
            return row
        bump(conn, row, now, **changed)
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="direction_edit",
            session_id=row.session_id,
            unit_id=row.unit_id,
            direction=row.id,
            changed=sorted(changed),
            due=new_due.isoformat(),
            old_due=row.due.isoformat(),
        )
        return direction_row(conn, direction_id)


def delete_direction(
    engine: Engine, direction_id: int, *, actor: Actor, now: datetime, expected_version: int | None = None
) -> int | None:
    """Remove a direction written by mistake (before its result); returns its session's id
    (None for a dialogue's direction)."""
    with engine.begin() as conn:
        row = direction_row(conn, direction_id, expected_version)
        if row.resolved_on is not None:
            raise ServiceError(f"chỉ đạo số {row.id} đã có kết quả giải quyết, không xóa được")
        conn.execute(_D.delete().where(_D.c.id == row.id))
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="direction_delete",
            session_id=row.session_id,
            unit_id=row.unit_id,
            direction=row.id,
            entry=row.entry_id,
            dialogue=row.dialogue_id,
        )
        return row.session_id


def refuse_if_directions(
    conn: Connection, *, session_id: int | None = None, entry_id: int | None = None
) -> None:
    """Refuse to delete a log row, or to undo a session's record, while directions hang on it."""
    q = select(func.count()).select_from(_D)
    if entry_id is not None:
        q = q.where(_D.c.entry_id == entry_id)
        what = f"dòng sổ số {entry_id}"
    elif session_id is not None:
        q = q.where(_D.c.session_id == session_id)
        what = f"buổi tiếp số {session_id}"
    else:
        return
    n = conn.execute(q).scalar_one()
    if n:
        raise ServiceError(f"{what} đang có {n} chỉ đạo theo dõi giải quyết; xóa các chỉ đạo đó trước")
