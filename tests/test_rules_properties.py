"""Properties of the calendar engine over random configurations, and agreement with reference.py.

Each example draws a few units (days of the month with clamping and collisions, or an RRULE),
a roll per unit, levels with monthly, weekly and dated mandates, days off and workdays near
the public holidays, and a range of 1-400 days in 2024-2028.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

import rules
from rules import DayNote, Level, Pattern, Unit, WorkCalendar

RRULES = (
    "FREQ=MONTHLY;BYDAY=+2TH,+4TH",
    "FREQ=WEEKLY;BYDAY=TU",
    "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=WEEKLY;BYDAY=MO,FR",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=MONTHLY;BYMONTHDAY=1,15",
    "FREQ=DAILY;INTERVAL=3",
)
ROLLS = ("modified-following", "following", "nearest")
UNIT_IDS = ("a", "b", "xa-1", "xa-10", "xa-2", "Z", "tinh", "ubnd-xa")
FIRST_DAY, LAST_DAY = date(2024, 1, 1), date(2028, 12, 31)

# Days near the library's holidays, where days_off/workdays overrides matter most.
_HOLIDAYS = sorted(holidays.country_holidays("VN", years=range(2024, 2029)))
NEAR_HOLIDAYS = sorted({h + timedelta(days=k) for h in _HOLIDAYS for k in range(-3, 4)})


@dataclass(frozen=True)
class World:
    """One random configuration, in the engine's shapes and in the reference's."""

    units: list[Unit]
    levels: dict[str, Level]
    calendar: WorkCalendar
    ref_units: list[ref.RefUnit]
    ref_levels: dict[str, ref.RefLevel]
    ref_calendar: ref.RefCalendar
    first: date
    last: date
    default_roll: str

    def plan(self) -> rules.CalendarPlan:
        return rules.plan_calendar(
            self.units,
            self.levels,
            self.calendar,
            self.first,
            self.last,
            default_roll=self.default_roll,  # type: ignore[arg-type]
        )

    def roll_of(self, unit: Unit) -> str:
        return unit.roll or self.default_roll


dates = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
near_holiday = st.sampled_from(NEAR_HOLIDAYS)
month_days = st.lists(
    st.one_of(st.integers(1, 31), st.sampled_from([28, 29, 30, 31])), min_size=1, max_size=4
)
mandates = st.tuples(st.integers(0, 3), st.sampled_from(["month", "week"]))


@st.composite
def levels(draw: st.DrawFn) -> dict[str, tuple[tuple[int, str], list[tuple[date, tuple[int, str]]]]]:
    """Level specs: id -> ((min_days, per), [(until, (min_days, per)), ...])."""
    out = {
        "monthly": ((draw(st.integers(1, 3)), "month"), []),
        "weekly": ((draw(st.integers(0, 2)), "week"), []),
    }
    earlier = draw(st.lists(st.tuples(dates, mandates), min_size=1, max_size=2, unique_by=lambda e: e[0]))
    out["changed"] = (draw(mandates), earlier)
    return out


@st.composite
def worlds(draw: st.DrawFn) -> World:
    level_specs = draw(levels())
    # Ids in random order, so that units sharing a pattern are merged by id, not by creation;
    # patterns from a small pool, so that they are shared.
    ids = draw(st.lists(st.sampled_from(UNIT_IDS), min_size=1, max_size=6, unique=True))
    day_pool = draw(st.lists(month_days, min_size=1, max_size=2))
    units, ref_units = [], []
    for uid in ids:
        level_id = draw(st.sampled_from(sorted(level_specs)))
        roll = draw(st.one_of(st.none(), st.sampled_from(ROLLS)))
        if draw(st.booleans()):
            days = tuple(draw(st.sampled_from(day_pool)))
            units.append(Unit(uid, uid, level_id, Pattern(days=tuple(sorted(days))), roll=roll))
            ref_units.append(ref.RefUnit(uid, level_id, days=days, roll=roll))
        else:
            rule = draw(st.sampled_from(RRULES))
            units.append(Unit(uid, uid, level_id, Pattern(rrule=rule), roll=roll))
            ref_units.append(ref.RefUnit(uid, level_id, rrule=rule, roll=roll))
    # Each special day is either a day off or a workday, never both.
    special = draw(st.lists(st.one_of(near_holiday, dates), max_size=12, unique=True))
    kinds = [draw(st.sampled_from(["off", "work"])) for _ in special]
    days_off = [d for d, k in zip(special, kinds, strict=True) if k == "off"]
    workdays = [d for d, k in zip(special, kinds, strict=True) if k == "work"]
    first = draw(dates)
    last = min(first + timedelta(days=draw(st.integers(0, 399))), LAST_DAY)
    return World(
        units=units,
        levels={
            lid: Level.from_history(lid, lid, (cur[0], cur[1], ""), [(u, m[0], m[1], "") for u, m in earlier])
            for lid, (cur, earlier) in level_specs.items()
        },
        calendar=WorkCalendar(
            "VN",
            days_off=[DayNote(d, "nghỉ", "QĐ 1") for d in days_off],
            workdays=[DayNote(d) for d in workdays],
        ),
        ref_units=ref_units,
        ref_levels={
            lid: ref.RefLevel(ref.RefMandate(*cur), tuple((u, ref.RefMandate(*m)) for u, m in earlier))
            for lid, (cur, earlier) in level_specs.items()
        },
        ref_calendar=ref.RefCalendar(set(days_off), set(workdays)),
        first=first,
        last=last,
        default_roll=draw(st.sampled_from(ROLLS)),
    )


def ref_period(world: World, unit: Unit, d: date) -> tuple[date, date]:
    """The period of ``d`` for ``unit`` by the mandate in force on ``d`` (reference reading)."""
    level = world.ref_levels[unit.level]
    return ref.period_of(d, ref.mandate_in_force(level, d).per)


def judged_periods(world: World, unit: Unit) -> list[tuple[str, date, date, int]]:
    """(key, start, end, min_days) of every whole period in range, by the reference."""
    out = []
    for start, end, mandate in ref.mandates_with_spans(world.ref_levels[unit.level]):
        for d in ref.days_between(world.first, world.last):
            p_start, p_end = ref.period_of(d, mandate.per)
            in_force = (start is None or start <= d) and (end is None or d <= end)
            if in_force and d == p_start and p_end <= world.last:
                out.append((ref.period_key(p_start, mandate.per), p_start, p_end, mandate.min_days))
    return out


SETTINGS = settings(max_examples=80, deadline=None)


@SETTINGS
@given(worlds())
def test_every_session_falls_on_a_working_day(world: World) -> None:
    for s in world.plan().sessions():
        assert world.ref_calendar.is_working(s.date), s


@SETTINGS
@given(worlds())
def test_no_unit_has_two_sessions_on_one_day(world: World) -> None:
    seen = set()
    for s in world.plan().sessions():
        assert (s.unit, s.date) not in seen, s
        seen.add((s.unit, s.date))


@SETTINGS
@given(worlds())
def test_moved_is_none_exactly_when_the_session_is_on_its_nominal_date(world: World) -> None:
    for s in world.plan().sessions():
        assert (s.moved is None) == (s.date == s.nominal), s
        if s.moved is not None:
            assert s.moved.strip()


@SETTINGS
@given(worlds())
def test_every_session_comes_from_a_nominal_date_inside_the_range(world: World) -> None:
    for s in world.plan().sessions():
        assert world.first <= s.nominal <= world.last, s


@SETTINGS
@given(worlds())
def test_modified_following_and_nearest_never_leave_the_period_of_the_nominal(world: World) -> None:
    by_id = {u.id: u for u in world.units}
    for s in world.plan().sessions():
        unit = by_id[s.unit]
        if world.roll_of(unit) in ("modified-following", "nearest"):
            start, end = ref_period(world, unit, s.nominal)
            assert start <= s.date <= end, s


@SETTINGS
@given(worlds())
def test_a_session_goes_back_only_when_every_later_working_day_of_its_period_is_taken(
    world: World,
) -> None:
    by_id = {u.id: u for u in world.units}
    sessions = list(world.plan().sessions())
    for s in sessions:
        roll = world.roll_of(by_id[s.unit])
        if roll == "following":
            assert s.date >= s.nominal, s
        elif roll == "modified-following" and s.date < s.nominal:
            _, end = ref_period(world, by_id[s.unit], s.nominal)
            mine = {t.date for t in sessions if t.unit == s.unit}
            for d in ref.days_between(s.nominal, end):
                assert not world.ref_calendar.is_working(d) or d in mine, (s, d)


@SETTINGS
@given(worlds())
def test_findings_are_exactly_the_whole_periods_with_too_few_sessions(world: World) -> None:
    plan = world.plan()
    sessions = list(plan.sessions())
    expected = set()
    for unit in world.units:
        mine = [s.date for s in sessions if s.unit == unit.id]
        for key, start, end, required in judged_periods(world, unit):
            count = sum(1 for d in mine if start <= d <= end)
            if count < required:
                expected.add((unit.id, key, required, count))
    got = [(f.unit, f.period.key, f.required, f.scheduled) for f in plan.findings()]
    assert len(got) == len(set(got))
    assert set(got) == expected
    for f in plan.findings():
        assert world.first <= f.period.start and f.period.end <= world.last
        assert f.scheduled < f.required
        assert f.message


@SETTINGS
@given(worlds())
def test_sessions_and_findings_come_out_in_the_contract_order(world: World) -> None:
    plan = world.plan()
    sessions = [(s.date, s.unit) for s in plan.sessions()]
    assert sessions == sorted(sessions)
    findings = [(f.period.key, f.unit) for f in plan.findings()]
    assert findings == sorted(findings)


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_engine_agrees_with_the_reference_reading_of_the_contract(world: World) -> None:
    plan = world.plan()
    got_sessions = [(s.unit, s.date, s.nominal) for s in plan.sessions()]
    got_findings = [(f.unit, f.period.key, f.required, f.scheduled) for f in plan.findings()]
    want_sessions, want_findings = ref.plan(
        world.ref_units, world.ref_levels, world.ref_calendar, world.first, world.last, world.default_roll
    )
    assert got_sessions == want_sessions
    assert got_findings == want_findings


@settings(max_examples=60, deadline=None)
@given(worlds())
def test_plan_unit_gives_each_unit_the_same_sessions_as_plan_calendar(world: World) -> None:
    plan = world.plan()
    for unit in world.units:
        alone = rules.plan_unit(
            unit,
            world.levels[unit.level],
            world.calendar,
            world.first,
            world.last,
            default_roll=world.default_roll,  # type: ignore[arg-type]
        )
        together = [s for s in plan.sessions() if s.unit == unit.id]
        assert alone == together


@settings(max_examples=100, deadline=None)
@given(dates, st.lists(st.one_of(near_holiday, dates), max_size=10, unique=True), st.data())
def test_work_calendar_says_workdays_then_days_off_then_the_library(
    day: date, special: list[date], data: st.DataObject
) -> None:
    kinds = [data.draw(st.sampled_from(["off", "work"])) for _ in special]
    days_off = {d for d, k in zip(special, kinds, strict=True) if k == "off"}
    workdays = {d for d, k in zip(special, kinds, strict=True) if k == "work"}
    cal = WorkCalendar("VN", days_off=[DayNote(d) for d in days_off], workdays=[DayNote(d) for d in workdays])
    for d in [day, *special, *ref.days_between(day, day + timedelta(days=10))]:
        assert cal.is_working_day(d) == ref.RefCalendar(days_off, workdays).is_working(d), d
