"""The reads of directions for the doors: a session's, a dialogue's or a unit's directions, the
JSON of one, the office's follow-up list (Theo dõi giải quyết), a direction's history and the
report's rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, select

from rules import ServiceError
from rules.followup import STATE_VI, STATES, State, notice_due, on_time, state_of, working_days_left
from rules.followup_report import DirectionRecord
from rules.vietnamese import dmy, nfc
from scheduler.infra.audit import AuditEntry
from scheduler.infra.config import Config
from scheduler.infra.db import reading, rows_in
from scheduler.infra.db.models import AuditRow, DirectionRow
from scheduler.infra.jsontype import Json, JsonObject
from scheduler.reads.followup_facts import missing_conclusions
from scheduler.reads.stored_direction import StoredDirection
from scheduler.usecases.direction_deadline import limit_of

_D = DirectionRow.__table__


def directions_of_session(engine: Engine, session_id: int) -> list[StoredDirection]:
    """The directions on the cases of one session's log, by case then in the order written."""
    q = select(_D).where(_D.c.session_id == session_id).order_by(_D.c.entry_id, _D.c.id)
    with reading(engine) as conn:
        return [StoredDirection.of(r) for r in conn.execute(q)]


def directions_of_dialogue(engine: Engine, dialogue_id: int) -> list[StoredDirection]:
    """The directions on the opinions raised at one dialogue conference, in the order written."""
    q = select(_D).where(_D.c.dialogue_id == dialogue_id).order_by(_D.c.id)
    with reading(engine) as conn:
        return [StoredDirection.of(r) for r in conn.execute(q)]


def unit_directions(
    engine: Engine, unit_ids: Sequence[str], *, first: date | None = None, last: date | None = None
) -> list[StoredDirection]:
    """The directions of the units (cases received in [first, last] when given), by due date."""
    q = select(_D)
    if first is not None:
        q = q.where(_D.c.received_on >= first)
    if last is not None:
        q = q.where(_D.c.received_on <= last)
    with reading(engine) as conn:
        out = [StoredDirection.of(r) for r in rows_in(conn, q, _D.c.unit_id, unit_ids)]
    return sorted(out, key=lambda r: (r.due, r.id))


def source_text(row: StoredDirection) -> str:
    """Where a direction was given, as the follow-up list shows it: "Buổi tiếp công dân ngày
    22/01/2027" or "Hội nghị đối thoại ngày 20/06/2027" (``received_on`` is that day)."""
    what = "Hội nghị đối thoại" if row.dialogue_id is not None else "Buổi tiếp công dân"
    return f"{what} ngày {dmy(row.received_on)}"


def direction_dict(row: StoredDirection, config: Config, today: date) -> JsonObject:
    """The JSON of a direction, as ``tiepdan followup --format json`` and the API give it."""
    facts = row.facts()
    from_dialogue = row.from_dialogue
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
        state = next((s for s in STATES if s == part), None)
        if state is None:
            raise ServiceError(f"trạng thái {part!r} không có; dùng một trong: {', '.join(STATES)}")
        out.append(state)
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
    items: list[Json] = []
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


def direction_history(engine: Engine, session_id: int | None, direction_id: int) -> list[AuditEntry]:
    """The audit rows of one direction, oldest first (``session_id`` None: a dialogue's)."""
    a = AuditRow.__table__
    with reading(engine) as conn:
        rows = conn.execute(
            select(a)
            .where(a.c.session_id == session_id, a.c.action.like("direction_%"))
            .order_by(a.c.at, a.c.id)
        )
        out = [AuditEntry.of(r) for r in rows]
    return [e for e in out if json.loads(e.details or "{}").get("direction") == direction_id]


def direction_records(
    conn: Connection, unit_ids: Sequence[str] | None, first: date, last: date
) -> list[DirectionRecord]:
    """The directions of the units (None: all) received in [first, last], as dates only."""
    cols = (_D.c.unit_id, _D.c.received_on, _D.c.due, _D.c.resolved_on, _D.c.answered_on)
    q = select(*cols).where(_D.c.received_on >= first, _D.c.received_on <= last)
    return [DirectionRecord(*r) for r in rows_in(conn, q, _D.c.unit_id, unit_ids)]
