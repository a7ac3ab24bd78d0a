"""Directions given at a dialogue conference go into the same follow-up as a reception session's,
on SQLite and PostgreSQL: written on a held dialogue (through the use case and `tiepdan direction
add --dialogue`), shown with their source in the follow-up list, chased on their deadline (no
written notice to one citizen), counted in the report's on-time rate beside the sessions', and a
direction can never rest on nothing (the database's CHECK)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from followup_support import CLERK, at, world
from service_support import one_line_error, snapshot, tiepdan
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from notifiers.reports.as_json import report_dict
from rules import ServiceError
from scheduler.infra.db.models import DirectionRow, OutboxRow
from scheduler.outbox.due_followup import queue_followup
from scheduler.usecases import dialogues as dg
from scheduler.usecases import followup as fu
from scheduler.usecases.reports import custom_range, make_report

D = date.fromisoformat
JUN20 = D("2027-06-20")
SOURCE = "Hội nghị đối thoại ngày 20/06/2027"


@pytest.fixture
def w(tmp_path, db_url):
    made = world(tmp_path, db_url)
    yield made
    made.engine.dispose()


def planned_dialogue(w, unit: str = "ubnd"):
    return dg.plan_dialogue(
        w.engine, w.config, unit, held_on=JUN20, topic="Bồi thường, giải phóng mặt bằng đường tránh",
        actor=CLERK, now=at("2027-06-01T08:00"), today=D("2027-06-01"),
    )  # fmt: skip


def held_dialogue(w, unit: str = "ubnd"):
    row = planned_dialogue(w, unit)
    dg.record_dialogue(
        w.engine, row.id, attendance=150, opinions_raised=20, opinions_answered=15,
        actor=CLERK, now=at("2027-06-20T11:30"), today=JUN20,
    )  # fmt: skip
    return row


def test_a_dialogue_s_direction_through_the_cli_and_the_use_case(w, db_url):
    planned = planned_dialogue(w)
    before = snapshot(db_url)
    args = ("--content", "Rà soát đơn giá bồi thường", "--agency", "Sở Tài chính", "--format", "json")
    # Refused with one line while the dialogue is not recorded held, and nothing written.
    line = one_line_error(
        tiepdan(w.path, "direction", "add", "--dialogue", str(planned.id), *args, now="2027-06-21T08:00",
                check=False)
    )  # fmt: skip
    assert "chưa được ghi là đã tổ chức" in line
    assert "cần đúng một nguồn" in one_line_error(
        tiepdan(w.path, "direction", "add", *args, now="2027-06-21T08:00", check=False)
    )
    assert "không có hội nghị đối thoại số 999" in one_line_error(
        tiepdan(w.path, "direction", "add", "--dialogue", "999", *args, now="2027-06-21T08:00", check=False)
    )
    assert snapshot(db_url) == before
    dg.record_dialogue(
        w.engine, planned.id, opinions_raised=20, actor=CLERK, now=at("2027-06-20T11:30"), today=JUN20
    )
    out = tiepdan(w.path, "direction", "add", "--dialogue", str(planned.id), *args, now="2027-06-21T08:00")
    j = json.loads(out.stdout)
    # Ten working days from Sunday 20/06/2027 (the default limit, as for a session's case).
    assert (j["dialogue"], j["session"], j["entry"], j["source"]) == (planned.id, None, None, SOURCE)
    assert (j["received_on"], j["due"], j["notice_due"], j["unit"]) == (
        "2027-06-20", "2027-07-02", None, "ubnd"
    )  # fmt: skip
    assert j == fu.direction_dict(fu.get_direction(w.engine, j["id"]), w.config, D("2027-06-21"))
    own = fu.add_dialogue_direction(
        w.engine, w.config, planned.id, content="Công khai phương án tái định cư", agency="UBND phường",
        actor=CLERK, now=at("2027-06-21T09:00"), today=D("2027-06-21"), days=5,
    )  # fmt: skip
    assert own.due == D("2027-06-25")
    assert [d.id for d in fu.directions_of_dialogue(w.engine, planned.id)] == [j["id"], own.id]
    # The result is recorded as for any direction; a written notice to one citizen is not owed.
    with pytest.raises(ServiceError, match="không có thông báo bằng văn bản"):
        fu.record_result(
            w.engine, own.id, notified_on=D("2027-06-22"), actor=CLERK, now=at("2027-06-22T08:00"),
            today=D("2027-06-22"),
        )  # fmt: skip
    done = tiepdan(
        w.path, "direction", "result", str(own.id), "--resolved", "2027-06-24", "--result",
        "Đã niêm yết phương án", "--format", "json", now="2027-06-24T15:00",
    )  # fmt: skip
    assert json.loads(done.stdout)["on_time"] is True
    gone = tiepdan(w.path, "direction", "delete", str(j["id"]), now="2027-06-24T15:00")
    assert SOURCE in gone.stdout


def test_the_follow_up_list_shows_both_sources(w):
    _, rows = w.hold("ubnd", D("2027-01-22"))
    fu.add_direction(
        w.engine, w.config, rows[0], content="Kiểm tra nguồn gốc đất", agency="Sở Tài nguyên và Môi trường",
        actor=CLERK, now=at("2027-01-22T15:00"), today=D("2027-01-22"),
    )  # fmt: skip
    dlg = held_dialogue(w)
    fu.add_dialogue_direction(
        w.engine, w.config, dlg.id, content="Rà soát đơn giá bồi thường", agency="Sở Tài chính",
        actor=CLERK, now=at("2027-06-21T09:00"), today=D("2027-06-21"),
    )  # fmt: skip
    data = json.loads(
        tiepdan(w.path, "followup", "--unit", "ubnd", "--format", "json", now="2027-06-22T08:00").stdout
    )
    assert [d["source"] for d in data["directions"]] == ["Buổi tiếp công dân ngày 22/01/2027", SOURCE]
    only = fu.followup_list(w.engine, w.config, "ubnd", D("2027-06-22"), dialogues_only=True)
    assert [d["dialogue"] for d in only["directions"]] == [dlg.id] and only["conclusions_missing"] == []
    text = tiepdan(w.path, "followup", "--unit", "ubnd", now="2027-06-22T08:00").stdout
    assert SOURCE in text and "Sở Tài chính" in text


def test_a_direction_rests_on_exactly_one_source(w):
    now = at("2027-06-21T09:00")
    base = {
        "unit_id": "ubnd", "content": "x", "agency": "y", "received_on": JUN20, "limit_id": "office",
        "limit_days": 1, "due": D("2027-06-21"), "result": "", "version": 1, "created_at": now,
        "updated_at": now,
    }  # fmt: skip
    with pytest.raises(IntegrityError), w.engine.begin() as conn:
        conn.execute(insert(DirectionRow.__table__), base)
    _, rows = w.hold("ubnd", D("2027-01-22"))
    dlg = held_dialogue(w)
    with w.engine.connect() as conn:
        entry = conn.execute(select(DirectionRow.__table__.c.id)).first()
    assert entry is None
    from scheduler.usecases import reception_log as book

    e = book.get_entry(w.engine, rows[0])
    with pytest.raises(IntegrityError), w.engine.begin() as conn:
        conn.execute(
            insert(DirectionRow.__table__),
            base | {"session_id": e.session_id, "entry_id": e.id, "dialogue_id": dlg.id},
        )


def test_a_dialogue_s_direction_is_chased_on_its_deadline_only(tmp_path):
    w = world(tmp_path, f"sqlite:///{tmp_path / 't.db'}")
    try:
        dlg = held_dialogue(w)
        d = fu.add_dialogue_direction(
            w.engine, w.config, dlg.id, content="Rà soát đơn giá bồi thường",
            agency="Sở Tài nguyên và Môi trường",
            actor=CLERK, now=at("2027-06-21T09:00"), today=D("2027-06-21"),
        )  # fmt: skip
        assert d.due == D("2027-07-02")
        for day in ("2027-06-29", "2027-07-01", "2027-07-05"):
            queue_followup(w.engine, w.config, at(f"{day}T08:00"))
        with w.engine.connect() as conn:
            rows = list(conn.execute(select(OutboxRow).order_by(OutboxRow.id)))
        told = {(r.purpose, r.lead, r.recipient) for r in rows}
        office, agency = "tcd@ubnd.example.vn", "stnmt@example.vn"
        assert {("direction_due", -3, office), ("direction_due", -1, office)} <= told
        assert ("direction_overdue", 1, office) in told and ("direction_due", -3, agency) in told
        assert not any(r.purpose.startswith("notice") for r in rows)
        assert all(r.subject == f"direction:{d.id}" for r in rows)
        to_office = json.loads(next(r for r in rows if r.recipient == office).payload)
        to_agency = json.loads(next(r for r in rows if r.recipient == agency).payload)
        assert "ý kiến tại hội nghị đối thoại ngày 20/06/2027" in json.dumps(to_office, ensure_ascii=False)
        assert "Tại hội nghị đối thoại ngày 20/06/2027" in json.dumps(to_agency, ensure_ascii=False)
    finally:
        w.engine.dispose()


def test_the_report_s_on_time_rate_counts_both(w):
    _, rows = w.hold("ubnd", D("2027-01-22"))
    s = fu.add_direction(
        w.engine, w.config, rows[0], content="Kiểm tra nguồn gốc đất", agency="Sở Tài nguyên và Môi trường",
        actor=CLERK, now=at("2027-01-22T15:00"), today=D("2027-01-22"),
    )  # fmt: skip
    fu.record_result(
        w.engine, s.id, resolved_on=D("2027-02-01"), result="Đã xác minh", actor=CLERK,
        now=at("2027-02-01T15:00"), today=D("2027-02-01"),
    )  # fmt: skip
    dlg = held_dialogue(w)
    fu.add_dialogue_direction(
        w.engine, w.config, dlg.id, content="Rà soát đơn giá bồi thường", agency="Sở Tài chính",
        actor=CLERK, now=at("2027-06-21T09:00"), today=D("2027-06-21"),
    )  # fmt: skip
    report = make_report(
        w.engine, w.config, custom_range(D("2027-01-01"), D("2027-12-31")), today=D("2027-08-02")
    )
    f = report_dict(report)["followup"]
    ubnd = next(u for u in f["units"] if u["unit"] == "ubnd")
    assert (ubnd["issued"], ubnd["resolved"], ubnd["on_time"], ubnd["overdue"], ubnd["on_time_rate"]) == (
        2, 1, 1, 1, 0.5
    )  # fmt: skip
    assert {"unit": "ubnd", "name": "Ủy ban nhân dân tỉnh Cao Bằng", "on_time_rate": 0.5} in f["below_target"]
