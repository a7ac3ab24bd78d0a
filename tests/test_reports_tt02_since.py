"""Report periods with TT 02/2021 cut-offs (a month is judged in the report period in which it
ends) and ``since`` (a period that ended before it is judged only from what was recorded)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import cli_runner
from hypothesis import given, settings
from hypothesis import strategies as st

from rules import Level, Pattern, Unit
from rules.compliance import SessionRecord
from rules.report import build_report
from rules.report_periods import named_range

D = date.fromisoformat
ROOT = Path(__file__).resolve().parent.parent
LEVELS = {
    "province": Level.from_history("province", "Tỉnh", (1, "month", "")),
    "commune": Level.from_history("commune", "Xã", (2, "month", "")),
    "chair-commune": Level.from_history(
        "chair-commune", "Chủ tịch UBND xã", (2, "month", ""), [(D("2026-06-30"), 1, "week", "")]
    ),
}
UNITS = [
    Unit("p", "Tỉnh", "province", Pattern(days=(25,))),
    Unit("c", "Xã", "commune", Pattern(days=(10, 25)), parent="p"),
    Unit("u", "UBND xã", "chair-commune", Pattern(days=(5, 20))),
]
TODAY = D("2027-03-01")  # every period of 2026 is over


def _report(name: str, records, *, since=None, cutoff="tt02"):
    return build_report(UNITS, LEVELS, records, named_range(name, cutoff), today=TODAY, since=since)


def _judged(report) -> dict[str, list[str]]:
    return {u.unit.id: [p.period.key for p in u.periods] for u in report.units}


def test_the_four_tt02_quarters_judge_every_month_once_and_add_up_to_the_year():
    records = [
        SessionRecord(i, "c", "periodic", "held", D("2025-12-01") + timedelta(days=3 * i)) for i in range(125)
    ]
    year = _report("2026", records)
    quarters = [_report(f"2026-Q{q}", records) for q in (1, 2, 3, 4)]
    months = ["2025-12", *(f"2026-{m:02d}" for m in range(1, 12))]
    assert _judged(year)["c"] == months  # December 2025 to November 2026: those ending in the year
    assert [k for q in quarters for k in _judged(q)["c"]] == months  # each exactly once
    assert _judged(quarters[0])["c"] == ["2025-12", "2026-01", "2026-02"]
    assert _judged(quarters[3])["c"] == ["2026-09", "2026-10", "2026-11"]
    for field in ("required", "held", "periods_judged", "periods_met", "missing"):
        by_quarter = sum(getattr(q.total, field) for q in quarters)
        assert by_quarter == getattr(year.total, field), field
    # December 2025 began before the first quarter's data period (15/12): its first half counts.
    december = year.unit_report("c").periods[0]
    assert december.period.key == "2025-12"
    assert december.held == sum(1 for r in records if D("2025-12-01") <= r.date <= D("2025-12-31"))
    assert year.total.held == sum(1 for r in records if D("2025-12-15") <= r.date <= D("2026-12-14"))
    # The weekly mandate too: every ISO week once, in the report in which it ends.
    weeks = [k for q in quarters for k in _judged(q)["u"]]
    assert weeks == _judged(year)["u"] and len(weeks) == len(set(weeks))
    assert "tháng (tuần) được xét trong đúng một kỳ báo cáo" in year.range.rule


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("pcu"), st.integers(0, 400), st.booleans()), max_size=120))
def test_tt02_quarters_add_up_whatever_was_recorded(sessions):
    records = [
        SessionRecord(i, uid, "periodic", "held" if held else "not_held", D("2025-11-20") + timedelta(days=n))
        for i, (uid, n, held) in enumerate(sessions)
    ]
    year = _report("2026", records)
    quarters = [_report(f"2026-Q{q}", records) for q in (1, 2, 3, 4)]
    halves = [_report(f"2026-H{h}", records) for h in (1, 2)]
    months = [_report(f"2026-{m:02d}", records) for m in range(1, 13)]
    for parts in (quarters, halves, months):
        for field in ("required", "held", "cancelled", "periods_judged", "periods_met"):
            assert sum(getattr(q.total, field) for q in parts) == getattr(year.total, field), field
        for uid in "pcu":
            keys = [k for q in parts for k in _judged(q)[uid]]
            assert keys == _judged(year)[uid]


def test_calendar_cutoffs_still_judge_the_periods_inside_the_range():
    report = _report("2026-Q1", [], cutoff="calendar")
    assert _judged(report)["c"] == ["2026-01", "2026-02", "2026-03"]
    assert "nằm trọn" in report.range.rule


def test_before_since_a_period_with_nothing_recorded_has_no_data():
    since = D("2026-12-01")
    records = [
        SessionRecord(
            1, "c", "periodic", "planned", D("2026-10-12")
        ),  # planned by the first plan, never told
        SessionRecord(2, "c", "periodic", "held", D("2026-11-10")),  # an outcome entered afterwards
        SessionRecord(3, "c", "periodic", "planned", D("2026-11-25")),
        SessionRecord(4, "c", "periodic", "held", D("2026-12-10")),
    ]
    report = build_report(
        UNITS, LEVELS, records, named_range("2026", "calendar"), today=D("2026-12-20"), since=since
    )
    c = report.unit_report("c")
    assert [p.key for p in c.no_data] == [f"2026-{m:02d}" for m in range(1, 11)]
    assert c.shortfall_periods == ["2026-11", "2026-12"]  # November: judged from what was entered
    assert c.totals.required == 4 and c.totals.periods_judged == 2
    p = report.unit_report("p")
    assert p.shortfall_periods == ["2026-12"] and p.totals.required == 1
    assert len(p.no_data) == 11
    without = build_report(UNITS, LEVELS, records, named_range("2026", "calendar"), today=D("2026-12-20"))
    assert len(without.unit_report("c").shortfall_periods) == 12  # as before: no since, all judged


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = cli_runner.run([*args, "--config", "config.toml"], cwd=cwd)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc


def test_a_first_install_on_1_december_reports_no_shortfall_before_december(tmp_path):
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    now = "2026-12-01T09:00"
    _cli(tmp_path, "tick", "--now", now)
    report = json.loads(_cli(tmp_path, "report", "--period", "2026", "--format", "json", "--now", now).stdout)
    assert report["report"]["since"] == "2026-12-01"
    assert report["report"]["period_rule"]
    for u in report["units"]:
        assert all(p >= "2026-12" for p in u["shortfall_periods"]), u
        assert "2026-11" in u["no_data_periods"] or "2026-W47" in u["no_data_periods"], u
        assert u["required"] <= 2, u  # December's mandate only
    # An office that enters a past outcome is judged on it like on any period.
    sessions = json.loads(
        _cli(tmp_path, "sessions", "--unit", "thuc-phan", "--from", "2026-11-01", "--to", "2026-11-30",
             "--format", "json", "--now", now).stdout
    )  # fmt: skip
    _cli(tmp_path, "record", str(sessions[0]["id"]), "--held", "--visits", "1", "--people", "1", "--now", now)
    report = json.loads(_cli(tmp_path, "report", "--period", "2026", "--format", "json", "--now", now).stdout)
    (tp,) = [u for u in report["units"] if u["unit"] == "thuc-phan"]
    assert "2026-11" not in tp["no_data_periods"] and "2026-11" in tp["shortfall_periods"]  # 1 of 2
    assert tp["required"] == 4 and tp["held"] == 1
