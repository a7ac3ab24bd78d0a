"""Delivery by e-mail through a real SMTP server (aiosmtpd on 127.0.0.1): the outbox's stable
Message-ID, 421 retried after the backoff, 550 failed for good and reported, a server that is
down and comes back, and a missing password named at start.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from test_outbox_support import (
    HEAD_EMAIL,
    HEAD_PHONE,
    STAFF_EMAIL,
    STAFF_PHONE,
    SmtpSink,
    calendar_part,
    child_env,
    cli,
    ics_value,
    outbox,
    plan,
    session_on,
    sms_in,
    tiepdan_proc,
    write_config,
)

from scheduler.infra.clock import as_utc, parse_now
from scheduler.outbox import backoff

NOW = "2027-01-18T07:01"  # 7 days before the session of Monday 25/01/2027


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def config(tmp_path: Path, sink: SmtpSink) -> Path:
    path = write_config(tmp_path, units=["cao-bang"], smtp_port=sink.port)
    plan(path)
    return path


def later(now: str, **delta: float) -> str:
    return (datetime.fromisoformat(now) + timedelta(**delta)).isoformat(timespec="seconds")


def test_messages_arrive_with_the_outbox_message_id(config: Path, sink: SmtpSink, tmp_path: Path) -> None:
    session = session_on(config, "cao-bang", "2027-01-25")
    assert "gửi 4" in cli(config, "tick", now=NOW).out

    rows = {r.recipient: r for r in outbox(config, channel="email")}
    assert set(rows) == {HEAD_EMAIL, STAFF_EMAIL}
    assert sorted(sink.ids()) == sorted(f"<{r.message_id}>" for r in rows.values())
    assert set(sink.ids().values()) == {1}
    for got in sink.received:
        (rcpt,) = got.rcpt
        assert got.message_id == f"<{rows[rcpt].message_id}>"  # the row's id: stable across retries
        (to,) = got.msg["To"].addresses  # the person's name from the configuration, and the address
        assert to.addr_spec == rcpt and to.display_name
        assert got.message_id.endswith("@caobang.example.vn>")  # the sender's domain
        assert got.msg["From"].addresses[0].addr_spec == "vanphong@caobang.example.vn"
        assert got.msg["Subject"].startswith("[Nhắc lịch] Tiếp công dân thứ Hai, ngày 25/01/2027")
        assert ics_value(calendar_part(got.msg), "UID") == f"session-{session['id']}@tiepdan"
    # No [sms] section: the SMS are still written as files.
    assert sorted(phone for phone, _ in sms_in(tmp_path).values()) == sorted([HEAD_PHONE, STAFF_PHONE])


def test_421_is_retried_after_the_backoff_and_delivered_once(config: Path, sink: SmtpSink) -> None:
    sink.handler.busy = True
    out = cli(config, "tick", now=NOW).out
    assert "gửi 2, thử lại sau 2, lỗi 0" in out  # the SMS (files) went; the e-mails wait
    assert sink.received == []
    waiting = outbox(config, channel="email")
    assert {(r.status, r.attempts) for r in waiting} == {("pending", 1)}
    assert all("421" in r.last_error or "ngắt kết nối" in r.last_error for r in waiting)
    retry_at = parse_now(NOW) + backoff(1)
    assert {as_utc(r.next_attempt_at) for r in waiting} == {retry_at}

    sink.handler.busy = False
    assert "gửi 0" in cli(config, "tick", now=later(NOW, seconds=30)).out  # before the backoff: not yet
    assert sink.received == []
    assert "gửi 2, thử lại sau 0" in cli(config, "tick", now=later(NOW, seconds=61)).out
    assert sorted(sink.ids().values()) == [1, 1]
    assert {(r.status, r.attempts) for r in outbox(config, channel="email")} == {("sent", 2)}

    cli(config, "tick", now=later(NOW, hours=1))
    assert sorted(sink.ids().values()) == [1, 1]  # delivered once


def test_550_fails_for_good_is_listed_and_the_staff_is_told(config: Path, sink: SmtpSink) -> None:
    sink.handler.refuse = {HEAD_EMAIL}
    out = cli(config, "tick", now=NOW).out
    assert "lỗi 1" in out

    (failed,) = outbox(config, status="failed")
    assert (failed.recipient, failed.purpose, failed.attempts) == (HEAD_EMAIL, "reminder", 1)
    assert "550" in failed.last_error

    listing = [
        line for line in cli(config, "outbox", "--status", "failed").out.splitlines() if line[0] == "#"
    ]
    assert len(listing) == 1
    assert f"#{failed.id} [lỗi] tin nhắc lịch, thư điện tử → {HEAD_EMAIL}" in listing[0]
    assert "550" in listing[0]

    (notice,) = outbox(config, purpose="delivery_failed")
    assert (notice.recipient, notice.status, notice.subject) == (STAFF_EMAIL, "sent", f"outbox:{failed.id}")
    (told,) = [r for r in sink.to(STAFF_EMAIL) if r.msg["Subject"].startswith("[Lỗi gửi tin]")]
    assert told.msg["Subject"] == f"[Lỗi gửi tin] Không gửi được tới {HEAD_EMAIL}"
    assert "550" in told.msg.get_body(("plain",)).get_content()

    sink.handler.refuse = set()
    cli(config, "tick", now=later(NOW, hours=2))
    assert sink.to(HEAD_EMAIL) == []  # never retried
    assert outbox(config, id=failed.id)[0].status == "failed"


def test_a_refused_address_is_not_tried_again_until_the_configuration_changes_it(
    config: Path, sink: SmtpSink
) -> None:
    sink.handler.refuse = {HEAD_EMAIL}
    cli(config, "tick", now=NOW)  # the 7-day reminder: 550, marked
    sink.handler.refuse = set()  # the server would take it now; the address is still marked
    cli(config, "tick", now="2027-01-24T07:01")  # the 1-day reminder
    (skipped,) = outbox(config, recipient=HEAD_EMAIL, lead=1)
    assert (skipped.status, skipped.attempts) == ("failed", 0)
    assert "từ chối" in skipped.last_error and "cấu hình" in skipped.last_error
    assert sink.to(HEAD_EMAIL) == []  # not tried at the server
    assert [r for r in outbox(config, purpose="delivery_failed")] and all(
        r.subject != f"outbox:{skipped.id}" for r in outbox(config, purpose="delivery_failed")
    )  # the office was told once, at the refusal, not again for every later message

    text = cli(config, "outbox").out
    assert (
        "Địa chỉ bị máy chủ từ chối" in text and f"thư điện tử {HEAD_EMAIL} (cao-bang, từ 18/01/2027)" in text
    )
    rows = json.loads(cli(config, "outbox", "--format", "json").out)
    assert {r["recipient_refused"] for r in rows if r["recipient"] == HEAD_EMAIL} == {True}

    # The office corrects the address: the new one gets the next message, the mark is no news.
    new = "bithu.moi@caobang.example.vn"
    config.write_text(config.read_text(encoding="utf-8").replace(HEAD_EMAIL, new), encoding="utf-8")
    cli(config, "tick", now="2027-01-24T07:05")
    assert len(sink.to(new)) == 1
    assert "Địa chỉ bị máy chủ từ chối" not in cli(config, "outbox").out


def test_server_down_then_back_is_delivered_on_a_later_tick(config: Path, sink: SmtpSink) -> None:
    sink.stop()
    assert "thử lại sau 2" in cli(config, "tick", now=NOW).out
    rows = outbox(config, channel="email")
    assert {r.status for r in rows} == {"pending"}
    assert all("không kết nối được" in r.last_error for r in rows)

    cli(config, "tick", now=later(NOW, minutes=2))  # still down: backs off further
    assert {r.attempts for r in outbox(config, channel="email")} == {2}

    sink.start()
    cli(config, "tick", now=later(NOW, minutes=3))  # before the second backoff (5 min) is over
    assert sink.received == []
    assert "gửi 2" in cli(config, "tick", now=later(NOW, minutes=8)).out
    assert sorted(sink.ids().values()) == [1, 1]
    assert {r.status for r in outbox(config, channel="email")} == {"sent"}


def test_missing_password_variable_is_one_clear_line_naming_the_key(tmp_path: Path, sink: SmtpSink) -> None:
    config = write_config(tmp_path, units=["cao-bang"], smtp_port=sink.port, smtp_username="vanphong")
    env = child_env()
    env.pop("TIEPDAN_TEST_SMTP_PASSWORD", None)
    for command in ("tick", "serve"):
        proc = tiepdan_proc(config, command, env=env)
        assert proc.returncode != 0
        # the one error line (beside the warning that links need [http] base_url)
        lines = [line for line in proc.stderr.splitlines() if not line.startswith("cảnh báo:")]
        assert len(lines) == 1, proc.stderr
        assert "email.password_env" in lines[0] and "TIEPDAN_TEST_SMTP_PASSWORD" in lines[0]
        assert "Traceback" not in proc.stderr
    assert sink.received == []
    assert not (tmp_path / "t.db").exists() or outbox(config) == []
