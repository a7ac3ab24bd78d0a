"""Counts per unit for the desk's list of units (supervisors, admins): one grouped read, no personal
data. A use-case read in scheduler/, so that the web layer never queries a table itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Engine, case, func, select

from rules.vocabulary import COUNTS
from scheduler.infra.db import reading
from scheduler.infra.db.models import SessionRow

_T = SessionRow.__table__
FIELDS = ("sessions", "held", "cancelled", "waiting", *COUNTS)


def unit_counts(
    engine: Engine, unit_ids: Sequence[str], first: date, last: date
) -> dict[str, dict[str, int]]:
    """{unit: {sessions, held, cancelled (or not held), waiting (for a make-up), visits, ...}}."""
    out = {u: dict.fromkeys(FIELDS, 0) for u in unit_ids}
    if not unit_ids:
        return out
    held = _T.c.status == "held"
    q = (
        select(
            _T.c.unit_id,
            func.count(),
            func.sum(case((held, 1), else_=0)),
            func.sum(case((_T.c.status.in_(("cancelled", "not_held")), 1), else_=0)),
            func.sum(case((_T.c.needs_makeup, 1), else_=0)),
            *(func.sum(case((held, func.coalesce(getattr(_T.c, k), 0)), else_=0)) for k in COUNTS),
        )
        .where(_T.c.unit_id.in_(list(unit_ids)), _T.c.date.between(first, last))
        .group_by(_T.c.unit_id)
    )
    with reading(engine) as conn:
        for row in conn.execute(q):
            out[row[0]] = dict(zip(FIELDS, (int(v or 0) for v in row[1:]), strict=True))
    return out
