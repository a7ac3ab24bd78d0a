"""What the follow-up's reminders read: a direction's dates as ``rules.followup`` judges them, and
the held sessions still without their conclusion notice after the configured working days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import Engine, select

from rules.followup import DirectionFacts, conclusion_due
from scheduler.infra.config import Config
from scheduler.infra.db import reading, rows_in
from scheduler.infra.db.models import ConclusionNoticeRow, SessionRow

_C = ConclusionNoticeRow.__table__
_S = SessionRow.__table__


class DirectionDates(Protocol):
    """What ``facts_of`` reads of a direction: a ``StoredDirection``, or a row of ``directions``."""

    @property
    def id(self) -> int: ...
    @property
    def received_on(self) -> date: ...
    @property
    def due(self) -> date: ...
    @property
    def resolved_on(self) -> date | None: ...
    @property
    def answered_on(self) -> date | None: ...
    @property
    def notified_on(self) -> date | None: ...


def facts_of(row: DirectionDates) -> DirectionFacts:
    """A direction's dates, as ``rules.followup`` judges its state."""
    return DirectionFacts(
        id=row.id,
        received_on=row.received_on,
        due=row.due,
        resolved_on=row.resolved_on,
        answered_on=row.answered_on,
        notified_on=row.notified_on,
    )


@dataclass(frozen=True, slots=True)
class MissingConclusion:
    """A held session still without its conclusion notice after the configured working days."""

    session_id: int
    unit_id: str
    date: dt.date  # the session's day (the field's name shadows the type inside the class)
    due: dt.date


def missing_conclusions(
    engine: Engine, config: Config, unit_ids: Iterable[str] | None, today: date
) -> list[MissingConclusion]:
    """Of ``unit_ids``' sessions (None: every unit's, read at once, as the outbox's tick does)."""
    ids = sorted(set(unit_ids)) if unit_ids is not None else None
    within = config.followup.conclusion_within
    out: list[MissingConclusion] = []
    q = (
        select(_S.c.id, _S.c.unit_id, _S.c.date)
        .outerjoin(_C, _C.c.session_id == _S.c.id)
        .where(_S.c.status == "held", _C.c.session_id.is_(None), _S.c.date <= today)
    )
    with reading(engine) as conn:
        rows = rows_in(conn, q, _S.c.unit_id, ids)
    dues: dict[date, date] = {}  # a few dozen days for thousands of sessions
    for sid, uid, d in rows:
        due = dues.get(d)
        if due is None:
            due = dues[d] = conclusion_due(config.calendar, d, within)
        if today > due:
            out.append(MissingConclusion(sid, uid, d, due))
    return sorted(out, key=lambda m: (m.date, m.session_id))
