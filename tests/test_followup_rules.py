"""Deadlines, states, reminders and figures of the follow-up, on dates a reader can check by hand.

Days off used below (python-holidays 0.109, and the Government's swaps given explicitly):
  Tết 2027: Thu 4/2 - Wed 10/2 (Wed 3/2 and Thu 11/2 are working days)
  2026: Fri 2/1 off, Sat 10/1 worked (Công văn 12729/VPCP-KGVX)
  2025: Fri 2/5 off, Sat 26/4 worked; 30/4 and 1/5 holidays
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules import DayNote, Pattern, Unit, WorkCalendar
from rules.followup import DirectionFacts, due_date, notice_due, on_time, state_of
from rules.followup_alerts import FollowupPolicy, conclusion_alert, direction_alert, notice_alert
from rules.followup_report import DirectionRecord, build_followup
from rules.time_limits import LIMITS, deadline, limit_by_id, office_limit

D = date.fromisoformat
CAL = WorkCalendar(
    "VN",
    days_off=[DayNote(D("2026-01-02"), "Nghỉ Tết Dương lịch (hoán đổi)", "12729/VPCP-KGVX")],
    workdays=[DayNote(D("2026-01-10"), "Làm bù", "12729/VPCP-KGVX")],
)


@pytest.mark.parametrize(
    ("received", "limit", "due"),
    [
        # Fri 22/01/2027 + 10 working days: 25-29/1 (5), 1-3/2 (8), Tết 4-10/2, 11/2 (9), 12/2 (10).
        ("2027-01-22", "petition-notice", "2027-02-12"),
        # 10 calendar days from 22/01/2027: Mon 01/02, a working day.
        ("2027-01-22", "complaint-accept", "2027-02-01"),
        # 10 calendar days from 27/01/2027 end on Sat 06/02 (Tết): the next working day, Thu 11/02.
        ("2027-01-27", "complaint-accept", "2027-02-11"),
        # 30 days from 15/01/2027: Sun 14/02 -> Mon 15/02.
        ("2027-01-15", "complaint-resolve", "2027-02-15"),
        ("2027-01-15", "complaint-resolve-complex", "2027-03-01"),
        ("2027-01-15", "denunciation-resolve-complex", "2027-03-16"),
        # Mon 05/01/2026 + 10 working days counts the swapped Saturday 10/01: Fri 16/01.
        ("2026-01-05", "petition-notice", "2026-01-16"),
        # Wed 31/12/2025 + 10 working days: 1/1 holiday, 2/1 swapped off, 5-9 (5), Sat 10 (6), 12-15.
        ("2025-12-31", "petition-notice", "2026-01-15"),
    ],
)
def test_deadline_table(received: str, limit: str, due: str) -> None:
    got = deadline(CAL, D(received), limit_by_id(limit))
    assert got == D(due), (received, limit, got)
    assert CAL.is_working_day(got)


def test_the_swap_matters() -> None:
    plain = WorkCalendar("VN")  # without the 2026 decision: Sat 10/01 is a day off
    assert deadline(plain, D("2026-01-05"), limit_by_id("petition-notice")) == D("2026-01-19")
    # 2025: Thu 24/04 + 5 working days: Fri 25, Sat 26 (worked), Mon 28, Tue 29, [30/4-2/5 off], Mon 05/05.
    assert deadline(plain, D("2025-04-24"), office_limit(5)) == D("2025-05-05")


def test_limits_say_what_they_count_and_their_basis() -> None:
    by_id = {lim.id: lim for lim in LIMITS}
    assert by_id["petition-notice"].counting == "working"
    assert "11-QĐi/TW" in by_id["petition-notice"].basis
    assert by_id["complaint-accept"].counting == "calendar"
    assert by_id["complaint-accept"].basis.endswith("Điều 27")
    assert {by_id[k].days for k in ("complaint-resolve", "complaint-resolve-complex")} == {30, 45}
    assert {by_id[k].days for k in ("complaint-resolve-remote", "complaint-resolve-remote-complex")} == {
        45,
        60,
    }
    assert all(lim.basis for lim in LIMITS)
    assert by_id["petition-notice"].days_text == "10 ngày làm việc"


def test_unknown_limit_and_bad_office_days_are_refused() -> None:
    from rules import RuleError

    with pytest.raises(RuleError, match="không có thời hạn"):
        limit_by_id("khong-co")
    with pytest.raises(RuleError, match="từ 1 đến 365"):
        office_limit(0)


def test_acceptance_limits_run_from_acceptance() -> None:
    lim = limit_by_id("complaint-resolve")
    assert due_date(CAL, D("2027-01-04"), lim) == D("2027-02-03")
    assert due_date(CAL, D("2027-01-04"), lim, accepted_on=D("2027-01-15")) == D("2027-02-15")


F = DirectionFacts(1, received_on=D("2027-01-22"), due=D("2027-02-12"))


@pytest.mark.parametrize(
    ("today", "facts", "state"),
    [
        ("2027-01-25", F, "not_due"),
        ("2027-02-01", F, "not_due"),  # 2, 3, 11, 12 February: four working days left
        ("2027-02-03", F, "due_soon"),  # 11 and 12 February left: Tết does not count
        ("2027-02-08", F, "due_soon"),
        ("2027-02-12", F, "due_soon"),
        ("2027-02-13", F, "overdue"),
        ("2027-02-15", F, "overdue"),
        (
            "2027-02-15",
            DirectionFacts(1, D("2027-01-22"), D("2027-02-12"), resolved_on=D("2027-02-11")),
            "resolved",
        ),
        # A result dated tomorrow is not yet true.
        (
            "2027-02-10",
            DirectionFacts(1, D("2027-01-22"), D("2027-02-12"), resolved_on=D("2027-02-11")),
            "due_soon",
        ),
        (
            "2027-02-20",
            DirectionFacts(1, D("2027-01-22"), D("2027-02-12"), D("2027-02-16"), answered_on=D("2027-02-18")),
            "answered",
        ),
    ],
)
def test_state_table(today: str, facts: DirectionFacts, state: str) -> None:
    assert state_of(facts, D(today), CAL) == state


def test_on_time() -> None:
    assert on_time(F) is None
    assert on_time(DirectionFacts(1, F.received_on, F.due, resolved_on=F.due)) is True
    assert on_time(DirectionFacts(1, F.received_on, F.due, resolved_on=D("2027-02-15"))) is False


def test_overdue_reminder_goes_on_the_first_working_day_after_the_deadline_once() -> None:
    keys = {}
    day = D("2027-01-22")
    while day <= D("2027-03-31"):
        alert = direction_alert(F, day, CAL)
        if alert is not None:
            keys.setdefault(alert.key, day)
        day += timedelta(days=1)
    told = sorted(keys.items(), key=lambda kv: kv[1])
    assert [(k[0], k[1], d) for k, d in told] == [
        ("direction_due", -3, D("2027-02-02")),
        ("direction_due", -1, D("2027-02-11")),
        ("direction_overdue", 1, D("2027-02-15")),  # Sat 13, Sun 14: not on a day off
        ("direction_overdue", 3, D("2027-02-17")),
        ("direction_overdue", 8, D("2027-02-24")),
        ("direction_overdue", 15, D("2027-03-05")),
    ]
    assert direction_alert(F, D("2027-03-05"), CAL).last  # type: ignore[union-attr]
    assert direction_alert(F, D("2027-02-13"), CAL) is None  # Saturday
    resolved = DirectionFacts(1, F.received_on, F.due, resolved_on=D("2027-02-12"))
    assert direction_alert(resolved, D("2027-02-15"), CAL) is None


def test_after_an_outage_only_the_latest_step_is_due() -> None:
    alert = direction_alert(F, D("2027-02-24"), CAL)
    assert alert is not None and alert.step == 8


def test_notice_to_the_citizen_is_chased_until_sent() -> None:
    nd = notice_due(CAL, F.received_on)
    assert nd == D("2027-02-12")
    assert notice_alert(F, nd, D("2027-02-15"), CAL).purpose == "notice_overdue"  # type: ignore[union-attr]
    sent = DirectionFacts(1, F.received_on, F.due, notified_on=D("2027-02-01"))
    assert notice_alert(sent, nd, D("2027-02-15"), CAL) is None


def test_conclusion_missing_after_n_working_days() -> None:
    held, within = D("2027-01-29"), 5
    limit = CAL.add_working_days(held, within)
    assert limit == D("2027-02-12")  # 1, 2, 3 February, Tết, then 11 and 12
    assert conclusion_alert(held, limit, False, D("2027-02-12"), CAL) is None
    alert = conclusion_alert(held, limit, False, D("2027-02-15"), CAL)
    assert alert is not None and alert.purpose == "conclusion_missing" and alert.step == 1
    assert conclusion_alert(held, limit, True, D("2027-02-15"), CAL) is None


def test_policy_is_data() -> None:
    policy = FollowupPolicy(before=(5,), after=(2,))
    alert = direction_alert(F, D("2027-02-16"), CAL, policy)
    assert alert is not None and alert.step == 2 and alert.last


UNITS = [
    Unit("tinh", "Tỉnh ủy", "province", Pattern(days=(25,))),
    Unit("xa-a", "Đảng ủy xã A", "commune", Pattern(days=(10,)), parent="tinh"),
    Unit("xa-b", "Đảng ủy xã B", "commune", Pattern(days=(10,)), parent="tinh"),
]


def test_figures_by_hand() -> None:
    r = DirectionRecord
    records = [
        r("xa-a", D("2027-01-22"), D("2027-02-12"), D("2027-02-10")),  # on time
        r("xa-a", D("2027-01-22"), D("2027-02-12"), D("2027-02-12"), D("2027-02-15")),  # on time, answered
        r("xa-a", D("2027-01-22"), D("2027-02-12"), D("2027-02-16")),  # late
        r("xa-a", D("2027-01-22"), D("2027-02-12")),  # overdue
        r("xa-a", D("2027-03-01"), D("2027-03-15")),  # not due yet on 10/03
        r("xa-b", D("2027-01-10"), D("2027-01-25"), D("2027-01-20")),  # on time
        r("tinh", D("2026-12-01"), D("2026-12-15"), D("2026-12-10")),  # before the range: left out
    ]
    fig = build_followup(UNITS, records, D("2027-01-01"), D("2027-03-31"), today=D("2027-03-10"))
    a = fig.units["xa-a"]
    assert (a.issued, a.resolved, a.on_time, a.overdue, a.answered) == (5, 3, 2, 1, 1)
    assert a.on_time_rate == pytest.approx(2 / 4)
    top = fig.rollups["tinh"]
    assert (top.issued, top.resolved, top.on_time, top.overdue) == (6, 4, 3, 1)
    assert top.on_time_rate == pytest.approx(3 / 5)
    assert fig.units["tinh"].on_time_rate is None
    assert fig.below_target() == ["xa-a"]
    assert fig.total == top


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2025, 1, 1), date(2028, 12, 31)), st.integers(1, 60))
def test_working_day_deadline_property(received: date, n: int) -> None:
    due = deadline(CAL, received, office_limit(n))
    assert CAL.is_working_day(due)
    assert len(CAL.working_days(received + timedelta(days=1), due)) == n


@settings(max_examples=200, deadline=None)
@given(
    st.dates(date(2025, 1, 1), date(2028, 12, 31)),
    st.sampled_from([lim for lim in LIMITS if lim.counting == "calendar"]),
)
def test_calendar_day_deadline_property(received: date, lim) -> None:  # type: ignore[no-untyped-def]
    due = deadline(CAL, received, lim)
    end = received + timedelta(days=lim.days)
    assert due >= end and CAL.is_working_day(due)
    assert all(not CAL.is_working_day(end + timedelta(days=i)) for i in range((due - end).days))


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2027, 1, 1), date(2027, 4, 30)), st.dates(date(2027, 1, 1), date(2027, 4, 30)))
def test_state_property(today: date, resolved: date) -> None:
    facts = DirectionFacts(1, F.received_on, F.due, resolved_on=resolved)
    s = state_of(facts, today, CAL)
    assert (s == "resolved") == (resolved <= today)
    if s != "resolved":
        assert (s == "overdue") == (today > F.due)


D1, D2 = D("2027-03-01"), D("2027-03-15")  # held; five working days for the notice each
LIMIT1, LIMIT2 = CAL.add_working_days(D1, 5), CAL.add_working_days(D2, 5)


@pytest.mark.parametrize(
    ("missing", "today", "expected"),
    [
        ([], D("2027-03-09"), None),  # nothing missing
        ([(1, D1, LIMIT1)], LIMIT1, None),  # the deadline itself: not late yet
        ([(1, D1, LIMIT1)], CAL.add_working_days(LIMIT1, 1), ("oldest=1:step=1", False, 1)),
        ([(1, D1, LIMIT1)], CAL.add_working_days(LIMIT1, 2), ("oldest=1:step=1", False, 1)),  # same state
        ([(1, D1, LIMIT1)], D("2027-03-13"), None),  # a Saturday: never
        # a second session joining the list does not restart the cadence: the same state
        ([(1, D1, LIMIT1), (2, D2, LIMIT2)], CAL.add_working_days(LIMIT2, 1), ("oldest=1:step=8", False, 2)),
        ([(1, D1, LIMIT1)], CAL.add_working_days(LIMIT1, 15), ("oldest=1:step=15", True, 1)),  # last word
        ([(1, D1, LIMIT1)], CAL.add_working_days(LIMIT1, 40), ("oldest=1:step=15", True, 1)),  # and no more
        # the oldest issued: the next one's own cadence
        ([(2, D2, LIMIT2)], CAL.add_working_days(LIMIT2, 3), ("oldest=2:step=3", False, 1)),
    ],
)
def test_conclusion_digest_is_one_cadence_a_unit_keyed_on_its_oldest(missing, today, expected) -> None:
    from rules.followup_alerts import conclusion_digest

    got = conclusion_digest(missing, today, CAL)
    if expected is None:
        assert got is None
    else:
        assert got is not None and (got.state, got.last, len(got.sessions)) == expected
