"""A batch that outlasts its lease is not sent twice by a second deliverer: the lease is renewed
as the batch goes, and a row another deliverer holds is left to it. A gateway that never
answers stops its channel's batch after a few timeouts in a row instead of costing the full
timeout for every message.

A real aiosmtpd answering slowly and a real HTTP gateway that does not answer; the lease is
shortened to seconds so that "past the lease" happens inside a test.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from test_outbox_support import SmsGateway, SmtpSink, many_units, outbox, plan, write_config

from scheduler.infra.clock import parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.outbox import build_channels, deliver_due, delivery, queue_due, store

NOW = "2027-01-24T07:01"  # the day before the units' sessions of Monday 25/01/2027
LEASE = timedelta(seconds=2)


@pytest.fixture
def slow_sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    server.handler.delay = 0.3  # every message takes 0.3 s to be answered
    yield server
    server.stop()


def two_deliverers(tmp_path: Path, sink: SmtpSink, database: str | None = None) -> tuple[int, int, int]:
    """Deliverer A starts on 24 e-mails (about 2 s on 4 connections); B starts 1 s later with a
    clock past A's first lease. Returns (sent by A, sent by B, rows)."""
    config_path = write_config(
        tmp_path, database=database, units=(), smtp_port=sink.port, days_before=[1], extra_units=many_units(8)
    )
    # Four connections, not the default sixteen: A's delivery must outlast B's start.
    text = config_path.read_text(encoding="utf-8").replace("[email]\n", "[email]\nconnections = 4\n", 1)
    config_path.write_text(text, encoding="utf-8")
    plan(config_path)
    config = load_config(config_path)
    engine = open_database(config.database_url)
    now = parse_now(NOW, config.timezone)
    queued = queue_due(engine, config, now)

    async def both() -> tuple[int, int]:
        a = asyncio.create_task(deliver_due(engine, config, build_channels(config), now))
        await asyncio.sleep(1.0)
        b = await deliver_due(engine, config, build_channels(config), now + LEASE + timedelta(seconds=0.1))
        return (await a).sent, b.sent

    try:
        sent_a, sent_b = asyncio.run(both())
    finally:
        engine.dispose()
    return sent_a, sent_b, queued


def test_a_second_deliverer_past_the_lease_sends_nothing_twice(
    tmp_path: Path, slow_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    # On PostgreSQL each channel records (and renews its lease) on a connection of its own.
    monkeypatch.setattr(store, "LEASE", LEASE)
    sent_a, sent_b, queued = two_deliverers(tmp_path, slow_sink, db_url)
    ids = slow_sink.ids()
    assert len(ids) == queued == 24
    assert max(ids.values()) == 1  # no message twice
    assert sent_a + sent_b == queued and sent_b == 0  # A kept its lease: B found nothing due


def test_without_renewal_the_same_deliverers_send_some_twice(
    tmp_path: Path, slow_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test above can fail: with the lease never renewed, B takes A's rows."""
    monkeypatch.setattr(store, "LEASE", LEASE)
    monkeypatch.setattr(delivery._Recorder, "renew_lease", lambda self: None)
    _, sent_b, _ = two_deliverers(tmp_path, slow_sink)
    assert sent_b > 0
    # A leaves the rows B took; only what A had in flight at that moment goes twice.
    assert max(slow_sink.ids().values()) <= 2
    assert {r.status for r in outbox(tmp_path / "config.toml")} == {"sent"}


def phone_units(count: int) -> str:
    return "".join(
        f"""
[[units]]
id    = "sms{i:03d}"
name  = "Đơn vị nhắn tin {i:03d}"
level = "province"
days  = [25]
time  = "07:30-11:30"
venue = "Trụ sở {i:03d}"
head  = {{ name = "Thủ trưởng {i:03d}", title = "Bí thư", phone = "+849120{i:05d}" }}
"""
        for i in range(count)
    )


def test_a_gateway_that_never_answers_stops_the_batch_after_a_few_timeouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIEPDAN_TEST_SMS_TOKEN", "t")
    with SmsGateway() as gateway:
        gateway.script = [0] * 100  # never an answer in time
        gateway.sleep = 1.5
        config_path = write_config(
            tmp_path,
            units=(),
            sms_url=gateway.url,
            sms_timeout=0.3,
            days_before=[1],
            extra_units=phone_units(40),
        )
        plan(config_path)
        config = load_config(config_path)
        engine = open_database(config.database_url)
        now = parse_now(NOW, config.timezone)
        assert queue_due(engine, config, now) == 40
        started = time.monotonic()
        stats = asyncio.run(deliver_due(engine, config, build_channels(config), now))
        took = time.monotonic() - started
        engine.dispose()
    rows = outbox(config_path)
    tried = [r for r in rows if r.attempts]
    assert stats.sent == 0 and stats.retried == len(tried)
    # The first requests at once (the channel's concurrency), then a few more at most.
    assert len(tried) <= config.sms.concurrency + delivery.TIMEOUTS_TO_STOP if config.sms else False
    assert stats.released == 40 - len(tried) > 0
    assert {r.status for r in rows} == {"pending"}  # all come back later, none lost
    assert all("không trả lời" in (r.last_error or "") for r in rows if not r.attempts)
    assert took < 40 * 0.3 / 2  # not a timeout for every message
