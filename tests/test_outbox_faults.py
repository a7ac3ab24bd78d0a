"""The delivering process is killed (SIGKILL) at random points, many times, against a slow SMTP
server; then one tick runs to the end. Nothing may be lost (every outbox row sent, every message
at the server), and a message may arrive twice only when a kill caught it in flight: at most one
duplicate per kill. Seeded, so a failure can be replayed; the figures are printed.
"""

from __future__ import annotations

import random
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from test_outbox_support import (
    SmtpSink,
    argv,
    child_env,
    many_units,
    outbox,
    plan,
    tiepdan_proc,
    write_config,
)

from scheduler.outbox import LEASE

SEED = 20270124
RUNS = 24
UNITS = 60  # 180 e-mails: more than the killed runs can send (at most 6 each, and one in flight)
BASE = datetime(2027, 1, 24, 7, 1)  # the day before the units' sessions of Monday 25/01/2027
STEP = LEASE + timedelta(minutes=1)  # each run comes after the lease of the killed one has run out


@pytest.fixture
def slow_sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    server.handler.delay = 0.03  # the message is in, the answer comes later: a wide window in flight
    yield server
    server.stop()


def test_killed_deliveries_lose_nothing_and_duplicate_only_what_was_in_flight(
    tmp_path: Path, slow_sink: SmtpSink
) -> None:
    rng = random.Random(SEED)
    config = write_config(
        tmp_path, units=(), smtp_port=slow_sink.port, days_before=[1], extra_units=many_units(UNITS)
    )
    plan(config)

    kills = finished = 0
    for run in range(RUNS):
        now = (BASE + run * STEP).isoformat(timespec="minutes")
        before = len(slow_sink.received)
        proc = subprocess.Popen(
            argv(config, "tick", now=now),
            cwd=tmp_path,
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started = time.monotonic()
        target = before + rng.randint(1, 6)
        if rng.random() < 0.25:
            # Anywhere: start-up, planning, queueing, claiming, sending, recording.
            deadline = started + rng.uniform(0.1, 3.0)
            while time.monotonic() < deadline and len(slow_sink.received) < target and proc.poll() is None:
                time.sleep(0.002)
        else:
            # In the middle of sending: after a few messages, at a random instant.
            while len(slow_sink.received) < target and proc.poll() is None:
                if time.monotonic() - started > 120:
                    break
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.06))
        if proc.poll() is None:
            proc.kill()  # SIGKILL
            kills += 1
        else:
            finished += 1
            assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
        proc.wait(timeout=60)
        if proc.stderr:
            proc.stderr.close()

    final = tiepdan_proc(config, "tick", now=(BASE + RUNS * STEP).isoformat(timespec="minutes"))
    assert final.returncode == 0, final.stderr

    rows = outbox(config)
    ids = slow_sink.ids()
    received = sum(ids.values())
    duplicates = received - len(ids)
    print(
        f"\nfault test (seed {SEED}): runs {RUNS}, kills {kills}, runs that finished {finished}, "
        f"messages {len(rows)}, received {received}, distinct {len(ids)}, duplicates {duplicates}, "
        f"sent by the final tick {final.stdout.strip()!r}"
    )
    assert len(rows) == UNITS * 3
    assert {r.status for r in rows} == {"sent"}  # nothing lost in the outbox
    assert set(ids) == {f"<{r.message_id}>" for r in rows}  # nor at the server
    assert duplicates <= kills  # at most the one in flight per kill
    # Runs after the outbox is drained finish before the kill comes; what matters is that some
    # deliveries were killed mid-way and the bounds above held.
    assert kills >= 1
