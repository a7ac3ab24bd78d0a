"""The days a session's unit already receives on, and the make-up days proposed for a cancelled
or not-held session (``rules.propose_makeup``): read by the cancel and record use cases, and by
the outbox for the cancellation message."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from sqlalchemy import Connection, select

from rules import MakeupProposal, propose_makeup
from rules.vocabulary import ACTIVE
from scheduler.infra.config import Config
from scheduler.infra.db.models import SessionRow

_T = SessionRow.__table__


def taken_dates(conn: Connection, unit_id: str, exclude: int | None = None) -> set[date]:
    q = select(_T.c.date).where(_T.c.unit_id == unit_id, _T.c.status.in_(ACTIVE))
    if exclude is not None:
        q = q.where(_T.c.id != exclude)
    return {d for (d,) in conn.execute(q)}


class UnitDay(Protocol):
    """What the proposed make-up days need of a session: its unit and its day (a
    ``StoredSession``, or a row of ``select(sessions)`` as the outbox reads them)."""

    @property
    def unit_id(self) -> str: ...
    @property
    def date(self) -> date: ...


def proposals_for(conn: Connection, config: Config, row: UnitDay, today: date) -> list[MakeupProposal]:
    unit = config.units_by_id.get(row.unit_id)
    if unit is None:
        return []
    return propose_makeup(
        row.date,
        level=config.level_of(unit),
        calendar=config.calendar,
        # Never the cancelled day itself (the head is away that day): once cancelled, the session
        # no longer holds its date, and propose_makeup only skips it after the period.
        taken=taken_dates(conn, row.unit_id) | {row.date},
        today=today,
    )
