"""Use cases after the session: directions (chỉ đạo), their results, the conclusion notice's
number and date, and the office's follow-up list (Theo dõi giải quyết).

One typed function per use case; the CLI, the desk, the API and the jobs call these, never the
tables. Each change is one transaction with an optimistic version check and an audit row. A
direction hangs on a log row of a held session, or on a held dialogue conference (an opinion
raised there): the facts it rests on must be true first, and deleting a log row is refused while
a direction hangs on it (``refuse_if_directions``). Both kinds are one follow-up: one list, the
same deadlines and reminders, the same ">90 % on time" figure in the report.

The audit trail records which direction changed and its dates, never the citizen's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, select, update
from sqlalchemy.engine import Row

from rules import ConflictError, RuleError, ServiceError
from rules.followup import (
    STATE_VI,
    STATES,
    State,
    notice_due,
    on_time,
    state_of,
    working_days_left,
)
from rules.time_limits import TimeLimit, deadline, limit_by_id, office_limit
from rules.vietnamese import dmy, nfc
from scheduler.infra.audit import write_audit
from scheduler.infra.config import Config
from scheduler.infra.db import reading, rows_in
from scheduler.infra.db.models import (
    ConclusionNoticeRow,
    DialogueRow,
    DirectionRow,
    LogEntryRow,
    SessionRow,
)
from scheduler.reads.followup_facts import facts_of, missing_conclusions
from scheduler.usecases.sessions import Actor

_D = DirectionRow.__table__
_G = DialogueRow.__table__
_C = ConclusionNoticeRow.__table__
_L = LogEntryRow.__table__
_S = SessionRow.__table__
CONTENT_MAX, AGENCY_MAX, RESULT_MAX, NUMBER_MAX = 5000, 500, 5000, 100
OFFICE_DATE = "office-date"  # the office gave the date itself


def _text(value: str | None, what: str, longest: int, *, required: bool = True) -> str:
    text = nfc((value or "").replace("\r\n", "\n").replace("\x00", "").strip())
    if required and not text:
        raise ServiceError(f"cần ghi {what}")
    if len(text) > longest:
        raise ServiceError(f"{what} dài quá {longest} ký tự")
    return text


@dataclass(frozen=True, slots=True)
class Deadline:
    """How a direction's deadline was set: a legal limit, the office's days, or its own date."""

    limit_id: str
    days: int | None
    due: date


def compute_deadline(
    config: Config,
    received_on: date,
    *,
    limit: str | None = None,
    days: int | None = None,
    due: date | None = None,
    accepted_on: date | None = None,
) -> Deadline:
    """The deadline from exactly one of ``limit`` (a legal limit's id), ``days`` (the office's
    own working days) or ``due`` (the office's own date); none: the configured default limit."""
    if sum(x is not None for x in (limit, days, due)) > 1:
        raise ServiceError("chỉ chọn một: thời hạn theo quy định, số ngày làm việc, hoặc hạn cụ thể")
    calendar = config.calendar
    if due is not None:
        if due < received_on:
            raise ServiceError(f"hạn giải quyết {dmy(due)} trước ngày tiếp nhận {dmy(received_on)}")
        if not calendar.is_working_day(due):
            raise ServiceError(
                f"hạn giải quyết {dmy(due)} không phải ngày làm việc ({calendar.why_off(due)})"
            )
        return Deadline(OFFICE_DATE, None, due)
    try:
        lim: TimeLimit = (
            office_limit(days)
            if days is not None
            else limit_by_id(limit or config.followup.default_limit, on=received_on)
        )
    except RuleError as exc:
        raise ServiceError(str(exc)) from None
    start = accepted_on if lim.runs_from == "accepted" and accepted_on is not None else received_on
    return Deadline(lim.id, lim.days if lim.id == "office" else None, deadline(calendar, start, lim))


def limit_of(row: Any) -> TimeLimit | None:
    if row.limit_id == OFFICE_DATE:
        return None
    if row.limit_id == "office":
        return office_limit(row.limit_days or 1)
    try:
        return limit_by_id(row.limit_id)
    except RuleError:
        return None


def _get(conn: Connection, direction_id: int, expected_version: int | None = None) -> Row[Any]:
    row = conn.execute(select(_D).where(_D.c.id == direction_id)).first()
    if row is None:
        raise ServiceError(f"không có chỉ đạo số {direction_id}")
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(f"chỉ đạo số {row.id} vừa được người khác thay đổi; vui lòng tải lại")
    return row


def get_direction(engine: Engine, direction_id: int) -> Row[Any]:
    with reading(engine) as conn:
        return _get(conn, direction_id)


def _bump(conn: Connection, row: Row[Any], now: datetime, **values: Any) -> None:
    done = conn.execute(
        update(_D)
        .where(and_(_D.c.id == row.id, _D.c.version == row.version))
        .values(version=row.version + 1, updated_at=now, **values)
    )
    if done.rowcount != 1:
        raise ConflictError(f"chỉ đạo số {row.id} vừa được người khác thay đổi; vui lòng tải lại")


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
) -> Row[Any]:
    """The one insert of a direction, from either source: the deadline runs from its day."""
    content = _text(content, "nội dung kết luận, chỉ đạo", CONTENT_MAX)
    agency = _text(agency, "cơ quan được giao", AGENCY_MAX)
    received_on = source.date
    if accepted_on is not None and not received_on <= accepted_on <= today:
        raise ServiceError(f"ngày thụ lý {dmy(accepted_on)} phải từ ngày tiếp nhận đến hôm nay")
    dl = compute_deadline(config, received_on, limit=limit, days=days, due=due, accepted_on=accepted_on)
    if isinstance(source, _HeldEntry):
        where: dict[str, Any] = {"session_id": source.session_id, "entry_id": source.id, "dialogue_id": None}
    else:
        where = {"session_id": None, "entry_id": None, "dialogue_id": source.id}
    new_id = conn.execute(
        insert(_D).returning(_D.c.id),
        {
            **where,
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
        session_id=where["session_id"],
        unit_id=source.unit_id,
        direction=new_id,
        agency=agency,
        entry=where["entry_id"],
        dialogue=where["dialogue_id"],
        limit=dl.limit_id,
        due=dl.due.isoformat(),
    )
    return _get(conn, new_id)


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
) -> Row[Any]:
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
) -> Row[Any]:
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
) -> Row[Any]:
    """Change a direction's content, agency or deadline (the deadline is computed again)."""
    with engine.begin() as conn:
        row = _get(conn, direction_id, expected_version)
        values: dict[str, Any] = {}
        if content is not None:
            values["content"] = _text(content, "nội dung kết luận, chỉ đạo", CONTENT_MAX)
        if agency is not None:
            values["agency"] = _text(agency, "cơ quan được giao", AGENCY_MAX)
        if accepted_on is not None:
            if not row.received_on <= accepted_on <= today:
                raise ServiceError(f"ngày thụ lý {dmy(accepted_on)} phải từ ngày tiếp nhận đến hôm nay")
            values["accepted_on"] = accepted_on
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
                accepted_on=values.get("accepted_on", row.accepted_on),
            )
            values |= {"limit_id": dl.limit_id, "limit_days": dl.days, "due": dl.due}
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not changed:
            return row
        _bump(conn, row, now, **changed)
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="direction_edit",
            session_id=row.session_id,
            unit_id=row.unit_id,
            direction=row.id,
            changed=sorted(changed),
            due=changed.get("due", row.due).isoformat(),
            old_due=row.due.isoformat(),
        )
        return _get(conn, direction_id)


def record_result(
    engine: Engine,
    direction_id: int,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    resolved_on: date | None = None,
    result: str | None = None,
    answered_on: date | None = None,
    notified_on: date | None = None,
    expected_version: int | None = None,
) -> Row[Any]:
    """Record the result of a direction (kết quả giải quyết): the day it was resolved and what
    was done, the day the citizen was given the answer, the day of the written notice (QĐ 11).
    A fact is refused until it can be true: no date after today, none before the case."""
    with engine.begin() as conn:
        row = _get(conn, direction_id, expected_version)
        if notified_on is not None and row.dialogue_id is not None:
            raise ServiceError(
                f"chỉ đạo số {row.id} là chỉ đạo tại hội nghị đối thoại: không có thông báo bằng văn bản "
                "cho từng công dân (kết quả được thông báo theo hội nghị)"
            )
        values: dict[str, Any] = {}
        for key, value, what in (
            ("resolved_on", resolved_on, "ngày giải quyết"),
            ("answered_on", answered_on, "ngày trả lời công dân"),
            ("notified_on", notified_on, "ngày thông báo cho công dân"),
        ):
            if value is None:
                continue
            if value > today:
                raise ServiceError(f"{what} {dmy(value)} là ngày sau hôm nay ({dmy(today)}): chưa thể ghi")
            if value < row.received_on:
                raise ServiceError(f"{what} {dmy(value)} trước ngày tiếp nhận {dmy(row.received_on)}")
            values[key] = value
        if result is not None:
            values["result"] = _text(result, "kết quả giải quyết", RESULT_MAX, required=False)
        resolved = values.get("resolved_on", row.resolved_on)
        answered = values.get("answered_on", row.answered_on)
        if resolved is not None and not values.get("result", row.result):
            raise ServiceError("cần ghi kết quả giải quyết (cơ quan đã làm gì)")
        if values.get("result") and resolved is None:
            raise ServiceError("cần ghi ngày giải quyết cùng với kết quả")
        if answered is not None:
            if resolved is None:
                raise ServiceError("chỉ ghi ngày trả lời công dân khi đã có kết quả giải quyết")
            if answered < resolved:
                raise ServiceError(
                    f"ngày trả lời công dân {dmy(answered)} trước ngày giải quyết {dmy(resolved)}"
                )
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not changed:
            if not values:
                raise ServiceError(
                    "cần ghi ít nhất một trong: ngày giải quyết và kết quả, ngày trả lời công dân, "
                    "ngày thông báo"
                )
            return row
        _bump(conn, row, now, **changed)
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="direction_result",
            session_id=row.session_id,
            unit_id=row.unit_id,
            direction=row.id,
            **{k: (v.isoformat() if isinstance(v, date) else "đã ghi") for k, v in changed.items()},
        )
        return _get(conn, direction_id)


def delete_direction(
    engine: Engine, direction_id: int, *, actor: Actor, now: datetime, expected_version: int | None = None
) -> int | None:
    """Remove a direction written by mistake (before its result); returns its session's id
    (None for a dialogue's direction)."""
    with engine.begin() as conn:
        row = _get(conn, direction_id, expected_version)
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
        return None if row.session_id is None else int(row.session_id)


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


def directions_of_session(engine: Engine, session_id: int) -> list[Row[Any]]:
    with reading(engine) as conn:
        return list(
            conn.execute(select(_D).where(_D.c.session_id == session_id).order_by(_D.c.entry_id, _D.c.id))
        )


def directions_of_dialogue(engine: Engine, dialogue_id: int) -> list[Row[Any]]:
    """The directions on the opinions raised at one dialogue conference, in the order written."""
    with reading(engine) as conn:
        return list(conn.execute(select(_D).where(_D.c.dialogue_id == dialogue_id).order_by(_D.c.id)))


def unit_directions(
    engine: Engine, unit_ids: Sequence[str], *, first: date | None = None, last: date | None = None
) -> list[Row[Any]]:
    """The directions of the units (cases received in [first, last] when given), by due date."""
    q = select(_D)
    if first is not None:
        q = q.where(_D.c.received_on >= first)
    if last is not None:
        q = q.where(_D.c.received_on <= last)
    with reading(engine) as conn:
        out = rows_in(conn, q, _D.c.unit_id, unit_ids)
    return sorted(out, key=lambda r: (r.due, r.id))


# --- the conclusion notice's number and date ----------------------------------------------------


def set_conclusion_notice(
    engine: Engine, session_id: int, *, number: str, issued_on: date, actor: Actor, now: datetime, today: date
) -> Row[Any]:
    """Record the conclusion notice of a held session (số và ngày Thông báo kết luận)."""
    number = _text(number, "số thông báo", NUMBER_MAX, required=False)
    with engine.begin() as conn:
        s = conn.execute(
            select(_S.c.id, _S.c.unit_id, _S.c.status, _S.c.date).where(_S.c.id == session_id)
        ).first()
        if s is None:
            raise ServiceError(f"không có buổi tiếp số {session_id}")
        if s.status != "held":
            raise ServiceError(
                f"buổi tiếp số {session_id} chưa được ghi là đã tiếp; chưa ra thông báo kết luận được"
            )
        if issued_on > today:
            raise ServiceError(f"ngày thông báo {dmy(issued_on)} là ngày sau hôm nay ({dmy(today)})")
        if issued_on < s.date:
            raise ServiceError(f"ngày thông báo {dmy(issued_on)} trước ngày tiếp {dmy(s.date)}")
        old = conn.execute(select(_C).where(_C.c.session_id == session_id)).first()
        values = {"number": number, "issued_on": issued_on, "recorded_at": now, "unit_id": s.unit_id}
        if old is None:
            conn.execute(insert(_C), values | {"session_id": session_id})
        elif (old.number, old.issued_on) != (number, issued_on):
            conn.execute(_C.update().where(_C.c.session_id == session_id).values(**values))
        if old is None or (old.number, old.issued_on) != (number, issued_on):
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="conclusion_notice",
                session_id=session_id,
                unit_id=s.unit_id,
                number=number,
                issued_on=issued_on.isoformat(),
            )
        return conn.execute(select(_C).where(_C.c.session_id == session_id)).one()


def conclusion_notice(engine: Engine, session_id: int) -> Row[Any] | None:
    with reading(engine) as conn:
        return conn.execute(select(_C).where(_C.c.session_id == session_id)).first()


# --- the follow-up list --------------------------------------------------------------------------


def source_text(row: Any) -> str:
    """Where a direction was given, as the follow-up list shows it: "Buổi tiếp công dân ngày
    22/01/2027" or "Hội nghị đối thoại ngày 20/06/2027" (``received_on`` is that day)."""
    what = "Hội nghị đối thoại" if row.dialogue_id is not None else "Buổi tiếp công dân"
    return f"{what} ngày {dmy(row.received_on)}"


def direction_dict(row: Any, config: Config, today: date) -> dict[str, Any]:
    """The JSON of a direction, as ``tiepdan followup --format json`` and the API give it."""
    facts = facts_of(row)
    from_dialogue = row.dialogue_id is not None
    lim = limit_of(row)
    state = state_of(facts, today, config.calendar, soon=config.followup.soon_days)
    return {
        "id": row.id,
        "unit": row.unit_id,
        "session": row.session_id,
        "entry": row.entry_id,
        "dialogue": row.dialogue_id,
        "source": source_text(row),
        "content": row.content,
        "agency": row.agency,
        "received_on": row.received_on.isoformat(),
        "accepted_on": row.accepted_on.isoformat() if row.accepted_on else None,
        "limit": {
            "id": row.limit_id,
            "days": lim.days if lim else None,
            "counting": lim.counting if lim else None,
            "basis": lim.basis if lim else "",
        },
        "due": row.due.isoformat(),
        "state": state,
        "state_vi": STATE_VI[state],
        "working_days_left": working_days_left(row.due, today, config.calendar),
        "resolved_on": row.resolved_on.isoformat() if row.resolved_on else None,
        "on_time": on_time(facts),
        "result": row.result,
        "answered_on": row.answered_on.isoformat() if row.answered_on else None,
        "notified_on": row.notified_on.isoformat() if row.notified_on else None,
        # The written notice of QĐ 11 is owed to one petitioner; an opinion raised at a dialogue
        # is answered through the dialogue's results notice instead.
        "notice_due": None if from_dialogue else notice_due(config.calendar, row.received_on).isoformat(),
        "version": row.version,
    }


def parse_states(text: str | None) -> tuple[State, ...] | None:
    """ "overdue,due_soon" -> the states; None or "" -> every state."""
    if not text:
        return None
    out: list[State] = []
    for part in text.split(","):
        part = part.strip()
        if part not in STATES:
            raise ServiceError(f"trạng thái {part!r} không có; dùng một trong: {', '.join(STATES)}")
        out.append(part)  # type: ignore[arg-type]
    return tuple(out)


def followup_list(
    engine: Engine,
    config: Config,
    unit_id: str,
    today: date,
    *,
    states: Sequence[State] | None = None,
    agency: str | None = None,
    dialogues_only: bool = False,
) -> dict[str, Any]:
    """The office's daily list (Theo dõi giải quyết): every direction of the unit with its state
    and its source (a reception session or a dialogue conference), filtered by state and agency,
    and the held sessions still without a conclusion notice. ``dialogues_only``: the directions
    given at dialogues alone and no session (what the MTTQ's account reads: nothing personal)."""
    config.unit(unit_id)
    wanted = set(states) if states else None
    needle = " ".join(nfc(agency).casefold().split()) if agency else ""
    items = []
    for row in unit_directions(engine, [unit_id]):
        if dialogues_only and row.dialogue_id is None:
            continue
        d = direction_dict(row, config, today)
        if wanted is not None and d["state"] not in wanted:
            continue
        if needle and needle not in " ".join(row.agency.casefold().split()):
            continue
        items.append(d)
    missing = [] if dialogues_only else missing_conclusions(engine, config, [unit_id], today)
    return {
        "unit": unit_id,
        "today": today.isoformat(),
        "directions": items,
        "conclusions_missing": [
            {"session": m.session_id, "date": m.date.isoformat(), "due": m.due.isoformat()} for m in missing
        ],
    }


def direction_history(engine: Engine, session_id: int, direction_id: int) -> list[Row[Any]]:
    """The audit rows of one direction, oldest first."""
    import json

    from scheduler.infra.db.models import AuditRow

    with reading(engine) as conn:
        rows = conn.execute(
            select(AuditRow)
            .where(AuditRow.session_id == session_id, AuditRow.action.like("direction_%"))
            .order_by(AuditRow.at, AuditRow.id)
        ).all()
    return [r for r in rows if json.loads(r.details or "{}").get("direction") == direction_id]


def direction_records(conn: Connection, unit_ids: Sequence[str] | None, first: date, last: date) -> list[Any]:
    """The directions of the units (None: all) received in [first, last], as dates only."""
    from rules.followup_report import DirectionRecord

    cols = (_D.c.unit_id, _D.c.received_on, _D.c.due, _D.c.resolved_on, _D.c.answered_on)
    q = select(*cols).where(_D.c.received_on >= first, _D.c.received_on <= last)
    return [DirectionRecord(*r) for r in rows_in(conn, q, _D.c.unit_id, unit_ids)]
