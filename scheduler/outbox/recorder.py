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


class Waiter:
    """A worker as the recorder sees it: ``blocked`` while it has nothing to send until its next
    attempt is on record."""

    __slots__ = ("blocked",)

    def __init__(self) -> None:
        self.blocked = True


class Recorder:
    """Group commit: a worker asks for its next attempt row as it starts sending, long before
    it needs it, so the recorder waits until some worker has nothing else to do (``hurry``) or
    every worker has asked (``group``), and writes every attempt asked for by then in one
    transaction; starts that come while it runs wait for the next. Results ride with the next
    attempt rows (or the flush at a batch's end) rather than costing their own. A transaction
    carries several messages instead of one or two: its statements and commit cost the same."""

    def __init__(self, db: Db, config: Config, me: str, clk: Clock) -> None:
        self.db, self.config, self.me, self.clock = db, config, me, clk
        self.starts: list[tuple[Any, asyncio.Future[bool], Waiter]] = []
        self.group = 1  # starts worth a transaction without waiting: every worker's
        self.outcomes: list[Outcome] = []
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
                    [r for r, _, _ in starts],
                    outcomes,
                    renew,
                )
            except BaseException as exc:
                for _, fut, _ in starts:
                    if not fut.done():
                        fut.set_exception(exc)
                raise
            self.failed = self.failed or any(o.result == "failed" for o in outcomes)
            for row, fut, _ in starts:
                if not fut.done():
                    fut.set_result(row.id in owned)

    async def start(self, row: Any, waiter: Waiter) -> bool:
        """Write the attempt row; False if the row is no longer this deliverer's (leave it)."""
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.starts.append((row, fut, waiter))
        if waiter.blocked or len(self.starts) >= self.group:
            self._kick()
        return await fut

    def hurry(self, waiter: Waiter) -> None:
        """``waiter`` has sent its message and waits for its next attempt: write it now."""
        waiter.blocked = True
        if any(w is waiter for _, _, w in self.starts):
            self._kick()

    def finish(self, outcome: Outcome) -> None:
        """A result, written with the next group's attempt rows (a worker asks for its next
        attempt as it starts sending, so that comes at once) or by ``flush``: one transaction
        for both halves instead of one for each. A worker's results still reach the database
        before its next-but-one message is sent, so the messages in flight stay as many."""
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
