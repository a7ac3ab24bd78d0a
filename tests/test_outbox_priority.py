"""The bookkeeping threads of a delivery (claims, attempt rows, results) run at a lower priority
than the event loop that sends: when both want a CPU, the answer of the mail server is taken
first (``delivery.BOOKKEEPING_NICE``). The sender's own priority is left as it was."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from scheduler.infra.db import open_database
from scheduler.outbox import delivery

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a nice value is a thread's only on Linux")


def test_bookkeeping_thread_yields_to_the_sender(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'outbox.db'}")
    before = os.getpriority(os.PRIO_PROCESS, 0)

    async def priorities() -> tuple[int, int]:
        async with delivery._connection(engine) as db:
            bookkeeping: int = await db(lambda conn: os.getpriority(os.PRIO_PROCESS, 0))
            return bookkeeping, os.getpriority(os.PRIO_PROCESS, 0)

    bookkeeping, sender = asyncio.run(priorities())
    engine.dispose()
    assert sender == before == os.getpriority(os.PRIO_PROCESS, 0)
    assert bookkeeping == min(19, sender + delivery.BOOKKEEPING_NICE)
    if sender < 19:
        assert bookkeeping > sender
