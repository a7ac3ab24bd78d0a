"""The delivery loop (gửi tin): claim due rows, drop the ones whose session has since moved or
been cancelled, send the rest through each channel's connections at once, and record results
in groups as they come.

The promise across a crash (SIGKILL at any point): nothing is lost, and only messages in flight
can go twice. A message is in flight from the commit of its attempt row (written before it is
sent, only while the row is still this deliverer's) to the commit of its result; each of a
channel's ``concurrency`` workers has at most two in flight (the one it sends, the one whose
result is being written meanwhile), so at most ``2 x concurrency`` a channel. The lease is
renewed while the batch goes; a channel whose server times out ``TIMEOUTS_TO_STOP`` times in a
row has the rest of its batch released for a later round instead of waiting out every timeout.
Transient failures come back later with backoff; permanent ones stop and are reported to the
unit's staff; an address the server refused is marked and not tried for later messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import time as clock
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select

from notifiers.channels import Channel
from notifiers.channels.base import Sender, unexpected
from notifiers.message import OutgoingMessage
from rules import DeliveryError
from rules.vietnamese import dmy
from scheduler.infra.clock import as_utc
from scheduler.infra.config import Config
from scheduler.infra.db.models import SessionRow
from scheduler.outbox import store
from scheduler.outbox.stale_followup import followup_stale
from scheduler.outbox.store import MAX_ATTEMPTS, Outcome, _claim, _commit, _record, _refused_of

_S = SessionRow.__table__
TIMEOUTS_TO_STOP = 3  # a server that timed out this many times in a row is down for this round
PREPARE_CHUNK = 50  # messages built (MIME) at a time off the event loop, ahead of the senders
BATCH = 200


@dataclass(slots=True)
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    released: int = 0  # not tried this round (a channel stopped after timeouts): due again soon


def _stale(row: Any, session: Any | None) -> str | None:
    """Why a claimed row must not be sent any more, or None."""
    if row.session_id is None or row.purpose == "cancelled" or row.purpose == "delivery_failed":
        return None
    if session is None:
        return "buổi tiếp không còn"
    if row.purpose == "reminder" and (session.status != "planned" or session.version != row.version):
        return "buổi tiếp đã thay đổi hoặc bị hủy sau khi xếp nhắc"
    if row.purpose == "changed":
        current = session.rescheduled_version or (1 if session.kind in ("makeup", "adhoc") else None)
        if session.status != "planned" or current != row.version:
            return "đã có thay đổi mới hơn"
    if row.purpose == "makeup_alert" and (not session.needs_makeup or session.version != row.version):
        return "đã đặt lịch tiếp bù"
    if row.purpose.startswith("outcome_missing") and session.status != "planned":
        return "đã ghi kết quả"
    return None


def _outgoing(row: Any, now: datetime | None = None) -> OutgoingMessage:
    payload = json.loads(row.payload)
    if row.channel == "sms":
        return OutgoingMessage(
            channel="sms",
            recipient=row.recipient,
            text=payload["sms"],
            message_id=row.message_id,
            date=now,
            brandname=payload.get("brandname") or None,
        )
    return OutgoingMessage(
        channel="email",
        recipient=row.recipient,
        subject=payload["subject"],
        text=payload["text"],
        html=payload.get("html"),
        ics=payload.get("ics"),
        message_id=row.message_id,
        date=now,
        sender=payload.get("sender") or None,
        recipient_name=payload.get("to_name", ""),
    )


class _Clock:
    """The deliverer's clock: ``now`` as given (``--now``), moving on with real time, so that a
    lease renewed during a long batch lies ahead of the batch and not at its start."""

    def __init__(self, now: datetime) -> None:
        self.start, self.t0 = now, clock.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=clock.monotonic() - self.t0)


Db = Callable[..., Awaitable[Any]]


class _Recorder:
    """Group commit: attempt starts and lease renewals that come while a transaction runs wait
    for the next one, so a transaction carries as many messages as are in flight; results ride
    with the next attempt rows (or the flush at a batch's end) rather than costing their own."""

    def __init__(self, db: Db, config: Config, me: str, clk: _Clock) -> None:
        self.db, self.config, self.me, self.clock = db, config, me, clk
        self.starts: list[tuple[Any, asyncio.Future[bool]]] = []
        self.outcomes: list[Outcome] = []
        self.renew = False
        self.task: asyncio.Task[None] | None = None
        self.flushing = False

    def _kick(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while self.starts or self.renew or (self.outcomes and self.flushing):
            starts, self.starts = self.starts, []
            outcomes, self.outcomes = self.outcomes, []
            renew, self.renew = self.renew, False
            try:
                owned = await self.db(
                    _commit,
                    self.config,
                    self.me,
                    self.clock.start,
                    self.clock.now(),
                    [r for r, _ in starts],
                    outcomes,
                    renew,
                )
            except BaseException as exc:
                for _, fut in starts:
                    if not fut.done():
                        fut.set_exception(exc)
                raise
            for row, fut in starts:
                if not fut.done():
                    fut.set_result(row.id in owned)

    async def start(self, row: Any) -> bool:
        """Write the attempt row; False if the row is no longer this deliverer's (leave it)."""
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.starts.append((row, fut))
        self._kick()
        return await fut

    def finish(self, outcome: Outcome) -> None:
        """A result, written with the next group's attempt rows (a worker asks for its next
        attempt as it starts sending, so that comes at once) or by ``flush``: one transaction
        for both halves instead of one for each. A worker's results still reach the database
        before its next-but-one message is sent, so the messages in flight stay as many."""
        self.outcomes.append(outcome)

    def renew_lease(self) -> None:
        self.renew = True
        self._kick()

    async def flush(self) -> None:
        """Write every result held (the end of a batch, or of the delivery)."""
        self.flushing = True
        try:
            while (self.task is not None and not self.task.done()) or self.outcomes or self.starts:
                self._kick()
                assert self.task is not None
                await self.task
        finally:
            self.flushing = False


async def deliver_due(
    engine: Engine,
    config: Config,
    channels: Mapping[str, Channel],
    now: datetime,
    *,
    batch: int = BATCH,
    max_batches: int | None = None,
    only: tuple[Collection[int], Collection[str]] | None = None,
    subjects: Collection[str] = (),
) -> DeliveryStats:
    """Claim due rows ``batch`` at a time and deliver them, until none is left (or
    ``max_batches``). The bookkeeping runs on one connection in one worker thread: the event
    loop stays free, and SQLite is not reopened (and checkpointed) for every message."""
    stats = DeliveryStats()
    loop = asyncio.get_running_loop()
    me = uuid.uuid4().hex
    clk = _Clock(now)
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
        try:
            async with contextlib.AsyncExitStack() as stack:
                senders = _Senders(channels, stack)
                done = 0
                while max_batches is None or done < max_batches:
                    rows = await db(_claim, clk.now(), batch, me, only, tuple(subjects))
                    if not rows:
                        break
                    done += 1
                    await _deliver_claimed(db, recorder, config, senders, clk, rows, stats)
                    await recorder.flush()
        finally:
            renewer.cancel()
            try:
                await recorder.flush()
            finally:
                await loop.run_in_executor(worker, conn.close)
    return stats


class _Senders:
    """Each channel opened once for the whole delivery (its connections kept across batches)."""

    def __init__(self, channels: Mapping[str, Channel], stack: contextlib.AsyncExitStack) -> None:
        self.channels, self.stack = channels, stack
        self.open: dict[str, Sender] = {}

    async def get(self, name: str) -> tuple[Channel, Sender]:
        if name not in self.open:
            self.open[name] = await self.stack.enter_async_context(self.channels[name].open())
        return self.channels[name], self.open[name]


def _sessions_of(conn: Connection, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    with conn.begin():
        return {r.id: r for r in conn.execute(select(_S).where(_S.c.id.in_(ids)))}


def _before_sending(conn: Connection, rows: list[Any]) -> tuple[dict[int, Any], dict[tuple[str, str], Any]]:
    """The sessions of the rows and the refused marks of their recipients, in one read."""
    with conn.begin():
        ids = sorted({r.session_id for r in rows if r.session_id})
        sessions = {r.id: r for r in conn.execute(select(_S).where(_S.c.id.in_(ids or [-1])))}
        return sessions, _refused_of(conn, (r.recipient for r in rows))


async def _deliver_claimed(
    db: Db,
    recorder: _Recorder,
    config: Config,
    senders: _Senders,
    clk: _Clock,
    rows: list[Any],
    stats: DeliveryStats,
) -> None:
    """Send the claimed rows, every channel at once, each through its own workers."""
    sessions, refused = await db(_before_sending, rows)
    # Follow-up rows (no session) are re-read too: resolved or deleted since queued, not sent.
    followup = await db(followup_stale, rows) if any(r.session_id is None for r in rows) else {}
    now = clk.start
    unsent: list[Outcome] = []
    by_channel: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        why = _stale(r, sessions.get(r.session_id)) if r.session_id else followup.get(r.id)
        if why is None and r.expires_at is not None and as_utc(r.expires_at) <= now:
            why = "đã quá thời điểm buổi tiếp"
        mark = refused.get((r.channel, r.recipient))
        if why is not None:
            unsent.append(Outcome(r, "dropped", DeliveryError(why, permanent=True)))
            stats.dropped += 1
        elif mark is not None:
            when = dmy(as_utc(mark.refused_at).astimezone(config.timezone).date())
            error = DeliveryError(
                f"không gửi: máy chủ đã từ chối địa chỉ {r.recipient} ngày {when}; "
                "sửa địa chỉ trong cấu hình để gửi lại",
                permanent=True,
            )
            unsent.append(Outcome(r, "refused", error))
            stats.failed += 1
        else:
            by_channel[r.channel].append(r)
    if unsent:
        await db(_record, config, now, unsent)
    runs = []
    for name, group in by_channel.items():
        channel, sender = await senders.get(name)
        runs.append(_ChannelRun(channel, sender, group, recorder, clk, stats).run())
    await asyncio.gather(*runs)


@dataclass(slots=True)
class _Item:
    row: Any
    msg: OutgoingMessage | None
    error: DeliveryError | None = None


def _prepare(channel: Channel, rows: Sequence[Any], now: datetime) -> list[_Item]:
    """The messages of ``rows``, built for sending (in a worker thread: MIME takes CPU)."""
    items = []
    for r in rows:
        try:
            items.append(_Item(r, channel.prepare(_outgoing(r, now))))
        except (ValueError, TypeError, KeyError) as exc:
            items.append(_Item(r, None, DeliveryError(f"tin {r.message_id}: hỏng ({exc})", permanent=True)))
    return items


class _ChannelRun:
    """One channel's part of a batch: a producer builds the messages ahead, ``concurrency``
    workers send them, each result goes to the recorder as it comes."""

    def __init__(
        self,
        channel: Channel,
        sender: Sender,
        rows: list[Any],
        recorder: _Recorder,
        clk: _Clock,
        stats: DeliveryStats,
    ) -> None:
        self.sender = sender
        self.channel, self.rows, self.recorder, self.clock, self.stats = channel, rows, recorder, clk, stats
        self.workers = max(1, min(channel.concurrency, len(rows)))
        self.queue: asyncio.Queue[_Item | None] = asyncio.Queue()
        self.timeouts = 0
        self.stopped: DeliveryError | None = None

    async def run(self) -> None:
        sender = self.sender
        async with asyncio.TaskGroup() as tasks:
            # One failing (the database gone) cancels the others; what is unrecorded stays
            # claimed and comes back when the lease runs out.
            tasks.create_task(self._produce())
            for _ in range(self.workers):
                tasks.create_task(self._work(sender))

    async def _produce(self) -> None:
        i, size = 0, 4  # small first, so the first messages go at once; then larger
        while i < len(self.rows):
            chunk = self.rows[i : i + size]
            i, size = i + size, min(size * 2, PREPARE_CHUNK)
            if self.stopped is not None:
                items = [_Item(r, None) for r in chunk]
            else:
                items = await asyncio.to_thread(_prepare, self.channel, chunk, self.clock.now())
            for item in items:
                self.queue.put_nowait(item)
        for _ in range(self.workers):
            self.queue.put_nowait(None)

    async def _next(self) -> _Item | None:
        """The next message to send, its attempt on record; None when there is no more."""
        while True:
            item = await self.queue.get()
            if item is None:
                return None
            if self.stopped is not None or item.msg is None:
                self._finish_unsent(item)
                continue
            if await self.recorder.start(item.row):
                return item
            # Another deliverer holds it now (our lease ran out): it is theirs to send.

    def _finish_unsent(self, item: _Item) -> None:
        if item.msg is None and item.error is not None:
            self.recorder.finish(Outcome(item.row, "failed", item.error))
            self.stats.failed += 1
        else:
            self.recorder.finish(Outcome(item.row, "released", self.stopped))
            self.stats.released += 1

    async def _work(self, sender: Any) -> None:
        current = await self._next()
        while current is not None:
            # The next message's attempt row is written while this one is being sent.
            following = asyncio.create_task(self._next())
            try:
                if self.stopped is not None:
                    self.recorder.finish(Outcome(current.row, "released", self.stopped))
                    self.stats.released += 1
                else:
                    await self._send(sender, current)
            except BaseException:
                following.cancel()
                raise
            current = await following

    async def _send(self, sender: Any, item: _Item) -> None:
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
