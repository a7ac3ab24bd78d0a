"""The delivery's bookkeeping as it goes: the deliverer's clock, and the group commit that writes
attempt rows, results and the lease's renewal (``record.commit``) for as many messages as come
while the last transaction runs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from scheduler.infra import clock
from scheduler.infra.config import Config
from scheduler.outbox.record import Outcome, commit

Db = Callable[..., Awaitable[Any]]


class Clock:
    """The deliverer's clock: ``now`` as given (``--now``), moving on with real time, so that a
    lease renewed during a long batch lies ahead of the batch and not at its start."""

    def __init__(self, now: datetime) -> None:
        self.start, self.t0 = now, clock.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=clock.monotonic() - self.t0)


class Recorder:
    """Group commit: a channel asks for the attempt rows of its next few messages ahead of its
    workers (``start``), and every attempt asked for while the last transaction ran is written in
    the next one, with the results that came meanwhile (``finish``) and the lease's renewal: a
    transaction carries several messages instead of one or two, and its statements and commit
    cost the same. ``listeners`` learn which results each transaction wrote (the channels count
    what they have in flight)."""

    def __init__(self, db: Db, config: Config, me: str, clk: Clock, channel: str | None = None) -> None:
        self.db, self.config, self.me, self.clock = db, config, me, clk
        self.channel = channel  # the one channel it records for (its lease), or None: every one
        self.starts: list[tuple[list[Any], asyncio.Future[set[int]]]] = []
        self.outcomes: list[Outcome] = []
        self.listeners: list[Callable[[list[Outcome]], None]] = []
        self.renew = False
        self.urgent = False  # results of rows never tried: written at once, nothing rides with them
        self.task: asyncio.Task[None] | None = None
        self.flushing = False
        self.failed = False  # a failure was written (and with it a notice to the staff, due now)

    def _kick(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while self.starts or self.renew or (self.outcomes and (self.flushing or self.urgent)):
            starts, self.starts = self.starts, []
            outcomes, self.outcomes = self.outcomes, []
            renew, self.renew, self.urgent = self.renew, False, False
            try:
                owned = await self.db(
                    commit,
                    self.config,
                    self.me,
                    self.clock.start,
                    self.clock.now(),
                    [r for rows, _ in starts for r in rows],
                    outcomes,
                    renew,
                    self.channel,
                )
            except BaseException as exc:
                for _, fut in starts:
                    if not fut.done():
                        fut.set_exception(exc)
                raise
            self.failed = self.failed or any(o.result == "failed" for o in outcomes)
            for _, fut in starts:
                if not fut.done():
                    fut.set_result(owned)
            if outcomes:
                for listener in self.listeners:
                    listener(outcomes)

    async def start(self, rows: list[Any]) -> set[int]:
        """Write the attempt rows of ``rows``; the ids of those still this deliverer's (only
        those may be sent; the others were claimed by another deliverer once our lease ran out)."""
        fut: asyncio.Future[set[int]] = asyncio.get_running_loop().create_future()
        self.starts.append((rows, fut))
        self._kick()
        return await fut

    def finish(self, outcome: Outcome) -> None:
        """A result, written with the next group's attempt rows (asked for long before the
        workers need them, so that comes soon) or by ``flush``: one transaction for both halves
        instead of one for each."""
        self.outcomes.append(outcome)

    def finish_untried(self, outcomes: list[Outcome]) -> None:
        """Results of rows never tried (dropped, refused): written by the next transaction,
        started now if none is running."""
        if outcomes:
            self.outcomes.extend(outcomes)
            self.urgent = True
            self._kick()

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
