"""The follow-up figures of the report against a fixture computed by hand, on SQLite and
PostgreSQL, in JSON (CLI and in process), HTML with its chart, XLSX and CSV; counts only."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from followup_support import CLERK, at, world
from service_support import tiepdan

from notifiers.reports.as_json import report_dict
from scheduler.usecases import followup as fu
from scheduler.usecases.reports import custom_range, make_report

D = date.fromisoformat
TODAY = D("2027-03-10")


@pytest.fixture
def w(tmp_path, db_url):
    made = world(tmp_path, db_url)
    ids = {}
    for unit, day in (("ubnd", "2027-01-22"), ("xa", "2027-01-22"), ("tinh", "2027-01-25")):
        ids[unit] = made.hold(unit, D(day))[1]

    def direct(entry, result=None, answered=None, **deadline):
        d = fu.add_direction(
            made.engine, made.config, entry, content="Giải quyết", agency="Sở Xây dựng", actor=CLERK,
            now=at("2027-01-25T15:00"), today=D("2027-01-25"), **deadline,
        )  # fmt: skip
        if result or answered:
            fu.record_result(
                made.engine, d.id, actor=CLERK, now=at("2027-03-10T09:00"), today=TODAY,
                resolved_on=D(result), result="Đã giải quyết", answered_on=D(answered) if answered else None,
            )  # fmt: skip
        return d

    assert direct(ids["ubnd"][0], "2027-02-10").due == D("2027-02-12")  # on time
    assert direct(ids["ubnd"][1], "2027-02-01", days=3).due == D("2027-01-27")  # late
    assert direct(ids["ubnd"][2], days=5).due == D("2027-01-29")  # overdue, not resolved
    direct(ids["xa"][0], "2027-02-12", "2027-02-15")  # on time, on its last day; answered
    direct(ids["xa"][1], due=D("2027-03-31"))  # not due yet: not judged
    assert direct(ids["tinh"][0], "2027-02-15").due == D("2027-02-15")  # on time
    yield made
    made.engine.dispose()


def test_on_time_rate_agrees_with_the_hand_computed_fixture(w):
    report = make_report(w.engine, w.config, custom_range(D("2027-01-01"), D("2027-03-31")), today=TODAY)
    f = report_dict(report)["followup"]
    units = {u["unit"]: u for u in f["units"]}
    assert units["ubnd"] | {"name": ""} == {
        "unit": "ubnd", "name": "", "issued": 3, "resolved": 2, "on_time": 1, "overdue": 1, "answered": 0,
        "on_time_rate": 0.3333,
    }  # fmt: skip
    xa = units["xa"]
    assert (xa["issued"], xa["on_time"], xa["answered"], xa["on_time_rate"]) == (2, 1, 1, 1.0)
    assert units["tinh"]["on_time_rate"] == 1.0
    assert f["rollups"] == [
        {"unit": "tinh", "name": "Tỉnh ủy Cao Bằng", "children": ["xa"], "issued": 3, "resolved": 2,
         "on_time": 2, "overdue": 0, "answered": 1, "on_time_rate": 1.0}
    ]  # fmt: skip
    assert f["total"] == {
        "issued": 6,
        "resolved": 4,
        "on_time": 3,
        "overdue": 1,
        "answered": 1,
        "on_time_rate": 0.6,
    }
    assert f["below_target"] == [
        {"unit": "ubnd", "name": "Ủy ban nhân dân tỉnh Cao Bằng", "on_time_rate": 0.3333}
    ]
    assert f["as_of"] == "2027-03-10" and f["target"] == 0.9
    # Counts only: nothing a citizen said or is called.
    text = json.dumps(f, ensure_ascii=False)
    assert "Nguyễn" not in text and "Giải quyết" not in text
    # One unit's report: that unit and the units under it.
    sub = report_dict(
        make_report(
            w.engine, w.config, custom_range(D("2027-01-01"), D("2027-03-31")), today=TODAY, unit_id="tinh"
        )
    )
    assert sub["followup"]["total"]["issued"] == 3 and [u["unit"] for u in sub["followup"]["units"]] == [
        "tinh",
        "xa",
    ]


def test_every_form_of_the_report_carries_the_section(w, tmp_path, db_url):
    if "postgresql" in db_url:
        pytest.skip("the forms are the same code on both backends; the figures are checked above")
    out = json.loads(
        tiepdan(
            w.path,
            "report",
            "--from",
            "2027-01-01",
            "--to",
            "2027-03-31",
            "--format",
            "json",
            now="2027-03-10T12:00",
        ).stdout
    )
    assert out["followup"]["total"]["on_time_rate"] == 0.6
    html_file = tmp_path / "r.html"
    tiepdan(
        w.path,
        "report",
        "--from",
        "2027-01-01",
        "--to",
        "2027-03-31",
        "--format",
        "html",
        "--out",
        str(html_file),
        now="2027-03-10T12:00",
    )
    html = html_file.read_text(encoding="utf-8")
    assert (
        "Kết quả giải quyết chỉ đạo sau tiếp công dân" in html
        and "Tỷ lệ giải quyết đúng hạn theo đơn vị" in html
    )
    assert "Đơn vị chưa đạt mục tiêu giải quyết đúng hạn (1)" in html and "60,0" in html
    from openpyxl import load_workbook

    from notifiers.reports.as_csv import write_csv
    from notifiers.reports.xlsx import write_xlsx

    report = make_report(w.engine, w.config, custom_range(D("2027-01-01"), D("2027-03-31")), today=TODAY)
    buf = io.BytesIO()
    write_xlsx(report, buf)
    ws = load_workbook(io.BytesIO(buf.getvalue()))["Theo dõi giải quyết"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    ubnd = next(r for r in cells if "ubnd" in r)
    assert ubnd[3:9] == [3, 2, 1, 1, 0, pytest.approx(1 / 3)]
    text = io.StringIO()
    write_csv(report, text)
    rows = list(csv.reader(io.StringIO(text.getvalue())))
    assert rows[0][-6:] == [
        f"Theo dõi giải quyết: {x}"
        for x in ("Chỉ đạo", "Đã giải quyết", "Đúng hạn", "Quá hạn", "Đã trả lời công dân", "Tỷ lệ đúng hạn")
    ]
    assert next(r for r in rows if r[0] == "ubnd")[-6:] == ["3", "2", "1", "1", "0", "0.3333"]
