"""One channel's part of a delivery, three kinds of task joined by queues:

    feeder   claims the channel's due rows a batch at a time, drops what must not go, builds the
             messages (MIME, off the event loop: ``builder``) and claims the next batch while
             the last of this one is still being sent: the workers never wait for a batch's end;
    starter  writes the attempt rows of the next messages a group at a time (``Recorder.start``),
             ahead of the workers, so that a worker that has sent one finds the next ready;
    workers  the channel's ``concurrency``, each sending one message at a time and handing its
             result to the recorder, written with the next group's attempts.

In flight (attempt on record, result not yet) are at most four messages a worker (``IN_FLIGHT``):
the starter writes no more attempts while the channel has that many. A channel whose server
times out ``TIMEOUTS_TO_STOP`` times in a row stops: what it holds is released for a later round
and it claims no more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Sequence
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
from scheduler.outbox.recorder import Clock, Db, Recorder
from scheduler.outbox.store import MAX_ATTEMPTS
from scheduler.outbox.turns import in_turns

TIMEOUTS_TO_STOP = 3  # a server that timed out this many times in a row is down for this round
PREPARE_CHUNK = 50  # messages built (MIME) at a time off the event loop, ahead of the senders
IN_FLIGHT = 4  # messages a worker may have in flight: the SIGKILL promise (tests/test_outbox_faults.py)
# Claimed rows checked at a time, the connections' answers served between pieces: a claim of 200
# checked at once held them all ~4 ms, long enough for the server to run out of commands
# (part 1 with the check and the reading, ``builder.READ_PIECE``, in pieces: 767 vs 718
# e-mails/s, median of eight paired rounds).
CHECK_PIECE = 25


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
    """One channel through the whole delivery: its feeder, its starter and its workers."""

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
        # Claim the next batch while this many messages are still built and waiting: enough to
        # keep every worker busy while the claim is read.
        self.low = max(4 * self.workers, 16)
        self.built: asyncio.Queue[_Item | None] = asyncio.Queue()
        self.drained = asyncio.Event()
        # Started (attempt on record), for the workers: the starter tops it up to ``3 * workers``,
        # a group of attempts a transaction. Three, not two: the bookkeeping thread runs only on
        # a CPU nothing else wants (``books``), and two a worker ran out while it waited (part 1
        # shared 88-90 % against 93 % with three, and four in flight a worker).
        self.ready: asyncio.Queue[_Item | None] = asyncio.Queue()
        self.ahead = 3 * self.workers
        self.most = IN_FLIGHT * self.workers
        self.open: set[int] = set()  # rows with an attempt on record (or being written), no result yet
        self.done: set[int] = set()  # of those, the ones whose result the recorder holds
        self.changed = asyncio.Event()  # a worker took a message, or results were written
        self.timeouts = 0
        self.stopped: DeliveryError | None = None

    async def run(self) -> None:
        # Told of results only while it runs: a run that never starts leaves no listener behind.
        self.recorder.listeners.append(self._recorded)
        try:
            async with asyncio.TaskGroup() as tasks:
                # One failing (the database gone) cancels the others; what is unrecorded stays
                # claimed and comes back when the lease runs out.
                await self._feed(tasks)
        finally:
            self.recorder.listeners.remove(self._recorded)

    def _recorded(self, outcomes: list[Outcome]) -> None:
        for o in outcomes:
            self.open.discard(o.row.id)
            self.done.discard(o.row.id)
        self.changed.set()

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
                    self.builder.backlog(self.name, claimed.rows)
                async for piece in in_turns(claimed.rows, CHECK_PIECE):
                    rows = self._sendable(claimed, piece)
                    if rows and sender is None:
                        sender = await self.opener()
                        tasks.create_task(self._start())
                        for _ in range(self.workers):
                            tasks.create_task(self._work(sender))
                    await self._put(rows)
        finally:
            if sender is not None:
                self.built.put_nowait(None)  # the starter's end, and through it the workers'

    def _sendable(self, claimed: Claimed, piece: Sequence[Any]) -> list[Any]:
        """The rows of ``piece`` to send; the others' results (dropped, refused) handed to the
        recorder."""
        unsent, rows = unsendable(claimed, piece, self.config, self.clock.start)
        for o in unsent:
            if o.result == "dropped":
                self.stats.dropped += 1
            else:
                self.stats.failed += 1
        self.recorder.finish_untried(unsent)
        return rows

    async def _put(self, rows: list[Any]) -> None:
        """Build and queue ``rows``: small first when nothing is queued (the first messages go
        at once), then larger; never much more than ``low`` ahead of the workers."""
        i, size = 0, 4 if self.built.empty() else PREPARE_CHUNK
        while i < len(rows):
            while self.built.qsize() > self.low:
                self.drained.clear()
                await self.drained.wait()
            chunk = rows[i : i + size]
            i, size = i + size, min(size * 2, PREPARE_CHUNK)
            if self.stopped is not None:
                items = [_Item(r, None) for r in chunk]
            else:
                items = await self.builder.build(self.name, chunk, self.clock.now())
            for item in items:
                self.built.put_nowait(item)
        while self.built.qsize() > self.low:
            self.drained.clear()
            await self.drained.wait()

    def _take(self, item: _Item | None) -> _Item | None:
        if self.built.qsize() <= self.low:
            self.drained.set()
        return item

    async def _room(self) -> int:
        """Wait until a group is worth a transaction (room for a message a worker, or the
        workers down to one each ready), with no more than ``most`` in flight; how many may
        start. A transaction costs the database about as much for a few rows as for a few
        dozen (on the PostgreSQL peak day groups of ~16 instead of ~11 took the server's CPU
        from ~20 s to ~14 s), and the next group is still asked for while the workers send
        the last. The results the recorder holds do not count: they are written no later than
        the attempts asked for now (every transaction takes all it holds), so no transaction
        leaves more than ``most`` in flight; and they ride with those attempts rather than cost a
        transaction of their own."""
        while (room := self._worth()) == 0:
            self.changed.clear()
            await self.changed.wait()
        return room

    def _worth(self) -> int:
        """How many may start now, if a group is worth a transaction (``_room``), else 0."""
        room = min(self.ahead - self.ready.qsize(), self.most - len(self.open) + len(self.done))
        if room >= self.workers or (room > 0 and self.ready.qsize() <= self.workers):
            return room
        return 0

    async def _start(self) -> None:
        """The starter: the attempt rows of the next messages, a group at a time."""
        try:
            end = False
            while not end:
                room = await self._room()
                group: list[_Item] = []
                item = self._take(await self.built.get())
                while item is not None:
                    if self.stopped is not None or item.msg is None:
                        self._finish_unsent(item)
                    else:
                        group.append(item)
                    if len(group) >= room or self.built.empty():
                        break
                    item = self._take(self.built.get_nowait())
                end = item is None
                if not group:
                    continue
                self.open.update(i.row.id for i in group)
                owned = await self.recorder.start([i.row for i in group])
                for i in group:
                    if i.row.id in owned:
                        self.ready.put_nowait(i)
                    else:  # another deliverer holds it now (our lease ran out): it is theirs to send
                        self.open.discard(i.row.id)
        finally:
            for _ in range(self.workers):
                self.ready.put_nowait(None)

    def _finish_unsent(self, item: _Item) -> None:
        if item.msg is None and item.error is not None:
            self.recorder.finish(Outcome(item.row, "failed", item.error))
            self.stats.failed += 1
        else:
            self.recorder.finish(Outcome(item.row, "released", self.stopped))
            self.stats.released += 1

    async def _work(self, sender: Sender) -> None:
        while (item := await self.ready.get()) is not None:
            if self._worth():  # wake the starter only when it has a group to write
                self.changed.set()
            if self.stopped is not None:
                self.done.add(item.row.id)
                self.recorder.finish(Outcome(item.row, "released", self.stopped))
                self.stats.released += 1
            else:
                await self._send(sender, item)

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
        self.done.add(r.id)
        self.timeouts = self.timeouts + 1 if err is not None and err.timed_out else 0
        if self.timeouts >= TIMEOUTS_TO_STOP and self.stopped is None:
            self.stopped = DeliveryError(
                f"chưa gửi: máy chủ không trả lời {self.timeouts} lần liên tiếp; sẽ thử lại sau"
            )
        self.recorder.finish(outcome)
