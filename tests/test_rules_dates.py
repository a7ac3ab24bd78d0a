"""Dates a reader can check by hand on a Vietnamese calendar (python-holidays 0.109, pinned).

Days off used below, from the library:
  Tết 2025: Mon 27/1 - Sat 1/2 (with the weekend, 25/1-2/2 off; Mon 3/2 is the first working day)
  Tết 2026: Mon 16/2 - Fri 20/2 (14/2-22/2 off; Fri 13/2 and Mon 23/2 are working days)
  Tết 2027: Thu 4/2 - Wed 10/2 (Wed 3/2 and Thu 11/2 are working days)
  2026: Sat 22/8 is a working Saturday, Mon 31/8 its day off; 1/9 and 2/9 National Day
  Wed 24/11/2027: Ngày Văn hóa Việt Nam
"""

from __future__ import annotations

from datetime import date

import pytest

from rules import (
    DayNote,
    Level,
    Pattern,
    RuleError,
    Unit,
    WorkCalendar,
    plan_calendar,
    propose_makeup,
)

D = date.fromisoformat
CAL = WorkCalendar("VN")
MONTH_1 = Level.from_history("month-1", "Tỉnh", (1, "month", "QĐ 11"))
MONTH_2 = Level.from_history("month-2", "Xã", (2, "month", ""))
WEEK_1 = Level.from_history("week-1", "Tuần", (1, "week", ""))
WEEK_2 = Level.from_history("week-2", "Tuần 2", (2, "week", ""))
# The commune chair: 1 day a week until 30/6/2026, 2 days a month from 1/7/2026 (Luật 136/2025/QH15).
CHAIR = Level.from_history(
    "chair-commune",
    "Chủ tịch UBND xã",
    (2, "month", "Luật 136/2025/QH15"),
    [(D("2026-06-30"), 1, "week", "Luật Tiếp công dân 2013, Điều 15")],
)
LEVELS = {lv.id: lv for lv in (MONTH_1, MONTH_2, WEEK_1, WEEK_2, CHAIR)}


def plan(
    first: str,
    last: str,
    *,
    days: tuple[int, ...] | None = None,
    rrule: str | None = None,
    roll: str = "modified-following",
    level: Level = MONTH_1,
    calendar: WorkCalendar = CAL,
):
    unit = Unit("u", "Đơn vị", level.id, Pattern(days=days, rrule=rrule))
    return plan_calendar([unit], LEVELS, calendar, D(first), D(last), default_roll=roll)  # type: ignore[arg-type]


def moves(first: str, last: str, **kw) -> list[tuple[str, str]]:
    """(nominal, date) of each session, in date order."""
    return [(s.nominal.isoformat(), s.date.isoformat()) for s in plan(first, last, **kw).sessions()]


def findings(first: str, last: str, **kw) -> list[tuple[str, int, int]]:
    return [(f.period.key, f.required, f.scheduled) for f in plan(first, last, **kw).findings()]


# ---------------------------------------------------------------------------------------------
# Working days


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2025-01-24", True),  # Friday before Tết 2025
        ("2025-01-27", False),  # 29 Tết
        ("2025-01-31", False),  # Mùng ba
        ("2025-02-01", False),  # Mùng bốn, a Saturday
        ("2025-02-03", True),
        ("2026-02-13", True),
        ("2026-02-16", False),  # Giao thừa
        ("2026-02-20", False),
        ("2026-02-23", True),
        ("2026-08-22", True),  # substitute working Saturday
        ("2026-08-31", False),  # its day off
        ("2026-08-29", False),  # an ordinary Saturday
        ("2027-02-11", True),
        ("2027-02-10", False),
    ],
)
def test_working_days_follow_python_holidays(day: str, working: bool) -> None:
    assert CAL.is_working_day(D(day)) is working


def test_configured_days_off_and_workdays_override_the_library() -> None:
    cal = WorkCalendar(
        "VN",
        days_off=[DayNote(D("2026-01-02")), DayNote(D("2026-08-22"))],
        workdays=[DayNote(D("2026-01-10")), DayNote(D("2026-09-02"))],
    )
    assert not cal.is_working_day(D("2026-01-02"))  # a Friday, made a day off
    assert not cal.is_working_day(D("2026-08-22"))  # the library's working Saturday, made off
    assert cal.is_working_day(D("2026-01-10"))  # a Saturday, made a workday
    assert cal.is_working_day(D("2026-09-02"))  # National Day, made a workday
    assert cal.is_working_day(D("2026-01-05"))  # untouched Monday


def test_a_date_both_off_and_working_is_refused() -> None:
    with pytest.raises(RuleError):
        WorkCalendar("VN", days_off=[DayNote(D("2026-01-10"))], workdays=[DayNote(D("2026-01-10"))])


# ---------------------------------------------------------------------------------------------
# Rolls


@pytest.mark.parametrize(
    ("days", "first", "last", "roll", "expected"),
    [
        # A 25th on a Sunday goes to Monday.
        ((25,), "2026-01-01", "2026-01-31", "modified-following", [("2026-01-25", "2026-01-26")]),
        # Tết 2025: nothing works after Fri 24/1 in January, so the 27th rolls back ...
        ((27,), "2025-01-01", "2025-01-31", "modified-following", [("2025-01-27", "2025-01-24")]),
        # ... or, read literally, leaves the month ...
        ((27,), "2025-01-01", "2025-01-31", "following", [("2025-01-27", "2025-02-03")]),
        # ... or goes to the nearest working day of January.
        ((27,), "2025-01-01", "2025-01-31", "nearest", [("2025-01-27", "2025-01-24")]),
        # The contract's own example: 25/1/2025 is a Saturday in Tết week.
        ((25,), "2025-01-01", "2025-01-31", "modified-following", [("2025-01-25", "2025-01-24")]),
        ((31,), "2025-01-01", "2025-01-31", "modified-following", [("2025-01-31", "2025-01-24")]),
        ((1,), "2025-02-01", "2025-02-28", "modified-following", [("2025-02-01", "2025-02-03")]),
        ((1,), "2025-02-01", "2025-02-28", "nearest", [("2025-02-01", "2025-02-03")]),
        # Tết 2026.
        ((16,), "2026-02-01", "2026-02-28", "modified-following", [("2026-02-16", "2026-02-23")]),
        ((16,), "2026-02-01", "2026-02-28", "following", [("2026-02-16", "2026-02-23")]),
        ((16,), "2026-02-01", "2026-02-28", "nearest", [("2026-02-16", "2026-02-13")]),
        ((20,), "2026-02-01", "2026-02-28", "nearest", [("2026-02-20", "2026-02-23")]),
        # 18/2/2026: Fri 13/2 and Mon 23/2 are both five days away; the later wins.
        ((18,), "2026-02-01", "2026-02-28", "nearest", [("2026-02-18", "2026-02-23")]),
        # Wed 24/11/2027 off: Tue 23 and Thu 25 are one day away; the later wins.
        ((24,), "2027-11-01", "2027-11-30", "nearest", [("2027-11-24", "2027-11-25")]),
        # A Saturday goes to Friday under nearest, a Sunday to Monday.
        ((31,), "2026-01-01", "2026-01-31", "nearest", [("2026-01-31", "2026-01-30")]),
        ((25,), "2026-01-01", "2026-01-31", "nearest", [("2026-01-25", "2026-01-26")]),
        # Tết 2027.
        ((5,), "2027-02-01", "2027-02-28", "modified-following", [("2027-02-05", "2027-02-11")]),
        ((5,), "2027-02-01", "2027-02-28", "nearest", [("2027-02-05", "2027-02-03")]),
        # Month ends: Sat 31/1/2026 and Sun 31/1/2027 roll back; following leaves the month.
        ((31,), "2026-01-01", "2026-01-31", "modified-following", [("2026-01-31", "2026-01-30")]),
        ((31,), "2027-01-01", "2027-01-31", "modified-following", [("2027-01-31", "2027-01-29")]),
        ((31,), "2027-01-01", "2027-01-31", "following", [("2027-01-31", "2027-02-01")]),
        # 2026's substitute working Saturday stays; its day off, Mon 31/8, moves.
        ((22,), "2026-08-01", "2026-08-31", "modified-following", [("2026-08-22", "2026-08-22")]),
        ((31,), "2026-08-01", "2026-08-31", "modified-following", [("2026-08-31", "2026-08-28")]),
        ((31,), "2026-08-01", "2026-08-31", "following", [("2026-08-31", "2026-09-03")]),
    ],
)
def test_rolls_move_a_day_off_to_the_right_working_day(
    days: tuple[int, ...], first: str, last: str, roll: str, expected: list[tuple[str, str]]
) -> None:
    assert moves(first, last, days=days, roll=roll) == expected


def test_a_25th_on_sunday_moves_to_monday() -> None:
    (session,) = plan("2026-01-01", "2026-01-31", days=(25,)).sessions()
    assert (session.nominal, session.date) == (D("2026-01-25"), D("2026-01-26"))
    assert session.moved is not None
    assert "Chủ nhật" in session.moved


def test_a_session_on_its_nominal_day_has_no_moved_reason() -> None:
    (session,) = plan("2027-01-01", "2027-01-31", days=(25,)).sessions()  # Monday 25/1/2027
    assert session.date == session.nominal == D("2027-01-25")
    assert session.moved is None


def test_a_tet_day_moved_says_tet() -> None:
    (session,) = plan("2026-02-01", "2026-02-28", days=(16,)).sessions()
    assert session.date == D("2026-02-23")
    assert "Tết" in (session.moved or "")
    assert "16/02" in (session.moved or "")


def test_a_configured_day_off_moves_the_session_and_names_its_source() -> None:
    cal = WorkCalendar(
        "VN",
        days_off=[DayNote(D("2026-01-02"), "Nghỉ Tết Dương lịch (hoán đổi)", "12729/VPCP-KGVX")],
    )
    (session,) = plan("2026-01-01", "2026-01-31", days=(2,), calendar=cal).sessions()
    assert session.date == D("2026-01-05")
    assert "Nghỉ Tết Dương lịch (hoán đổi)" in (session.moved or "")
    assert "12729/VPCP-KGVX" in (session.moved or "")


def test_a_configured_workday_keeps_a_saturday_session_in_place() -> None:
    cal = WorkCalendar("VN", workdays=[DayNote(D("2026-01-10"))])
    assert moves("2026-01-01", "2026-01-31", days=(10,), calendar=cal) == [("2026-01-10", "2026-01-10")]
    assert moves("2026-01-01", "2026-01-31", days=(10,)) == [("2026-01-10", "2026-01-12")]


def test_a_configured_day_off_on_the_working_saturday_moves_it() -> None:
    cal = WorkCalendar("VN", days_off=[DayNote(D("2026-08-22"), "Nghỉ", "QĐ 5")])
    assert moves("2026-08-01", "2026-08-31", days=(22,), calendar=cal) == [("2026-08-22", "2026-08-24")]


def test_following_leaves_the_month_and_the_month_falls_short() -> None:
    assert moves("2025-01-01", "2025-02-28", days=(25,), roll="following") == [
        ("2025-01-25", "2025-02-03"),
        ("2025-02-25", "2025-02-25"),
    ]
    assert findings("2025-01-01", "2025-02-28", days=(25,), roll="following") == [("2025-01", 1, 0)]
    assert findings("2025-01-01", "2025-02-28", days=(25,)) == []


def test_the_unit_roll_overrides_the_default_roll() -> None:
    unit = Unit("u", "u", "month-1", Pattern(days=(31,)), roll="modified-following")
    p = plan_calendar([unit], LEVELS, CAL, D("2027-01-01"), D("2027-01-31"), default_roll="following")
    assert [s.date for s in p.sessions()] == [D("2027-01-29")]


# ---------------------------------------------------------------------------------------------
# Nominal dates: clamping and collisions


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        # Leap February 2028: 29, 30 and 31 all clamp to Tue 29/2; the later two roll back.
        (
            "2028-02-01",
            "2028-02-29",
            [("2028-02-29", "2028-02-25"), ("2028-02-29", "2028-02-28"), ("2028-02-29", "2028-02-29")],
        ),
        # February 2027: all clamp to Sun 28/2.
        (
            "2027-02-01",
            "2027-02-28",
            [("2027-02-28", "2027-02-24"), ("2027-02-28", "2027-02-25"), ("2027-02-28", "2027-02-26")],
        ),
        # February 2026: all clamp to Sat 28/2.
        (
            "2026-02-01",
            "2026-02-28",
            [("2026-02-28", "2026-02-25"), ("2026-02-28", "2026-02-26"), ("2026-02-28", "2026-02-27")],
        ),
        # June 2026 (30 days): Mon 29/6 stays; 30 and 31 both give Tue 30/6, and the second,
        # with 29 and 30 taken, rolls back to Fri 26/6.
        (
            "2026-06-01",
            "2026-06-30",
            [("2026-06-30", "2026-06-26"), ("2026-06-29", "2026-06-29"), ("2026-06-30", "2026-06-30")],
        ),
    ],
)
def test_days_29_to_31_clamp_to_the_month_end_and_each_still_gets_a_session(
    first: str, last: str, expected: list[tuple[str, str]]
) -> None:
    assert moves(first, last, days=(29, 30, 31)) == expected


def test_two_days_that_clamp_to_the_same_date_give_two_sessions() -> None:
    assert moves("2026-02-01", "2026-02-28", days=(30, 31), level=MONTH_2) == [
        ("2026-02-28", "2026-02-26"),
        ("2026-02-28", "2026-02-27"),
    ]
    assert findings("2026-02-01", "2026-02-28", days=(30, 31), level=MONTH_2) == []


def test_a_listed_day_repeated_gives_two_sessions() -> None:
    assert moves("2027-01-01", "2027-01-31", days=(25, 25)) == [
        ("2027-01-25", "2027-01-25"),
        ("2027-01-25", "2027-01-26"),
    ]


def test_rrule_gives_every_occurrence_inside_the_range() -> None:
    # Second and fourth Thursdays; 12/2/2026 is the second, 26/2 the fourth.
    assert moves("2026-02-01", "2026-03-31", rrule="FREQ=MONTHLY;BYDAY=+2TH,+4TH") == [
        ("2026-02-12", "2026-02-12"),
        ("2026-02-26", "2026-02-26"),
        ("2026-03-12", "2026-03-12"),
        ("2026-03-26", "2026-03-26"),
    ]
    # Occurrences before the range are not sessions, even if the range starts mid-month.
    assert moves("2026-02-13", "2026-02-28", rrule="FREQ=MONTHLY;BYDAY=+2TH,+4TH") == [
        ("2026-02-26", "2026-02-26")
    ]


def test_rrule_last_day_of_month_on_a_weekend_rolls_back() -> None:
    assert moves("2026-01-01", "2026-02-28", rrule="FREQ=MONTHLY;BYMONTHDAY=-1") == [
        ("2026-01-31", "2026-01-30"),
        ("2026-02-28", "2026-02-27"),
    ]


# ---------------------------------------------------------------------------------------------
# Periods, mandates in force and findings


def test_weekly_mandate_uses_iso_week_keys_across_the_new_year() -> None:
    # Thu 1/1/2026 (New Year) rolls to Fri 2/1 inside ISO week 2026-W01 (29/12/2025-4/1/2026).
    assert moves("2025-12-29", "2026-01-11", days=(1,), level=WEEK_1) == [("2026-01-01", "2026-01-02")]
    assert findings("2025-12-29", "2026-01-11", days=(1,), level=WEEK_1) == [("2026-W02", 1, 0)]


def test_a_week_spanning_new_year_is_keyed_by_its_iso_year() -> None:
    # Fri 1/1/2027 is a holiday in 2026-W53 (28/12/2026-3/1/2027): it rolls back to Thu 31/12.
    assert moves("2026-12-28", "2027-01-10", rrule="FREQ=WEEKLY;BYDAY=FR", level=WEEK_2) == [
        ("2027-01-01", "2026-12-31"),
        ("2027-01-08", "2027-01-08"),
    ]
    assert findings("2026-12-28", "2027-01-10", rrule="FREQ=WEEKLY;BYDAY=FR", level=WEEK_2) == [
        ("2026-W53", 2, 1),
        ("2027-W01", 2, 1),
    ]


def test_a_sunday_rolls_within_its_week_under_a_weekly_mandate() -> None:
    # Sun 28/6/2026: the chair's weekly mandate is in force, its week ends that day.
    assert moves("2026-06-01", "2026-06-30", days=(28,), level=CHAIR) == [("2026-06-28", "2026-06-26")]
    # Sun 28/3/2027: the monthly mandate is in force, so it goes forward to Monday.
    assert moves("2027-03-01", "2027-03-31", days=(28,), level=CHAIR) == [("2027-03-28", "2027-03-29")]


def test_the_commune_chair_is_judged_weekly_until_june_2026_and_monthly_after() -> None:
    # Second and fourth Thursdays: 11/6, 25/6, 9/7, 23/7, 13/8, 27/8/2026.
    got = findings("2026-06-01", "2026-08-31", rrule="FREQ=MONTHLY;BYDAY=+2TH,+4TH", level=CHAIR)
    # Weeks starting in June without a Thursday session: 1/6, 15/6 and 29/6 (the last one
    # starts under the weekly mandate, so it is judged by it even though it ends in July).
    assert got == [("2026-W23", 1, 0), ("2026-W25", 1, 0), ("2026-W27", 1, 0)]


def test_the_commune_chair_monthly_mandate_finds_a_month_with_one_day() -> None:
    got = findings("2026-06-29", "2026-08-31", days=(15,), level=CHAIR)
    # W27 (29/6-5/7) is weekly and empty; July and August have one day of two.
    assert got == [("2026-07", 2, 1), ("2026-08", 2, 1), ("2026-W27", 1, 0)]


def test_the_mandate_change_date_itself_belongs_to_the_earlier_mandate() -> None:
    assert CHAIR.mandate_on(D("2026-06-30")).per == "week"
    assert CHAIR.mandate_on(D("2026-07-01")).per == "month"
    assert CHAIR.mandate_on(D("2020-01-01")).min_days == 1
    assert CHAIR.mandate_on(D("2030-01-01")).min_days == 2


def test_findings_are_only_for_whole_periods_inside_the_range() -> None:
    # Only February is whole in 15/1-20/3/2026; January and March are not judged.
    assert findings("2026-01-15", "2026-03-20", days=(10,), level=MONTH_2) == [("2026-02", 2, 1)]
    assert findings("2026-02-01", "2026-02-27", days=(10,), level=MONTH_2) == []
    assert findings("2026-01-05", "2026-01-05", days=(5,), level=WEEK_2) == []
    assert findings("2026-01-05", "2026-01-11", days=(5,), level=WEEK_2) == [("2026-W02", 2, 1)]


def test_a_pattern_with_too_few_days_is_a_finding_even_with_nothing_moved() -> None:
    assert findings("2027-03-01", "2027-04-30", days=(15,), level=MONTH_2) == [
        ("2027-03", 2, 1),
        ("2027-04", 2, 1),
    ]


def test_no_session_when_the_week_has_no_free_working_day() -> None:
    # 16/2-22/2/2026 is Tết plus a weekend: nothing in that week works.
    for roll in ("modified-following", "nearest"):
        assert moves("2026-02-16", "2026-02-22", days=(18,), level=WEEK_1, roll=roll) == []
        assert findings("2026-02-16", "2026-02-22", days=(18,), level=WEEK_1, roll=roll) == [
            ("2026-W08", 1, 0)
        ]
    # Following takes it to Monday 23/2; the week still falls short.
    assert moves("2026-02-16", "2026-02-22", days=(18,), level=WEEK_1, roll="following") == [
        ("2026-02-18", "2026-02-23")
    ]
    assert findings("2026-02-16", "2026-02-22", days=(18,), level=WEEK_1, roll="following") == [
        ("2026-W08", 1, 0)
    ]


def test_more_nominal_days_than_working_days_leaves_the_rest_without_a_session() -> None:
    # February 2026 has 20 weekdays, 5 of them Tết: 15 working days for 28 nominal dates.
    got = moves("2026-02-01", "2026-02-28", days=tuple(range(1, 29)))
    assert len(got) == 15
    assert {d for _, d in got} == {d.isoformat() for d in CAL.working_days(D("2026-02-01"), D("2026-02-28"))}


def test_finding_message_names_the_period_the_counts_and_the_basis() -> None:
    (finding,) = plan("2025-01-01", "2025-01-31", days=(25,), roll="following").findings()
    assert finding.period.key == "2025-01"
    assert "01/2025" in finding.message
    assert "0/1" in finding.message
    assert "QĐ 11" in finding.message


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(RuleError):
        plan("2026-02-01", "2026-01-31", days=(10,))


# ---------------------------------------------------------------------------------------------
# Make-up proposals


def makeup(cancelled: str, today: str, taken: tuple[str, ...] = (), level: Level = MONTH_1, count: int = 3):
    return [
        (p.date.isoformat(), p.in_period)
        for p in propose_makeup(
            D(cancelled),
            level=level,
            calendar=CAL,
            taken={D(t) for t in taken},
            today=D(today),
            count=count,
        )
    ]


@pytest.mark.parametrize(
    ("cancelled", "today", "taken", "level", "expected"),
    [
        # Tue 10/3/2026, decided Thu 5/3: the days that can still be posted 5 working days ahead
        # (from Thu 12/3) first, nearest first.
        (
            "2026-03-10",
            "2026-03-05",
            ("2026-03-10",),
            MONTH_1,
            [("2026-03-12", True), ("2026-03-13", True), ("2026-03-16", True)],
        ),
        # Nothing on or before today; posted from 17/3.
        (
            "2026-03-10",
            "2026-03-10",
            ("2026-03-10",),
            MONTH_1,
            [("2026-03-17", True), ("2026-03-18", True), ("2026-03-19", True)],
        ),
        # Never a taken day.
        (
            "2026-03-10",
            "2026-03-05",
            ("2026-03-10", "2026-03-12"),
            MONTH_1,
            [("2026-03-13", True), ("2026-03-16", True), ("2026-03-17", True)],
        ),
        # The period's last working day, then the first working days after it.
        (
            "2026-03-30",
            "2026-03-30",
            ("2026-03-30",),
            MONTH_1,
            [("2026-03-31", True), ("2026-04-01", False), ("2026-04-02", False)],
        ),
        # The period is over: as soon as possible, skipping the weekend.
        (
            "2026-03-30",
            "2026-04-03",
            ("2026-03-30", "2026-04-07"),
            MONTH_1,
            [("2026-04-06", False), ("2026-04-08", False), ("2026-04-09", False)],
        ),
        # A weekly mandate keeps proposals in the ISO week 9/3-15/3 first: Fri 13/3 can be posted,
        # then the nearest of those that cannot (the later of two ties: Wed 11 before Mon 9).
        (
            "2026-03-10",
            "2026-03-08",
            ("2026-03-10",),
            WEEK_1,
            [("2026-03-13", True), ("2026-03-11", True), ("2026-03-09", True)],
        ),
        (
            "2026-03-12",
            "2026-03-11",
            ("2026-03-12", "2026-03-13"),
            WEEK_1,
            [("2026-03-16", False), ("2026-03-17", False), ("2026-03-18", False)],
        ),
        # After Tết 2026 the first days are 23/2 onward (days off are never proposed), and 27/2
        # the first that can be posted in time.
        (
            "2026-02-13",
            "2026-02-13",
            ("2026-02-13",),
            MONTH_1,
            [("2026-02-27", True), ("2026-02-23", True), ("2026-02-24", True)],
        ),
    ],
)
def test_makeup_proposals_are_in_period_first_nearest_first_after_today_and_free(
    cancelled: str, today: str, taken: tuple[str, ...], level: Level, expected: list[tuple[str, bool]]
) -> None:
    got = makeup(cancelled, today, taken, level)
    assert got == expected
    for d, _ in got:
        assert D(d) > D(today)
        assert d not in taken
        assert CAL.is_working_day(D(d))


def test_makeup_in_period_proposals_come_before_any_outside_it() -> None:
    got = makeup("2026-03-30", "2026-03-26", ("2026-03-30",), count=6)
    flags = [in_period for _, in_period in got]
    assert flags == sorted(flags, reverse=True)
    assert got[0] == ("2026-03-31", True)
    assert got[1] == ("2026-03-27", True)
