"""``tiepdan calendar`` and ``tiepdan check`` run as a person runs them: a real process, a
config.toml (and units.csv) in its working directory, output read back from its streams."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

CONFIG = """\
timezone = "Asia/Ho_Chi_Minh"

[calendar]
country  = "VN"
roll     = "modified-following"
days_off = [{ date = "2027-01-15", name = "Nghỉ địa phương", source = "QĐ 7/UBND" }]
workdays = ["2027-01-16"]

[levels.province]
name     = "Tỉnh"
min_days = 1
per      = "month"

[levels.commune]
name     = "Xã"
min_days = 2
per      = "month"
basis    = "Quy định 11-QĐi/TW"

[levels.weekly]
name     = "Chủ tịch UBND xã"
min_days = 1
per      = "week"

[[units]]
id    = "zeta"
name  = "Tỉnh ủy Zeta"
level = "province"
days  = [25]
time  = "07:30-11:30"
venue = "Trụ sở Tiếp công dân tỉnh"

[[units]]
id    = "alpha"
name  = "Đảng ủy xã Alpha"
level = "commune"
days  = [25]
time  = "13:30-17:00"
venue = "Trụ sở xã"

[[units]]
id    = "mid"
name  = "UBND xã Mid"
level = "weekly"
rrule = "FREQ=MONTHLY;BYDAY=+2TH,+4TH"
roll  = "nearest"
time  = "07:30-11:00"
venue = "Bộ phận Tiếp công dân"
"""

CSV_HEADER = "id,name,level,days,time,venue\n"
CSV_LOC = "loc,Phường Loc,province,15;16,07:30-11:30,Nhà văn hóa\n"
WITH_CSV = 'units_csv = "units.csv"\n' + CONFIG


@dataclass(frozen=True)
class Call:
    """One run of the command: its arguments, and the files in its working directory."""

    args: tuple[str, ...]
    config: str = WITH_CSV
    units_csv: str | None = CSV_HEADER + CSV_LOC


CALLS: dict[str, Call] = {}


def call(name: str, *args: str, **files: str | None) -> str:
    CALLS[name] = Call(args, **files)  # type: ignore[arg-type]
    return name


def calendar_call(
    name: str, fmt: str = "json", first: str = "2027-01-01", last: str = "2027-02-28", **files: str | None
) -> str:
    args = ("calendar", "--config", "config.toml", "--from", first, "--to", last, "--format", fmt)
    return call(name, *args, **files)


def run(directory: Path, c: Call) -> subprocess.CompletedProcess[str]:
    (directory / "config.toml").write_text(c.config, encoding="utf-8")
    if c.units_csv is not None:
        (directory / "units.csv").write_text(c.units_csv, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *c.args],
        cwd=directory,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every call of this module, each in its own directory, a few at a time (starting the
    interpreter is most of the cost)."""

    def one(item: tuple[str, Call]) -> tuple[str, subprocess.CompletedProcess[str]]:
        name, c = item
        return name, run(tmp_path_factory.mktemp(name), c)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, CALLS.items()))


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# ---------------------------------------------------------------------------------------------
# JSON

Results = dict[str, subprocess.CompletedProcess[str]]
JSON = calendar_call("json")


def test_json_is_exactly_the_contract_sessions_and_findings(ran: Results) -> None:
    result = ran[JSON]
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert {"sessions", "findings"} <= set(data)
    for s in data["sessions"]:
        assert {"unit", "date", "nominal", "start", "end", "venue", "moved"} <= set(s)
    for f in data["findings"]:
        assert {"unit", "period", "required", "scheduled", "message"} <= set(f)

    # 15/1/2027 is a configured day off, 16/1 (a Saturday) a configured workday: loc's 15th
    # goes to the 16th, and its own 16th, now taken, to Monday 18th.
    assert [(s["date"], s["unit"], s["nominal"]) for s in data["sessions"]] == [
        ("2027-01-14", "mid", "2027-01-14"),
        ("2027-01-16", "loc", "2027-01-15"),
        ("2027-01-18", "loc", "2027-01-16"),
        ("2027-01-25", "alpha", "2027-01-25"),
        ("2027-01-25", "zeta", "2027-01-25"),
        ("2027-01-28", "mid", "2027-01-28"),
        ("2027-02-11", "mid", "2027-02-11"),
        ("2027-02-15", "loc", "2027-02-15"),
        ("2027-02-16", "loc", "2027-02-16"),
        ("2027-02-25", "alpha", "2027-02-25"),
        ("2027-02-25", "mid", "2027-02-25"),
        ("2027-02-25", "zeta", "2027-02-25"),
    ]
    # Weeks 2027-W01..W08 are whole in the range; mid (2nd and 4th Thursday) misses every other
    # one. The week of 28/12/2026-3/1/2027 is not whole and is not judged.
    assert [(f["period"], f["unit"], f["required"], f["scheduled"]) for f in data["findings"]] == [
        ("2027-01", "alpha", 2, 1),
        ("2027-02", "alpha", 2, 1),
        ("2027-W01", "mid", 1, 0),
        ("2027-W03", "mid", 1, 0),
        ("2027-W05", "mid", 1, 0),
        ("2027-W07", "mid", 1, 0),
    ]
    assert all(isinstance(f["message"], str) and f["message"] for f in data["findings"])


def test_json_moved_is_null_when_the_date_is_the_nominal_date_and_a_reason_otherwise(
    ran: Results,
) -> None:
    data = json.loads(ran[JSON].stdout)
    by_key = {(s["unit"], s["nominal"]): s for s in data["sessions"]}
    for s in data["sessions"]:
        if s["date"] == s["nominal"]:
            assert s["moved"] is None
        else:
            assert isinstance(s["moved"], str) and s["moved"]
    assert '"moved": null' in ran[JSON].stdout
    assert "QĐ 7/UBND" in by_key["loc", "2027-01-15"]["moved"]
    assert "Nghỉ địa phương" in by_key["loc", "2027-01-15"]["moved"]
    zeta = by_key["zeta", "2027-01-25"]
    assert (zeta["start"], zeta["end"], zeta["venue"]) == ("07:30", "11:30", "Trụ sở Tiếp công dân tỉnh")


SUNDAY = calendar_call("sunday", "json", "2027-04-01", "2027-04-30")


def test_json_session_on_a_sunday_moves_and_says_sunday(ran: Results) -> None:
    # 25/4/2027 is a Sunday.
    data = json.loads(ran[SUNDAY].stdout)
    zeta = [s for s in data["sessions"] if s["unit"] == "zeta"]
    assert [(s["nominal"], s["date"]) for s in zeta] == [("2027-04-25", "2027-04-26")]
    assert "Chủ nhật" in zeta[0]["moved"]


EMPTY = calendar_call("empty", "json", "2027-01-02", "2027-01-02")


def test_json_with_nothing_in_range_still_has_both_lists(ran: Results) -> None:
    # 2/1/2027 is a Saturday: no unit has a nominal date in this one-day range.
    result = ran[EMPTY]
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"sessions": [], "findings": []}


TET_2025 = calendar_call("tet-2025", "json", "2025-01-25", "2025-01-25")


def test_json_session_outside_the_range_is_kept_when_its_nominal_date_is_inside(ran: Results) -> None:
    # The contract's example: 25/1/2025 (Tết) rolls back to Friday 24/1, before --from.
    data = json.loads(ran[TET_2025].stdout)
    got = [(s["unit"], s["date"], s["nominal"]) for s in data["sessions"]]
    assert got == [("alpha", "2025-01-24", "2025-01-25"), ("zeta", "2025-01-24", "2025-01-25")]
    assert data["findings"] == []


# ---------------------------------------------------------------------------------------------
# Text and CSV

TEXT = calendar_call("text", "text")
CSV = calendar_call("csv", "csv")


def test_text_lists_days_in_vietnamese_with_weekday_names(ran: Results) -> None:
    result = ran[TEXT]
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Thứ Hai, 25/01/2027" in out
    assert "Thứ Năm, 25/02/2027" in out
    assert "Thứ Bảy, 16/01/2027" in out
    assert "Tỉnh ủy Zeta" in out
    assert "Đảng ủy xã Alpha" in out
    assert "2027-01-25" not in out
    assert "Monday" not in out


def test_text_lists_the_periods_that_fall_short(ran: Results) -> None:
    out = ran[TEXT].stdout
    assert "THIẾU" in out
    assert "Tháng 01/2027" in out
    assert "Tuần 01/2027" in out


def test_csv_has_one_row_per_session_in_the_contract_order(ran: Results) -> None:
    result = ran[CSV]
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    header, body = rows[0], rows[1:]
    assert len(body) == 12
    assert all(len(r) == len(header) for r in body)
    assert [(r[0], r[3], r[4]) for r in body[:3]] == [
        ("mid", "2027-01-14", "2027-01-14"),
        ("loc", "2027-01-16", "2027-01-15"),
        ("loc", "2027-01-18", "2027-01-16"),
    ]
    assert "Thứ Bảy" in body[1]
    assert any("QĐ 7/UBND" in cell for cell in body[1])


# ---------------------------------------------------------------------------------------------
# check

CHECK = call("check", "check", "--config", "config.toml")
CHECK_TOML = call("check-toml", "check", "--config", "config.toml", config=CONFIG, units_csv=None)


def test_check_prints_the_unit_count(ran: Results) -> None:
    result = ran[CHECK]
    assert result.returncode == 0, result.stderr
    assert "4 đơn vị" in result.stdout


def test_check_counts_toml_units_alone(ran: Results) -> None:
    result = ran[CHECK_TOML]
    assert result.returncode == 0, result.stderr
    assert "3 đơn vị" in result.stdout


# ---------------------------------------------------------------------------------------------
# Bad configurations: non-zero, no output, one line naming the file and the key or CSV line


def replace(old: str, new: str, text: str = WITH_CSV) -> str:
    assert old in text
    return text.replace(old, new, 1)


DUPLICATE_UNIT = CONFIG + '\n[[units]]\nid = "zeta"\nlevel = "province"\ndays = [1]\n'
BAD_CONFIGS = [
    # (name, config.toml, units.csv or None for the good one, words the one line must contain)
    ("unknown_level", replace('level = "commune"', 'level = "district"'), None, ["units[1]", "level"]),
    (
        "both_days_and_rrule",
        replace("days  = [25]", 'days = [25]\nrrule = "FREQ=WEEKLY"'),
        None,
        ["units[0]", "days"],
    ),
    ("neither_days_nor_rrule", replace("days  = [25]\n", ""), None, ["units[0]", "days"]),
    ("day_32", replace("days  = [25]", "days = [10, 32]"), None, ["units[0]", "days", "32"]),
    ("day_0", replace("days  = [25]", "days = [0]"), None, ["units[0]", "days", "0"]),
    (
        "bad_rrule",
        replace('rrule = "FREQ=MONTHLY;BYDAY=+2TH,+4TH"', 'rrule = "FREQ=FORTNIGHTLY"'),
        None,
        ["units[2]", "rrule"],
    ),
    ("bad_rrule_byday", replace("+4TH", "+4XX"), None, ["units[2]", "rrule"]),
    (
        "date_both_off_and_working",
        replace('workdays = ["2027-01-16"]', 'workdays = ["2027-01-16", "2027-01-15"]'),
        None,
        ["calendar", "2027-01-15"],
    ),
    ("time_backwards", replace('"07:30-11:30"', '"11:30-07:30"'), None, ["units[0]", "time"]),
    ("time_unfinished", replace('"07:30-11:30"', '"7h-"'), None, ["units[0]", "time"]),
    ("duplicate_unit_in_toml", DUPLICATE_UNIT, None, ["units[3]", "zeta"]),
    (
        "unknown_parent",
        replace('level = "province"', 'level = "province"\nparent = "nowhere"'),
        None,
        ["units[0]", "parent", "nowhere"],
    ),
    ("unknown_unit_roll", replace('roll  = "nearest"', 'roll = "backward"'), None, ["units[2]", "roll"]),
    ("unknown_calendar_roll", replace('"modified-following"', '"backward"'), None, ["calendar.roll"]),
    ("missing_min_days", replace("min_days = 2\n", ""), None, ["levels.commune.min_days"]),
    ("bad_per", replace('per      = "week"', 'per      = "fortnight"'), None, ["levels.weekly.per"]),
    (
        "duplicate_unit_toml_and_csv",
        WITH_CSV,
        CSV_HEADER + "zeta,Z,province,10,,\n",
        ["units.csv:2", "id", "zeta"],
    ),
    ("csv_wrong_column_count", WITH_CSV, CSV_HEADER + CSV_LOC + "b,B,province\n", ["units.csv:3"]),
    ("csv_bad_days", WITH_CSV, CSV_HEADER + "b,B,province,10;abc,,\n", ["units.csv:2", "days"]),
    ("csv_day_32", WITH_CSV, CSV_HEADER + "b,B,province,10;32,,\n", ["units.csv:2", "days"]),
    ("csv_unknown_level", WITH_CSV, CSV_HEADER + "b,B,nation,10,,\n", ["units.csv:2", "level"]),
    ("csv_bad_roll", WITH_CSV, "id,level,days,roll\nb,province,10,sideways\n", ["units.csv:2", "roll"]),
    ("csv_bad_time", WITH_CSV, CSV_HEADER + "b,B,province,10,7h-,\n", ["units.csv:2", "time"]),
    ("missing_units_csv", replace("units.csv", "missing.csv"), None, ["missing.csv", "units_csv"]),
]
for _name, _config, _csv, _ in BAD_CONFIGS:
    calendar_call(f"bad-{_name}", config=_config, units_csv=_csv or CSV_HEADER + CSV_LOC)


@pytest.mark.parametrize(
    ("name", "words"), [(c[0], c[3]) for c in BAD_CONFIGS], ids=[c[0] for c in BAD_CONFIGS]
)
def test_a_bad_configuration_fails_with_one_line_naming_the_file_and_the_key(
    ran: Results, name: str, words: list[str]
) -> None:
    line = assert_one_line_error(ran[f"bad-{name}"])
    if not any(w.startswith(("units.csv", "missing.csv")) for w in words):
        assert "config.toml" in line
    for word in words:
        assert word in line


SYNTAX_ERROR = replace('name     = "Xã"', 'name     = = "Xã"')
SYNTAX = calendar_call("syntax", config=SYNTAX_ERROR)


def test_a_toml_syntax_error_names_the_file_and_line(ran: Results) -> None:
    line = SYNTAX_ERROR.splitlines().index('name     = = "Xã"') + 1
    assert f"config.toml:{line}" in assert_one_line_error(ran[SYNTAX])


NO_CONFIG = call(
    "no-config", "calendar", "--config", "nowhere.toml", "--from", "2027-01-01", "--to", "2027-01-31"
)


def test_a_missing_config_file_fails_with_one_line_naming_it(ran: Results) -> None:
    assert "nowhere.toml" in assert_one_line_error(ran[NO_CONFIG])


BACKWARDS = calendar_call("backwards", "json", "2027-02-01", "2027-01-31")


def test_a_range_ending_before_it_starts_fails_without_output(ran: Results) -> None:
    assert "2027-02-01" in assert_one_line_error(ran[BACKWARDS])


CHECK_BAD = call(
    "check-bad", "check", "--config", "config.toml", config=replace("days  = [25]", "days = [32]")
)


def test_check_fails_on_a_bad_configuration_with_one_line(ran: Results) -> None:
    line = assert_one_line_error(ran[CHECK_BAD])
    assert "config.toml" in line
    assert "days" in line
