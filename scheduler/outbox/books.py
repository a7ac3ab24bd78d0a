"""Where a delivery's database work runs (claims, attempt rows, results): a connection in a
worker thread of its own, below the event loop that sends.

The sender is latency-bound: every answer of the mail server it is slow to take is a command the
server does not get, and a server on the same machine (a local relay, or the bench's sink) is
itself waiting for a CPU whenever three threads want two. The bookkeeping runs ahead of the
sender (attempt rows a group before they are needed, results after), so on Linux its thread runs
at ``SCHED_IDLE``: only on a CPU nothing else wants, and a CPU that runs only it counts as free
when the server's or the sender's thread wakes. Part 1 of ``bench/bench_delivery.py`` with the
sink on the same two cores went from 86.8 to 93.0 % of the bare loop on SQLite (medians of 12
rounds each, the two codes in turn, 8 December): at nice +10 the sink waited for a CPU 8-14 % of
each run, idle-only 0-1 %.

A machine with no CPU to spare would starve such a thread (its weight is 3 against a busy
process's 1,024: with two busy processes on the two cores, 55 e-mails/s instead of 1,041). So
every call measures how long its thread ran and waited for a CPU (the kernel's schedstat), and
once its last calls waited ``STARVED`` in all, nearly all of their time, the rest of the delivery
runs in a thread at nice +10
(``BOOKKEEPING_NICE``), with a connection of its own: an unprivileged thread may not leave
``SCHED_IDLE``, and a connection stays in the thread that opened it. Those calls may have
waited seconds, so the deliveries of the next ``IDLE_AGAIN`` start at nice +10 (under two busy
processes, a delivery of 3,000 e-mails took 4.4-7.3 s when it began idle-only, 2.4-3.1 s at nice
+10). Where the schedstat or ``SCHED_IDLE`` is missing, nice +10 from the start; off Linux (a nice
value is the whole process's there), the thread as the sender's.

On such a machine an idle-only thread caught inside an SQLite transaction holds the write lock
until it next runs (the longest wait of one call seen under two busy processes: 3.3 s): another
writer (the desk, a tick) waits for it, well within its busy timeout of 30 s, and such a call
moves the delivery to nice +10. On PostgreSQL a group's transaction goes to the server in one round
trip and runs in the server's process.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, Engine

from scheduler.infra import clock
from scheduler.outbox.recorder import Db

# How much lower the bookkeeping's priority is than the sender's, once it cannot be idle-only
# (Linux nice values; on the PostgreSQL part 1, with the backends on the same cores, 6-8 % more
# e-mails a second than at the sender's own).
BOOKKEEPING_NICE = 10
# Starved: over its last ``WINDOW`` calls the thread waited for a CPU ``STARVED`` seconds in all
# and most of its time (``STARVED_SHARE`` of waiting and running). Sharing the two cores with
# the sink, a call waited 0.4 ms (median; p90 2.5 ms, at most 10 ms) against about as long running;
# under two busy processes tens of ms to seconds a call against 0.1-0.7 ms running. A window, not
# one call: one call's wait is noisy, a starved thread's waiting is nearly all its time.
WINDOW = 16
STARVED = 0.1
STARVED_SHARE = 0.9
IDLE_AGAIN = 600.0  # seconds after a starved delivery before one starts idle-only again
_starved_at: float | None = None  # this process's last starved delivery (clock.monotonic)
_SCHEDSTAT = "/proc/thread-self/schedstat"  # run time, run-queue wait, timeslices (ns)


def _schedstat() -> tuple[float, float]:
    """Seconds the calling thread has run, and waited for a CPU, so far."""
    with open(_SCHEDSTAT, "rb") as f:
        ran, waited = f.read().split()[:2]
    return int(ran) / 1e9, int(waited) / 1e9


def _idle_possible() -> bool:
    if sys.platform != "linux" or not hasattr(os, "SCHED_IDLE"):
        return False
    if _starved_at is not None and clock.monotonic() - _starved_at < IDLE_AGAIN:
        return False
    try:
        _schedstat()
    except (OSError, ValueError):
        return False
    return True


def how_it_ran() -> str:
    """How this process's deliveries have run their bookkeeping so far: "idle-only", "moved"
    (to nice +10 after starving, in the last ``IDLE_AGAIN`` or before) or "nice" (idle-only is
    not possible here)."""
    if _starved_at is not None:
        return "moved"
    return "idle-only" if _idle_possible() else "nice"


class _Thread:
    """One worker thread, idle-only or ``BOOKKEEPING_NICE`` below the sender, and the connection
    it opened."""

    def __init__(self, engine: Engine, idle: bool) -> None:
        self.engine, self.idle = engine, idle
        self.conn: Connection | None = None
        self.last = (0.0, 0.0)  # the thread's schedstat when its last call ended
        # Read here, in the sender's thread: the new thread is set relative to it.
        linux = sys.platform == "linux"
        self.nice = min(19, os.getpriority(os.PRIO_PROCESS, 0) + BOOKKEEPING_NICE) if linux else None
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="tiepdan-outbox", initializer=self._lower)

    def _lower(self) -> None:
        if self.idle:
            try:
                self.last = _schedstat()  # first: an idle-only thread must be watched
                os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # this thread only
                return
            except (OSError, ValueError):
                self.idle = False
        if self.nice is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, 0, self.nice)  # this thread only (Linux)

    def open(self) -> None:
        if self.conn is None:
            self.conn = self.engine.connect()

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, tuple[float, float]]:
        """``fn(connection, *args)`` and how long this thread ran and waited for a CPU since the
        last call ended (zeros when it is not idle-only: nothing to decide then). Since then, not
        since this one began: a thread given work waits for a CPU before it runs, and the kernel
        counts that wait only once it does."""
        self.open()
        result = fn(self.conn, *args)
        if not self.idle:
            return result, (0.0, 0.0)
        before, self.last = self.last, _schedstat()
        return result, (self.last[0] - before[0], self.last[1] - before[1])

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()


class Books:
    """A delivery's connection for its bookkeeping, ``db(fn, *args)`` running ``fn(conn, *args)``
    in its thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.thread = _Thread(engine, idle=_idle_possible())
        self.retired: list[Future[None]] = []
        self.recent: collections.deque[tuple[float, float]] = collections.deque(maxlen=WINDOW)

    async def db(self, fn: Callable[..., Any], *args: Any) -> Any:
        t = self.thread
        result, times = await asyncio.get_running_loop().run_in_executor(t.executor, t.call, fn, args)
        if t.idle and self.thread is t:
            self.recent.append(times)
            if self._starved():
                self._off_idle()
        return result

    def _starved(self) -> bool:
        ran = sum(r for r, _ in self.recent)
        waited = sum(w for _, w in self.recent)
        return waited >= STARVED and waited >= STARVED_SHARE * (ran + waited)

    def _off_idle(self) -> None:
        """The rest of the delivery in a thread at nice +10; the idle one closes its connection
        once the calls already given to it are done."""
        global _starved_at
        _starved_at = clock.monotonic()
        old, self.thread = self.thread, _Thread(self.engine, idle=False)
        self.retired.append(old.executor.submit(old.close))
        old.executor.shutdown(wait=False)

    async def close(self) -> None:
        t = self.thread
        try:
            await asyncio.get_running_loop().run_in_executor(t.executor, t.close)
        finally:
            t.executor.shutdown(wait=False)
            for done in self.retired:
                with contextlib.suppress(Exception):  # a connection that failed is gone either way
                    await asyncio.wrap_future(done)


@contextlib.asynccontextmanager
async def connection(engine: Engine) -> AsyncIterator[Db]:
    """A connection in a worker thread of its own, below the sender: the event loop stays free,
    and SQLite is not reopened (and checkpointed) for every message."""
    books = Books(engine)
    t = books.thread
    try:
        await asyncio.get_running_loop().run_in_executor(t.executor, t.open)
        yield books.db
    finally:
        await books.close()
