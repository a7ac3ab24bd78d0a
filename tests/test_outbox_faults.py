"""The delivering process is killed (SIGKILL) at random points, over a hundred times, against a
slow SMTP server taking ``connections`` messages at once; then one run goes to the end. Nothing
may be lost (every outbox row sent, every message at the server), and a message may arrive twice
only when a kill caught it in flight: its attempt was on record and its result not yet. The
in-flight messages are counted after each kill (attempts left open), so the bound is exact,
not a guess. Seeded, so a failure can be replayed; the figures are printed.

Each run is a fork of this process delivering what was queued, so a hundred runs take seconds
rather than a hundred interpreter start-ups.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool
from test_outbox_support import SmtpSink, many_units, outbox, plan, write_config

from scheduler.infra.clock import parse_now
from scheduler.infra.config import Config, load_config
from scheduler.infra.db import create
from scheduler.infra.db.models import DeliveryAttemptRow
from scheduler.outbox import LEASE, build_channels, deliver_due, queue_due
from scheduler.outbox.channel_run import IN_FLIGHT

SEED = 20270124
RUNS = 115
UNITS = 150  # 450 e-mails: more than the killed runs can send (a few each, and those in flight)
BASE = datetime(2027, 1, 24, 7, 1)  # the day before the units' sessions of Monday 25/01/2027
STEP = LEASE + timedelta(minutes=1)  # each run comes after the lease of the killed one has run out


@pytest.fixture
def slow_sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    server.handler.delay = 0.01  # the message is in, the answer comes later: a wide window in flight
    yield server
    server.stop()


def _run(config: Config, now: str) -> None:
    """A tick's delivery in a forked child; never returns. (What is due was queued once: that
    writing it twice writes nothing new is the concurrency test's and the reminders' business.)"""
    code = 1
    try:
        engine = create(config.database_url)
        at = parse_now(now, config.timezone)
        asyncio.run(deliver_due(engine, config, build_channels(config), at))
        code = 0
    finally:
        os._exit(code)


def arrived(sink: SmtpSink) -> int:
    return len(sink.handler.received)  # no copy: this is polled every millisecond


def _open_attempts(url: str) -> int:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            a = DeliveryAttemptRow.__table__
            return int(conn.execute(select(func.count()).where(a.c.finished_at.is_(None))).scalar_one())
    finally:
        engine.dispose()


def test_killed_deliveries_lose_nothing_and_duplicate_only_what_was_in_flight(
    tmp_path: Path, slow_sink: SmtpSink
) -> None:
    rng = random.Random(SEED)
    config = write_config(
        tmp_path, units=(), smtp_port=slow_sink.port, days_before=[1], extra_units=many_units(UNITS)
    )
    plan(config)
    loaded = load_config(config)
    engine = create(loaded.database_url)
    assert queue_due(engine, loaded, parse_now(BASE.isoformat(), loaded.timezone)) == UNITS * 3
    engine.dispose()
    connections = loaded.email.connections if loaded.email else 1
    url = loaded.database_url

    kills = finished = in_flight = most_in_flight = 0
    started_all = time.monotonic()
    for run in range(RUNS):
        now = (BASE + run * STEP).isoformat(timespec="minutes")
        before = arrived(slow_sink)
        pid = os.fork()
        if pid == 0:
            _run(loaded, now)
        started = time.monotonic()
        target = before + rng.randint(1, 5)
        # A quarter anywhere (start-up, claiming, sending, recording); the rest in the middle of
        # sending: after a few messages, at a random instant.
        deadline = started + (rng.uniform(0.0, 0.2) if rng.random() < 0.25 else 10)
        while time.monotonic() < deadline and arrived(slow_sink) < target:
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                pid = 0
                break
            time.sleep(0.001)
        if pid:
            time.sleep(rng.uniform(0.0, 0.03))
            if os.waitpid(pid, os.WNOHANG) == (0, 0):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                kills += 1
                # What the kill caught in flight: attempts on record without their result.
                caught = _open_attempts(url)
                in_flight += caught
                most_in_flight = max(most_in_flight, caught)
                continue
        finished += 1

    final = os.fork()
    if final == 0:
        _run(loaded, (BASE + RUNS * STEP).isoformat(timespec="minutes"))
    _, status = os.waitpid(final, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    took = time.monotonic() - started_all

    rows = outbox(config)
    ids = slow_sink.ids()
    received = sum(ids.values())
    duplicates = received - len(ids)
    print(
        f"\nfault test (seed {SEED}): runs {RUNS} in {took:.1f} s, kills {kills}, runs that finished "
        f"{finished}, messages {len(rows)}, received {received}, distinct {len(ids)}, duplicates "
        f"{duplicates}, caught in flight {in_flight} (at most {most_in_flight} at one kill, "
        f"{connections} connections)"
    )
    assert len(rows) == UNITS * 3
    assert {r.status for r in rows} == {"sent"}  # nothing lost in the outbox
    assert set(ids) == {f"<{r.message_id}>" for r in rows}  # nor at the server
    assert duplicates <= in_flight  # only what a kill caught in flight went twice
    assert most_in_flight <= IN_FLIGHT * connections  # in flight: at most four a connection
    assert kills >= 100
