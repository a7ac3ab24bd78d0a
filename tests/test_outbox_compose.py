"""E-mails composed when they are queued (``scheduler/outbox/compose.py``): the row keeps the MIME
the channel would have built, the server receives exactly those bytes, a retry sends them again
unchanged (the same Date: the moment it was queued), a large tick composes in a process of its
own that imports neither the outbox nor SQLAlchemy, and without an [email] server nothing is
composed (the file channel writes what the ``email`` package builds).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from test_outbox_builder import IMPORTED
from test_outbox_support import SENDER, SmtpSink, many_units, outbox, plan, write_config

from notifiers.channels.files import safe_name
from notifiers.stored import compose_rows, stored_message
from scheduler.infra.clock import as_utc, parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import alembic_config, open_database
from scheduler.outbox import build_channels, deliver_due, queue_due, store
from scheduler.outbox.compose import Composer

NOW = "2027-01-24T07:01"  # the day before the sessions of Monday 25/01/2027
NOW_UTC = datetime(2027, 1, 24, 0, 1, tzinfo=UTC)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    yield server
    server.stop()


def _open(config_path: Path) -> tuple[Any, Any]:
    config = load_config(config_path)
    return config, open_database(config.database_url)


def test_an_email_is_composed_when_queued_and_goes_out_as_composed(
    tmp_path: Path, db_url: str, sink: SmtpSink
) -> None:
    config_path = write_config(tmp_path, database=db_url, smtp_port=sink.port, days_before=[1])
    plan(config_path)
    config, engine = _open(config_path)
    queued_at = parse_now(NOW, config.timezone)
    assert queue_due(engine, config, queued_at) > 0
    rows = outbox(config_path, channel="email")
    assert rows and all(r.wire for r in rows)
    for r in rows:
        # The payload keeps what the MIME does not say for the outbox; the words are in the MIME
        # once, and read back they are what was rendered.
        kept = json.loads(r.payload)
        assert set(kept) == {"to_name", "subject", "sender"}
        mime = email.message_from_bytes(r.wire.encode("ascii"), policy=email.policy.default)
        assert mime["Subject"] == kept["subject"] and mime["To"].addresses[0].addr_spec == r.recipient
        # Dated when it is due to go: now, or the working morning an alert waits for.
        assert parsedate_to_datetime(mime["Date"]) == max(queued_at, as_utc(r.next_attempt_at))
        plain = mime.get_body(("plain",))
        assert plain is not None and "Kính gửi" in plain.get_content()
    assert all(r.wire is None for r in outbox(config_path, channel="sms"))

    # Queued on a Sunday: the period's alert waits for Monday morning, and is dated then.
    held = [r for r in rows if r.purpose != "reminder"]
    assert held and all(as_utc(r.next_attempt_at) > queued_at for r in held)
    # The reminders, due now. The server is busy at first: a retry sends the same bytes.
    rows = [r for r in rows if r.purpose == "reminder"]
    assert rows
    sink.handler.busy = True
    sent_at = queued_at + timedelta(minutes=2)
    stats = asyncio.run(deliver_due(engine, config, build_channels(config), sent_at))
    assert stats.retried == len(rows)  # (the SMS went to files)
    sink.handler.busy = False
    stats = asyncio.run(deliver_due(engine, config, build_channels(config), sent_at + timedelta(hours=1)))
    engine.dispose()
    assert stats.sent == len(rows) and stats.retried == 0
    by_id = {f"<{r.message_id}>": r for r in rows}
    assert sorted(sink.ids()) == sorted(by_id) and set(sink.ids().values()) == {1}
    for got in sink.received:
        assert got.raw.replace(b"\r\n", b"\n") == by_id[got.message_id].wire.encode().replace(b"\r\n", b"\n")
        assert parsedate_to_datetime(got.msg["Date"]) == queued_at  # when it was due, not resent


def test_a_large_tick_composes_in_a_process_that_imports_no_outbox(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chunks of 7 rows: 20 units (60 e-mails) make a large tick.
    monkeypatch.setattr(store.Inserter, "CHUNK", 7)
    config_path = write_config(
        tmp_path, database=db_url, smtp_port=2525, days_before=[1], units=(), extra_units=many_units(20)
    )
    plan(config_path)
    config, engine = _open(config_path)
    now = parse_now(NOW, config.timezone)
    in_process, start = [], Composer.start
    imported: list[list[str]] = []

    def start_spied(self: Composer, rows: list[dict[str, Any]]) -> Any:
        started = start(self, rows)
        in_process.append(started is not None)
        if self._pool is not None and not imported:
            imported.append(self._pool.submit(eval, IMPORTED).result())
        return started

    monkeypatch.setattr(Composer, "start", start_spied)
    assert queue_due(engine, config, now) == 60
    engine.dispose()
    assert in_process and all(in_process)
    assert imported == [[]]  # neither SQLAlchemy nor the outbox nor Jinja2 in the process
    rows = outbox(config_path, channel="email")
    assert len(rows) == 60 and all(r.wire for r in rows)
    # The same bytes as composed in this thread, from the payloads as rendered.
    whole = _setup_whole(tmp_path / "whole", now)
    here = dict(zip([m for _, m, _, _ in whole], compose_rows(SENDER, whole), strict=True))
    assert {r.message_id: (r.wire, r.payload) for r in rows} == here


def _setup_whole(directory: Path, now: Any) -> list[tuple[str, str, str, Any]]:
    """The same registry's e-mail rows (recipient, message id, payload, when due) as rendered,
    uncomposed."""
    directory.mkdir()
    config_path = write_config(
        directory, smtp_port=2525, days_before=[1], units=(), extra_units=many_units(20)
    )
    plan(config_path)
    config, engine = _open(config_path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Composer, "here", lambda self, rows: None)
        mp.setattr(Composer, "start", lambda self, rows: None)
        mp.setattr(Composer, "fill", lambda self, rows, started: None)
        queue_due(engine, config, now)
    engine.dispose()
    return [
        (r.recipient, r.message_id, r.payload, as_utc(r.next_attempt_at).astimezone(config.timezone))
        for r in outbox(config_path, channel="email")
    ]


def test_without_an_email_server_nothing_is_composed(tmp_path: Path) -> None:
    config_path = write_config(tmp_path, days_before=[1])  # no [email]: the file channel
    plan(config_path)
    config, engine = _open(config_path)
    assert queue_due(engine, config, parse_now(NOW, config.timezone)) > 0
    engine.dispose()
    rows = outbox(config_path, channel="email")
    assert rows and all(r.wire is None for r in rows)


def test_an_address_that_needs_smtputf8_is_built_at_sending() -> None:
    payload = '{"subject": "Nhắc lịch", "text": "Kính gửi đồng chí", "to_name": "Nguyễn Văn A"}'
    now = parse_now(NOW, load_config_timezone())
    rows = [
        ("vanphong@caobang.example.vn", "reminder.s1.v1.l1.email.a@caobang.example.vn", payload, now),
        ("văn.phòng@caobang.example.vn", "reminder.s1.v1.l1.email.b@caobang.example.vn", payload, now),
        ("x@caobang.example.vn", "reminder.s1.v1.l1.email.c@caobang.example.vn", "{not json", now),
    ]
    wires = compose_rows(SENDER, rows)
    assert wires[0] is not None and wires[0][0].startswith("From: ")
    assert wires[1] is None  # SMTPUTF8 is negotiated with the server when it is sent
    assert wires[2] is None  # a row it cannot read: sending reports it, with why


def load_config_timezone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Ho_Chi_Minh")


def test_composed_emails_go_to_files_as_composed_once_the_server_is_removed(tmp_path: Path) -> None:
    # Queued with an [email] server configured, delivered after the operator removed it: the file
    # channel writes the e-mail as it was composed (its payload no longer holds the words).
    with_server = write_config(tmp_path, smtp_port=2525, days_before=[1], units=["cao-bang"])
    plan(with_server)
    config, engine = _open(with_server)
    now = parse_now(NOW, config.timezone)
    assert queue_due(engine, config, now) > 0
    engine.dispose()
    rows = {r.message_id: r for r in outbox(with_server, channel="email", purpose="reminder")}
    assert rows and all(r.wire for r in rows.values())
    without = write_config(tmp_path, days_before=[1], units=["cao-bang"])  # the same database
    config, engine = _open(without)
    stats = asyncio.run(deliver_due(engine, config, build_channels(config), now))
    engine.dispose()
    assert stats.sent >= len(rows) and stats.failed == 0
    for r in rows.values():
        written = config.outbox_dir / "email" / f"{safe_name(r.message_id)}.eml"
        assert written.read_bytes() == r.wire.encode("ascii")


def test_a_downgrade_puts_the_words_of_waiting_emails_back(tmp_path: Path, db_url: str) -> None:
    # Before 0014 an e-mail's words were in its payload: a downgrade takes them back from the MIME
    # of what still waits, so that the older code can build and send it.
    config_path = write_config(tmp_path, database=db_url, smtp_port=2525, days_before=[1])
    plan(config_path)
    config, engine = _open(config_path)
    assert queue_due(engine, config, parse_now(NOW, config.timezone)) > 0
    composed = {r.id: r for r in outbox(config_path, channel="email")}
    assert composed and all("text" not in json.loads(r.payload) for r in composed.values())
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0013")
    with engine.connect() as conn:
        back = dict(conn.execute(text("SELECT id, payload FROM outbox WHERE channel = 'email'")).all())
    engine.dispose()
    for row_id, r in composed.items():
        words = json.loads(back[row_id])
        mime = email.message_from_bytes(r.wire.encode("ascii"), policy=email.policy.default)
        plain = mime.get_body(("plain",))
        assert plain is not None and words["text"] == plain.get_content()
        assert words["subject"] == json.loads(r.payload)["subject"]
        if "ics" in words:  # the older code adds the people itself when it builds
            assert "BEGIN:VEVENT" in words["ics"] and "ORGANIZER" not in words["ics"]
            assert "ATTENDEE" not in words["ics"]
        # What the older code does with it: the message as it was rendered.
        msg = stored_message("email", r.recipient, r.message_id, back[row_id], date=NOW_UTC)
        assert msg.text == words["text"]
