"""The Kế hoạch tiếp xúc, đối thoại năm 2027 (DOCX): the unit's and its subtree's dialogues of the
year, in date order, postponed ones left out, with the letterhead's plan number and the basis."""

from __future__ import annotations

import io
from datetime import date

import docx
from dialogue_support import CLERK, at, dialogue_config
from service_support import one_line_error, tiepdan

from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import dialogues as dg

D = date.fromisoformat


def test_the_year_s_plan_lists_its_dialogues(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    path = dialogue_config(tmp_path, url)
    config, engine = load_config(path), open_database(url)
    jan = {"actor": CLERK, "now": at("2027-01-05T08:00"), "today": D("2027-01-05")}
    try:
        dg.plan_dialogue(
            engine, config, "ubnd-thuc-phan", held_on=D("2027-06-20"), topic="Giải phóng mặt bằng", **jan
        )
        dg.plan_dialogue(engine, config, "ubnd-thuc-phan", held_on=D("2027-03-10"), topic="Chợ dân sinh",
                         kind="enterprise", form="hybrid", **jan)  # fmt: skip
        dg.plan_dialogue(engine, config, "ubnd-thuc-phan", held_on=D("2028-01-10"), topic="Năm sau", **jan)
        data = dg.plan_document(engine, config, "ubnd-thuc-phan", 2027, number="5", issued_on=D("2027-01-05"))
    finally:
        engine.dispose()
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "KẾ HOẠCH" in text and "Tổ chức hội nghị tiếp xúc, đối thoại năm 2027" in text
    assert "Số: 05/KH-UBND" in "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "72/2025/QH15, Điều 43" in text
    (table,) = [t for t in document.tables if t.rows[0].cells[0].text == "STT"]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [r[1] for r in rows] == ["10/03/2027", "20/06/2027"]
    assert rows[0][2] == "Chợ dân sinh" and rows[0][3] == "Với doanh nghiệp; kết hợp"
    assert all("Năm sau" not in r[2] for r in rows)


def test_the_cli_refuses_an_unknown_suffix_in_one_line(tmp_path):
    path = dialogue_config(tmp_path, f"sqlite:///{tmp_path / 't.db'}")
    line = one_line_error(
        tiepdan(path, "dialogue", "document", "--unit", "ubnd-thuc-phan", "--year", "2027", "--out", "kh.txt",
                check=False)
    )  # fmt: skip
    assert ".docx hoặc .pdf" in line and not (tmp_path / "kh.txt").exists()
