"""Dialogue conferences in the store, on SQLite and PostgreSQL: the calendar's yearly finding for
a unit with none, the use cases (plan, trigger, announce, record, conclude) through the function
and the CLI with the same JSON, refusals that change nothing, and the configuration's errors."""

from __future__ import annotations

import json
from datetime import date

import pytest
from dialogue_support import CLERK, PROVINCE_RULE, at, dialogue_config
from service_support import one_line_error, snapshot, tiepdan

from rules import ServiceError
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import dialogues as dg

D = date.fromisoformat
YEAR = ("--from", "2027-01-01", "--to", "2027-12-31", "--format", "json")


@pytest.fixture
def w(tmp_path, db_url):
    path = dialogue_config(tmp_path, db_url)
    config = load_config(path)
    engine = open_database(db_url)
    yield path, config, engine
    engine.dispose()


def calendar_findings(path):
    out = json.loads(tiepdan(path, "calendar", *YEAR).stdout)
    return {(f["unit"], f["period"]): f for f in out["dialogue_findings"]}


def test_a_year_with_no_dialogue_is_a_finding_until_one_is_planned(w):
    path, config, engine = w
    found = calendar_findings(path)
    assert set(found) == {("ubnd-thuc-phan", "2027"), ("cao-bang", "2027")}
    assert found["cao-bang", "2027"]["message"].endswith(f"({PROVINCE_RULE}), thiếu 1")
    assert found["ubnd-thuc-phan", "2027"]["required"] == 1
    dg.plan_dialogue(
        engine, config, "ubnd-thuc-phan", held_on=D("2027-06-20"), topic="Quy hoạch khu dân cư",
        actor=CLERK, now=at("2027-01-05T08:00"), today=D("2027-01-05"),
    )  # fmt: skip
    assert set(calendar_findings(path)) == {("cao-bang", "2027")}
    # A range without a whole year judges no year.
    part = json.loads(
        tiepdan(path, "calendar", "--from", "2027-01-01", "--to", "2027-06-30", "--format", "json").stdout
    )
    assert part["dialogue_findings"] == []


def test_the_use_cases_and_the_cli_give_the_same_dialogue(w):
    path, config, engine = w
    now, today = at("2027-01-05T08:00"), D("2027-01-05")
    row = dg.plan_dialogue(
        engine, config, "ubnd-thuc-phan", held_on=D("2027-06-20"), topic="Quy hoạch khu dân cư",
        kind="thematic", form="hybrid", time_range="08:00-11:00", lead_agency="Văn phòng HĐND và UBND",
        coordinating=["Phòng Kinh tế"], actor=CLERK, now=now, today=today,
    )  # fmt: skip
    cli = json.loads(
        tiepdan(
            path, "dialogue", "plan", "--unit", "ubnd-thuc-phan", "--date", "2027-06-20",
            "--topic", "Quy hoạch khu dân cư", "--kind", "thematic", "--form", "hybrid",
            "--time", "08:00-11:00",
            "--lead", "Văn phòng HĐND và UBND", "--coordinating", "Phòng Kinh tế", "--format", "json",
            now="2027-01-05T08:00",
        ).stdout
    )  # fmt: skip
    mine = dg.dialogue_dict(row, today)
    assert {k: v for k, v in cli.items() if k != "id"} == {k: v for k, v in mine.items() if k != "id"}
    assert mine["notice_due"] == "2027-06-13" and mine["results_due"] == "2027-06-30"
    assert mine["co_organisers"] == ["Ủy ban Mặt trận Tổ quốc Việt Nam", "Thường trực Hội đồng nhân dân"]
    # Announced late: recorded, and the clerk warned on standard error.
    late = tiepdan(path, "dialogue", "announce", str(row.id), "--mttq-opinions", "14", now="2027-06-15T08:00")
    assert "cảnh báo:" in late.stderr and "13/06/2027" in late.stderr
    done = dg.record_dialogue(
        engine, row.id, attendance=180, opinions_raised=25, opinions_answered=19,
        actor=CLERK, now=at("2027-06-20T16:00"), today=D("2027-06-20"),
    )  # fmt: skip
    concluded = dg.conclude_dialogue(
        engine, done.id, number="15/TB-UBND", actor=CLERK, now=at("2027-07-01T09:00"), today=D("2027-07-01")
    )
    assert concluded.late and "30/06/2027" in (concluded.warning or "")
    j = dg.dialogue_dict(concluded.row, D("2027-07-01"))
    assert (j["status"], j["mttq_opinions"], j["opinions_raised"], j["opinions_answered"]) == (
        "held",
        14,
        25,
        19,
    )
    assert j["notice_late"] and j["results_late"] and not j["results_overdue"]


def test_refusals_change_nothing(w, db_url):
    path, config, engine = w
    row = dg.plan_dialogue(
        engine, config, "ubnd-thuc-phan", held_on=D("2027-06-20"), topic="Đất đai",
        actor=CLERK, now=at("2027-01-05T08:00"), today=D("2027-01-05"),
    )  # fmt: skip
    before = snapshot(db_url)
    cases = [
        (("record", str(row.id)), "2027-06-19T08:00", "chưa diễn ra"),
        (("conclude", str(row.id)), "2027-06-21T08:00", "chưa được ghi là đã tổ chức"),
        (("trigger", "--unit", "ubnd-thuc-phan", "--topic", "Ô nhiễm", "--asked", "99", "--voters", "1000"),
         "2027-03-01T08:00", "chưa đủ 10%"),
        (("plan", "--unit", "ubnd-thuc-phan", "--date", "2027-01-04", "--topic", "x"),
         "2027-01-05T08:00", "đã qua"),
        (("plan", "--unit", "khong-co", "--date", "2027-02-04", "--topic", "x"),
         "2027-01-05T08:00", "khong-co"),
    ]  # fmt: skip
    for args, now, words in cases:
        line = one_line_error(tiepdan(path, "dialogue", *args, now=now, check=False))
        assert words in line, line
    with pytest.raises(ServiceError, match="nhiều hơn"):
        dg.record_dialogue(
            engine, row.id, opinions_raised=3, opinions_answered=4,
            actor=CLERK, now=at("2027-06-20T16:00"), today=D("2027-06-20"),
        )  # fmt: skip
    # Postponing: a day gone by is recorded not held instead; the new day not past nor the same.
    for today, new_date, reason, words in (
        ("2027-06-21", None, "Mưa bão", "đã qua: không hoãn được"),
        ("2027-01-05", "2027-01-04", "Mưa bão", "đã qua"),
        ("2027-01-05", "2027-06-20", "Mưa bão", "trùng ngày đã định"),
        ("2027-01-05", None, "  ", "cần ghi lý do hoãn"),
    ):
        with pytest.raises(ServiceError, match=words):
            dg.postpone_dialogue(
                engine, config, row.id, reason=reason, new_date=D(new_date) if new_date else None,
                actor=CLERK, now=at(f"{today}T08:00"), today=D(today),
            )  # fmt: skip
    assert snapshot(db_url) == before


def test_a_voters_request_opens_an_adhoc_dialogue_with_its_deadline(w):
    path = w[0]
    out = json.loads(
        tiepdan(
            path, "dialogue", "trigger", "--unit", "ubnd-thuc-phan", "--topic", "Ô nhiễm bãi rác",
            "--asked", "100", "--voters", "1000", "--format", "json", now="2027-03-01T08:00",
        ).stdout
    )  # fmt: skip
    assert (out["kind"], out["trigger"], out["voters_asked"], out["voters_total"]) == (
        "adhoc",
        "voters",
        100,
        1000,
    )
    assert out["hold_by"] == "2027-03-31" and out["date"] == "2027-03-31"


def test_a_co_organiser_without_a_name_is_one_line_naming_it(tmp_path):
    from rules import ConfigError

    path = dialogue_config(tmp_path, f"sqlite:///{tmp_path / 'x.db'}")
    text = path.read_text(encoding="utf-8").replace(
        'venue  = "Bộ phận Tiếp công dân phường Thục Phán"',
        'venue  = "Bộ phận Tiếp công dân phường Thục Phán"\n'
        'co_organisers = [ { email = "mttq@thucphan.example.vn" } ]',
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"co_organisers\[0\]\.name: cần tên cơ quan phối hợp tổ chức"):
        load_config(path)


def test_a_bad_dialogue_key_is_one_line_naming_it(tmp_path):
    path = dialogue_config(tmp_path, f"sqlite:///{tmp_path / 'x.db'}")
    text = path.read_text(encoding="utf-8").replace(
        'dialogue = "law-72-2025"', 'dialogue = { min = 1, per = "month" }'
    )
    path.write_text(text, encoding="utf-8")
    line = one_line_error(tiepdan(path, "calendar", *YEAR, check=False))
    assert "levels.chair-commune.dialogue.per" in line
    assert not (tmp_path / "x.db").exists()  # the calendar creates no database
