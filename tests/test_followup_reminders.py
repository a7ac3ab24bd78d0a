"""Reminders of a direction's deadline, of the written notice to the citizen and of a missing
conclusion notice: on working days, the steps of the policy, each once, stopped by the fact."""

from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta

import pytest
from followup_support import CLERK, at, world
from service_support import tiepdan
from sqlalchemy import select

from scheduler.infra.db.models import OutboxRow
from scheduler.outbox.due_followup import queue_followup
from scheduler.usecases import followup as fu

D = date.fromisoformat
JAN22 = D("2027-01-22")


@pytest.fixture
def w(tmp_path):
    made = world(tmp_path, f"sqlite:///{tmp_path / 't.db'}")
    yield made
    made.engine.dispose()


def _rows(w):
    with w.engine.connect() as conn:
        return list(conn.execute(select(OutboxRow).order_by(OutboxRow.id)))


def _every_morning(w, first: str, last: str) -> dict[str, int]:
    """Queue at 08:00 and again at 08:05 every day; the new rows per day."""
    out, day = {}, D(first)
    while day <= D(last):
        n = queue_followup(w.engine, w.config, at(f"{day.isoformat()}T08:00"))
        assert queue_followup(w.engine, w.config, at(f"{day.isoformat()}T08:05")) == 0  # nothing twice
        if n:
            out[day.isoformat()] = n
        day += timedelta(days=1)
    return out


def test_overdue_reminder_goes_on_the_first_working_day_after_the_deadline_once(w):
    sid, rows = w.hold("ubnd", JAN22)
    d = fu.add_direction(
        w.engine, w.config, rows[0], content="Kiểm tra, xác minh nguồn gốc đất",
        agency="Sở Tài nguyên và Môi trường", actor=CLERK, now=at("2027-01-22T15:00"), today=JAN22,
    )  # fmt: skip
    assert d.due == D("2027-02-12")
    fu.set_conclusion_notice(
        w.engine, sid, number="1", issued_on=JAN22, actor=CLERK, now=at("2027-01-22T16:00"), today=JAN22
    )
    fu.record_result(
        w.engine,
        d.id,
        actor=CLERK,
        now=at("2027-01-25T09:00"),
        today=D("2027-01-25"),
        notified_on=D("2027-01-25"),
    )
    _every_morning(w, "2027-01-22", "2027-02-20")
    told = [(r.purpose, r.lead, r.recipient, r.created_at.date().isoformat()) for r in _rows(w)]
    office, agency = "tcd@ubnd.example.vn", "stnmt@example.vn"
    assert [t for t in told if t[2] == office] == [
        ("direction_due", -3, office, "2027-02-02"),
        ("direction_due", -1, office, "2027-02-11"),
        ("direction_overdue", 1, office, "2027-02-15"),  # Mon 15/02: Sat 13 and Sun 14 are days off
        ("direction_overdue", 3, office, "2027-02-17"),
    ]
    # The agency's e-mail from [followup] agencies gets its own words, on the same steps.
    assert [(t[0], t[1]) for t in told if t[2] == agency] == [
        ("direction_due", -3), ("direction_due", -1), ("direction_overdue", 1), ("direction_overdue", 3)
    ]  # fmt: skip
    overdue = next(r for r in _rows(w) if r.purpose == "direction_overdue" and r.recipient == office)
    body = overdue.payload
    assert "https://tiepdan.example.vn/desk/directions/" + str(d.id) in body
    assert "Nguyễn Văn Bình" not in body and "004087001234" not in body
    # Resolved: nothing more, even on the next steps' days.
    fu.record_result(
        w.engine, d.id, actor=CLERK, now=at("2027-02-18T09:00"), today=D("2027-02-18"),
        resolved_on=D("2027-02-18"), result="Đã xác minh, hướng dẫn hòa giải",
    )  # fmt: skip
    assert _every_morning(w, "2027-02-21", "2027-03-31") == {}


def test_the_written_notice_and_the_conclusion_notice_are_chased(w):
    sid, rows = w.hold("ubnd", JAN22)
    for i in (0, 0, 1):  # two directions on the first case: the citizen is owed one notice
        fu.add_direction(
            w.engine, w.config, rows[i], content="Giải quyết", agency="Sở Xây dựng", actor=CLERK,
            now=at("2027-01-22T15:00"), today=JAN22, days=30,
        )  # fmt: skip
    _every_morning(w, "2027-01-22", "2027-02-16")
    office = "tcd@ubnd.example.vn"
    told = [
        (r.subject, r.purpose, r.lead, r.created_at.date().isoformat())
        for r in _rows(w)
        if r.recipient == office
    ]
    notices = [t for t in told if t[1].startswith("notice")]
    assert [(t[1], t[2], t[3]) for t in notices if t[0] == "direction:1"] == [
        ("notice_due", -3, "2027-02-02"),
        ("notice_due", -1, "2027-02-11"),
        ("notice_overdue", 1, "2027-02-15"),
    ]
    assert not [t for t in notices if t[0] == "direction:2"]  # the same citizen: told once
    assert [t[0] for t in notices if t[3] == "2027-02-15"] == ["direction:1", "direction:3"]
    # Held 22/01, 5 working days for the conclusion notice: due 29/01, told from Mon 01/02.
    missing = [(t[1], t[2], t[3]) for t in told if t[0] == "conclusion:unit:ubnd"]
    assert missing == [("conclusion_missing", 1, "2027-02-01"), ("conclusion_missing", 3, "2027-02-03")]
    assert any(
        f"/desk/sessions/{sid}/directions" in r.payload
        for r in _rows(w)
        if r.subject.startswith("conclusion")
    )


def test_tick_delivers_the_overdue_reminder_with_the_desk_link(w):
    _, rows = w.hold("ubnd", JAN22)
    d = fu.add_direction(
        w.engine, w.config, rows[0], content="Kiểm tra, xác minh", agency="Sở Xây dựng",
        actor=CLERK, now=at("2027-01-22T15:00"), today=JAN22,
    )  # fmt: skip
    fu.record_result(
        w.engine,
        d.id,
        actor=CLERK,
        now=at("2027-01-25T09:00"),
        today=D("2027-01-25"),
        notified_on=D("2027-01-25"),
    )
    w.engine.dispose()
    tiepdan(w.path, "tick", now="2027-02-15T08:00")
    tiepdan(w.path, "tick", now="2027-02-15T09:00")
    files = [p for p in (w.path.parent / "outbox" / "email").glob("*.eml") if "direction_overdue" in p.name]
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files]
    overdue = [m for m in mails if "Quá hạn giải quyết" in str(m["Subject"])]
    assert len(overdue) == 1, [p.name for p in files]
    text = overdue[0].get_body(preferencelist=("plain",)).get_content()
    assert f"https://tiepdan.example.vn/desk/directions/{d.id}" in text and "12/02/2027" in text
    html = overdue[0].get_body(preferencelist=("html",)).get_content()
    link = f"https://tiepdan.example.vn/desk/directions/{d.id}"
    assert f'<a href="{link}">{link}</a>' in html  # a link the reader clicks, not bare text


def test_a_reminder_queued_at_night_is_not_sent_for_a_direction_resolved_or_deleted_before_morning(w):
    """Follow-up rows carry no session: delivery re-reads their direction. Resolved (or deleted)
    between the tick that queued the overdue reminder and its delivery: no message, and the row
    says why."""
    _, rows = w.hold("ubnd", JAN22)
    resolved = fu.add_direction(
        w.engine, w.config, rows[0], content="Kiểm tra, xác minh", agency="Sở Xây dựng",
        actor=CLERK, now=at("2027-01-22T15:00"), today=JAN22,
    )  # fmt: skip
    deleted = fu.add_direction(
        w.engine, w.config, rows[1], content="Thụ lý đơn", agency="Sở Tài chính",
        actor=CLERK, now=at("2027-01-22T15:05"), today=JAN22,
    )  # fmt: skip
    for d in (resolved, deleted):
        fu.record_result(
            w.engine, d.id, actor=CLERK, now=at("2027-01-25T09:00"), today=D("2027-01-25"),
            notified_on=D("2027-01-25"),
        )  # fmt: skip
    # Monday 15/02/2027, 05:00: the overdue reminders are queued, to go from 07:00.
    assert queue_followup(w.engine, w.config, at("2027-02-15T05:00")) > 0
    queued = [r for r in _rows(w) if r.subject in (f"direction:{resolved.id}", f"direction:{deleted.id}")]
    assert {r.subject for r in queued} == {f"direction:{resolved.id}", f"direction:{deleted.id}"}
    assert all(r.status == "pending" for r in queued)
    # 06:30: the agency reported; the second direction was written by mistake.
    fu.record_result(
        w.engine, resolved.id, actor=CLERK, now=at("2027-02-15T06:30"), today=D("2027-02-15"),
        resolved_on=D("2027-02-15"), result="Đã kiểm tra, trả lời công dân",
    )  # fmt: skip
    fu.delete_direction(w.engine, deleted.id, actor=CLERK, now=at("2027-02-15T06:35"))
    w.engine.dispose()
    tiepdan(w.path, "tick", now="2027-02-15T08:00")
    files = [p.name for p in (w.path.parent / "outbox" / "email").glob("*.eml") if "direction" in p.name]
    assert files == []
    after = {r.id: r for r in _rows(w)}
    for r in queued:
        row = after[r.id]
        assert row.status == "dropped" and row.sent_at is None, (row.status, row.last_error)
    why = {after[r.id].subject: after[r.id].last_error for r in queued}
    assert why[f"direction:{resolved.id}"] == "đã ghi kết quả giải quyết"
    assert why[f"direction:{deleted.id}"] == "chỉ đạo không còn"
