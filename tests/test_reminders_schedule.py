"""What is due when, as the stored sessions change: a missed tick, a session that has passed, a
reminder overtaken by a cancellation or a move, the make-up alert repeated until a make-up is
booked, the at-risk alert, and the missing-outcome reminder. Messages go to files (no [email],
no [sms]); the outbox rows say what was sent, dropped or never queued.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from test_outbox_support import (
    HEAD_EMAIL,
    HEAD_PHONE,
    STAFF_EMAIL,
    STAFF_PHONE,
    TP_HEAD_EMAIL,
    TP_STAFF_EMAIL,
    TP_STAFF_PHONE,
    calendar_part,
    cli,
    emails_in,
    ics_value,
    outbox,
    plan,
    queue_only,
    session_on,
    sms_in,
    write_config,
)

from scheduler.outbox import builder, channel_run

CAO_BANG_ALL = {("email", HEAD_EMAIL), ("email", STAFF_EMAIL), ("sms", HEAD_PHONE), ("sms", STAFF_PHONE)}


def email_named(directory: Path, message_id: str) -> EmailMessage | None:
    return emails_in(directory).get(f"{message_id}.eml")


def test_missed_tick_sends_only_the_one_day_reminder(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    cli(config, "tick", now="2027-01-17T08:00")  # D-8: nothing due yet
    assert outbox(config) == []
    # Down from D-8 until D-1 08:00: the 7-day reminder is no longer worth sending.
    assert "gửi 4" in cli(config, "tick", now="2027-01-24T08:00").out
    rows = outbox(config, purpose="reminder")
    assert {(r.lead, r.status) for r in rows} == {(1, "sent")}
    assert {(r.channel, r.recipient) for r in rows} == CAO_BANG_ALL
    assert {m["Subject"] for m in emails_in(tmp_path).values()} == {
        "[Nhắc lịch] Tiếp công dân thứ Hai, ngày 25/01/2027 (ngày mai) – Tỉnh ủy Cao Bằng"
    }


def test_a_monday_sessions_one_day_reminder_goes_on_the_friday_and_says_how_far_off(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    cli(config, "tick", now="2027-01-22T09:00")  # Friday: the last working day before Monday 25/01
    assert {r.lead for r in outbox(config)} == {1}
    assert {m["Subject"] for m in emails_in(tmp_path).values()} == {
        "[Nhắc lịch] Tiếp công dân thứ Hai, ngày 25/01/2027 (3 ngày nữa) – Tỉnh ủy Cao Bằng"
    }
    assert all(t.startswith("Nhac lich (3 ngay nua)") for _, t in sms_in(tmp_path).values())
    cli(config, "tick", now="2027-01-24T08:00")  # Sunday: nothing more
    assert len(outbox(config, purpose="reminder")) == 4


def test_no_reminder_for_a_session_that_has_passed(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    cli(config, "tick", now="2027-01-25T08:00")  # the session began at 07:30
    assert outbox(config, purpose="reminder") == []
    assert emails_in(tmp_path) == {} and sms_in(tmp_path) == {}


def test_queued_reminder_is_dropped_when_the_session_has_begun_before_delivery(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    assert queue_only(config, "2027-01-24T07:01") == 4  # queued; the process died before sending
    out = cli(config, "tick", now="2027-01-25T07:45").out  # back after the session began
    assert "gửi 0" in out and "bỏ 4" in out
    rows = outbox(config, purpose="reminder")
    assert {r.status for r in rows} == {"dropped"}
    assert all("quá thời điểm" in r.last_error for r in rows)
    assert emails_in(tmp_path) == {} and sms_in(tmp_path) == {}


@pytest.mark.parametrize("piece", [None, 1], ids=["claim-pieces", "a-row-a-piece"])
def test_queued_reminder_then_cancelled_is_dropped_and_the_cancellation_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int | None
) -> None:
    if piece is not None:
        # A claim checked and read a row at a time (``CHECK_PIECE``, ``READ_PIECE``): the dropped
        # reminders and the cancellations to send fall in different pieces of one claim.
        monkeypatch.setattr(channel_run, "CHECK_PIECE", piece)
        monkeypatch.setattr(builder, "READ_PIECE", piece)
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    session = session_on(config, "cao-bang", "2027-01-25")
    assert queue_only(config, "2027-01-24T07:01") == 4

    cli(
        config,
        "cancel",
        str(session["id"]),
        "--reason",
        "Đồng chí Bí thư đi công tác",
        now="2027-01-24T08:00",
    )
    cli(config, "tick", now="2027-01-24T08:05")

    reminders = outbox(config, purpose="reminder")
    assert len(reminders) == 4 and {r.status for r in reminders} == {"dropped"}
    assert all(email_named(tmp_path, r.message_id) is None for r in reminders)
    assert not any(name.startswith("reminder.") for name in sms_in(tmp_path))

    cancels = outbox(config, purpose="cancelled")
    assert {(r.channel, r.recipient) for r in cancels} == CAO_BANG_ALL
    assert {r.status for r in cancels} == {"sent"}
    msg = email_named(tmp_path, next(r.message_id for r in cancels if r.recipient == HEAD_EMAIL))
    assert msg["Subject"] == "[Hoãn lịch] Tiếp công dân thứ Hai, ngày 25/01/2027 – Tỉnh ủy Cao Bằng"
    assert "Lý do: Đồng chí Bí thư đi công tác" in msg.get_body(("plain",)).get_content()
    ics = calendar_part(msg)
    assert ics_value(ics, "METHOD") == "CANCEL"
    assert ics_value(ics, "UID") == f"session-{session['id']}@tiepdan"
    assert int(ics_value(ics, "SEQUENCE")) > session["version"]  # newer than the invitation
    assert ics_value(ics, "STATUS") == "CANCELLED"

    cli(config, "tick", now="2027-01-25T07:01")  # later ticks never bring the reminder back
    assert {r.status for r in outbox(config, purpose="reminder")} == {"dropped"}
    assert len(outbox(config, purpose="cancelled")) == 4


def test_queued_reminder_then_moved_is_dropped_and_the_change_notice_is_sent(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    session = session_on(config, "cao-bang", "2027-01-25")
    assert queue_only(config, "2027-01-24T07:01") == 4

    moved = json.loads(
        cli(
            config, "move", str(session["id"]), "--date", "2027-01-27", "--reason", "Trùng hội nghị",
            "--format", "json", now="2027-01-24T08:00",
        ).out
    )  # fmt: skip

    reminders = outbox(config, purpose="reminder")
    assert {(r.version, r.status) for r in reminders} == {(session["version"], "dropped")}
    assert all(email_named(tmp_path, r.message_id) is None for r in reminders)

    changes = outbox(config, purpose="changed")
    assert {(r.channel, r.recipient) for r in changes} == CAO_BANG_ALL
    assert {r.status for r in changes} == {"sent"}
    msg = email_named(tmp_path, next(r.message_id for r in changes if r.recipient == STAFF_EMAIL))
    assert msg["Subject"] == (
        "[Thay đổi lịch] Tiếp công dân thứ Hai, ngày 25/01/2027 chuyển sang thứ Tư, ngày 27/01/2027"
        " – Tỉnh ủy Cao Bằng"
    )
    body = msg.get_body(("plain",)).get_content()
    assert "Thời gian mới: 07h30 - 11h30, thứ Tư, ngày 27/01/2027" in body and "Lý do: Trùng hội nghị" in body
    assert "Ngày cũ: thứ Hai, ngày 25/01/2027" in body
    ics = calendar_part(msg)
    assert ics_value(ics, "METHOD") == "REQUEST"
    assert ics_value(ics, "UID") == f"session-{session['id']}@tiepdan"  # the same event, updated
    assert ics_value(ics, "SEQUENCE") == str(moved["version"])
    assert ics_value(ics, "DTSTART") == "20270127T073000"
    (staff_sms,) = [t for p, t in sms_in(tmp_path).values() if p == STAFF_PHONE]
    assert "27/01/2027" in staff_sms and staff_sms.isascii()

    # The new date gets its own reminder, with the new version.
    cli(config, "tick", now="2027-01-26T07:01")
    fresh = [r for r in outbox(config, purpose="reminder") if r.status == "sent"]
    assert {(r.version, r.lead) for r in fresh} == {(moved["version"], 1)}


def test_makeup_alert_follows_the_cadence_to_the_unit_then_its_superior_until_booked(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    plan(config)
    session = session_on(config, "thuc-phan", "2027-01-29")
    cancel = json.loads(
        cli(
            config, "cancel", str(session["id"]), "--reason", "Mưa lũ", "--format", "json",
            now="2027-01-20T22:30",
        ).out
    )  # fmt: skip  # decided at night
    proposals = cancel["proposals"]
    assert proposals

    def alerts() -> list:
        return outbox(config, purpose="makeup_alert", session_id=session["id"])

    cli(config, "tick", now="2027-01-20T22:35")
    assert alerts() == []  # the cancellation itself told them
    cli(config, "tick", now="2027-01-21T07:00")
    cli(config, "tick", now="2027-01-21T07:05")  # the same morning: not again
    first = alerts()
    unit_staff = {("email", TP_STAFF_EMAIL), ("sms", TP_STAFF_PHONE)}
    assert {(r.channel, r.recipient) for r in first} == unit_staff  # the unit first; heads not paged
    assert {(r.state, r.status) for r in first} == {("stage=1", "sent")}
    msg = email_named(tmp_path, next(r.message_id for r in first if r.recipient == TP_STAFF_EMAIL))
    assert msg["Subject"].startswith(
        "[Cần tiếp bù] Buổi tiếp thứ Sáu, ngày 29/01/2027 của Đảng ủy phường Thục Phán"
    )
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("Kính gửi Văn phòng Đảng ủy phường Thục Phán,")
    assert "Ngày đề xuất tiếp bù" in body
    for day in proposals:
        y, m, d = day.split("-")
        assert f"{d}/{m}/{y}" in body
    assert f"/desk/sessions/{session['id']}" in body and "tiepdan makeup" not in body

    for now in ("2027-01-22T09:00", "2027-01-23T09:00", "2027-01-25T09:00"):
        cli(config, "tick", now=now)
    assert {r.state for r in alerts()} == {"stage=1"}  # nothing at the weekend, nothing before the next stage
    cli(config, "tick", now="2027-01-26T09:00")  # 3 working days after the first: stage 2
    assert {r.state for r in alerts()} == {"stage=1", "stage=2"}
    # Escalation: from the third stage (7 working days later), the superior is told what to do.
    # (7 working days after 26/01, across the Tết 2027 days off: Thursday 11/02.)
    cli(config, "tick", now="2027-02-10T09:00")
    assert {r.state for r in alerts()} == {"stage=1", "stage=2"}
    cli(config, "tick", now="2027-02-11T09:00")
    third = [r for r in alerts() if r.state == "stage=3"]
    assert {(r.channel, r.recipient) for r in third} == unit_staff | {
        ("email", STAFF_EMAIL),
        ("sms", STAFF_PHONE),
    }
    sup = email_named(tmp_path, next(r.message_id for r in third if r.recipient == STAFF_EMAIL))
    sup_body = sup.get_body(("plain",)).get_content()
    assert sup_body.startswith("Kính gửi Văn phòng Tỉnh ủy Cao Bằng,")
    assert "Đề nghị Văn phòng đôn đốc Đảng ủy phường Thục Phán" in sup_body
    assert not any(email_named(tmp_path, r.message_id) is None for r in third if r.channel == "email")

    made = json.loads(
        cli(config, "makeup", str(session["id"]), "--format", "json", now="2027-02-11T10:00").out
    )
    assert made["kind"] == "makeup"
    notices = outbox(config, purpose="changed", session_id=made["id"])
    assert {r.status for r in notices} == {"sent"}
    assert {r.recipient for r in notices} >= {TP_HEAD_EMAIL, TP_STAFF_EMAIL}
    msg = email_named(tmp_path, next(r.message_id for r in notices if r.recipient == TP_HEAD_EMAIL))
    assert msg["Subject"].startswith("[Lịch tiếp bù]")
    assert "Thay cho buổi thứ Sáu, ngày 29/01/2027" in msg.get_body(("plain",)).get_content()

    count = len(alerts())
    for now in ("2027-02-18T09:00", "2027-03-01T09:00"):
        cli(config, "tick", now=now)
    assert len(alerts()) == count  # booked: no more alerts


def test_at_risk_alert_when_the_month_can_no_longer_meet_the_mandate(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    plan(config)
    jan29 = session_on(config, "thuc-phan", "2027-01-29")
    jan15 = session_on(config, "thuc-phan", "2027-01-15")
    cli(config, "record", str(jan15["id"]), "--held", "--visits", "2", now="2027-01-15T12:00")
    cli(config, "tick", now="2027-01-20T09:00")
    assert outbox(config, purpose="at_risk") == []  # two sessions planned: on track

    cli(config, "cancel", str(jan29["id"]), "--reason", "Mưa lũ", now="2027-01-20T09:30")
    risk = outbox(config, purpose="at_risk")
    assert {r.subject for r in risk} == {"period:thuc-phan:2027-01"}
    # The unit only: free days are left, the superior hears only when it can no longer be met.
    assert {(r.channel, r.recipient) for r in risk} == {("email", TP_STAFF_EMAIL), ("sms", TP_STAFF_PHONE)}
    assert {r.status for r in risk} == {"sent"}
    msg = email_named(tmp_path, next(r.message_id for r in risk if r.recipient == TP_STAFF_EMAIL))
    assert msg["Subject"].startswith("[Nguy cơ thiếu ngày tiếp] Đảng ủy phường Thục Phán")
    body = msg.get_body(("plain",)).get_content()
    assert "quy định ít nhất 2 ngày" in body
    assert "Ngày làm việc còn trống trong kỳ có thể bố trí" in body and "27/01/2027" in body

    cli(config, "tick", now="2027-01-21T09:00")  # nothing has changed: not again
    assert len(outbox(config, purpose="at_risk")) == 2

    cli(config, "makeup", str(jan29["id"]), "--date", "2027-01-27", now="2027-01-21T10:00")
    cli(config, "tick", now="2027-01-22T09:00")
    assert len(outbox(config, purpose="at_risk")) == 2  # back on track: no new alert
    assert not any(r.purpose == "at_risk" and r.unit_id == "cao-bang" for r in outbox(config))


def test_month_that_ended_short_is_reported_but_not_the_months_before_the_service(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    cli(config, "tick", now="2027-01-04T08:00")  # the first tick: December 2026 was never planned
    assert outbox(config, purpose="ended_short") == []

    jan25 = session_on(config, "cao-bang", "2027-01-25")
    cli(config, "cancel", str(jan25["id"]), "--reason", "Đi công tác", now="2027-01-22T09:00")
    cli(config, "tick", now="2027-02-01T08:00")  # January ended with no session held
    short = outbox(config, purpose="ended_short")
    assert {(r.subject, r.channel, r.recipient, r.status) for r in short} == {
        ("period:cao-bang:2027-01", "email", STAFF_EMAIL, "sent"),
        ("period:cao-bang:2027-01", "sms", STAFF_PHONE, "sent"),
    }
    msg = email_named(tmp_path, next(r.message_id for r in short if r.channel == "email"))
    assert msg["Subject"] == "[Thiếu ngày tiếp] Tỉnh ủy Cao Bằng: tháng 01/2027 chỉ tiếp 0/1 ngày"
    cli(config, "tick", now="2027-02-02T08:00")
    assert len(outbox(config, purpose="ended_short")) == 2  # once


def test_notices_decided_at_night_wait_for_the_morning(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    jan25 = session_on(config, "cao-bang", "2027-01-25")
    cli(config, "cancel", str(jan25["id"]), "--reason", "Đi công tác", now="2027-01-20T22:30")
    cancels = outbox(config, purpose="cancelled")
    assert len(cancels) == 4 and {r.status for r in cancels} == {"pending"}
    cli(config, "tick", now="2027-01-21T06:59")
    assert {r.status for r in outbox(config, purpose="cancelled")} == {"pending"}
    cli(config, "tick", now="2027-01-21T07:01")
    assert {r.status for r in outbox(config, purpose="cancelled")} == {"sent"}


def test_missing_outcome_reminds_staff_next_working_day_then_the_supervisor(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    plan(config)
    friday = session_on(config, "thuc-phan", "2027-01-15")

    def chased(purpose: str) -> set[tuple[str, str]]:
        return {(r.channel, r.recipient) for r in outbox(config, purpose=purpose, session_id=friday["id"])}

    cli(config, "tick", now="2027-01-15T18:00")
    cli(config, "tick", now="2027-01-18T16:59")  # Monday, the next working day, before 17:00
    assert chased("outcome_missing") == set()
    cli(config, "tick", now="2027-01-18T17:01")
    assert chased("outcome_missing") == {("email", TP_STAFF_EMAIL), ("sms", TP_STAFF_PHONE)}
    msg = email_named(
        tmp_path,
        outbox(config, purpose="outcome_missing", session_id=friday["id"], channel="email")[0].message_id,
    )
    assert msg["Subject"] == (
        "[Chưa có kết quả] Buổi tiếp thứ Sáu, ngày 15/01/2027 của Đảng ủy phường Thục Phán"
    )
    assert f"/desk/sessions/{friday['id']}" in msg.get_body(("plain",)).get_content()

    cli(config, "tick", now="2027-01-20T16:59")  # two working days later, before 17:00
    assert chased("outcome_missing_sup") == set()
    cli(config, "tick", now="2027-01-20T17:01")
    assert chased("outcome_missing_sup") == {("email", STAFF_EMAIL), ("sms", STAFF_PHONE)}  # cao-bang's staff
    assert {r.status for r in outbox(config, session_id=friday["id"])} == {"sent"}

    # A session recorded in time is never chased.
    jan29 = session_on(config, "thuc-phan", "2027-01-29")
    cli(config, "record", str(jan29["id"]), "--held", "--visits", "3", now="2027-01-29T11:30")
    for now in ("2027-02-01T17:01", "2027-02-03T17:01"):
        cli(config, "tick", now=now)
    assert outbox(config, session_id=jan29["id"], purpose=["outcome_missing", "outcome_missing_sup"]) == []
