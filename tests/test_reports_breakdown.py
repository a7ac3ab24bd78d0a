"""The report's breakdowns against figures worked out by hand, in JSON, CSV, HTML and XLSX alike.

One commune party committee (Đảng ủy xã Hòa An, 2 days a month: the 10th and the 25th), built
through the real use cases. The report is the third quarter of 2026; the previous period, the
second quarter.

Q3 (1/7-30/9): held 10/7 with 3 rows in the log, 27/7 (received by the deputy) with 2 rows,
10/8 recorded by counts only; 25/8 postponed on 14/8 and made up on 19/8 (before the postponed
day); 10/9 and 25/9 by counts; an ad hoc session on 15/9 with 1 row. The six rows:

    1 10/7  1 person    tiếp lần đầu   Khiếu nại             hướng dẫn
    2 10/7  đoàn 25     tiếp lần đầu   Kiến nghị, phản ánh   tiếp nhận      1 đơn
    3 10/7  1 person    tiếp nhiều lần Tố cáo                chuyển đơn
    4 27/7  đoàn 36     tiếp nhiều lần Khiếu nại             tiếp nhận
    5 27/7  1 person    tiếp lần đầu   (none)                (none)
    6 15/9  1 person    tiếp lần đầu   Phản ánh              hướng dẫn

By hand: 7 held (5 periodic, 1 make-up, 1 ad hoc), 6 by the head in person, 1 delegated; 14
visits, 77 people (27 + 37 + 3 + 3 + 3 + 1 + 3), 10 cases (3 + 2 + 1 + 1 + 1 + 1 + 1), 5 petitions
(1 + 0 + 1 + 1 + 1 + 0 + 1); cases new 4, old 2, unsorted 4; 2 đoàn/61 người; khiếu nại 2, tố cáo
1, kiến nghị-phản ánh 2, other 1; hướng dẫn 2, tiếp nhận 2, chuyển đơn 1, undecided 1; the
make-up held ahead is no negative delay (no average at all).

Q2 (1/4-30/6): the six days held, five by counts (2 visits, 3 people, 1 case, 1 petition) and
10/6 with one row (1 person, tiếp nhiều lần, Khiếu nại, chuyển đơn): 6 held, 11 visits, 16
people, 6 cases (old 1, unsorted 5), 5 petitions, khiếu nại 1, chuyển đơn 1.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from report_province import CLERK, D, _at, write_config
from test_reports_province import ok

from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import cancel_makeup, move_adhoc, record_outcome, session_reads
from scheduler.usecases import reception_log as book
from scheduler.usecases.planning import plan_year

NOW = "2026-10-05T09:00"
ORDINARY = {"visits": 2, "people": 3, "cases": 1, "petitions": 1}

Q3: dict[str, dict[str, int | None]] = {
    "results": {"held": 7, "visits": 14, "people": 77, "cases": 10, "petitions": 5},
    "kinds": {"regular": None, "periodic": 6, "adhoc": 1},
    "received": {"in_person": 6, "delegated": 1},
    "cases": {"new_cases": 4, "old_cases": 2, "cases_unsorted": 4},
    "groups": {"groups": 2, "group_people": 61},
    "content": {"complaints": 2, "denunciations": 1, "proposals": 2, "other_content": 1},
    "handling": {"guided": 2, "accepted": 2, "forwarded": 1, "undecided": 1},
}
Q2: dict[str, dict[str, int | None]] = {
    "results": {"held": 6, "visits": 11, "people": 16, "cases": 6, "petitions": 5},
    "kinds": {"regular": None, "periodic": 6, "adhoc": 0},
    "received": {"in_person": 6, "delegated": 0},
    "cases": {"new_cases": 0, "old_cases": 1, "cases_unsorted": 5},
    "groups": {"groups": 0, "group_people": 0},
    "content": {"complaints": 1, "denunciations": 0, "proposals": 0, "other_content": 0},
    "handling": {"guided": 0, "accepted": 0, "forwarded": 1, "undecided": 0},
}


def _row(name: str, *, people: int = 1, group: bool = False, new: bool = True, cls: str = "",
         handling: str = "", petitions: int = 0) -> dict[str, Any]:  # fmt: skip
    return {"full_name": name, "people": people, "is_group": group, "new_case": new, "classification": cls,
            "handling": handling, "petitions": petitions}  # fmt: skip


@pytest.fixture(scope="module")
def commune(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("breakdown")
    path = write_config(directory, f"sqlite:///{directory / 'r.db'}")
    config = load_config(path)
    engine = open_database(config.database_url)
    now, today = _at("2025-12-01")
    plan_year(engine, config, 2026, now=now, today=today, actor="test")
    ids = {r.date: r.id for r in session_reads.list_sessions(engine, unit_ids=["hoa-an"])}

    def held(on: str, rows: list[dict[str, Any]] | None = None, received_by: str | None = None) -> None:
        now, _ = _at(on)
        sid = ids[D(on)]
        for data in rows or []:
            book.add_entry(engine, config, sid, data, actor=CLERK, now=now)
        counts = None if rows else ORDINARY
        record_outcome.record(engine, config, sid, held=True, actor=CLERK, now=now, counts=counts,
                  received_by=received_by)  # fmt: skip

    for on in ("2026-04-10", "2026-04-28", "2026-05-11", "2026-05-25", "2026-06-25"):
        held(on)
    held("2026-06-10", [_row("Hà Văn Một", new=False, cls="Khiếu nại", handling="forwarded")])
    held("2026-07-10", [
        _row("Lê Văn A", cls="Khiếu nại", handling="guided"),
        _row("Đoàn thôn Nà Mè", people=25, group=True, cls="Kiến nghị, phản ánh", handling="accepted",
             petitions=1),
        _row("Trần Thị B", new=False, cls="Tố cáo", handling="forwarded"),
    ])  # fmt: skip
    held("2026-07-27", [
        _row("Đoàn thôn Bản Giới", people=36, group=True, new=False, cls="khiếu nại", handling="accepted"),
        _row("Nguyễn Văn C"),
    ], received_by="Phó Bí thư Đảng ủy xã")  # fmt: skip
    held("2026-08-10")
    now, today = _at("2026-08-14")
    cancel_makeup.cancel(
        engine, config, ids[D("2026-08-25")], reason="Bí thư đi học", actor=CLERK, now=now, today=today
    )
    made = cancel_makeup.book_makeup(engine, config, ids[D("2026-08-25")], on=D("2026-08-19"), actor=CLERK,
                          now=now,
                          today=today).session  # fmt: skip
    ids[made.date] = made.id
    held("2026-08-19")
    held("2026-09-10")
    held("2026-09-25")
    now, _ = _at("2026-09-15")
    adhoc = move_adhoc.add_adhoc(engine, config, "hoa-an", on=D("2026-09-15"), reason="Vụ việc phức tạp",
                         actor=CLERK,
                         now=now).session  # fmt: skip
    ids[adhoc.date] = adhoc.id
    held("2026-09-15", [_row("Phạm Văn D", cls="Phản ánh", handling="guided")])
    engine.dispose()
    yield path


def _args(fmt: str, *more: str) -> tuple[str, ...]:
    return ("--period", "2026-Q3", "--unit", "hoa-an", "--format", fmt, *more)


def test_json_agrees_with_the_hand_count(commune: Path) -> None:
    d = json.loads(ok(commune, *_args("json"), now=NOW))
    (u,) = d["units"]
    assert u["breakdown"] == Q3 and u["previous"] == Q2
    # The contracted keys keep their meaning.
    assert (u["unit"], u["required"], u["held"], u["periodic"], u["makeup"], u["adhoc"], u["cancelled"]) == (
        "hoa-an", 6, 7, 5, 1, 1, 1,
    )  # fmt: skip
    assert (u["visits"], u["people"], u["cases"], u["petitions"], u["groups"]) == (14, 77, 10, 5, 2)
    assert u["shortfall_periods"] == []
    # Made up ahead of the postponed day: no "−6 days", no average pulled down.
    (lost,) = u["lost_sessions"]
    assert lost["fate"] == "made_up" and lost["makeup_days"] is None
    assert u["made_up_early"] == 1 and u["average_makeup_days"] is None
    lines = {
        (s["section"], x["key"]): (x["value"], x["previous"]) for s in d["breakdown"] for x in s["lines"]
    }
    assert lines == {(s, k): (v, Q2[s][k]) for s, fig in Q3.items() for k, v in fig.items()}
    assert d["previous"]["period"] == "2026-Q2" and d["previous"]["from"] == "2026-04-01"


def test_csv_agrees_with_the_hand_count(commune: Path) -> None:
    (row,) = csv.DictReader(io.StringIO(ok(commune, *_args("csv"), now=NOW)))
    assert (row["Cấp"], row["Đơn vị chủ quản"]) == ("Bí thư Đảng ủy xã", "Tỉnh ủy Cao Bằng")
    assert row["Hình thức tiếp: Tiếp đột xuất"] == "1"
    assert row["Hình thức tiếp: Tiếp thường xuyên"] == ""
    assert row["Đoàn đông người: Số người trong các đoàn (theo sổ tiếp công dân)"] == "61"
    assert row["Nội dung vụ việc: Khiếu nại"] == "2"
    assert row["Nội dung vụ việc: Khiếu nại - kỳ trước (quý II/2026)"] == "1"
    assert row["Kết quả xử lý: Chuyển đơn đến cơ quan có thẩm quyền"] == "1"
    assert row["Vụ việc: Tiếp nhiều lần (vụ việc cũ)"] == "2"
    assert row["Người tiếp: Người khác tiếp thay"] == "1"


def _html_figures(html: str) -> dict[str, tuple[str, str]]:
    body = html[html.index('<table class="breakdown">') :]
    body = body[: body.index("</table>")]
    cells = re.findall(
        r'<tr><td class="n">\d+</td><td>([^<]+)</td><td class="n">([^<]+)</td><td class="n">([^<]+)</td>',
        body,
    )
    return {label: (now, before) for label, now, before in cells}


def test_html_agrees_and_prints_as_an_annex(commune: Path) -> None:
    html = ok(commune, *_args("html", "--number", "05-BC/ĐU", "--prepared-by", "Nông Thị Hạnh"), now=NOW)
    got = _html_figures(html)
    assert got["Tiếp đột xuất"] == ("1", "0")
    assert got["Tiếp thường xuyên"] == ("–", "–")
    assert got["Người đứng đầu trực tiếp tiếp"] == ("6", "6")
    assert got["Tiếp lần đầu (vụ việc mới)"] == ("4", "0")
    assert got["Số người trong các đoàn (theo sổ tiếp công dân)"] == ("61", "0")
    assert got["Khiếu nại"] == ("2", "1") and got["Tố cáo"] == ("1", "0")
    assert got["Kiến nghị, phản ánh"] == ("2", "0")
    assert got["Hướng dẫn (trả lại đơn và hướng dẫn)"] == ("2", "0")
    assert got["Số người được tiếp"] == ("77", "16")
    assert "2 đoàn/61 người" in html
    assert "ĐẢNG ỦY</div>" in html and "XÃ HÒA AN</div>" in html  # never "XÃ HÒA / AN"
    assert "Kèm theo Báo cáo số 05-BC/ĐU" in html
    assert "NGƯỜI LẬP BIỂU" in html and "Nông Thị Hạnh" in html and "T/M ĐẢNG ỦY" in html


def test_xlsx_agrees_and_prints_as_an_annex(commune: Path, tmp_path: Path) -> None:
    out = tmp_path / "q3.xlsx"
    ok(commune, *_args("xlsx", "--out", str(out), "--prepared-by", "Nông Thị Hạnh"), now=NOW)
    ws = load_workbook(out)["Biểu tổng hợp"]
    rows = {r[1]: r[2:5] for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)}
    assert rows["Tiếp đột xuất"] == (1, 0, 1)
    assert rows["Tiếp thường xuyên"] == (None, None, None)
    assert rows["Người khác tiếp thay"] == (1, 0, 1)
    assert rows["Tiếp nhiều lần (vụ việc cũ)"] == (2, 1, 1)
    assert rows["Số đoàn"] == (2, 0, 2)
    assert rows["Số người trong các đoàn (theo sổ tiếp công dân)"] == (61, 0, 61)
    assert rows["Tiếp nhận (thụ lý để giải quyết)"] == (2, 0, 2)
    assert rows["Số lượt tiếp"] == (14, 11, 3)
    texts = [c for r in ws.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert "NGƯỜI LẬP BIỂU" in texts and "Nông Thị Hạnh" in texts and "T/M ĐẢNG ỦY" in texts
    assert any(t.startswith("(Kèm theo Báo cáo số") for t in texts)
    assert "Đoàn đông người: 2 đoàn/61 người" in texts
