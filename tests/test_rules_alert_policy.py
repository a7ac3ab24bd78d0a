"""The alert policy (rules.alert_policy) and make-up proposals that keep the law: pure, the clock
passed in, one table per rule."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules import Level, Pattern, Unit, WorkCalendar
from rules.alert_policy import (
    MAKEUP_CADENCE,
    PeriodVerdict,
    ahead_words,
    delivery_time,
    judge_period,
    makeup_stage,
    makeup_stages,
    outcome_reminders,
    period_alert,
    reminder_day,
)
from rules.compliance import SessionRecord, judge_unit
from rules.makeup import makeup_warning, propose_makeup

D = date.fromisoformat
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar("VN")
MONTH_2 = Level.from_history("commune", "Đảng ủy xã", (2, "month", "Quy định 11-QĐi/TW"))
UNIT = Unit("a", "Đảng ủy xã A", "commune", Pattern(days=(10, 25)))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


# --- delivery: working days, daytime -----------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("2027-06-08T10:15", "2027-06-08T10:15"),  # Tuesday morning: at once
        ("2027-06-08T05:00", "2027-06-08T07:00"),  # before 07:00: at 07:00
        ("2027-06-08T22:30", "2027-06-09T07:00"),  # at night: the next morning
        ("2027-06-04T22:30", "2027-06-07T07:00"),  # Friday night: Monday, not Saturday
        ("2027-06-05T10:00", "2027-06-07T07:00"),  # Saturday: Monday
        ("2027-09-01T21:00", "2027-09-06T07:00"),  # the eve of Quốc khánh (2-3/9): Monday 6/9
    ],
)
def test_an_alert_is_delivered_on_a_working_day_in_the_daytime(due: str, expected: str) -> None:
    assert delivery_time(at(due), CAL, hour=7) == at(expected)


# --- reminders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("session", "lead", "expected"),
    [
        ("2027-06-08", 1, "2027-06-07"),  # Tuesday: Monday
        ("2027-06-07", 1, "2027-06-04"),  # Monday: the Friday before, not Sunday
        ("2027-06-07", 7, "2027-05-31"),  # Monday: the Monday before
        ("2027-06-13", 7, "2027-06-04"),  # 7 days before is a Sunday: the Friday before it
        ("2027-09-06", 1, "2027-09-01"),  # after Quốc khánh (Thu 2, Fri 3/9): Wednesday 1/9
        ("2027-06-08", 0, "2027-06-08"),
    ],
)
def test_a_reminder_goes_on_the_last_working_day_at_or_before_its_lead(
    session: str, lead: int, expected: str
) -> None:
    assert reminder_day(D(session), lead, CAL) == D(expected)


@pytest.mark.parametrize(
    ("session", "today", "words"),
    [
        ("2027-06-08", "2027-06-08", "hôm nay"),
        ("2027-06-08", "2027-06-07", "ngày mai"),
        ("2027-06-14", "2027-06-07", "7 ngày nữa"),
        ("2027-06-07", "2027-06-04", "3 ngày nữa"),  # Monday's reminder on the Friday
    ],
)
def test_a_reminder_says_which_one_it_is(session: str, today: str, words: str) -> None:
    assert ahead_words(D(session), D(today)) == words


# --- make-up alerts: cadence, escalation, the last word, the key --------------------------------


def test_the_make_up_cadence_decreases_escalates_and_ends_with_a_last_word() -> None:
    stages = makeup_stages(D("2027-06-04"), CAL)  # lost on a Friday
    assert [s.day.isoformat() for s in stages] == [
        "2027-06-07",  # the next working day
        "2027-06-10",  # 3 working days later
        "2027-06-21",  # 7 working days later
        "2027-06-28",  # then weekly
        "2027-07-05",
        "2027-07-12",
        "2027-07-19",
        "2027-07-26",
    ]
    assert all(CAL.is_working_day(s.day) for s in stages)
    assert [s.audience for s in stages[:2]] == [("unit",), ("unit",)]
    assert all(s.audience == ("unit", "superior") for s in stages[2:])
    assert [s.last for s in stages] == [False] * 7 + [True]
    assert len(stages) <= 8


@pytest.mark.parametrize(
    ("lost_on", "today", "stage"),
    [
        ("2027-06-04", "2027-06-04", None),  # the day it was lost: the cancellation itself tells
        ("2027-06-04", "2027-06-05", None),  # Saturday: nothing
        ("2027-06-04", "2027-06-06", None),  # Sunday: nothing
        ("2027-06-04", "2027-06-07", 1),
        ("2027-06-04", "2027-06-09", 1),  # still stage 1: its key is used, nothing new
        ("2027-06-04", "2027-06-10", 2),
        ("2027-06-04", "2027-06-25", 3),  # after a long outage: only the latest stage
        ("2027-06-04", "2027-07-26", 8),
        ("2027-06-04", "2027-12-31", 8),  # after the last word: the same key, nothing more
    ],
)
def test_the_stage_due_is_the_latest_whose_day_has_come(lost_on: str, today: str, stage: int | None) -> None:
    got = makeup_stage(D(lost_on), D(today), CAL)
    assert (got.number if got else None) == stage


def test_a_cancellation_at_night_gives_one_alert_the_next_working_morning() -> None:
    # Cancelled Thursday 22:30; ticks at 22:31, 07:00 Friday and 07:05 Friday: one stage only.
    lost_on = D("2027-06-10")
    keys = {
        s.number
        for tick in ("2027-06-10T22:31", "2027-06-11T07:00", "2027-06-11T07:05")
        if (s := makeup_stage(lost_on, at(tick).date(), CAL)) is not None
    }
    assert keys == {1}


@settings(max_examples=200, deadline=None)
@given(
    lost=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    ticks=st.lists(st.integers(min_value=0, max_value=120), max_size=40),
)
def test_whatever_the_ticks_at_most_eight_alerts_each_on_a_working_day(lost: date, ticks: list[int]) -> None:
    told: dict[int, date] = {}
    for n in sorted(ticks):
        s = makeup_stage(lost, lost + timedelta(days=n), CAL)
        if s is not None and s.number not in told:
            told[s.number] = delivery_time(
                datetime.combine(lost + timedelta(days=n), time(7), VN), CAL
            ).date()
    assert len(told) <= MAKEUP_CADENCE.stages
    assert all(CAL.is_working_day(d) for d in told.values())


def test_outcomes_are_asked_of_the_unit_then_its_superior_on_working_days() -> None:
    staff, sup = outcome_reminders(D("2027-06-25"), CAL)  # a Friday
    assert (staff.purpose, staff.day, staff.audience) == ("outcome_missing", D("2027-06-28"), ("unit",))
    assert (sup.purpose, sup.day, sup.audience) == ("outcome_missing_sup", D("2027-06-30"), ("superior",))


# --- periods: judged after the facts are in ----------------------------------------------------


def rec(i: int, on: str, status: str = "held", **kw: object) -> SessionRecord:
    return SessionRecord(i, "a", "periodic", status, D(on), **kw)  # type: ignore[arg-type]


def verdict(records: list[SessionRecord], today: str, month: str = "2027-06", since: str | None = None):
    first = D(f"{month}-01")
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    (result,) = judge_unit(UNIT, MONTH_2, records, first, last, today=D(today)).periods
    return judge_period(result, CAL, since=D(since) if since else None, taken={r.date for r in records})


HELD = [rec(1, "2027-06-10"), rec(2, "2027-06-25")]
LAST_UNRECORDED = [rec(1, "2027-06-10"), rec(2, "2027-06-30", "planned")]


@pytest.mark.parametrize(
    ("records", "today", "since", "expected"),
    [
        (HELD, "2027-07-01", None, "met"),
        ([rec(1, "2027-06-10"), rec(2, "2027-06-25", "planned")], "2027-06-15", None, "on_track"),
        # The last session (30/6) is not recorded on 1/7: the outcome reminder asks first.
        (LAST_UNRECORDED, "2027-07-01", None, "awaiting_outcomes"),
        (LAST_UNRECORDED, "2027-07-05", None, "awaiting_outcomes"),  # 3 working days: still in grace
        (LAST_UNRECORDED, "2027-07-06", None, "ended_short"),  # grace over
        # Recorded "not held": short at once.
        (
            [rec(1, "2027-06-10"), rec(2, "2027-06-25", "not_held", needs_makeup=True)],
            "2027-07-01",
            None,
            "ended_short",
        ),
        # A month with no session at all is judged too.
        ([], "2027-07-01", None, "ended_short"),
        ([], "2027-06-28", None, "at_risk"),  # 28: 29 and 30 are free
        ([], "2027-06-29", None, "cannot_meet"),  # only 30 is left, two are needed
        # Before the service was in use.
        ([], "2027-07-01", "2027-07-01", "ended_short"),  # judged, but never alerted (below)
        (
            [rec(1, "2027-06-10", "planned"), rec(2, "2027-06-25", "planned")],
            "2027-07-10",
            "2027-06-20",
            "ended_short",
        ),  # 25/6 after since: counted; 10/6 before since: unknown
        ([rec(1, "2027-06-10", "planned"), rec(2, "2027-06-25")], "2027-07-10", "2027-06-20", "unknown"),
    ],
)
def test_a_period_is_judged_once_the_facts_are_in(
    records: list[SessionRecord], today: str, since: str | None, expected: str
) -> None:
    assert verdict(records, today, since=since).verdict == expected


def test_unrecorded_sessions_are_named_as_unrecorded_not_as_not_held() -> None:
    v = verdict(LAST_UNRECORDED, "2027-07-06")
    assert v.overdue == (D("2027-06-30"),) and v.result.lost == ()
    assert (v.held, v.required) == (1, 2)


def test_at_risk_carries_the_free_days_that_would_save_the_period() -> None:
    v = verdict([rec(1, "2027-06-10"), rec(2, "2027-06-25", "cancelled", needs_makeup=True)], "2027-06-25")
    assert v.verdict == "at_risk" and v.short_by == 1
    assert v.free_days == (D("2027-06-28"), D("2027-06-29"), D("2027-06-30"))
    assert v.saving_days == (D("2027-06-28"),)


def test_a_period_that_ended_before_since_is_never_alerted() -> None:
    v = verdict([], "2027-07-01", since="2027-07-01")
    assert v.before_since and not v.alertable
    assert period_alert(v, []) is None


def kinds(v: PeriodVerdict, told: list[tuple[str, int]]) -> tuple[str, int, tuple[str, ...]] | None:
    a = period_alert(v, told)
    return None if a is None else (a.purpose, a.state, a.audience)


def test_ended_short_is_told_once_and_corrected_when_a_late_record_changes_it() -> None:
    short = verdict(LAST_UNRECORDED, "2027-07-06")
    assert kinds(short, []) == ("ended_short", 1, ("unit", "superior"))
    assert kinds(short, [("ended_short", 1)]) is None  # told: never again
    later = verdict([rec(1, "2027-06-10"), rec(2, "2027-06-30")], "2027-07-08")  # recorded late
    assert later.verdict == "met"
    assert kinds(later, [("ended_short", 1)]) == ("period_update", 2, ("unit", "superior"))
    assert kinds(later, [("ended_short", 1), ("period_update", 2)]) is None
    # Never told short: no correction either.
    assert kinds(later, []) is None


def test_awaiting_outcomes_tells_nothing() -> None:
    assert kinds(verdict(LAST_UNRECORDED, "2027-07-01"), []) is None


def test_at_risk_is_told_only_when_it_worsens_and_never_after_the_period() -> None:
    lost_one = [rec(1, "2027-06-10"), rec(2, "2027-06-25", "cancelled", needs_makeup=True)]
    v = verdict(lost_one, "2027-06-25")
    assert kinds(v, []) == ("at_risk", 1, ("unit",))
    assert period_alert(v, []).until == D("2027-06-30")  # type: ignore[union-attr]
    assert kinds(v, [("at_risk", 1)]) is None  # recording a held session changes nothing
    both_lost = [
        rec(1, "2027-06-10", "cancelled", needs_makeup=True),
        rec(2, "2027-06-25", "cancelled", needs_makeup=True),
    ]
    worse = verdict(both_lost, "2027-06-25")
    assert kinds(worse, [("at_risk", 1)]) == ("at_risk", 2, ("unit",))
    hopeless = verdict(both_lost, "2027-06-29")
    assert hopeless.verdict == "cannot_meet"
    assert kinds(hopeless, [("at_risk", 1)]) == ("at_risk", 2, ("unit", "superior"))
    # A future period is the make-up alert's business; a closed one gets "ended short".
    assert kinds(verdict(both_lost, "2027-05-20"), []) is None


# --- make-up proposals that keep the law --------------------------------------------------------


def proposals(cancelled: str, today: str, taken: tuple[str, ...] = ()) -> list[tuple[str, bool, bool]]:
    return [
        (p.date.isoformat(), p.in_period, p.postable)
        for p in propose_makeup(
            D(cancelled), level=MONTH_2, calendar=CAL, taken={D(cancelled), *map(D, taken)}, today=D(today)
        )
    ]


@pytest.mark.parametrize(
    ("cancelled", "today", "expected"),
    [
        # Cancelled on Monday 7/6 for 10/6: 14/6 is the first day 5 working days ahead.
        (
            "2027-06-10",
            "2027-06-07",
            [("2027-06-14", True, True), ("2027-06-15", True, True), ("2027-06-16", True, True)],
        ),
        # Late in the month: the postable days inside first, then the ones that are not, then after.
        (
            "2027-06-28",
            "2027-06-21",
            [("2027-06-29", True, True), ("2027-06-30", True, True), ("2027-06-25", True, False)],
        ),
        (
            "2027-06-30",
            "2027-06-28",
            [("2027-06-29", True, False), ("2027-07-01", False, False), ("2027-07-02", False, False)],
        ),
    ],
)
def test_proposals_mark_what_can_be_posted_and_what_keeps_the_mandate(
    cancelled: str, today: str, expected: list[tuple[str, bool, bool]]
) -> None:
    assert proposals(cancelled, today) == expected


def test_a_proposal_label_says_what_it_breaks() -> None:
    (p, *_) = propose_makeup(D("2027-06-30"), level=MONTH_2, calendar=CAL, taken=set(), today=D("2027-06-28"))
    assert p.label == "Thứ Ba, ngày 29/06/2027 (trong kỳ, chưa đủ 05 ngày làm việc để niêm yết)"


@pytest.mark.parametrize(
    ("day", "today", "expected"),
    [
        ("2027-06-21", "2027-06-07", None),  # inside June, posted in time
        (
            "2027-06-09",
            "2027-06-07",
            "Lưu ý: ngày 09/06/2027 chưa đủ 05 ngày làm việc để niêm yết lịch trước "
            "(sớm nhất 14/06/2027; Luật Tiếp công dân, Điều 24)",
        ),
        (
            "2027-07-12",
            "2027-06-07",
            "Lưu ý: ngày 12/07/2027 ngoài tháng 06/2027, tháng 06/2027 sẽ thiếu ngày tiếp dù còn 15 "
            "ngày làm việc trống trong kỳ (sớm nhất 08/06/2027)",
        ),
        ("2027-07-12", "2027-07-01", None),  # June is over: nothing inside it is left to choose
    ],
)
def test_booking_a_day_that_breaks_the_law_warns_in_one_line(
    day: str, today: str, expected: str | None
) -> None:
    got = makeup_warning(
        D(day),
        D("2027-06-10"),
        level=MONTH_2,
        calendar=CAL,
        taken={D("2027-06-10"), D("2027-06-25")},
        today=D(today),
    )
    assert got == expected
