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
from itertools import chain, repeat, starmap
from operator import attrgetter

from rules.errors import RuleError
from rules.findings import Finding, Shortfall, shortfalls
from rules.mandates import Level
from rules.patterns import nominal_dates
from rules.rolls import assign_dates
from rules.units import Pattern, Roll, Unit
from rules.workcalendar import WorkCalendar, moved_reason

_by_id = attrgetter("id")


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
        for units, planned in self.day_runs():
            for unit, p in zip(units, planned, strict=True):
                yield Session(unit.id, p.nominal, p.date, p.moved)

    def _sorted_sessions(self) -> Iterator[tuple[date, Unit, PlannedDate]]:
        for units, planned in self.day_runs():
            day = planned[0].date
            for unit, p in zip(units, planned, strict=True):
                yield day, unit, p

    def day_runs(self) -> Iterator[tuple[Sequence[Unit], Sequence[PlannedDate]]]:
        """The sessions of each day, days ascending: (units sorted by id, their planned dates),
        two sequences of the same length. Together, the contract's order.

        Units of one plan share its dates, so a day's sessions are the units of the few plans
        that have that day, merged by id. The merge of a set of plans is computed once, on the
        global order of unit ids, and reused by every day that has the same set of plans: the
        units sequence is then the very same object (a renderer may cache by it; nobody may
        change it).
        """
        for units, planned in self._runs():
            yield units, list(planned)

    def _runs(self) -> Iterator[tuple[Sequence[Unit], Iterable[PlannedDate]]]:
        """``day_runs`` with each day's planned dates as a lazy iterable."""
        by_date: dict[date, list[tuple[int, PlannedDate]]] = defaultdict(list)
        for i, plan in enumerate(self.plans):
            for planned in plan.dates:
                by_date[planned.date].append((i, planned))
        merged: dict[tuple[int, ...], tuple[list[Unit], list[int]]] = {}
        order: _UnitOrder | None = None
        for day in sorted(by_date):
            refs = by_date[day]
            if len(refs) == 1:
                i, planned = refs[0]
                units = self.plans[i].units
                yield units, repeat(planned, len(units))
                continue
            key = tuple(i for i, _ in refs)
            run = merged.get(key)
            if run is None:
                if order is None:
                    order = _UnitOrder(self.plans)
                run = merged[key] = order.merge(key)
            units, slots = run
            yield units, map([planned for _, planned in refs].__getitem__, slots)

    def sorted_pairs(self) -> Iterator[tuple[Unit, PlannedDate]]:
        """(unit, planned date) in the contract's order, without building Session objects."""
        # Lazy, as a generator would be, and without a Python frame per session.
        return chain.from_iterable(starmap(zip, self._runs()))

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


class _UnitOrder:
    """The units of all ``plans`` ranked by id. Ties (equal ids) rank in plan order, then in
    order within the plan: what ``heapq.merge`` of the plans' runs, in plan order, gives."""

    def __init__(self, plans: Sequence[PatternPlan]) -> None:
        units = [u for plan in plans for u in plan.units]
        plan_of = [i for i, plan in enumerate(plans) for _ in plan.units]
        ids = list(map(_by_id, units))
        order = sorted(range(len(units)), key=ids.__getitem__)  # stable: ties keep plan order
        self.unit = list(map(units.__getitem__, order))  # by rank
        self.plan = list(map(plan_of.__getitem__, order))  # by rank: index of the unit's plan
        self.ranks: list[list[int]] = [[] for _ in plans]  # by plan: its units' ranks, ascending
        for rank, i in enumerate(self.plan):
            self.ranks[i].append(rank)

    def merge(self, key: tuple[int, ...]) -> tuple[list[Unit], list[int]]:
        """The units of the plans ``key`` (ascending plan indices) in order of id, and for each
        the position in ``key`` of its plan."""
        ranks = sorted(chain.from_iterable(self.ranks[i] for i in key))
        slot = {i: j for j, i in enumerate(key)}
        units = list(map(self.unit.__getitem__, ranks))
        return units, list(map(slot.__getitem__, map(self.plan.__getitem__, ranks)))


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
    # Keyed by the pattern's fields (what Pattern equality compares), not by the Pattern: a
    # tuple of plain values hashes and compares far faster, ten thousand times over.
    groups: dict[tuple[tuple[int, ...] | None, str | None, Roll, str], list[Unit]] = {}
    for unit in units:
        pattern = unit.pattern
        key = (pattern.days, pattern.rrule, unit.roll or default_roll, unit.level)
        members = groups.get(key)
        if members is not None:
            members.append(unit)
            continue
        # A unit of an unknown level is always the first of its group: checked here, it is
        # still reported for the first such unit.
        if unit.level not in levels:
            raise RuleError(f"đơn vị {unit.id}: không có cấp {unit.level!r}")
        groups[key] = [unit]
    judged_by_level = {
        level_id: levels[level_id].judged_periods(first, last) for level_id in {key[3] for key in groups}
    }
    plans: list[PatternPlan] = []
    for (_, _, roll, level_id), members in groups.items():
        level = levels[level_id]
        pattern = members[0].pattern
        pairs = plan_pattern(pattern, roll, level, calendar, first, last)
        dates = [
            PlannedDate(n, d, None if d == n else moved_reason(calendar, n, d, roll=roll))
            for n, d in pairs
            if d is not None
        ]
        dates.sort(key=lambda p: p.date)
        members.sort(key=_by_id)
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
