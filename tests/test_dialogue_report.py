"""A fixture year of a province's dialogues, on SQLite and PostgreSQL: a provincial dialogue, a
few commune ones, one triggered by the voters; ``tiepdan report --period 2027`` gives counts per
level that agree with a hand count, and the finding of a commune with none."""

from __future__ import annotations

import json
from datetime import date

from dialogue_support import CLERK, at, dialogue_config
from service_support import tiepdan

from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import dialogues as dg

D = date.fromisoformat


def test_a_province_year_counts_per_level_as_by_hand(tmp_path, db_url):
    path = dialogue_config(tmp_path, db_url)
    config, engine = load_config(path), open_database(db_url)
    jan = {"actor": CLERK, "now": at("2027-01-04T08:00"), "today": D("2027-01-04")}

    def hold(row, day, raised, answered, concluded=None):
        r = dg.record_dialogue(
            engine, row.id, opinions_raised=raised, opinions_answered=answered, attendance=100,
            actor=CLERK, now=at(f"{day}T16:00"), today=D(day),
        )  # fmt: skip
        if concluded:
            dg.conclude_dialogue(engine, r.id, actor=CLERK, now=at(f"{concluded}T09:00"), today=D(concluded))

    try:
        prov = dg.plan_dialogue(engine, config, "cao-bang", held_on=D("2027-05-12"), topic="Đất đai", **jan)
        hold(prov, "2027-05-12", 30, 20)
        xa = dg.plan_dialogue(engine, config, "ubnd-thuc-phan", held_on=D("2027-06-20"), topic="GPMB", **jan)
        hold(xa, "2027-06-20", 12, 10, concluded="2027-06-30")  # the 10th day: on time
        voters = dg.trigger_dialogue(
            engine, config, "ubnd-thuc-phan", topic="Bãi rác", voters_asked=300, voters_total=2500,
            held_on=D("2027-03-20"), actor=CLERK, now=at("2027-03-01T08:00"), today=D("2027-03-01"),
        )  # fmt: skip
        hold(voters, "2027-03-20", 5, 5, concluded="2027-04-05")  # late
        dg.plan_dialogue(
            engine,
            config,
            "hoa-chung",
            held_on=D("2027-04-10"),
            topic="Nông thôn mới",
            kind="thematic",
            **jan,
        )
        hold(dg.list_dialogues(engine, units=["hoa-chung"])[0], "2027-04-10", 8, 6)
        dg.plan_dialogue(
            engine, config, "de-tham", held_on=D("2027-11-10"), topic="Doanh nghiệp", kind="enterprise", **jan
        )
        dg.plan_dialogue(engine, config, "tra-linh", held_on=D("2028-01-10"), topic="Năm sau", **jan)
    finally:
        engine.dispose()
    out = json.loads(
        tiepdan(path, "report", "--period", "2027", "--format", "json", now="2027-12-20T08:00").stdout
    )
    d = out["dialogues"]
    assert d["years"] == [2027]
    by_level = {x["level"]: x for x in d["by_level"]}
    # By hand: the province held 1 of 1; the commune chair 2 of 1 (one on the voters' request);
    # the party communes have no mandate: one thematic held, one with enterprises planned.
    p, c, pc = by_level["province"], by_level["chair-commune"], by_level["commune"]
    assert (p["required"], p["held"], p["by_kind"]["periodic"]) == (1, 1, 1)
    assert (p["opinions_raised"], p["opinions_answered"]) == (30, 20)
    assert (c["required"], c["held"], c["triggered"], c["by_kind"], c["opinions_raised"]) == (
        1, 2, 1, {"periodic": 1, "adhoc": 1, "thematic": 0, "enterprise": 0}, 17,
    )  # fmt: skip
    assert (c["opinions_answered"], c["concluded"], c["results_on_time"]) == (15, 2, 1)
    assert (pc["required"], pc["held"], pc["planned"], pc["by_kind"]["thematic"]) == (0, 1, 1, 1)
    assert by_level["chair-province"]["held"] == 0
    t = d["total"]
    assert (t["required"], t["held"], t["planned"], t["opinions_raised"]) == (2, 4, 1, 55)
    roll = {x["unit"]: x for x in d["rollups"]}
    assert roll["cao-bang"]["held"] == 2 and roll["cao-bang"]["planned"] == 1  # itself and its communes
    assert out["dialogue_findings"] == []
    _same_figures_in_html_xlsx_and_csv(tmp_path, path, d)


def _same_figures_in_html_xlsx_and_csv(tmp_path, path, d):
    """The HTML, XLSX and CSV formats carry the JSON's dialogue figures, labelled in Vietnamese."""
    import csv
    import html
    import re

    import openpyxl

    for fmt in ("html", "xlsx", "csv"):
        out = str(tmp_path / f"r.{fmt}")
        tiepdan(path, "report", "--period", "2027", "--out", out, now="2027-12-20T08:00")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", (tmp_path / "r.html").read_text("utf-8"))).split())
    t = d["total"]
    assert "Kết quả tổ chức hội nghị tiếp xúc, đối thoại" in text
    assert (
        f"Năm 2027: phải tổ chức {t['required']} hội nghị; đã tổ chức {t['held']} hội nghị (định kỳ 2, "
        "đột xuất 1, chuyên đề 1, với doanh nghiệp 0), 1 hội nghị dự kiến; 55 ý kiến phát biểu, "
        "41 ý kiến được trả lời tại hội nghị; 2 hội nghị đã thông báo kết quả, 1 đúng hạn."
    ) in text
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Tiếp xúc, đối thoại"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(r for r in rows if r and "Phải tổ chức" in r)
    total = next(r for r in rows if "Tổng cộng" in r)
    col = {h: i for i, h in enumerate(header)}
    figures = ("Phải tổ chức", "Đã tổ chức", "Ý kiến phát biểu")
    assert tuple(total[col[h]] for h in figures) == (2, 4, 55)
    assert total[col["Trả lời tại hội nghị"]] == 41 and total[col["Thông báo kết quả đúng hạn"]] == 1
    level = next(r for r in rows if "chair-commune" in r)
    assert (level[col["Phải tổ chức"]], level[col["Đã tổ chức"]], level[col["Đột xuất"]]) == (1, 2, 1)
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as f:
        table = list(csv.DictReader(f))
    ward = next(r for r in table if r["Mã đơn vị"] == "ubnd-thuc-phan")
    assert ward["Tiếp xúc, đối thoại: Đã tổ chức"] == "2" and ward["Tiếp xúc, đối thoại: Phải tổ chức"] == "1"
    assert ward["Tiếp xúc, đối thoại: Ý kiến phát biểu"] == "17"
    assert sum(int(r["Tiếp xúc, đối thoại: Đã tổ chức"]) for r in table) == t["held"]


def test_a_commune_with_no_dialogue_in_2027_has_the_finding_in_the_report(tmp_path, db_url):
    path = dialogue_config(tmp_path, db_url)
    out = json.loads(
        tiepdan(path, "report", "--period", "2027", "--format", "json", now="2027-12-20T08:00").stdout
    )
    found = {(f["unit"], f["period"]): f for f in out["dialogue_findings"]}
    assert set(found) == {("ubnd-thuc-phan", "2027"), ("cao-bang", "2027")}
    assert (
        found["ubnd-thuc-phan", "2027"]["scheduled"] == 0
        and found["ubnd-thuc-phan", "2027"]["kind"] == "dialogue"
    )
    quarter = json.loads(
        tiepdan(path, "report", "--period", "2027-Q2", "--format", "json", now="2027-12-20T08:00").stdout
    )
    assert quarter["dialogue_findings"] == [] and quarter["dialogues"]["total"]["required"] == 0
