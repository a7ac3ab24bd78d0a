"""A unit's year as the desk shows it: month by month, the periods short of the mandate, and the
sessions still waiting for a make-up.

Built from stored sessions (what was really decided), not from the rules' plan: a cancelled
session without a make-up is what makes a month short. The mandate in force for each period comes
from the rules (``Level.judged_periods``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rules import Level
from rules.vietnamese import dm

ACTIVE = ("planned", "held")
MONTHS_VI = tuple(f"Tháng {m}" for m in range(1, 13))


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A whole period of the year with fewer active sessions than its mandate."""

    key: str
    label: str
    start: date
    end: date
    required: int
    active: int
    basis: str
    causes: tuple[str, ...]

    @property
    def message(self) -> str:
        label = self.label[0].upper() + self.label[1:]
        why = "; ".join(self.causes) or "lịch không đủ ngày tiếp trong kỳ"
        basis = f" ({self.basis})" if self.basis else ""
        return (
            f"{label}: {self.active}/{self.required} buổi tiếp{basis}, thiếu "
            f"{self.required - self.active}: {why}"
        )


@dataclass(slots=True)
class Month:
    number: int
    name: str
    sessions: list[Any] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class YearView:
    year: int
    months: tuple[Month, ...]
    shortfalls: tuple[Shortfall, ...]
    waiting: tuple[Any, ...]  # cancelled or not held, still needing a make-up
    totals: dict[str, int]


def year_view(level: Level, rows: Sequence[Any], year: int, counts: Sequence[str]) -> YearView:
    months = tuple(Month(m, MONTHS_VI[m - 1]) for m in range(1, 13))
    for r in rows:
        if r.date.year == year:
            months[r.date.month - 1].sessions.append(r)
    shortfalls: list[Shortfall] = []
    for period, mandate in level.judged_periods(date(year, 1, 1), date(year, 12, 31)):
        inside = [r for r in rows if period.start <= r.date <= period.end]
        active = sum(1 for r in inside if r.status in ACTIVE)
        if active >= mandate.min_days:
            continue
        causes = tuple(
            f"buổi ngày {dm(r.date)} {'đã hủy' if r.status == 'cancelled' else 'không tổ chức'}"
            + (", chưa tiếp bù" if r.needs_makeup else "")
            for r in inside
            if r.status not in ACTIVE
        )
        s = Shortfall(
            period.key,
            period.label,
            period.start,
            period.end,
            mandate.min_days,
            active,
            mandate.basis,
            causes,
        )
        shortfalls.append(s)
        months[period.start.month - 1].shortfalls.append(s)
    totals = {k: 0 for k in ("planned", "held", "cancelled", "not_held", *counts)}
    for r in rows:
        totals[r.status] = totals.get(r.status, 0) + 1
        if r.status == "held":
            for k in counts:
                totals[k] += getattr(r, k) or 0
    waiting = tuple(r for r in rows if r.status in ("cancelled", "not_held") and r.needs_makeup)
    return YearView(year, months, tuple(shortfalls), waiting, totals)
