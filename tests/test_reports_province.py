"""``tiepdan report`` on a province with a year of history (tests/report_province.py), on SQLite and
on PostgreSQL: every figure of the JSON checked against numbers worked out by hand, the TT 02
data periods, the roll-ups, XLSX and CSV, and the one-line errors.

How the hand figures come about (today is Monday 23/11/2026; "ordinary" = 2 visits, 3 people,
1 case, 1 petition, groups not recorded; the dates are report_province.DATES):

cao-bang (1 day a month): 12 periodic; 25/3 cancelled, made up 27/3 (held, 5/7/3/4/1: +2 days);
  27/7 held by the deputy (4/4/2/3/0); ad hoc 10/9 held (1/25/1/1/1); 26/10 not held, made up
  4/11 (held, 3/3/2/2/0: +9 days); 25/11 and 25/12 still planned. Held: 8 periodic (7 ordinary +
  27/7), 2 make-ups, 1 ad hoc = 11. Visits 7*2+5+4+1+3 = 27; people 7*3+7+4+25+3 = 60; cases
  7+3+2+1+2 = 15; petitions 7+4+3+1+2 = 17; groups 1+1 = 2. Short: October (0 held), December
  (not begun). Lost 2, both made up: 2+9 = 11 days.
hoa-an (2 a month): 24 periodic; 10/2 cancelled, never made up; 10/6 not held, its make-up
  12/6 cancelled, that one's make-up 16/6 held (6/8/4/5/0: +4 days); 10/11 no outcome; 25/11
  cancelled today; 10/12, 25/12 planned. Held: 18 periodic ordinary + 16/6 = 19. Visits 36+6 =
  42, people 54+8 = 62, cases 18+4 = 22, petitions 18+5 = 23. Short: February (1), November
  (0, open), December. Lost 4: 10/2 and 25/11 not made up, 10/6 make-up cancelled, 12/6 made up.
ha-quang (2 a month; re-planned today with days [5]): 24 periodic; 20/8 not held, not made up;
  20/11 cancelled, make-up booked 26/11; 7/12 planned; 21/12 withdrawn by the re-plan (status
  cancelled, no make-up owed). Held 20 ordinary. Short: August, November (open), December.
ubnd-cao-bang (1 a month): 12 periodic; 15/5 held by the vice-chair (10/12/6/8/2); ad hoc 20/5
  (2/30/1/1/1); 15/12 planned. Held 11 periodic (10 ordinary + 15/5) + 1 ad hoc = 12.
  Visits 20+10+2 = 32, people 30+12+30 = 72, cases 10+6+1 = 17, petitions 10+8+1 = 19, groups 3.
ubnd-hoa-an (1 a week to 30/6, then 2 a month; every Thursday): 51 sessions dated in 2026 (and
  31/12/2025 for Thursday 1/1). 26 weeks (Mondays 5/1 to 29/6) + 6 months = 26 + 12 = 38
  required. W08 (16-22/2) has no session (Tết); 16/4 cancelled, made up Friday 17/4 (+1 day);
  4/6 (W23) not held and 3/9 cancelled, neither made up; 19/11 held by the vice-chair; 26/11 and
  five December Thursdays planned. Held 42 periodic + 1 make-up = 43, all ordinary.
"""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path
from typing import Any

import pg
import pytest
from openpyxl import load_workbook
from report_province import NOW, TODAY, Province, build_province
from service_support import one_line_error, tiepdan

from scheduler.cli import main

CONTRACT = (
    "unit", "required", "held", "periodic", "makeup", "adhoc", "cancelled", "shortfall_periods", "visits",
    "people", "cases", "petitions", "groups",
)  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def province(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp(f"province-{request.param}")
    if request.param == "sqlite":
        p = build_province(directory, f"sqlite:///{directory / 'province.db'}")
        yield p
        p.engine.dispose()
        return
    with pg.fresh_database(request.getfixturevalue("pg_server")) as url:
        p = build_province(directory, url)
        yield p
        p.engine.dispose()


def cli(config: Path, *args: str, now: str = NOW) -> tuple[int, str, str]:
    """``tiepdan report ARGS`` in this process (a subprocess per call would cost seconds each);
    a few tests below run the real command in a subprocess."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(["report", *args, "--config", str(config), "--now", now])
        except SystemExit as exc:  # argparse refusing an argument
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def ok(config: Path, *args: str, now: str = NOW) -> str:
    code, out, err = cli(config, *args, now=now)
    assert code == 0, err
    return out


def report(p: Province, *args: str, now: str = NOW) -> dict[str, Any]:
    return json.loads(ok(p.config_path, *args, "--format", "json", now=now))


def units_of(d: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["unit"]: u for u in d["units"]}


# --- the year 2026, every unit ------------------------------------------------------------------

# (required, held, periodic, makeup, adhoc, cancelled, shortfall_periods, visits, people, cases,
#  petitions, groups) -- the contract's figures.
YEAR_2026 = {
    "cao-bang": (12, 11, 8, 2, 1, 2, ["2026-10", "2026-12"], 27, 60, 15, 17, 2),
    "ha-quang": (24, 20, 20, 0, 0, 3, ["2026-08", "2026-11", "2026-12"], 40, 60, 20, 20, 0),
    "hoa-an": (24, 19, 18, 1, 0, 4, ["2026-02", "2026-11", "2026-12"], 42, 62, 22, 23, 0),
    "ubnd-cao-bang": (12, 12, 11, 0, 1, 0, ["2026-12"], 32, 72, 17, 19, 3),
    "ubnd-hoa-an": (38, 43, 42, 1, 0, 3, ["2026-12", "2026-W08", "2026-W23"], 86, 129, 43, 43, 0),
}
# (periods_judged, periods_met, periods_pending, missing, delegated, planned, unrecorded, not_held,
#  withdrawn, made_up, makeup_planned, makeup_cancelled, not_made_up, makeup_days,
#  average_makeup_days, compliance)
YEAR_2026_MORE = {
    "cao-bang": (12, 10, 2, 2, 1, 2, 0, 1, 0, 2, 0, 0, 0, 11, 5.5, 0.8333),
    "ha-quang": (12, 9, 2, 4, 0, 2, 0, 1, 1, 0, 1, 0, 1, 0, None, 0.75),
    "hoa-an": (12, 9, 2, 5, 0, 3, 1, 1, 0, 1, 0, 1, 2, 4, 4.0, 0.75),
    "ubnd-cao-bang": (12, 11, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, None, 0.9167),
    "ubnd-hoa-an": (32, 29, 2, 4, 1, 6, 0, 1, 0, 1, 0, 0, 2, 1, 1.0, 0.9062),
}
MORE = (
    "periods_judged", "periods_met", "periods_pending", "missing", "delegated", "planned", "unrecorded",
    "not_held", "withdrawn", "made_up", "makeup_planned", "makeup_cancelled", "not_made_up", "makeup_days",
    "average_makeup_days", "compliance",
)  # fmt: skip


def test_the_rules_gave_the_dates_the_hand_figures_stand_on(province):
    from report_province import PLANNED_2026
    from sqlalchemy import select

    from scheduler.infra.db.models import SessionRow

    t = SessionRow.__table__
    with province.engine.connect() as conn:
        rows = conn.execute(select(t.c.unit_id, t.c.date).where(t.c.kind == "periodic")).all()
    got: dict[str, list[date]] = {}
    for unit, on in rows:
        got.setdefault(unit, []).append(on)
    assert {u: sorted(ds) for u, ds in got.items()} == PLANNED_2026


def test_year_report_has_every_contract_figure_worked_out_by_hand(province):
    d = report(province, "--period", "2026")
    assert [u["unit"] for u in d["units"]] == sorted(YEAR_2026)
    for u in d["units"]:
        assert tuple(u[k] for k in CONTRACT) == (u["unit"], *YEAR_2026[u["unit"]]), u["unit"]
        assert tuple(u[k] for k in MORE) == YEAR_2026_MORE[u["unit"]], u["unit"]
    assert d["report"] | {"today_label": None} == {
        "period": "2026", "title": "Năm 2026", "label": "Năm 2026 (từ 01/01/2026 đến 31/12/2026)",
        "from": "2026-01-01", "to": "2026-12-31", "cutoff": "calendar", "today": "2026-11-23",
        "today_label": None, "open": True, "scope": None, "scope_name": None,
        "period_rule": "Xét các tháng (tuần) nằm trọn trong kỳ báo cáo.", "since": "2025-12-01",
    }  # fmt: skip


def test_year_report_names_each_unit_and_its_supervisor(province):
    u = units_of(report(province, "--period", "2026"))
    assert {k: (v["name"], v["level"], v["parent"]) for k, v in u.items()} == {
        "cao-bang": ("Tỉnh ủy Cao Bằng", "province", None),
        "ha-quang": ("Đảng ủy xã Hà Quảng", "commune", "cao-bang"),
        "hoa-an": ("Đảng ủy xã Hòa An", "commune", "cao-bang"),
        "ubnd-cao-bang": ("Ủy ban nhân dân tỉnh Cao Bằng", "chair-province", None),
        "ubnd-hoa-an": ("Ủy ban nhân dân xã Hòa An", "chair-commune", "ubnd-cao-bang"),
    }


def test_shortfall_details_say_why_each_period_fell_short(province):
    u = units_of(report(province, "--period", "2026"))
    p = province
    details = {k: [(s["period"], s["state"], s["required"], s["held"], s["missing"], s["planned"],
                    s["unrecorded"], s["lost"], s["reason"]) for s in v["shortfall_details"]]
               for k, v in u.items()}  # fmt: skip
    assert details["cao-bang"] == [
        ("2026-10", "closed", 1, 0, 1, 0, [], [p.sid("cao-bang", "2026-10-26")],
         "buổi 26/10 không được tổ chức (Bí thư ốm), đã tiếp bù ngày 04/11 (ngoài kỳ)"),
        ("2026-12", "future", 1, 0, 1, 1, [], [], "kỳ chưa bắt đầu (đã lên lịch 1 buổi)"),
    ]  # fmt: skip
    assert details["hoa-an"] == [
        ("2026-02", "closed", 2, 1, 1, 0, [], [p.sid("hoa-an", "2026-02-10")],
         "buổi 10/02 đã hoãn (Bí thư đi học lớp bồi dưỡng), chưa tiếp bù"),
        ("2026-11", "open", 2, 0, 2, 0, ["2026-11-10"], [p.sid("hoa-an", "2026-11-25")],
         "kỳ đang diễn ra, còn 0 buổi đã lên lịch; buổi 25/11 đã hoãn (Bí thư đi công tác nước ngoài), "
         "chưa tiếp bù; 1 buổi chưa ghi kết quả (ngày 10/11)"),
        ("2026-12", "future", 2, 0, 2, 2, [], [], "kỳ chưa bắt đầu (đã lên lịch 2 buổi)"),
    ]  # fmt: skip
    assert details["ha-quang"] == [
        ("2026-08", "closed", 2, 1, 1, 0, [], [p.sid("ha-quang", "2026-08-20")],
         "buổi 20/08 không được tổ chức (Trụ sở đang sửa chữa), chưa tiếp bù"),
        ("2026-11", "open", 2, 1, 1, 1, [], [p.sid("ha-quang", "2026-11-20")],
         "kỳ đang diễn ra, còn 1 buổi đã lên lịch; buổi 20/11 đã hoãn (Bí thư đi công tác), "
         "tiếp bù dự kiến ngày 26/11"),
        ("2026-12", "future", 2, 0, 2, 1, [], [p.sid("ha-quang", "2026-12-21")],
         "kỳ chưa bắt đầu (đã lên lịch 1 buổi); buổi 21/12 được bỏ khi lập lại lịch theo cấu hình mới"),
    ]  # fmt: skip
    assert details["ubnd-cao-bang"] == [
        ("2026-12", "future", 1, 0, 1, 1, [], [], "kỳ chưa bắt đầu (đã lên lịch 1 buổi)")
    ]
    assert details["ubnd-hoa-an"] == [
        ("2026-W08", "closed", 1, 0, 1, 0, [], [],
         "lịch chỉ có 0 buổi trong kỳ, quy định ít nhất 1 ngày/tuần"),
        ("2026-W23", "closed", 1, 0, 1, 0, [], [p.sid("ubnd-hoa-an", "2026-06-04")],
         "buổi 04/06 không được tổ chức (Chủ tịch ốm), chưa tiếp bù"),
        ("2026-12", "future", 2, 0, 2, 5, [], [], "kỳ chưa bắt đầu (đã lên lịch 5 buổi)"),
    ]  # fmt: skip


def test_lost_sessions_carry_their_fate_and_make_up(province):
    u = units_of(report(province, "--period", "2026"))
    p = province
    lost = {k: [(s["date"], s["status"], s["kind"], s["fate"], s["makeup_date"], s["makeup_days"])
                for s in v["lost_sessions"]] for k, v in u.items()}  # fmt: skip
    assert lost == {
        "cao-bang": [
            ("2026-03-25", "cancelled", "periodic", "made_up", "2026-03-27", 2),
            ("2026-10-26", "not_held", "periodic", "made_up", "2026-11-04", 9),
        ],
        "hoa-an": [
            ("2026-02-10", "cancelled", "periodic", "not_made_up", None, None),
            ("2026-06-10", "not_held", "periodic", "makeup_cancelled", "2026-06-12", None),
            ("2026-06-12", "cancelled", "makeup", "made_up", "2026-06-16", 4),
            ("2026-11-25", "cancelled", "periodic", "not_made_up", None, None),
        ],
        "ha-quang": [
            ("2026-08-20", "not_held", "periodic", "not_made_up", None, None),
            ("2026-11-20", "cancelled", "periodic", "makeup_planned", "2026-11-26", None),
            ("2026-12-21", "cancelled", "periodic", "withdrawn", None, None),
        ],
        "ubnd-cao-bang": [],
        "ubnd-hoa-an": [
            ("2026-04-16", "cancelled", "periodic", "made_up", "2026-04-17", 1),
            ("2026-06-04", "not_held", "periodic", "not_made_up", None, None),
            ("2026-09-03", "cancelled", "periodic", "not_made_up", None, None),
        ],
    }
    made = u["hoa-an"]["lost_sessions"][2]
    assert (made["session"], made["makeup_session"]) == (
        p.sid("hoa-an", "2026-06-12"),
        p.sid("hoa-an", "2026-06-16"),
    )


def test_totals_roll_ups_levels_and_months_add_up_by_hand(province):
    d = report(province, "--period", "2026")
    pick = ("units", "required", "held", "periodic", "makeup", "adhoc", "cancelled", "visits", "people",
            "cases", "petitions", "groups", "periods_judged", "periods_met", "missing", "not_made_up",
            "compliance")  # fmt: skip
    assert tuple(d["total"][k] for k in pick) == (
        5,
        110,
        105,
        99,
        4,
        2,
        12,
        227,
        383,
        117,
        122,
        5,
        80,
        68,
        16,
        5,
        0.85,
    )
    assert d["total"]["average_makeup_days"] == 4.0  # (2 + 9 + 4 + 1) / 4
    rollups = {r["unit"]: tuple(r[k] for k in pick) for r in d["rollups"]}
    assert rollups == {
        # cao-bang + ha-quang + hoa-an
        "cao-bang": (3, 60, 50, 46, 3, 1, 9, 109, 182, 57, 60, 2, 36, 28, 11, 3, 0.7778),
        # ubnd-cao-bang + ubnd-hoa-an
        "ubnd-cao-bang": (2, 50, 55, 53, 1, 1, 3, 118, 201, 60, 62, 3, 44, 40, 5, 2, 0.9091),
    }
    assert {r["unit"]: r["children"] for r in d["rollups"]} == {
        "cao-bang": ["ha-quang", "hoa-an"],
        "ubnd-cao-bang": ["ubnd-hoa-an"],
    }
    levels = {r["level"]: (r["name"], *(r[k] for k in pick)) for r in d["levels"]}
    assert levels == {
        "chair-commune": (
            "Chủ tịch UBND xã",
            1,
            38,
            43,
            42,
            1,
            0,
            3,
            86,
            129,
            43,
            43,
            0,
            32,
            29,
            4,
            2,
            0.9062,
        ),
        "chair-province": (
            "Chủ tịch UBND tỉnh",
            1,
            12,
            12,
            11,
            0,
            1,
            0,
            32,
            72,
            17,
            19,
            3,
            12,
            11,
            1,
            0,
            0.9167,
        ),
        "commune": ("Bí thư Đảng ủy xã", 2, 48, 39, 38, 1, 0, 7, 82, 122, 42, 43, 0, 24, 18, 9, 3, 0.75),
        "province": ("Bí thư Tỉnh ủy", 1, 12, 11, 8, 2, 1, 2, 27, 60, 15, 17, 2, 12, 10, 2, 0, 0.8333),
    }
    # Unit-periods judged by the month they start in (the weekly mandate: Mondays of the month),
    # met, then held sessions dated in the month by kind, and lost ones.
    months = [(m["month"], m["judged"], m["met"], m["periodic"], m["makeup"], m["adhoc"], m["cancelled"])
              for m in d["months"]]  # fmt: skip
    assert months == [
        ("2026-01", 8, 8, 10, 0, 0, 0),
        ("2026-02", 8, 6, 8, 0, 0, 1),
        ("2026-03", 9, 9, 9, 1, 0, 1),
        ("2026-04", 8, 8, 10, 1, 0, 1),
        ("2026-05", 8, 8, 10, 0, 1, 0),
        ("2026-06", 9, 8, 8, 1, 0, 3),
        ("2026-07", 5, 5, 11, 0, 0, 0),
        ("2026-08", 5, 4, 9, 0, 0, 1),
        ("2026-09", 5, 5, 9, 0, 1, 1),
        ("2026-10", 5, 4, 10, 0, 0, 1),
        ("2026-11", 5, 3, 5, 1, 0, 2),
        ("2026-12", 5, 0, 0, 0, 0, 1),
    ]


def test_units_that_fell_short_worst_first_and_what_is_at_risk_today(province):
    d = report(province, "--period", "2026")
    assert [(s["unit"], s["periods"], s["missing"]) for s in d["short_units"]] == [
        ("ubnd-hoa-an", ["2026-W08", "2026-W23"], 2),  # most sessions missing first
        ("ha-quang", ["2026-08"], 1),  # then by compliance: 0.75 ...
        ("hoa-an", ["2026-02"], 1),
        ("cao-bang", ["2026-10"], 1),  # ... before 0.8333
    ]
    assert d["open_periods"] == {"count": 5, "on_track": 4, "at_risk": 1, "cannot_meet": 0}
    # Hòa An's November: none held, 10/11 unrecorded, 25/11 cancelled today; 24/11 is a holiday
    # (Ngày Văn hóa Việt Nam), so 26, 27 and 30/11 are the free working days left.
    assert d["at_risk"] == [
        {"unit": "hoa-an", "period": "2026-11", "label": "tháng 11/2026", "required": 2, "held": 0,
         "planned_left": 0, "unrecorded": ["2026-11-10"], "free_days": 3, "on_track": False,
         "can_still_meet": True, "short_by": 1},
    ]  # fmt: skip
    pending = [
        (m["unit"], m["date"], [(x["date"], x["in_period"]) for x in m["proposals"]])
        for m in d["pending_makeups"]
    ]
    after = [("2026-11-25", False), ("2026-11-27", False), ("2026-11-30", False)]  # 26/11: Hà Quảng's make-up
    assert pending == [
        ("ha-quang", "2026-08-20", after),
        ("hoa-an", "2026-02-10", [("2026-11-26", False), ("2026-11-27", False), ("2026-11-30", False)]),
        ("hoa-an", "2026-11-25", [("2026-11-26", True), ("2026-11-27", True), ("2026-11-30", True)]),
        ("ubnd-hoa-an", "2026-06-04", [("2026-11-25", False), ("2026-11-27", False), ("2026-11-30", False)]),
        ("ubnd-hoa-an", "2026-09-03", [("2026-11-25", False), ("2026-11-27", False), ("2026-11-30", False)]),
    ]


def test_a_closed_period_has_no_risk_section_content(province):
    d = report(province, "--period", "2026-Q1")
    assert d["report"]["open"] is False
    assert d["at_risk"] == [] and d["pending_makeups"] == []
    assert d["open_periods"] == {"count": 0, "on_track": 0, "at_risk": 0, "cannot_meet": 0}


# --- other ranges --------------------------------------------------------------------------------


def test_tt02_quarter_of_a_province_counts_15_june_to_14_september(province):
    d = report(province, "--period", "2026-Q3", "--unit", "cao-bang", "--cutoff", "tt02")
    assert (d["report"]["from"], d["report"]["to"], d["report"]["cutoff"]) == (
        "2026-06-15",
        "2026-09-14",
        "tt02",
    )
    got = {u["unit"]: tuple(u[k] for k in CONTRACT[1:]) for u in d["units"]}
    assert got == {
        # June, July and August end inside (a month belongs to the report period in which it
        # ends: 15/6-14/9 judges June whole); held 25/6, 27/7 (deputy), 25/8, ad hoc 10/9.
        "cao-bang": (3, 4, 3, 0, 1, 0, [], 2 + 4 + 2 + 1, 3 + 4 + 3 + 25, 1 + 2 + 1 + 1, 1 + 3 + 1 + 1, 1),
        # 16/6 (make-up, 6/8/4/5/0), 25/6, 10/7, 27/7, 10/8, 25/8, 10/9; 10/6 and 12/6 are before.
        "hoa-an": (6, 7, 6, 1, 0, 0, [], 12 + 6, 18 + 8, 6 + 4, 6 + 5, 0),
        # 22/6, 6/7, 20/7, 5/8, 7/9 held; 20/8 not held.
        "ha-quang": (6, 5, 5, 0, 0, 1, ["2026-08"], 10, 15, 5, 5, 0),
    }
    assert [u["unit"] for u in d["units"]] == ["cao-bang", "ha-quang", "hoa-an"]


def test_config_cutoff_tt02_applies_to_named_periods_and_the_flag_overrides_it(province):
    text = province.config_path.read_text(encoding="utf-8").replace('cutoff = "calendar"', 'cutoff = "tt02"')
    other = province.config_path.with_name("config-tt02.toml")
    other.write_text(text, encoding="utf-8")
    out = ok(other, "--period", "2026-Q3", "--unit", "cao-bang", "--format", "json")
    assert json.loads(out)["report"]["from"] == "2026-06-15"
    out = ok(other, "--period", "2026-Q3", "--cutoff", "calendar", "--format", "json")
    assert json.loads(out)["report"]["from"] == "2026-07-01"


def test_tt02_year_starts_15_december_and_judges_the_weeks_before_the_plan(province):
    d = report(province, "--period", "2026", "--cutoff", "tt02", "--unit", "ubnd-cao-bang")
    got = {u["unit"]: tuple(u[k] for k in CONTRACT[1:]) for u in d["units"]}
    assert got == {
        # December 2025 to November 2026 end in 15/12/2025-14/12/2026 (a month is judged in the
        # report period in which it ends); December 2026 belongs to the next year's report.
        # December 2025 had no plan (like the weeks W51 and W52 below): short.
        "ubnd-cao-bang": (12, 12, 11, 0, 1, 0, ["2025-12"], 32, 72, 17, 19, 3),
        # Weeks from Monday 15/12/2025 to 29/6 (29) + July to November (5 * 2) = 39; the 2025
        # weeks W51 and W52 had no plan. Held: 31/12/2025 + 42 periodic of 2026 before 23/11 and
        # the 17/4 make-up = 44, all ordinary.
        "ubnd-hoa-an": (
            39,
            44,
            43,
            1,
            0,
            3,
            ["2025-W51", "2025-W52", "2026-W08", "2026-W23"],
            88,
            132,
            44,
            44,
            0,
        ),
    }


def test_from_to_range_first_half(province):
    d = report(province, "--from", "2026-01-01", "--to", "2026-06-30", "--unit", "hoa-an")
    (u,) = d["units"]
    # Jan-Jun: 12 periodic, 10/2 cancelled, 10/6 not held (its make-up 12/6 cancelled), 16/6 held.
    assert tuple(u[k] for k in CONTRACT) == ("hoa-an", 12, 11, 10, 1, 0, 3, ["2026-02"], 26, 38, 14, 15, 0)
    assert d["report"]["period"] is None and d["report"]["label"] == "Từ 01/01/2026 đến 30/06/2026"


def test_the_reports_of_the_children_add_up_to_the_report_of_their_parent(province):
    whole = report(province, "--period", "2026")
    parent = report(province, "--period", "2026", "--unit", "cao-bang")
    children = [report(province, "--period", "2026", "--unit", c) for c in ("hoa-an", "ha-quang")]
    own = units_of(whole)["cao-bang"]
    additive = [k for k in CONTRACT if k not in ("unit", "shortfall_periods")]
    for k in additive:
        assert parent["total"][k] == own[k] + sum(c["total"][k] for c in children), k
        assert parent["total"][k] == next(r for r in whole["rollups"] if r["unit"] == "cao-bang")[k], k
    assert [u["unit"] for u in parent["units"]] == ["cao-bang", "ha-quang", "hoa-an"]
    assert units_of(parent) == {
        k: v for k, v in units_of(whole).items() if k in ("cao-bang", "ha-quang", "hoa-an")
    }


# --- files -------------------------------------------------------------------------------------


def test_xlsx_is_a_statistics_table_with_numbers_as_numbers(province):
    out = province.config_path.parent / "bao-cao-2026.xlsx"
    ok(province.config_path, "--period", "2026", "--format", "xlsx", "--out", str(out))
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "Biểu tổng hợp", "Đơn vị", "Đơn vị chủ quản", "Theo cấp", "Theo tháng", "Kỳ không đạt",
        "Hoãn và tiếp bù", "Nguy cơ", "Chờ tiếp bù", "Theo dõi giải quyết",
    ]  # fmt: skip
    ws = wb["Đơn vị"]
    assert ws["A1"].value == "BÁO CÁO KẾT QUẢ TIẾP CÔNG DÂN ĐỊNH KỲ CỦA NGƯỜI ĐỨNG ĐẦU"
    assert ws["A3"].value.startswith("Kỳ báo cáo: Năm 2026 (từ 01/01/2026 đến 31/12/2026)")
    head = [ws.cell(4, c).value for c in range(1, 17)]
    assert head == [
        "STT", "Đơn vị", "Số kỳ", "Số buổi phải tiếp", "Đã tiếp", None, None, None, "Hoãn/không tổ chức",
        "Lượt", "Người", "Vụ việc", "Đoàn đông người", "Đơn", "Số kỳ không đạt", "Tỷ lệ kỳ đạt",
    ]  # fmt: skip
    assert [ws.cell(5, c).value for c in range(5, 9)] == ["Tổng số", "Định kỳ", "Tiếp bù", "Đột xuất"]
    assert "E4:H4" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws.cell(6, c).value for c in (1, 2, 16)] == ["(1)", "(2)", "(16)"]
    rows = [[ws.cell(r, c).value for c in range(1, 17)] for r in range(7, 13)]
    assert rows == [
        [1, "Tỉnh ủy Cao Bằng", 12, 12, 11, 8, 2, 1, 2, 27, 60, 15, 2, 17, 2, 10 / 12],
        [2, "Đảng ủy xã Hà Quảng", 12, 24, 20, 20, 0, 0, 3, 40, 60, 20, 0, 20, 3, 9 / 12],
        [3, "Đảng ủy xã Hòa An", 12, 24, 19, 18, 1, 0, 4, 42, 62, 22, 0, 23, 3, 9 / 12],
        [4, "Ủy ban nhân dân tỉnh Cao Bằng", 12, 12, 12, 11, 0, 1, 0, 32, 72, 17, 3, 19, 1, 11 / 12],
        [5, "Ủy ban nhân dân xã Hòa An", 32, 38, 43, 42, 1, 0, 3, 86, 129, 43, 0, 43, 3, 29 / 32],
        [None, "Tổng cộng", 80, 110, 105, 99, 4, 2, 12, 227, 383, 117, 5, 122, 12, 68 / 80],
    ]
    assert ws.cell(7, 16).number_format == "0.0%" and ws.cell(7, 4).number_format == "#,##0"
    assert ws.cell(8, 2).alignment.indent == 1  # a commune under its province
    rollup = wb["Đơn vị chủ quản"]
    assert [rollup.cell(7, c).value for c in range(2, 5)] == ["Tỉnh ủy Cao Bằng (3 đơn vị)", 36, 60]
    months = wb["Theo tháng"]
    assert [months.cell(8, c).value for c in (2, 5, 6, 8, 9, 10, 11, 12)] == ["02/2026", 8, 6, 8, 8, 0, 0, 1]
    short = wb["Kỳ không đạt"]
    assert [short.cell(7, c).value for c in range(2, 9)] == [
        "cao-bang",
        "Tỉnh ủy Cao Bằng",
        "2026-10",
        "Đã qua",
        1,
        0,
        1,
    ]
    risk = wb["Nguy cơ"]
    assert [risk.cell(7, c).value for c in range(2, 10)] == [
        "hoa-an",
        "Đảng ủy xã Hòa An",
        "2026-11",
        2,
        0,
        0,
        1,
        3,
    ]
    waiting = wb["Chờ tiếp bù"]
    assert waiting.cell(9, 2).value == "hoa-an" and waiting.cell(9, 4).value.date() == date(2026, 11, 25)
    assert waiting.cell(9, 7).value.startswith(
        "Thứ Năm, ngày 26/11/2026 (trong kỳ, chưa đủ 05 ngày làm việc để niêm yết)"
    )


def test_csv_is_the_unit_table_sorted_by_unit(province):
    rows = list(csv.DictReader(io.StringIO(ok(province.config_path, "--period", "2026", "--format", "csv"))))
    assert [r["Mã đơn vị"] for r in rows] == sorted(YEAR_2026)
    first = rows[0]
    assert (first["Số buổi phải tiếp"], first["Đã tiếp"], first["Tiếp bù"], first["Kỳ không đạt"]) == (
        "12", "11", "2", "tháng 10/2026; tháng 12/2026",
    )  # fmt: skip
    # Names where people read: the level and the supervising unit by name, not by code.
    assert "chair-province" not in "".join(r["Cấp"] for r in rows)
    assert all(r["Đơn vị chủ quản"] in ("", *(x["Đơn vị"] for x in rows)) for r in rows)


def test_the_command_writes_out_and_says_so_on_stderr(province):
    """The real ``tiepdan`` in a subprocess, format taken from the file's suffix."""
    out = province.config_path.parent / "bao-cao-q3.html"
    args = ("--period", "2026-Q3", "--unit", "cao-bang", "--out", str(out))
    proc = tiepdan(province.config_path, "report", *args, now=NOW)
    assert proc.stdout == "" and str(out) in proc.stderr and proc.stderr.count("\n") == 1
    text = out.read_text(encoding="utf-8")
    assert "Quý III năm 2026" in text and "<svg" in text and "Tỉnh ủy Cao Bằng" in text


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--period", "2026-Q5"], "2026-Q5"),
        (["--period", "2026-13"], "tháng 13"),
        (["--period", "năm-ngoái"], "không hợp lệ"),
        (["--from", "2026-07-01", "--to", "2026-06-30"], "--from 2026-07-01 sau --to 2026-06-30"),
        (["--period", "2026", "--unit", "khong-co"], "khong-co"),
        (["--period", "2026", "--from", "2026-01-01"], "không dùng cả hai"),
        (["--from", "2026-01-01"], "cả --from và --to"),
        ([], "--period"),
        (["--period", "2026", "--format", "xlsx"], "--out"),
        (["--period", "2026", "--cutoff", "tt03"], "tt03"),
        (["--from", "2026-02-30", "--to", "2026-03-01"], "2026-02-30"),
    ],
)
def test_bad_input_gives_one_clear_line_and_a_non_zero_exit(province, args, says):
    code, out, err = cli(province.config_path, *args)
    assert code != 0 and out == ""
    assert len(err.splitlines()) == 1 and says in err, err


def test_bad_input_from_the_real_command_too(province, tmp_path):
    out = tmp_path / "x.json"
    proc = tiepdan(
        province.config_path, "report", "--period", "2026-Q5", "--out", str(out), now=NOW, check=False
    )
    assert "2026-Q5" in one_line_error(proc) and proc.stdout == ""
    assert not out.exists()


def test_today_is_not_in_the_clock_but_in_now(province):
    # The same range as of a later day: November is over, so Hòa An's November is a shortfall
    # that is no longer "open", and nothing is at risk any more.
    d = report(province, "--period", "2026-11", now="2026-12-05T09:00")
    assert d["report"]["open"] is False and d["at_risk"] == []
    assert [s["unit"] for s in d["short_units"]] == ["hoa-an", "ha-quang"]
    assert d["report"]["today"] == "2026-12-05" != TODAY.isoformat()
