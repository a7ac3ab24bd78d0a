"""A plain reading of shared/contracts/calendar.md, written from the contract's text alone.

Slow and literal on purpose: it walks day by day where the engine is clever, so that the
property tests can compare the two. Nothing here imports ``rules``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import holidays
from dateutil.rrule import rrulestr

ONE_DAY = timedelta(days=1)
_LIBRARY = holidays.country_holidays("VN")


@dataclass(frozen=True)
class RefMandate:
    min_days: int
    per: str  # "month" or "week"


@dataclass(frozen=True)
class RefLevel:
    """A level as the configuration writes it: its own mandate and ``earlier`` ones."""

    current: RefMandate
    earlier: tuple[tuple[date, RefMandate], ...] = ()  # (until, mandate)


@dataclass(frozen=True)
class RefUnit:
    id: str
    level: str
    days: tuple[int, ...] | None = None
    rrule: str | None = None
    roll: str | None = None


# The contract's table of the Government's decisions (calendar.md), copied from its text.
GOVERNMENT_VN = {date(2026, 1, 2): False, date(2026, 1, 10): True}


@dataclass
class RefCalendar:
    days_off: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)
    government: dict[date, bool] = field(default_factory=dict)  # GOVERNMENT_VN unless turned off

    def is_working(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.days_off:
            return False
        if d in self.government:
            return self.government[d]
        return _LIBRARY.is_working_day(d)


def days_between(a: date, b: date) -> list[date]:
    """Every date from a to b, both included (empty when a > b)."""
    out = []
    while a <= b:
        out.append(a)
        a += ONE_DAY
    return out


def nominal_dates(unit: RefUnit, first: date, last: date) -> list[date]:
    out = []
    if unit.days is not None:
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            month_end = calendar.monthrange(y, m)[1]
            for day in unit.days:
                d = date(y, m, min(day, month_end))
                if first <= d <= last:
                    out.append(d)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    else:
        rule = rrulestr(unit.rrule, dtstart=datetime(first.year, first.month, first.day))
        for occurrence in rule:
            if occurrence.date() > last:
                break
            if occurrence.date() >= first:
                out.append(occurrence.date())
    return sorted(out)


def mandates_with_spans(level: RefLevel) -> list[tuple[date | None, date | None, RefMandate]]:
    """(first day in force or None, last day in force or None, mandate)."""
    out = []
    start = None
    for until, mandate in sorted(level.earlier, key=lambda e: e[0]):
        out.append((start, until, mandate))
        start = until + ONE_DAY
    out.append((start, None, level.current))
    return out


def mandate_in_force(level: RefLevel, d: date) -> RefMandate:
    for start, end, mandate in mandates_with_spans(level):
        if (start is None or start <= d) and (end is None or d <= end):
            return mandate
    raise AssertionError("no mandate in force")


def period_of(d: date, per: str) -> tuple[date, date]:
    if per == "month":
        return date(d.year, d.month, 1), date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
    monday = d - timedelta(days=d.weekday())
    return monday, monday + timedelta(days=6)


def period_key(start: date, per: str) -> str:
    if per == "month":
        return f"{start.year:04d}-{start.month:02d}"
    iso_year, iso_week, _ = start.isocalendar()
    return f"{iso_year:04d}-W{iso_week:02d}"


def unit_sessions(
    unit: RefUnit, level: RefLevel, cal: RefCalendar, first: date, last: date, default_roll: str
) -> list[tuple[date, date]]:
    """(nominal, session date) for one unit, in nominal order: steps 1-5 of the contract."""
    roll = unit.roll or default_roll
    taken: set[date] = set()
    out = []
    for nominal in nominal_dates(unit, first, last):
        lo, hi = period_of(nominal, mandate_in_force(level, nominal).per)

        def free(d: date) -> bool:
            return cal.is_working(d) and d not in taken

        chosen = None
        if roll == "nearest":
            candidates = [d for d in days_between(lo, hi) if free(d)]
            if candidates:
                chosen = min(candidates, key=lambda d: (abs((d - nominal).days), -d.toordinal()))
        else:
            after = [d for d in days_between(nominal, hi) if free(d)]
            if after:
                chosen = after[0]
            elif roll == "modified-following":
                before = [d for d in days_between(lo, nominal - ONE_DAY) if free(d)]
                if before:
                    chosen = before[-1]
            elif roll == "following":
                chosen = hi + ONE_DAY
                while not free(chosen):
                    chosen += ONE_DAY
        if chosen is not None:
            taken.add(chosen)
            out.append((nominal, chosen))
    return out


def unit_findings(
    unit_id: str, level: RefLevel, session_dates: list[date], first: date, last: date
) -> list[tuple[str, str, int, int]]:
    """(unit, period key, required, scheduled) for every whole period in range that falls short."""
    out = []
    for start, end, mandate in mandates_with_spans(level):
        for d in days_between(first, last):
            in_force = (start is None or start <= d) and (end is None or d <= end)
            p_start, p_end = period_of(d, mandate.per)
            if not in_force or d != p_start or p_end > last:
                continue
            count = sum(1 for s in session_dates if p_start <= s <= p_end)
            if count < mandate.min_days:
                out.append((unit_id, period_key(p_start, mandate.per), mandate.min_days, count))
    return out


def plan(
    units: list[RefUnit],
    levels: dict[str, RefLevel],
    cal: RefCalendar,
    first: date,
    last: date,
    default_roll: str = "modified-following",
) -> tuple[list[tuple[str, date, date]], list[tuple[str, str, int, int]]]:
    """Sessions as (unit, date, nominal) sorted by date then unit; findings as (unit, period,
    required, scheduled) sorted by period then unit."""
    sessions = []
    findings = []
    for unit in units:
        pairs = unit_sessions(unit, levels[unit.level], cal, first, last, default_roll)
        sessions += [(unit.id, d, n) for n, d in pairs]
        findings += unit_findings(unit.id, levels[unit.level], [d for _, d in pairs], first, last)
    sessions.sort(key=lambda s: (s[1], s[0]))
    findings.sort(key=lambda f: (f[1], f[0]))
    return sessions, findings
