"""One channel's part of a delivery: a feeder claims the channel's due rows a batch at a time,
drops what must not go, builds the messages ahead (MIME, off the event loop: ``builder``) and claims the next
batch while the last of this one is still being sent, so the channel's ``concurrency`` workers
never wait for a batch's end; each result goes to the recorder as it comes.

Each worker has at most three messages in flight (attempt on record, result not yet): the one
it sends, the next one whose attempt is written meanwhile, and the last one whose result rides
with that attempt. A channel whose server times out ``TIMEOUTS_TO_STOP`` times in a row stops:
what it holds is released for a later round and it claims no more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from notifiers.channels import Channel
from notifiers.channels.base import Sender, unexpected
from rules import DeliveryError
from scheduler.infra import clock
from scheduler.infra.config import Config
from scheduler.outbox.builder import Builder
from scheduler.outbox.builder import Item as _Item
from scheduler.outbox.checks import Claimed, claim_checked, unsendable
from scheduler.outbox.record import Outcome
from scheduler.outbox.recorder import Clock, Db, Recorder, Waiter
from scheduler.outbox.store import MAX_ATTEMPTS

TIMEOUTS_TO_STOP = 3  # a server that timed out this many times in a row is down for this round
PREPARE_CHUNK = 50  # messages built (MIME) at a time off the event loop, ahead of the senders


@dataclass(slots=True)
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    released: int = 0  # not tried this round (a channel stopped after timeouts): due again soon


@dataclass(slots=True)
class Claim:
    """What a channel claims: ``batch`` rows at a time, of one change (``only``) or named
    subjects when the delivery is "tell people now"."""

    me: str
    batch: int
    only: tuple[Collection[int], Collection[str]] | None
    subjects: tuple[str, ...]


class ChannelRun:
    """One channel through the whole delivery: its feeder and its workers."""

    def __init__(
        self,
        name: str,
        channel: Channel,
        opener: Callable[[], Awaitable[Sender]],
        db: Db,
        recorder: Recorder,
        config: Config,
        clk: Clock,
        claim: Claim,
        stats: DeliveryStats,
        builder: Builder,
    ) -> None:
        self.name, self.channel, self.opener, self.db = name, channel, opener, db
        self.recorder, self.config, self.clock, self.claim, self.stats = recorder, config, clk, claim, stats
        self.builder = builder
        self.workers = max(1, channel.concurrency)
        # Claim the next batch while this many messages are still queued: enough to keep every
        # worker busy while the claim is read.
        self.low = max(4 * self.workers, 16)
        self.queue: asyncio.Queue[_Item | None] = asyncio.Queue()
        self.drained = asyncio.Event()
        self.timeouts = 0
        self.stopped: DeliveryError | None = None

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            # One failing (the database gone) cancels the others; what is unrecorded stays
            # claimed and comes back when the lease runs out.
            await self._feed(tasks)

    async def _claim(self) -> Claimed:
        c = self.claim
        now = self.clock.now()
        claimed: Claimed = await self.db(claim_checked, now, c.batch, c.me, self.name, c.only, c.subjects)
        return claimed

    async def _feed(self, tasks: asyncio.TaskGroup) -> None:
        sender: Sender | None = None
        try:
            while self.stopped is None:
                claimed = await self._claim()
                if not claimed.rows:
                    break
                if len(claimed.rows) >= self.claim.batch:
                    self.builder.backlog(self.name)
                unsent, rows = unsendable(claimed, self.config, self.clock.start)
                for o in unsent:
                    if o.result == "dropped":
                        self.stats.dropped += 1
                    else:
                        self.stats.failed += 1
                self.recorder.finish_untried(unsent)
                if rows and sender is None:
                    sender = await self.opener()
                    for _ in range(self.workers):
                        tasks.create_task(self._work(sender))
                await self._put(rows)
        finally:
            for _ in range(self.workers if sender is not None else 0):
                self.queue.put_nowait(None)

    async def _put(self, rows: list[Any]) -> None:
        """Build and queue ``rows``: small first when nothing is queued (the first messages go
        at once), then larger; never much more than ``low`` ahead of the workers."""
        i, size = 0, 4 if self.queue.empty() else PREPARE_CHUNK
        while i < len(rows):
            while self.queue.qsize() > self.low:
                self.drained.clear()
                await self.drained.wait()
            chunk = rows[i : i + size]
            i, size = i + size, min(size * 2, PREPARE_CHUNK)
            if self.stopped is not None:
                items = [_Item(r, None) for r in chunk]
            else:
                items = await self.builder.build(self.name, chunk, self.clock.now())
            for item in items:
                self.queue.put_nowait(item)
        while self.queue.qsize() > self.low:
            self.drained.clear()
            await self.drained.wait()

    async def _next(self, waiter: Waiter) -> _Item | None:
        """The next message to send, its attempt on record; None when there is no more."""
        while True:
            item = await self.queue.get()
            if self.queue.qsize() <= self.low:
                self.drained.set()
            if item is None:
                return None
            if self.stopped is not None or item.msg is None:
                self._finish_unsent(item)
                continue
            if await self.recorder.start(item.row, waiter):
                return item
            # Another deliverer holds it now (our lease ran out): it is theirs to send.

    def _finish_unsent(self, item: _Item) -> None:
        if item.msg is None and item.error is not None:
            self.recorder.finish(Outcome(item.row, "failed", item.error))
            self.stats.failed += 1
        else:
            self.recorder.finish(Outcome(item.row, "released", self.stopped))
            self.stats.released += 1

    async def _work(self, sender: Sender) -> None:
        waiter = Waiter()
        current = await self._next(waiter)
        while current is not None:
            # The next message's attempt row is asked for while this one is being sent, and
            # written with the others' when a worker needs one (``Recorder``).
            waiter.blocked = False
            following = asyncio.create_task(self._next(waiter))
            try:
                if self.stopped is not None:
                    self.recorder.finish(Outcome(current.row, "released", self.stopped))
                    self.stats.released += 1
                else:
                    await self._send(sender, current)
            except BaseException:
                following.cancel()
                raise
            if not following.done():
                self.recorder.hurry(waiter)
            current = await following

    async def _send(self, sender: Sender, item: _Item) -> None:
        assert item.msg is not None
        started = clock.monotonic()
        try:
            err = await sender.send(item.msg)
        except Exception as exc:
            err = unexpected(item.msg, exc)
        ms = int((clock.monotonic() - started) * 1000)
        r = item.row
        if err is None:
            outcome = Outcome(r, "sent", None, ms)
            self.stats.sent += 1
        elif err.permanent or r.attempts + 1 >= MAX_ATTEMPTS:
            outcome = Outcome(r, "failed", err, ms)
            self.stats.failed += 1
        else:
            outcome = Outcome(r, "retry", err, ms)
            self.stats.retried += 1
        self.timeouts = self.timeouts + 1 if err is not None and err.timed_out else 0
        if self.timeouts >= TIMEOUTS_TO_STOP and self.stopped is None:
            self.stopped = DeliveryError(
                f"chưa gửi: máy chủ không trả lời {self.timeouts} lần liên tiếp; sẽ thử lại sau"
            )
        self.recorder.finish(outcome)
