"""The calendar engine: from units, levels and the working-day calendar to sessions and findings.

Ten thousand units share a handful of patterns, so the work is done once per distinct
(pattern, roll, level) and shared by every unit that has it.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from rules.errors import RuleError
from rules.findings import Finding, Shortfall, shortfalls
from rules.mandates import Level
from rules.patterns import nominal_dates
from rules.rolls import assign_dates
from rules.units import Pattern, Roll, Unit
from rules.workcalendar import WorkCalendar, moved_reason


@dataclass(frozen=True, slots=True)
class Session:
    """A reception day the rules give a unit (buổi tiếp công dân định kỳ theo lịch)."""

    unit: str
    nominal: date
    date: date
    moved: str | None  # why date != nominal; None when it did not move


@dataclass(frozen=True, slots=True)
class PlannedDate:
    nominal: date
    date: date
    moved: str | None


@dataclass(slots=True)
class PatternPlan:
    """The dates and shortfalls of one (pattern, roll, level), shared by its units."""

    units: list[Unit]  # sorted by id
    dates: list[PlannedDate]  # sorted by date
    shortfalls: list[Shortfall]


@dataclass(frozen=True, slots=True)
class CalendarPlan:
    """The calendar of many units over [first, last]."""

    first: date
    last: date
    plans: tuple[PatternPlan, ...]

    def sessions(self) -> Iterator[Session]:
        """Every session, sorted by date then unit."""
        for _, unit, planned in self._sorted_sessions():
            yield Session(unit.id, planned.nominal, planned.date, planned.moved)

    def _sorted_sessions(self) -> Iterator[tuple[date, Unit, PlannedDate]]:
        # Units of one plan share its dates, so a day's sessions are a merge of a few runs
        # already sorted by unit id; nothing is sorted session by session.
        by_date: dict[date, list[tuple[PatternPlan, PlannedDate]]] = defaultdict(list)
        for plan in self.plans:
            for planned in plan.dates:
                by_date[planned.date].append((plan, planned))
        for day in sorted(by_date):
            refs = by_date[day]
            if len(refs) == 1:
                plan, planned = refs[0]
                for unit in plan.units:
                    yield day, unit, planned
                continue
            runs = [[(u.id, u, planned) for u in plan.units] for plan, planned in refs]
            for _, unit, planned in heapq.merge(*runs, key=lambda t: t[0]):
                yield day, unit, planned

    def sorted_pairs(self) -> Iterator[tuple[Unit, PlannedDate]]:
        """(unit, planned date) in the contract's order, without building Session objects."""
        for _, unit, planned in self._sorted_sessions():
            yield unit, planned

    def findings(self) -> Iterator[Finding]:
        """Every finding, sorted by period key then unit."""
        by_key: dict[str, list[tuple[int, Shortfall]]] = defaultdict(list)
        for i, plan in enumerate(self.plans):
            for s in plan.shortfalls:
                by_key[s.period.key].append((i, s))
        for key in sorted(by_key):
            runs = [[(u.id, s) for u in self.plans[i].units] for i, s in by_key[key]]
            for unit_id, s in heapq.merge(*runs, key=lambda t: t[0]):
                yield Finding(unit_id, s)

    def unit_sessions(self, unit_id: str) -> list[Session]:
        for plan in self.plans:
            if any(u.id == unit_id for u in plan.units):
                return [Session(unit_id, p.nominal, p.date, p.moved) for p in plan.dates]
        return []

    @property
    def session_count(self) -> int:
        return sum(len(p.units) * len(p.dates) for p in self.plans)


def plan_calendar(
    units: Iterable[Unit],
    levels: Mapping[str, Level],
    calendar: WorkCalendar,
    first: date,
    last: date,
    *,
    default_roll: Roll = "modified-following",
) -> CalendarPlan:
    """The sessions and findings of every unit whose nominal dates fall in [first, last]."""
    if first > last:
        raise RuleError(f"khoảng ngày không hợp lệ: {first.isoformat()} sau {last.isoformat()}")
    groups: dict[tuple[Pattern, Roll, str], list[Unit]] = defaultdict(list)
    for unit in units:
        if unit.level not in levels:
            raise RuleError(f"đơn vị {unit.id}: không có cấp {unit.level!r}")
        groups[(unit.pattern, unit.roll or default_roll, unit.level)].append(unit)
    judged_by_level = {
        level_id: levels[level_id].judged_periods(first, last) for level_id in {key[2] for key in groups}
    }
    plans: list[PatternPlan] = []
    for (pattern, roll, level_id), members in groups.items():
        level = levels[level_id]
        pairs = plan_pattern(pattern, roll, level, calendar, first, last)
        dates = [
            PlannedDate(n, d, None if d == n else moved_reason(calendar, n, d, roll=roll))
            for n, d in pairs
            if d is not None
        ]
        dates.sort(key=lambda p: p.date)
        members.sort(key=lambda u: u.id)
        plans.append(
            PatternPlan(members, dates, shortfalls(level, pairs, first, last, judged_by_level[level_id]))
        )
    return CalendarPlan(first, last, tuple(plans))


def plan_pattern(
    pattern: Pattern,
    roll: Roll,
    level: Level,
    calendar: WorkCalendar,
    first: date,
    last: date,
) -> list[tuple[date, date | None]]:
    """(nominal, session date or None) for one pattern, in nominal order."""
    return assign_dates(
        nominal_dates(pattern, first, last),
        roll=roll,
        level=level,
        is_working=calendar.is_working_ordinal,
    )


def plan_unit(
    unit: Unit,
    level: Level,
    calendar: WorkCalendar,
    first: date,
    last: date,
    *,
    default_roll: Roll = "modified-following",
) -> list[Session]:
    """One unit's sessions over [first, last], sorted by date."""
    roll = unit.roll or default_roll
    pairs = plan_pattern(unit.pattern, roll, level, calendar, first, last)
    out = [
        Session(unit.id, n, d, None if d == n else moved_reason(calendar, n, d, roll=roll))
        for n, d in pairs
        if d is not None
    ]
    out.sort(key=lambda s: s.date)
    return out


def unit_findings(
    unit: Unit, level: Level, sessions: Sequence[Session], first: date, last: date
) -> list[Finding]:
    pairs = [(s.nominal, s.date) for s in sessions]
    return [Finding(unit.id, s) for s in shortfalls(level, pairs, first, last)]
