"""Directions on a held session, their deadlines and results, on SQLite and PostgreSQL: the use
cases (one door each), what they refuse, the audit trail, and the CLI giving the same JSON."""

from __future__ import annotations

import json
from datetime import date

import pytest
from followup_support import CLERK, at, world
from service_support import one_line_error, snapshot, tiepdan
from sqlalchemy import select

from rules import ServiceError
from scheduler.infra.db.models import AuditRow
from scheduler.usecases import followup as fu
from scheduler.usecases import reception_log as book
from scheduler.usecases import record_outcome

D = date.fromisoformat
JAN22 = D("2027-01-22")


@pytest.fixture
def w(tmp_path, db_url):
    made = world(tmp_path, db_url)
    yield made
    made.engine.dispose()


def audit_of(engine, action=None):
    with engine.connect() as conn:
        rows = list(conn.execute(select(AuditRow).order_by(AuditRow.id)))
    return [r for r in rows if action is None or r.action == action]


def test_a_direction_received_on_friday_22_january_2027_is_due_after_tet(w, db_url):
    session_id, rows = w.hold("ubnd", JAN22)
    now, today = at("2027-01-22T15:00"), JAN22
    d = fu.add_direction(
        w.engine,
        w.config,
        rows[0],
        content="Kiểm tra, xác minh nguồn gốc đất",
        agency="Sở Tài nguyên và Môi trường",
        actor=CLERK,
        now=now,
        today=today,
    )
    # 10 working days (Quy định 11-QĐi/TW): 25-29/1, 1-3/2, Tết 4-10/2, then 11 and 12/2.
    assert d.due == D("2027-02-12") and d.limit_id == "petition-notice"
    j = fu.direction_dict(d, w.config, D("2027-02-15"))
    assert j["state"] == "overdue" and j["state_vi"] == "quá hạn" and j["limit"]["counting"] == "working"
    # The office's own choice: working days, or a date.
    own = fu.add_direction(
        w.engine, w.config, rows[1], content="Rà soát hồ sơ bồi thường", agency="Sở Tài chính",
        actor=CLERK, now=now, today=today, days=3,
    )  # fmt: skip
    assert own.due == D("2027-01-27")
    dated = fu.add_direction(
        w.engine, w.config, rows[2], content="Kiểm tra tiếng ồn", agency="Công an tỉnh",
        actor=CLERK, now=now, today=today, due=D("2027-03-01"),
    )  # fmt: skip
    assert fu.direction_dict(dated, w.config, today)["limit"] == {
        "id": "office-date", "days": None, "counting": None, "basis": ""
    }  # fmt: skip
    audit = [json.loads(r.details) for r in audit_of(w.engine, "direction_add")]
    assert [a["due"] for a in audit] == ["2027-02-12", "2027-01-27", "2027-03-01"]
    assert all("Nguyễn" not in json.dumps(a, ensure_ascii=False) for a in audit)  # no citizen's name
    assert session_id == d.session_id


def test_facts_that_cannot_be_true_are_refused_and_change_nothing(w, db_url):
    planned = w.session("tinh", D("2027-01-25"))
    entry = book.add_entry(
        w.engine,
        w.config,
        planned.id,
        {"full_name": "Nguyễn Văn Bình"},
        actor=CLERK,
        now=at("2027-01-25T09:00"),
    )
    before = snapshot(db_url)
    kw = {"content": "Giải quyết", "agency": "Sở Xây dựng", "actor": CLERK, "now": at("2027-01-25T09:00")}
    with pytest.raises(ServiceError, match="chưa được ghi là đã tiếp"):
        fu.add_direction(w.engine, w.config, entry, today=D("2027-01-25"), **kw)
    session_id, rows = w.hold("ubnd", JAN22)
    for bad, match in (
        ({"limit": "khong-co"}, "không có thời hạn"),
        ({"due": D("2027-02-06")}, "không phải ngày làm việc"),
        ({"due": D("2027-01-20")}, "trước ngày tiếp nhận"),
        ({"days": 3, "due": D("2027-03-01")}, "chỉ chọn một"),
        ({"agency": " "}, "cơ quan được giao"),
    ):
        args = kw | bad
        with pytest.raises(ServiceError, match=match):
            fu.add_direction(w.engine, w.config, rows[0], today=JAN22, **args)
    d = fu.add_direction(w.engine, w.config, rows[0], today=JAN22, **kw)
    before = snapshot(db_url)
    for bad, match in (
        ({"resolved_on": D("2027-02-20"), "result": "Đã xong"}, "sau hôm nay"),
        ({"resolved_on": D("2027-01-20"), "result": "Đã xong"}, "trước ngày tiếp nhận"),
        ({"resolved_on": D("2027-02-01")}, "cần ghi kết quả"),
        ({"answered_on": D("2027-02-01")}, "khi đã có kết quả"),
        ({}, "cần ghi ít nhất"),
    ):
        with pytest.raises(ServiceError, match=match):
            fu.record_result(
                w.engine, d.id, actor=CLERK, now=at("2027-02-10T09:00"), today=D("2027-02-10"), **bad
            )
    # The log row a direction hangs on cannot be deleted, nor the held record undone.
    with pytest.raises(ServiceError, match="đang có 1 chỉ đạo"):
        book.delete_entry(w.engine, w.config, rows[0], actor=CLERK, now=at("2027-02-10T09:00"))
    with pytest.raises(ServiceError, match="đang có 1 chỉ đạo"):
        record_outcome.undo_record(
            w.engine, w.config, session_id, reason="Ghi nhầm", actor=CLERK, now=at("2027-02-10T09:00")
        )
    assert snapshot(db_url) == before


def test_result_edit_and_audit(w, db_url):
    _, rows = w.hold("ubnd", JAN22)
    d = fu.add_direction(
        w.engine, w.config, rows[1], content="Thụ lý khiếu nại", agency="Ủy ban nhân dân huyện",
        actor=CLERK, now=at("2027-01-22T15:00"), today=JAN22, limit="complaint-accept",
    )  # fmt: skip
    assert d.due == D("2027-02-01")
    d = fu.edit_direction(
        w.engine, w.config, d.id, actor=CLERK, now=at("2027-01-26T09:00"), today=D("2027-01-26"),
        limit="complaint-resolve", accepted_on=D("2027-01-26"), expected_version=d.version,
    )  # fmt: skip
    assert d.due == D("2027-02-25") and d.version == 2  # 30 days from acceptance: Thu 25/02
    from rules import ConflictError

    with pytest.raises(ConflictError):
        fu.edit_direction(
            w.engine,
            w.config,
            d.id,
            actor=CLERK,
            now=at("2027-01-26T09:00"),
            today=D("2027-01-26"),
            agency="X",
            expected_version=1,
        )
    d = fu.record_result(
        w.engine, d.id, actor=CLERK, now=at("2027-02-24T09:00"), today=D("2027-02-24"),
        resolved_on=D("2027-02-24"), result="Đã ban hành quyết định giải quyết khiếu nại lần đầu",
        notified_on=D("2027-01-27"),
    )  # fmt: skip
    j = fu.direction_dict(d, w.config, D("2027-02-24"))
    assert (j["state"], j["on_time"], j["notified_on"]) == ("resolved", True, "2027-01-27")
    d = fu.record_result(
        w.engine,
        d.id,
        actor=CLERK,
        now=at("2027-02-26T09:00"),
        today=D("2027-02-26"),
        answered_on=D("2027-02-26"),
    )
    assert fu.direction_dict(d, w.config, D("2027-02-26"))["state"] == "answered"
    actions = [r.action for r in audit_of(w.engine) if r.action.startswith("direction")]
    assert actions == ["direction_add", "direction_edit", "direction_result", "direction_result"]
    # Once resolved it cannot be deleted; the log row it hangs on neither.
    with pytest.raises(ServiceError, match="đã có kết quả"):
        fu.delete_direction(w.engine, d.id, actor=CLERK, now=at("2027-02-26T09:00"))


def test_followup_list_filters_and_missing_conclusion(w, db_url):
    sid, rows = w.hold("ubnd", JAN22)
    now = at("2027-01-22T15:00")
    for i, (agency, days) in enumerate(
        (("Sở Tài nguyên và Môi trường", None), ("Sở Xây dựng", 3), ("Công an tỉnh", 30))
    ):
        fu.add_direction(
            w.engine,
            w.config,
            rows[i],
            content=f"Việc {i}",
            agency=agency,
            actor=CLERK,
            now=now,
            today=JAN22,
            days=days,
        )
    today = D("2027-02-11")
    data = fu.followup_list(w.engine, w.config, "ubnd", today)
    assert [d["state"] for d in data["directions"]] == ["overdue", "due_soon", "not_due"]
    # 5 working days after 22/01 is 29/01: on 11/02 the notice is late.
    assert data["conclusions_missing"] == [{"session": sid, "date": "2027-01-22", "due": "2027-01-29"}]
    only = fu.followup_list(
        w.engine, w.config, "ubnd", today, states=fu.parse_states("overdue,due_soon"), agency="sở"
    )
    assert [d["agency"] for d in only["directions"]] == ["Sở Xây dựng", "Sở Tài nguyên và Môi trường"]
    fu.set_conclusion_notice(
        w.engine, sid, number="07", issued_on=D("2027-01-25"), actor=CLERK, now=now, today=today
    )
    assert fu.followup_list(w.engine, w.config, "ubnd", today)["conclusions_missing"] == []
    with pytest.raises(ServiceError, match="tre-han"):
        fu.parse_states("tre-han")


def test_cli_gives_the_same_json_and_one_line_errors(tmp_path):
    w = world(tmp_path, f"sqlite:///{tmp_path / 't.db'}")
    w.engine.dispose()
    _, rows = w.hold("ubnd", JAN22)
    out = tiepdan(
        w.path, "direction", "add", str(rows[0]), "--content", "Kiểm tra, xác minh", "--agency",
        "Sở Tài nguyên và Môi trường", "--format", "json", now="2027-01-22T15:00",
    ).stdout  # fmt: skip
    added = json.loads(out)
    assert added["due"] == "2027-02-12" and added["state"] == "not_due"
    listed = json.loads(
        tiepdan(w.path, "followup", "--unit", "ubnd", "--format", "json", now="2027-02-15T08:00").stdout
    )
    assert listed["directions"][0] | {"state": "x"} == fu.direction_dict(
        fu.get_direction(w.engine, added["id"]), w.config, D("2027-02-15")
    ) | {"state": "x"}
    assert listed["directions"][0]["state"] == "overdue"
    before = snapshot(f"sqlite:///{tmp_path / 't.db'}")
    err = one_line_error(
        tiepdan(
            w.path,
            "direction",
            "result",
            str(added["id"]),
            "--resolved",
            "2027-03-01",
            "--result",
            "Xong",
            now="2027-02-15T08:00",
            check=False,
        )
    )
    assert "sau hôm nay" in err
    err = one_line_error(
        tiepdan(w.path, "followup", "--unit", "ubnd", "--state", "sai", now="2027-02-15T08:00", check=False)
    )
    assert "sai" in err
    assert snapshot(f"sqlite:///{tmp_path / 't.db'}") == before
    text = tiepdan(w.path, "limits").stdout
    assert "petition-notice: " in text and "11-QĐi/TW" in text
