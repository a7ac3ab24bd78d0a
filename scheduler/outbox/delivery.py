"""The delivery loop (gửi tin): every channel at once, each claiming its due rows a batch at a
time (``channel_run``), dropping the ones whose session or matter has since moved, sending the
rest through the channel's connections, and recording results in groups as they come.

The promise across a crash (SIGKILL at any point): nothing is lost, and only messages in flight
can go twice. A message is in flight from the commit of its attempt row (written before it is
sent, only while the row is still this deliverer's) to the commit of its result; a channel has
at most three in flight for each of its ``concurrency`` workers (``channel_run``). The lease is
renewed while the delivery goes, so rows claimed ahead are never another deliverer's. Transient
failures come back later with backoff; permanent ones stop and are reported to the unit's staff;
an address the server refused is marked and not tried for later messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from notifiers.channels import Channel
from notifiers.channels.base import Sender
from scheduler.infra.config import Config
from scheduler.outbox import store
from scheduler.outbox.builder import Builder
from scheduler.outbox.channel_run import TIMEOUTS_TO_STOP, ChannelRun, Claim, DeliveryStats
from scheduler.outbox.checks import outgoing as _outgoing
from scheduler.outbox.recorder import Clock, Recorder

_Recorder = Recorder  # the name the lease test patches
BATCH = 200

__all__ = ["BATCH", "TIMEOUTS_TO_STOP", "DeliveryStats", "_Recorder", "_outgoing", "deliver_due"]


async def deliver_due(
    engine: Engine,
    config: Config,
    channels: Mapping[str, Channel],
    now: datetime,
    *,
    batch: int = BATCH,
    only: tuple[Collection[int], Collection[str]] | None = None,
    subjects: Collection[str] = (),
) -> DeliveryStats:
    """Deliver every due row (of ``only``'s change or the named ``subjects``, if given), each
    channel claiming ``batch`` rows at a time, until none is left. The bookkeeping runs on one
    connection in one worker thread: the event loop stays free, and SQLite is not reopened (and
    checkpointed) for every message."""
    stats = DeliveryStats()
    loop = asyncio.get_running_loop()
    me = uuid.uuid4().hex
    clk = Clock(now)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiepdan-outbox") as worker:
        conn: Connection = await loop.run_in_executor(worker, engine.connect)

        def db(fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
            return loop.run_in_executor(worker, functools.partial(fn, conn, *args))

        recorder = _Recorder(db, config, me, clk)

        async def renew() -> None:
            while True:
                await asyncio.sleep(store.LEASE.total_seconds() / 5)
                recorder.renew_lease()

        renewer = asyncio.create_task(renew())
        claim = Claim(me, batch, only, tuple(subjects))
        builder = Builder(channels)
        try:
            async with contextlib.AsyncExitStack() as stack:
                senders: dict[str, Sender] = {}

                def opener(name: str) -> Callable[[], Awaitable[Sender]]:
                    async def open_() -> Sender:
                        if name not in senders:  # opened once, its connections kept for the delivery
                            senders[name] = await stack.enter_async_context(channels[name].open())
                        return senders[name]

                    return open_

                while True:
                    runs = [
                        ChannelRun(name, ch, opener(name), db, recorder, config, clk, claim, stats, builder)
                        for name, ch in channels.items()
                    ]
                    await asyncio.gather(*(run.run() for run in runs))
                    await recorder.flush()  # before the channels close: no result waits on them
                    if not recorder.failed:
                        break
                    # A failure's notice to the staff was queued with it, due now: one more round.
                    recorder.failed = False
        finally:
            renewer.cancel()
            builder.close()
            try:
                await recorder.flush()
            finally:
                await loop.run_in_executor(worker, conn.close)
    return stats
