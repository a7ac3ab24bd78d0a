"""Delivery by SMS through a real HTTP gateway (http.server in a thread on 127.0.0.1): 500 then
200 delivered once, 400 failed for good and reported, a timeout retried, and the text without
diacritics unless ``[sms] unicode = true``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_outbox_support import (
    HEAD_PHONE,
    STAFF_EMAIL,
    STAFF_PHONE,
    SmsGateway,
    cli,
    emails_in,
    outbox,
    plan,
    write_config,
)

from notifiers.sms_text import is_gsm7, segments

NOW = "2027-01-18T07:01"
TOKEN = "token-bi-mat-123"


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmsGateway]:
    monkeypatch.setenv("TIEPDAN_TEST_SMS_TOKEN", TOKEN)
    with SmsGateway() as server:
        yield server


def configured(tmp_path: Path, gateway: SmsGateway, **kw: object) -> Path:
    config = write_config(tmp_path, units=["cao-bang"], sms_url=gateway.url, **kw)  # type: ignore[arg-type]
    plan(config)
    return config


def test_500_then_200_is_delivered_once(tmp_path: Path, gateway: SmsGateway) -> None:
    config = configured(tmp_path, gateway)
    gateway.script = [500]  # the first request fails, the rest go through
    assert "thử lại sau 1" in cli(config, "tick", now=NOW).out
    (waiting,) = outbox(config, channel="sms", status="pending")
    assert "500" in waiting.last_error

    cli(config, "tick", now="2027-01-18T07:01:30")  # inside the backoff: not tried
    assert gateway.answers == [500, 200]
    assert "gửi 1" in cli(config, "tick", now="2027-01-18T07:02:30").out
    cli(config, "tick", now="2027-01-18T09:00")

    delivered = Counter(r["request_id"] for r in gateway.delivered())
    assert sorted(delivered.values()) == [1, 1]  # each SMS once
    assert {r["phone"] for r in gateway.delivered()} == {HEAD_PHONE, STAFF_PHONE}
    assert {r["request_id"] for r in gateway.requests} == {
        r.message_id for r in outbox(config, channel="sms")
    }
    assert {r["_authorization"] for r in gateway.requests} == {f"Bearer {TOKEN}"}
    assert {r.status for r in outbox(config, channel="sms")} == {"sent"}


def test_400_fails_for_good_and_the_staff_is_told(tmp_path: Path, gateway: SmsGateway) -> None:
    config = configured(tmp_path, gateway)
    gateway.script = [400]
    assert "lỗi 1" in cli(config, "tick", now=NOW).out
    (failed,) = outbox(config, status="failed")
    assert failed.channel == "sms" and "400" in failed.last_error
    assert failed.id in {
        int(line.split()[0][1:]) for line in cli(config, "outbox", "--status", "failed").out.splitlines()
    }

    (notice,) = outbox(config, purpose="delivery_failed")
    assert (notice.channel, notice.recipient, notice.status) == ("email", STAFF_EMAIL, "sent")
    assert f"{notice.message_id}.eml" in emails_in(tmp_path)  # no [email]: written as a file

    cli(config, "tick", now="2027-01-18T12:00")
    assert len(gateway.requests) == 2  # the refused one is not tried again


def test_a_gateway_that_echoes_the_token_never_gets_it_stored_printed_or_mailed(
    tmp_path: Path, gateway: SmsGateway
) -> None:
    config = configured(tmp_path, gateway)
    gateway.script, gateway.echo = [400], True
    cli(config, "tick", now=NOW)
    (failed,) = outbox(config, status="failed")
    assert "400" in failed.last_error and TOKEN not in failed.last_error, failed.last_error
    assert TOKEN not in cli(config, "outbox", "--status", "failed").out
    (notice,) = outbox(config, purpose="delivery_failed")  # "[Lỗi gửi tin]" to the staff
    mail = emails_in(tmp_path)[f"{notice.message_id}.eml"]
    words = [mail["Subject"], *(p.get_content() for p in mail.walk() if p.get_content_maintype() == "text")]
    assert words[0].startswith("[Lỗi gửi tin]") and "400" in " ".join(words)
    assert not any(TOKEN in w for w in words), words


def test_timeout_is_transient_and_retried_with_the_same_request_id(
    tmp_path: Path, gateway: SmsGateway
) -> None:
    config = configured(tmp_path, gateway, sms_timeout=0.5)
    gateway.script, gateway.sleep = [0], 1.5  # the first request outlasts the client's timeout
    assert "thử lại sau 1" in cli(config, "tick", now=NOW).out
    (waiting,) = outbox(config, channel="sms", status="pending")
    assert "thời gian" in waiting.last_error

    assert "gửi 1" in cli(config, "tick", now="2027-01-18T07:03").out
    ids = [r["request_id"] for r in gateway.requests]
    assert ids.count(waiting.message_id) == 2  # the gateway can drop the repeat by its request_id
    assert {r.status for r in outbox(config, channel="sms")} == {"sent"}


def test_sms_text_has_no_diacritics_by_default(tmp_path: Path, gateway: SmsGateway) -> None:
    config = configured(tmp_path, gateway)
    cli(config, "tick", now=NOW)
    for request in gateway.requests:
        assert request["content"].isascii() and is_gsm7(request["content"])
        assert request["content"].startswith("Nhac lich (7 ngay nua): Tinh uy Cao Bang tiep cong dan")
        assert request["is_unicode"] == 0 and segments(request["content"]) == 1


def test_sms_unicode_keeps_the_diacritics(tmp_path: Path, gateway: SmsGateway) -> None:
    config = configured(tmp_path, gateway, sms_unicode=True)
    cli(config, "tick", now=NOW)
    assert len(gateway.requests) == 2
    for request in gateway.requests:
        assert request["content"].startswith("Nhắc lịch (7 ngày nữa): Tỉnh ủy Cao Bằng tiếp công dân")
        assert "thứ Hai, ngày 25/01/2027" in request["content"]
        assert request["is_unicode"] == 1
        # 70 characters a segment: the venue is left out; date and time never, no lone "; ...".
        assert request["content"].endswith("ngày 25/01/2027") and segments(request["content"]) == 2
