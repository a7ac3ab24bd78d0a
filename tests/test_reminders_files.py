"""Reminders with the sample set-up: no [email] and no [sms], so every message is a file in the
outbox folder. When they go (07:00, 7 and 1 days before), to whom (the head and the staff), in
what words (Vietnamese with diacritics; SMS without), with which invitation (METHOD:REQUEST,
UID session-<id>@tiepdan, SEQUENCE = version), and never twice.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from test_outbox_support import (
    HEAD_EMAIL,
    HEAD_PHONE,
    STAFF_EMAIL,
    STAFF_PHONE,
    calendar_part,
    cli,
    emails_in,
    ics_value,
    outbox,
    plan,
    session_on,
    sms_in,
    tiepdan_proc,
    write_config,
)

from notifiers.sms_text import is_gsm7, segments

D7, D1 = "2027-01-18", "2027-01-24"  # 7 days and 1 day before Monday 25/01/2027
FRIDAY = "2027-01-22"  # the last working day before Monday 25/01/2027


def test_tick_without_email_or_sms_writes_a_vietnamese_eml_and_an_sms_txt(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    assert tiepdan_proc(config, "plan", "--year", "2027", now="2026-12-01T08:00").returncode == 0
    session = session_on(config, "cao-bang", "2027-01-25")

    proc = tiepdan_proc(config, "tick", now=f"{D7}T07:01")
    assert proc.returncode == 0, proc.stderr
    assert "gửi 4" in proc.stdout  # head and staff, each by e-mail and SMS

    rows = {(r.channel, r.recipient): r for r in outbox(config)}
    assert set(rows) == {
        ("email", HEAD_EMAIL),
        ("email", STAFF_EMAIL),
        ("sms", HEAD_PHONE),
        ("sms", STAFF_PHONE),
    }
    emails = emails_in(tmp_path)
    assert sorted(emails) == sorted(f"{rows['email', a].message_id}.eml" for a in (HEAD_EMAIL, STAFF_EMAIL))

    msg = emails[f"{rows['email', HEAD_EMAIL].message_id}.eml"]
    assert msg["To"].addresses[0].addr_spec == HEAD_EMAIL and msg["To"].addresses[0].display_name
    assert msg["Message-ID"] == f"<{rows['email', HEAD_EMAIL].message_id}>"
    assert msg["Subject"] == (
        "[Nhắc lịch] Tiếp công dân thứ Hai, ngày 25/01/2027 (7 ngày nữa) – Tỉnh ủy Cao Bằng"
    )
    body = msg.get_body(("plain",)).get_content()
    assert unicodedata.is_normalized("NFC", body)
    assert body.startswith("Kính gửi đồng chí Nguyễn Văn A, Bí thư Tỉnh ủy,")  # the head as who he is
    staff_msg = emails[f"{rows['email', STAFF_EMAIL].message_id}.eml"]
    assert staff_msg.get_body(("plain",)).get_content().startswith("Kính gửi Văn phòng Tỉnh ủy Cao Bằng,")
    assert "Nhắc lịch tiếp công dân định kỳ (7 ngày nữa)" in body
    assert "07h30 - 11h30, thứ Hai, ngày 25/01/2027" in body
    assert "Trụ sở Tiếp công dân tỉnh, số 1 đường Hoàng Đình Giong" in body

    ics = calendar_part(msg)
    assert ics_value(ics, "METHOD") == "REQUEST"
    assert ics_value(ics, "UID") == f"session-{session['id']}@tiepdan"
    assert ics_value(ics, "SEQUENCE") == str(session["version"])
    assert ics_value(ics, "DTSTART") == "20270125T073000"
    assert "Tiếp công dân định kỳ" in ics_value(ics, "SUMMARY")

    texts = sms_in(tmp_path)
    assert sorted(phone for phone, _ in texts.values()) == sorted([HEAD_PHONE, STAFF_PHONE])
    for _, text in texts.values():
        assert text.isascii() and is_gsm7(text)  # no diacritics: 160 characters a segment
        assert segments(text) == 1
        assert text.startswith(
            "Nhac lich (7 ngay nua): Tinh uy Cao Bang tiep cong dan 07h30 - 11h30, thu Hai, ngay 25/01/2027"
        )
        # the venue cut to fit one segment; no online meeting: no dangling "Truc tuyen:"
        assert text.endswith("; Tru so Tiep cong dan tinh, so 1 duong Hoang Dinh Giong, phuon...")


def test_reminders_go_at_seven_seven_days_before_and_on_the_last_working_day_before(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    session = session_on(config, "cao-bang", "2027-01-25")
    everyone = {("email", HEAD_EMAIL), ("email", STAFF_EMAIL), ("sms", HEAD_PHONE), ("sms", STAFF_PHONE)}

    assert "gửi 0" in cli(config, "tick", now=f"{D7}T06:59").out
    assert outbox(config) == []
    assert emails_in(tmp_path) == {} and sms_in(tmp_path) == {}

    assert "gửi 4" in cli(config, "tick", now=f"{D7}T07:01").out
    week = outbox(config)
    assert {(r.channel, r.recipient) for r in week} == everyone
    assert {(r.purpose, r.lead, r.session_id, r.status) for r in week} == {
        ("reminder", 7, session["id"], "sent")
    }

    for now in (f"{D7}T12:00", "2027-01-21T07:01", f"{FRIDAY}T06:59"):  # in between: nothing new
        assert "Xếp 0 tin mới; gửi 0" in cli(config, "tick", now=now).out

    # Monday's 1-day reminder goes on Friday, the last working day before it, not on Sunday.
    assert "gửi 4" in cli(config, "tick", now=f"{FRIDAY}T07:01").out
    assert "Xếp 0 tin mới; gửi 0" in cli(config, "tick", now=f"{D1}T07:01").out
    day = [r for r in outbox(config) if r.lead == 1]
    assert {(r.channel, r.recipient) for r in day} == everyone
    subjects = {m["Subject"] for m in emails_in(tmp_path).values()}
    assert subjects == {
        "[Nhắc lịch] Tiếp công dân thứ Hai, ngày 25/01/2027 (7 ngày nữa) – Tỉnh ủy Cao Bằng",
        "[Nhắc lịch] Tiếp công dân thứ Hai, ngày 25/01/2027 (3 ngày nữa) – Tỉnh ủy Cao Bằng",
    }
    assert len(emails_in(tmp_path)) == 4 and len(sms_in(tmp_path)) == 4


def test_tick_twice_at_the_same_now_sends_nothing_twice(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    assert "Xếp 4 tin mới; gửi 4" in cli(config, "tick", now=f"{D7}T07:01").out
    files = sorted((tmp_path / "outbox").rglob("*.*"))
    stamps = [p.stat().st_mtime_ns for p in files]

    assert "Xếp 0 tin mới; gửi 0, thử lại sau 0, lỗi 0, bỏ 0." in cli(config, "tick", now=f"{D7}T07:01").out

    assert sorted((tmp_path / "outbox").rglob("*.*")) == files
    assert [p.stat().st_mtime_ns for p in files] == stamps  # not even written again
    rows = outbox(config)
    assert len(rows) == 4 and {(r.status, r.attempts) for r in rows} == {("sent", 1)}
