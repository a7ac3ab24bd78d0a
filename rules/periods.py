"""Periods a mandate is counted over: calendar months and ISO weeks (Mon-Sun)."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

PeriodKind = Literal["month", "week"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "week")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A month ("2026-07") or an ISO week ("2026-W27"): the span a mandate counts days in."""

    start: date
    end: date
    kind: PeriodKind

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        year, week, _ = self.start.isocalendar()
        return f"{year:04d}-W{week:02d}"

    @property
    def label(self) -> str:
        """Vietnamese: "tháng 07/2026" or "tuần 27/2026 (29/06-05/07)"."""
        if self.kind == "month":
            return f"tháng {self.start.month:02d}/{self.start.year}"
        year, week, _ = self.start.isocalendar()
        return (
            f"tuần {week:02d}/{year} ({self.start.day:02d}/{self.start.month:02d}"
            f"-{self.end.day:02d}/{self.end.month:02d})"
        )

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end


@lru_cache(maxsize=65536)
def period_of(d: date, kind: PeriodKind) -> Period:
    if kind == "month":
        last = _calendar.monthrange(d.year, d.month)[1]
        return Period(d.replace(day=1), d.replace(day=last), "month")
    monday = d - timedelta(days=d.weekday())
    return Period(monday, monday + timedelta(days=6), "week")


def period_from_key(key: str) -> Period:
    """Inverse of ``Period.key``; raises ValueError on anything else."""
    if "-W" in key:
        year, week = key.split("-W")
        return period_of(date.fromisocalendar(int(year), int(week), 1), "week")
    year, month = key.split("-")
    return period_of(date(int(year), int(month), 1), "month")


def periods_starting_in(first: date, last: date, kind: PeriodKind) -> list[Period]:
    """Every period of ``kind`` whose first day lies in [first, last]."""
    out: list[Period] = []
    p = period_of(first, kind)
    if p.start < first:
        p = period_of(p.end + timedelta(days=1), kind)
    while p.start <= last:
        out.append(p)
        p = period_of(p.end + timedelta(days=1), kind)
    return out
