"""The report's pure part (rules.compliance, rules.report, rules.risk): no database, no clock."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import Level, Pattern, Unit, WorkCalendar
from rules.compliance import TOTAL_FIELDS, SessionRecord, Totals, judge_unit, sum_totals
from rules.report import build_report
from rules.report_periods import custom_range

D = date.fromisoformat
LEVELS = {
    "province": Level.from_history("province", "Tỉnh", (1, "month", "")),
    "commune": Level.from_history("commune", "Xã", (2, "month", "")),
    "chair-commune": Level.from_history(
        "chair-commune", "Chủ tịch UBND xã", (2, "month", ""), [(D("2026-06-30"), 1, "week", "")]
    ),
}
CALENDAR = WorkCalendar("VN")


def unit(uid: str, level: str = "commune", parent: str | None = None) -> Unit:
    return Unit(uid, f"Đơn vị {uid}", level, Pattern(days=(10, 25)), parent=parent)


def rec(
    i: int, on: str, status: str = "held", kind: str = "periodic", unit_id: str = "a", **kw
) -> SessionRecord:
    return SessionRecord(i, unit_id, kind, status, D(on), **kw)  # type: ignore[arg-type]


# --- one unit ----------------------------------------------------------------------------------


def test_a_period_is_met_by_held_sessions_of_any_kind():
    records = [
        rec(1, "2026-03-10", visits=2, people=3),
        rec(
            2,
            "2026-03-25",
            "cancelled",
            needs_makeup=False,
            made_up_by=3,
            made_up_date=D("2026-03-27"),
            made_up_status="held",
            reason="Bí thư đi họp",
        ),
        rec(3, "2026-03-27", kind="makeup", replaces=2, visits=1, groups=None, received_by="Phó Bí thư"),
        rec(4, "2026-04-10"),
        rec(5, "2026-04-20", kind="adhoc", petitions=4),
    ]
    r = judge_unit(
        unit("a"), LEVELS["commune"], records, D("2026-03-01"), D("2026-04-30"), today=D("2026-06-01")
    )
    t = r.totals
    assert (t.required, t.held, t.periodic, t.makeup, t.adhoc, t.cancelled) == (4, 4, 2, 1, 1, 1)
    assert (t.visits, t.people, t.petitions, t.groups, t.delegated) == (3, 3, 4, 0, 1)
    assert (t.made_up, t.makeup_days, t.average_makeup_days) == (1, 2, 2.0)
    assert r.shortfall_periods == [] and t.compliance == 1.0


def test_fates_of_lost_sessions_count_each_debt_once():
    records = [
        rec(
            1,
            "2026-06-10",
            "not_held",
            made_up_by=2,
            made_up_date=D("2026-06-12"),
            made_up_status="cancelled",
        ),
        rec(
            2,
            "2026-06-12",
            "cancelled",
            kind="makeup",
            replaces=1,
            made_up_by=3,
            made_up_date=D("2026-06-16"),
            made_up_status="held",
        ),
        rec(3, "2026-06-16", kind="makeup", replaces=2),
        rec(4, "2026-06-25", "cancelled", needs_makeup=True),
        rec(
            5,
            "2026-06-26",
            "cancelled",
            needs_makeup=False,
            reason="Lịch mới theo cấu hình không còn buổi tiếp này",
        ),
        rec(
            6, "2026-06-29", "cancelled", made_up_by=7, made_up_date=D("2026-07-02"), made_up_status="planned"
        ),
    ]
    fates = [r.fate for r in records]
    assert fates == ["makeup_cancelled", "made_up", None, "not_made_up", "withdrawn", "makeup_planned"]
    t = judge_unit(
        unit("a"), LEVELS["commune"], records, D("2026-06-01"), D("2026-06-30"), today=D("2026-07-01")
    ).totals
    fates = (t.made_up, t.makeup_cancelled, t.not_made_up, t.withdrawn, t.makeup_planned)
    assert (t.cancelled, t.not_held, *fates) == (5, 1, 1, 1, 1, 1, 1)
    assert t.held == 1 and t.missing == 1


def test_a_shortfall_says_why_in_vietnamese():
    records = [
        rec(
            1,
            "2026-10-26",
            "not_held",
            reason="Bí thư ốm",
            made_up_by=2,
            made_up_date=D("2026-11-04"),
            made_up_status="held",
        ),
        rec(2, "2026-11-04", kind="makeup", replaces=1),
    ]
    r = judge_unit(unit("a", "province"), LEVELS["province"], records, D("2026-10-01"), D("2026-11-30"),
                   today=D("2026-12-01"))  # fmt: skip
    (short,) = r.shortfalls
    assert short.period.key == "2026-10"
    assert short.reason == "buổi 26/10 không được tổ chức (Bí thư ốm), đã tiếp bù ngày 04/11 (ngoài kỳ)"


def test_only_whole_periods_inside_the_range_are_judged_with_the_mandate_in_force():
    # 15/6-14/9 (TT 02 Q3): only July and August are whole months inside.
    r = judge_unit(unit("a"), LEVELS["commune"], [], D("2026-06-15"), D("2026-09-14"), today=D("2026-10-01"))
    assert [p.period.key for p in r.periods] == ["2026-07", "2026-08"]
    assert r.totals.required == 4
    # The chair-commune: weeks whose Monday falls on or before 30/6, then months.
    r = judge_unit(unit("c", "chair-commune"), LEVELS["chair-commune"], [], D("2026-06-01"), D("2026-07-31"),
                   today=D("2026-10-01"))  # fmt: skip
    assert [p.period.key for p in r.periods] == [
        "2026-W23",
        "2026-W24",
        "2026-W25",
        "2026-W26",
        "2026-W27",
        "2026-07",
    ]
    assert r.totals.required == 5 + 2


def test_open_period_at_risk_and_make_up_proposals_skip_the_day_the_head_is_away():
    records = [rec(1, "2026-11-10"), rec(2, "2026-11-25", "cancelled", needs_makeup=True)]
    report = build_report([unit("a")], LEVELS, records, custom_range(D("2026-11-01"), D("2026-11-30")),
                          today=D("2026-11-23"), calendar=CALENDAR)  # fmt: skip
    (risk,) = report.risks
    # 24/11 is Ngày Văn hóa Việt Nam (python-holidays), 25/11 the head is away: 26, 27, 30 are left.
    assert (risk.expected, risk.free_days, risk.on_track, risk.can_still_meet, risk.short_by) == (
        1,
        3,
        False,
        True,
        1,
    )
    (pending,) = report.pending
    assert [(p.date, p.in_period) for p in pending.proposals] == [
        (D("2026-11-26"), True), (D("2026-11-27"), True), (D("2026-11-30"), True),
    ]  # fmt: skip
    assert report.at_risk == [risk]


def test_a_closed_report_has_no_risks_and_lists_who_fell_short_worst_first():
    records = [rec(1, "2026-03-10", unit_id="a"), rec(2, "2026-03-25", unit_id="b")]
    units = [unit("a"), unit("b"), unit("c")]
    report = build_report(units, LEVELS, records, custom_range(D("2026-03-01"), D("2026-03-31")),
                          today=D("2026-05-01"), calendar=CALENDAR)  # fmt: skip
    assert report.risks == () and report.pending == ()
    assert [(s.report.unit.id, s.missing) for s in report.short_units] == [("c", 2), ("a", 1), ("b", 1)]


# --- roll-ups ------------------------------------------------------------------------------------

FIRST, LAST = D("2026-05-01"), D("2026-08-31")
STATUSES = ("planned", "held", "cancelled", "not_held")
KINDS = ("periodic", "makeup", "adhoc")


@st.composite
def provinces(draw):
    """A random tree of units with random records; the records come from a seeded ``Random`` (one
    draw instead of thousands keeps the test fast; the tree, range and day still shrink)."""
    n = draw(st.integers(1, 9))
    units = []
    for i in range(n):
        parent = draw(st.one_of(st.none(), st.sampled_from([u.id for u in units]))) if units else None
        units.append(unit(f"u{i}", draw(st.sampled_from(sorted(LEVELS))), parent))
    rnd = random.Random(draw(st.integers(0, 2**32)))

    def count() -> int | None:
        return None if rnd.random() < 0.2 else rnd.randint(0, 20)

    records = []
    for i in range(draw(st.integers(0, 80))):
        status = rnd.choice(STATUSES)
        made = status in ("cancelled", "not_held") and rnd.random() < 0.5
        records.append(
            SessionRecord(
                i, rnd.choice(units).id, rnd.choice(KINDS), status,
                FIRST + timedelta(days=rnd.randint(-20, 140)),
                count(), count(), count(), count(), count(), rnd.choice([None, "Phó Bí thư"]), None, None,
                rnd.random() < 0.5 and not made, 10_000 + i if made else None,
                FIRST + timedelta(days=rnd.randint(0, 120)) if made else None,
                rnd.choice(STATUSES) if made else None,
            )
        )  # fmt: skip
    a = draw(st.integers(0, 122))
    b = draw(st.integers(a, 122))
    today = FIRST + timedelta(days=draw(st.integers(-10, 140)))
    return units, records, custom_range(FIRST + timedelta(days=a), FIRST + timedelta(days=b)), today


def subtree(units: list[Unit], root: str) -> list[Unit]:
    out, todo = [], [root]
    while todo:
        uid = todo.pop()
        out.append(uid)
        todo.extend(u.id for u in units if u.parent == uid)
    return [u for u in units if u.id in out]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(provinces())
def test_the_roll_up_of_the_units_equals_the_report_of_their_parent(data):
    units, records, rng, today = data
    whole = build_report(units, LEVELS, records, rng, today=today, calendar=CALENDAR)
    by_id = {u.unit.id: u for u in whole.units}
    for u in units:
        under = subtree(units, u.id)
        alone = build_report(under, LEVELS, records, rng, today=today, scope=u, calendar=CALENDAR)
        # The parent's own report (itself and every unit under it) ...
        assert alone.total == whole.rollups[u.id]
        # ... is the sum of the reports of its units, one by one ...
        assert sum_totals(by_id[x.id].totals for x in under) == whole.rollups[u.id]
        # ... and its own figures plus its children's roll-ups.
        children = sum_totals(whole.rollups[c] for c in whole.children[u.id])
        assert sum_totals([by_id[u.id].totals, children]) == whole.rollups[u.id]
        assert [x.unit.id for x in alone.units] == sorted(x.id for x in under)
    assert sum_totals(whole.rollups[r] for r in whole.roots) == whole.total
    assert sum_totals(whole.by_level.values()) == whole.total


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(provinces())
def test_months_add_up_to_the_totals_and_required_follows_the_mandates(data):
    units, records, rng, today = data
    report = build_report(units, LEVELS, records, rng, today=today)
    t = report.total
    assert sum(m.judged for m in report.months) == t.periods_judged
    assert sum(m.met for m in report.months) == t.periods_met
    assert sum(m.held for m in report.months) == t.held == t.periodic + t.makeup + t.adhoc
    assert sum(m.cancelled for m in report.months) == t.cancelled
    assert t.cancelled == t.made_up + t.makeup_planned + t.makeup_cancelled + t.not_made_up + t.withdrawn
    for u in report.units:
        assert u.totals.required == LEVELS[u.unit.level].required_between(rng.first, rng.last)
        held = [r for r in records if r.unit == u.unit.id and r.status == "held"]
        for p in u.periods:
            n = sum(1 for r in held if p.period.start <= r.date <= p.period.end)
            assert (p.period.key in u.shortfall_periods) == (n < p.required)
        assert u.shortfall_periods == sorted(u.shortfall_periods)


def test_totals_add_field_by_field():
    a = Totals(*range(len(TOTAL_FIELDS)))
    assert sum_totals([a, a]) == Totals(*(2 * i for i in range(len(TOTAL_FIELDS))))
