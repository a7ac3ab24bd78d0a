"""Where a delivery's messages are built (the MIME bytes, ``Channel.prepare``): in a worker
thread while the delivery is small, and in a process of its own once a channel that ``builds``
claims its second full batch (a reminder morning: more than one batch of backlog; a process costs
half a second to start). Building is a fifth of a message's CPU and threads
share one core with the event loop that sends; a process takes it to the other core, so the
sender only claims, sends and records.

The process starts in the background: until it answers, chunks are built in the thread as
before. It ends with the delivery, and by itself within a second of a deliverer killed (its
side is ``notifiers.channels.building``, which imports only the channels): nothing is left
behind. Should it die, the rest is built in the thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from notifiers.channels import Channel, building
from notifiers.message import OutgoingMessage
from rules import DeliveryError
from scheduler.outbox.checks import outgoing
from scheduler.outbox.turns import in_turns

log = logging.getLogger(__name__)

READ_PIECE = 10  # rows read into messages on the event loop between its turns to the connections


@dataclasses.dataclass(slots=True)
class Item:
    """A claimed row and its message, built for sending (None with ``error`` when it cannot be
    built, None alone when it is not to be sent)."""

    row: Any
    msg: OutgoingMessage | None
    error: DeliveryError | None = None


def messages(rows: Sequence[Any], now: datetime) -> list[Item]:
    """The rows' messages, not yet built; a row whose message cannot be read fails for good."""
    items = []
    for r in rows:
        try:
            items.append(Item(r, outgoing(r, now)))
        except (ValueError, TypeError, KeyError) as exc:
            items.append(Item(r, None, DeliveryError(f"tin {r.message_id}: hỏng ({exc})", permanent=True)))
    return items


def build_here(channel: Channel, rows: Sequence[Any], now: datetime) -> list[Item]:
    """The messages of ``rows``, built in this process (a worker thread)."""
    items = messages(rows, now)
    for item in items:
        if item.msg is not None:
            item.msg = channel.prepare(item.msg)
    return items


class Builder:
    """A delivery's builders: ``build`` in a thread, or in the process once a channel that builds
    has shown a backlog (``backlog``) and the process answered."""

    FULL_CLAIMS = 2  # full batches claimed by one channel before its building process starts

    def __init__(self, channels: Mapping[str, Channel]) -> None:
        self.channels = dict(channels)
        self.builds = {n: c for n, c in channels.items() if c.builds}
        self.full_claims: Counter[str] = Counter()
        self.pool: ProcessPoolExecutor | None = None
        self.ready: Future[bool] | None = None

    def backlog(self, name: str, rows: Sequence[Any]) -> None:
        """Channel ``name`` claimed a full batch of ``rows``. At the second (a reminder morning,
        not one batch: a process costs half a second to start), start the building process if it
        builds and there is building left to do (e-mails composed when queued have their MIME),
        answering from the next chunks."""
        if self._nothing_to_build(name, rows):
            return
        self.full_claims[name] += 1
        if self.pool is not None or self.full_claims[name] < self.FULL_CLAIMS:
            return
        try:
            self.pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=building.start,
                initargs=(self.builds, os.getpid()),
            )
            self.ready = self.pool.submit(building.ready)
        except (OSError, RuntimeError) as exc:  # no process can be started here: build in the thread
            log.warning("building process not started: %s", exc)
            self.pool, self.ready = None, None

    def _nothing_to_build(self, name: str, rows: Sequence[Any]) -> bool:
        """A channel that does not build, or e-mails all composed when queued."""
        return name not in self.builds or all(r.wire is not None for r in rows)

    def _answers(self, name: str) -> bool:
        ready = self.ready
        return name in self.builds and ready is not None and ready.done() and ready.exception() is None

    async def build(self, name: str, rows: Sequence[Any], now: datetime) -> list[Item]:
        """The messages of channel ``name``'s ``rows``, built for sending."""
        channel = self.channels[name]
        if self._nothing_to_build(name, rows):
            # Only the rows read, here, a few dozen microseconds a row (a thread would only add
            # its handoff), a few at a time with the connections' answers served between.
            return [item async for piece in in_turns(rows, READ_PIECE) for item in messages(piece, now)]
        if self.pool is None or not self._answers(name):
            return await asyncio.to_thread(build_here, channel, rows, now)
        items = messages(rows, now)
        todo = [(item, item.msg) for item in items if item.msg is not None]
        loop = asyncio.get_running_loop()
        try:
            wires = await loop.run_in_executor(self.pool, building.wires, name, [msg for _, msg in todo])
        except BrokenProcessPool:
            log.warning("building process ended; building in a thread")
            self.close()
            return await asyncio.to_thread(build_here, channel, rows, now)
        for (item, msg), wire in zip(todo, wires, strict=True):
            if wire is not None:
                item.msg = dataclasses.replace(msg, wire=wire)
        return items

    def close(self) -> None:
        pool, self.pool, self.ready = self.pool, None, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)  # nothing is left running: a moment
