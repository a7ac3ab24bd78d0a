"""The bookkeeping threads of a delivery (claims, attempt rows, results) run below the event loop
that sends (``scheduler/outbox/books.py``): idle-only (``SCHED_IDLE``) while the machine has a CPU
to spare, so the mail server's answer is taken first; at nice +10 once a call had to wait for
one, so that a busy machine slows the reminders down and never stalls them. The sender's own
priority is left as it was."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from scheduler.infra.db import open_database
from scheduler.outbox import books

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not books._idle_possible(),
    reason="a thread's own scheduling policy and schedstat are Linux's",
)


def _policy(conn: Any) -> tuple[int, int]:
    """The calling thread's scheduling policy and nice value (and a statement on its connection)."""
    conn.execute(text("SELECT 1"))
    return os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0)


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(books, "_starved_at", None)  # no earlier test's busy machine
    e = open_database(f"sqlite:///{tmp_path / 'outbox.db'}")
    yield e
    e.dispose()


def test_bookkeeping_runs_idle_only_and_the_sender_keeps_its_priority(engine: Any) -> None:
    before = os.getpriority(os.PRIO_PROCESS, 0)

    async def run() -> tuple[int, int]:
        async with books.connection(engine) as db:
            policy, _ = await db(_policy)
            return policy, os.sched_getscheduler(0)

    bookkeeping, sender = asyncio.run(run())
    assert bookkeeping == os.SCHED_IDLE
    assert sender == os.SCHED_OTHER and os.getpriority(os.PRIO_PROCESS, 0) == before


def test_a_starved_call_moves_the_rest_to_nice_ten_and_the_next_deliveries_start_there(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(books, "STARVED", 0.0)  # any call at all counts as starved
    monkeypatch.setattr(books, "STARVED_SHARE", 0.0)
    sender = os.getpriority(os.PRIO_PROCESS, 0)
    nice = (os.SCHED_OTHER, min(19, sender + books.BOOKKEEPING_NICE))

    async def run() -> list[tuple[int, int]]:
        async with books.connection(engine) as db:
            return [await db(_policy) for _ in range(3)]

    first = asyncio.run(run())
    assert first[0][0] == os.SCHED_IDLE
    assert first[1:] == [nice, nice]  # the same connection's work, on a thread that gets a CPU
    assert asyncio.run(run()) == [nice] * 3  # a later delivery does not begin idle-only
    monkeypatch.setattr(books, "_starved_at", books.clock.monotonic() - books.IDLE_AGAIN - 1)
    assert asyncio.run(run())[0][0] == os.SCHED_IDLE  # and once the machine had time, it is again


def test_on_a_machine_with_no_cpu_to_spare_the_bookkeeping_leaves_idle_only(engine: Any) -> None:
    """Busy processes on every CPU: an idle-only thread would wait for one indefinitely (seconds
    a call); the delivery's next calls go to a thread at nice +10."""
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]

    async def run() -> tuple[int, list[int]]:
        async with books.connection(engine) as db:
            seen = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                policy, _ = await db(_policy)
                seen.append(policy)
                if policy != os.SCHED_IDLE:
                    break
            return len(seen), seen

    try:
        time.sleep(0.2)  # the busy processes running
        calls, seen = asyncio.run(run())
    finally:
        for p in busy:
            p.kill()
            p.wait()
    assert seen[0] == os.SCHED_IDLE and seen[-1] == os.SCHED_OTHER, (calls, seen)
    assert books._starved_at is not None
