"""The Government's decisions ship with the project (contracts/calendar.md): the table, its place
between python-holidays and the configuration, ``calendar.government = false``, the sessions it
moves, ``tiepdan holidays`` and the warning for a year whose Tết is only an estimate."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import cli_runner
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.infra.config import parse_config
from scheduler.infra.decisions import government_decisions, tet_decided

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "Công văn 12729/VPCP-KGVX ngày 25/12/2025"

BASE = """\
[levels.p]
min_days = 1
per = "month"

[[units]]
id = "a"
level = "p"
days = [2, 10]
"""


def _write(tmp_path: Path, calendar: str = "") -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text((f"[calendar]\n{calendar}\n" if calendar else "") + BASE, encoding="utf-8")
    return cfg


def _run(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli_runner.run([*args, "--config", str(cfg)], cwd=cfg.parent)


def _sessions(cfg: Path) -> list[dict]:
    proc = _run(cfg, "calendar", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["sessions"]


def test_the_shipped_table_holds_exactly_the_contracts_entries():
    got = [(d.date, d.working, d.name, d.source) for d in government_decisions("VN")]
    assert got == [
        (date(2026, 1, 2), False, "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)", SOURCE),
        (date(2026, 1, 10), True, "Làm bù cho thứ Sáu 02/01/2026", SOURCE),
    ]
    assert government_decisions("LA") == ()
    assert (ROOT / "rules" / "government.toml").is_file()  # data, not code


def test_with_no_days_off_there_is_no_session_on_2_january_and_one_on_saturday_10_january(tmp_path):
    sessions = _sessions(_write(tmp_path))
    assert [(s["nominal"], s["date"]) for s in sessions] == [
        ("2026-01-02", "2026-01-05"),
        ("2026-01-10", "2026-01-10"),
    ]
    moved = sessions[0]["moved"]
    assert "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)" in moved and SOURCE in moved
    assert sessions[1]["moved"] is None


def test_government_false_leaves_the_table_out(tmp_path):
    sessions = _sessions(_write(tmp_path, "government = false"))
    assert [(s["nominal"], s["date"]) for s in sessions] == [
        ("2026-01-02", "2026-01-02"),
        ("2026-01-10", "2026-01-12"),
    ]


def test_the_configuration_wins_over_the_table(tmp_path):
    cfg = _write(
        tmp_path,
        'workdays = ["2026-01-02"]\ndays_off = [{ date = "2026-01-10", name = "Nghỉ", source = "QĐ 1" }]',
    )
    assert [(s["nominal"], s["date"]) for s in _sessions(cfg)] == [
        ("2026-01-02", "2026-01-02"),
        ("2026-01-10", "2026-01-12"),
    ]


def test_a_bad_government_value_is_one_line_naming_the_key(tmp_path):
    proc = _run(_write(tmp_path, 'government = "no"'), "check")
    assert proc.returncode != 0 and len(proc.stderr.splitlines()) == 1
    assert "calendar.government" in proc.stderr


DAYS = st.dates(date(2025, 12, 1), date(2026, 2, 28))


@settings(max_examples=60, deadline=None)
@given(
    days_off=st.sets(DAYS, max_size=4),
    workdays=st.sets(DAYS, max_size=4),
    government=st.booleans(),
)
def test_the_layers_match_the_contracts_reading(days_off, workdays, government):
    workdays -= days_off
    data = {
        "calendar": {
            "days_off": [d.isoformat() for d in sorted(days_off)],
            "workdays": [d.isoformat() for d in sorted(workdays)],
            "government": government,
        },
        "levels": {"p": {"min_days": 1, "per": "month"}},
    }
    cal = parse_config(data, Path("config.toml")).calendar
    reading = ref.RefCalendar(days_off, workdays, dict(ref.GOVERNMENT_VN) if government else {})
    d = date(2025, 12, 1)
    while d <= date(2026, 2, 28):
        assert cal.is_working_day(d) == reading.is_working(d), d
        d += timedelta(days=1)


def _holidays(cfg: Path, year: int) -> tuple[list[dict], str]:
    proc = _run(cfg, "holidays", "--year", str(year), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), proc.stderr


def test_holidays_2026_lists_the_swap_with_its_decision_and_every_special_day(tmp_path):
    days, stderr = _holidays(_write(tmp_path), 2026)
    assert stderr == ""  # 2026's Tết was decided (Thông báo 9441/TB-BNV)
    by_date = {d["date"]: d for d in days}
    assert by_date["2026-01-02"] == {
        "date": "2026-01-02",
        "working": False,
        "name": "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)",
        "source": SOURCE,
        "origin": "government",
    }
    assert by_date["2026-01-10"]["working"] is True and by_date["2026-01-10"]["origin"] == "government"
    assert by_date["2026-01-10"]["source"] == SOURCE
    assert by_date["2026-01-01"] == {
        "date": "2026-01-01", "working": False, "name": "Tết Dương lịch", "source": None, "origin": "holidays"
    }  # fmt: skip
    assert by_date["2026-02-17"]["name"] == "Tết Nguyên đán"
    assert by_date["2026-09-02"]["name"] == "Ngày Quốc khánh"
    assert by_date["2026-04-26"]["name"] == "Giỗ Tổ Hùng Vương"  # a Sunday: a public holiday all the same
    assert by_date["2026-08-22"] == {
        "date": "2026-08-22", "working": True, "name": "Làm bù cho thứ Hai 31/08/2026",
        "source": None, "origin": "holidays",
    }  # fmt: skip
    assert by_date["2026-08-31"]["name"] == "Ngày nghỉ hoán đổi (làm bù thứ Bảy 22/08/2026)"
    assert "2026-01-03" not in by_date  # an ordinary Saturday
    assert [d["date"] for d in days] == sorted(by_date)
    # Exactly the contract's days: holidays, weekdays off, weekend days worked.
    library = ref.RefCalendar(government=dict(ref.GOVERNMENT_VN))
    expected = set()
    d = date(2026, 1, 1)
    while d.year == 2026:
        off_weekday = d.weekday() < 5 and not library.is_working(d)
        worked_weekend = d.weekday() >= 5 and library.is_working(d)
        if off_weekday or worked_weekend or d in ref._LIBRARY:
            expected.add(d.isoformat())
        d += timedelta(days=1)
    assert set(by_date) == expected


def test_holidays_names_the_configuration_and_leaves_the_table_out_when_told(tmp_path):
    cfg = _write(
        tmp_path,
        'government = false\ndays_off = [{ date = "2026-03-02", name = "Nghỉ riêng", source = "QĐ 9" }]',
    )
    by_date = {d["date"]: d for d in _holidays(cfg, 2026)[0]}
    assert "2026-01-02" not in by_date and "2026-01-10" not in by_date
    assert by_date["2026-03-02"] == {
        "date": "2026-03-02", "working": False, "name": "Nghỉ riêng", "source": "QĐ 9", "origin": "config"
    }  # fmt: skip


def test_a_year_whose_tet_is_only_an_estimate_is_said_plainly(tmp_path):
    cfg = _write(tmp_path)
    assert 2027 not in tet_decided("VN") and 2026 in tet_decided("VN")
    days, stderr = _holidays(cfg, 2027)
    assert len(stderr.splitlines()) == 1 and "ước tính" in stderr and "2027" in stderr
    days_2027 = {d["date"] for d in days}
    assert "2027-02-08" in days_2027  # the estimate is listed all the same
    text = _run(cfg, "holidays", "--year", "2027")
    assert text.returncode == 0 and "ước tính của thư viện python-holidays" in text.stdout
    assert "Thông báo 9441/TB-BNV" in _run(cfg, "holidays", "--year", "2026").stdout


def test_plan_of_such_a_year_warns_in_one_line(tmp_path):
    cfg = _write(tmp_path)
    proc = _run(cfg, "plan", "--year", "2027", "--now", "2026-12-01T08:00")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "ước tính" in proc.stderr
    proc = _run(cfg, "plan", "--year", "2026", "--now", "2026-12-01T08:00")
    assert proc.returncode == 0 and proc.stderr == ""


def test_the_sample_configuration_carries_nothing_invented():
    sample = parse_config(
        __import__("tomllib").loads((ROOT / "config.toml").read_text(encoding="utf-8")), ROOT / "config.toml"
    )
    notes = [*sample.calendar.days_off.values(), *sample.calendar.workdays.values()]
    assert all("ví dụ" not in n.source for n in notes)
    assert date(2027, 2, 11) not in sample.calendar.days_off
