"""Findings (kỳ không đủ số ngày tiếp): whole periods where a unit has fewer sessions than its
mandate asks, whatever the cause, with the cause in words."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rules.mandates import Level, Mandate
from rules.periods import Period
from rules.vietnamese import dm


@dataclass(frozen=True, slots=True)
class Shortfall:
    """One period short of its mandate, before it is attached to a unit."""

    period: Period
    mandate: Mandate
    scheduled: int
    reason: str

    @property
    def required(self) -> int:
        return self.mandate.min_days

    @property
    def message(self) -> str:
        basis = f"; {self.mandate.basis}" if self.mandate.basis else ""
        label = self.period.label
        return (
            f"{label[0].upper()}{label[1:]}: {self.scheduled}/{self.required} ngày tiếp "
            f"({self.mandate.describe()}{basis}), thiếu {self.required - self.scheduled}: "
            f"{self.reason}"
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """A shortfall of one unit in one period (the contract's ``findings`` entry)."""

    unit: str
    shortfall: Shortfall

    @property
    def period(self) -> Period:
        return self.shortfall.period

    @property
    def required(self) -> int:
        return self.shortfall.required

    @property
    def scheduled(self) -> int:
        return self.shortfall.scheduled

    @property
    def message(self) -> str:
        return self.shortfall.message


def shortfalls(
    level: Level,
    pairs: Sequence[tuple[date, date | None]],
    first: date,
    last: date,
    judged: Sequence[tuple[Period, Mandate]] | None = None,
) -> list[Shortfall]:
    """Judge every whole period in [first, last] against the mandate in force for it.

    ``pairs`` are (nominal, session date or None) as the rolls gave them.
    """
    dates = sorted(d for _, d in pairs if d is not None)
    out: list[Shortfall] = []
    for period, mandate in judged if judged is not None else level.judged_periods(first, last):
        count = bisect_right(dates, period.end) - bisect_left(dates, period.start)
        if count < mandate.min_days:
            out.append(Shortfall(period, mandate, count, _why(period, mandate, pairs)))
    return out


def _why(period: Period, mandate: Mandate, pairs: Sequence[tuple[date, date | None]]) -> str:
    mine = [(n, d) for n, d in pairs if period.start <= n <= period.end]
    reasons: list[str] = []
    if len(mine) < mandate.min_days:
        reasons.append(f"lịch cố định chỉ có {len(mine)} ngày trong kỳ")
    dropped = [n for n, d in mine if d is None]
    if dropped:
        reasons.append("không còn ngày làm việc trống trong kỳ cho ngày " + ", ".join(dm(n) for n in dropped))
    left = [(n, d) for n, d in mine if d is not None and not period.start <= d <= period.end]
    if left:
        reasons.append("; ".join(f"buổi tiếp ngày {dm(n)} chuyển sang {dm(d)}, ra ngoài kỳ" for n, d in left))
    return "; ".join(reasons) or "không đủ ngày làm việc trống trong kỳ"
