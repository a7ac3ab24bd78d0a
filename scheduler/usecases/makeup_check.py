"""Whether a booked make-up keeps the law (tiếp bù đúng luật): inside the lost session's period
while free days are left there (the mandate), and posted 5 working days ahead (Luật Tiếp công dân,
Điều 24). Breaking either is allowed ("as soon as possible" is the law too) and warned in one
line, on the command line and the desk (``rules.makeup.makeup_warning``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from rules.makeup import makeup_warning
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import SessionRow
from scheduler.reads.stored_session import StoredSession

_S = SessionRow.__table__


def makeup_warning_for(engine: Engine, config: Config, makeup: StoredSession, today: date) -> str | None:
    """The warning for the make-up session ``makeup``, or None."""
    if makeup.kind != "makeup" or makeup.replaces_id is None or makeup.status != "planned":
        return None
    unit = config.units_by_id.get(makeup.unit_id)
    if unit is None:
        return None
    with reading(engine) as conn:
        lost = conn.execute(select(_S.c.date).where(_S.c.id == makeup.replaces_id)).scalar()
        taken = set(conn.execute(select(_S.c.date).where(_S.c.unit_id == makeup.unit_id)).scalars())
    if lost is None:
        return None
    # The make-up's own day is taken now; the question is whether another day inside was free.
    return makeup_warning(
        makeup.date,
        lost,
        level=config.level_of(unit),
        calendar=config.calendar,
        taken=taken - {makeup.date},
        today=today,
    )
