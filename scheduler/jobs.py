"""The scheduled jobs and the one place APScheduler is imported.

Jobs are thin: each calls a use case as of ``now``. Safety across instances comes from the
database (unique outbox keys, claimed rows), not from the scheduler.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select

from notifiers.channels import Channel
from scheduler.infra.clock import as_utc, local_today, now_utc, on_the_wall
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import PlanYear
from scheduler.outbox import DeliveryStats, deliver_due, queue_due
from scheduler.usecases.planning import PlanResult, plan_year

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("tiepdan.jobs")


@dataclass(slots=True)
class TickResult:
    planned: list[PlanResult]
    queued: int
    delivery: DeliveryStats


def years_ahead(config: Config, today: date) -> list[int]:
    """The years tick keeps planned: this year, and next year from ``plan_ahead``."""
    years = [today.year]
    if (today.month, today.day) >= config.plan_ahead:
        years.append(today.year + 1)
    return years


def plan_ahead(engine: Engine, config: Config, now: datetime) -> list[PlanResult]:
    """Plan this year if it is not planned, and next year from ``plan_ahead`` (e.g. 1 December)."""
    today = local_today(now, config.timezone)
    years = years_ahead(config, today)
    with reading(engine) as conn:
        done = set(conn.execute(select(PlanYear.year)).scalars())
    return [
        plan_year(engine, config, y, now=now, today=today, actor="tiepdan-tick")
        for y in years
        if y not in done
    ]


async def tick(engine: Engine, config: Config, channels: dict[str, Channel], now: datetime) -> TickResult:
    """Every job once, as of ``now``."""
    from starlette.concurrency import run_in_threadpool

    planned = await run_in_threadpool(plan_ahead, engine, config, now)
    queued = await run_in_threadpool(queue_due, engine, config, now)
    delivery = await deliver_due(engine, config, channels, now)
    return TickResult(planned, queued, delivery)


class ServiceJobs:
    """The jobs ``tiepdan serve`` runs, each as of the clock's now: plan, queue, deliver.

    A queue run delivers at once what is due, not at the next minute's delivery: the reminders
    of 07:00 are sent at 07:00. A delivery asked for while one runs does not start
    beside it (the outbox's claims would keep them apart, at the cost of a second set of
    connections); the running one goes round once more instead, so nothing queued meanwhile
    waits for the next minute.
    """

    def __init__(
        self,
        engine: Engine,
        config: Config,
        channels: dict[str, Channel],
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.engine, self.config, self.channels, self.clock = engine, config, channels, clock
        self._delivering = asyncio.Lock()
        self._again = False
        # The deliveries queue runs started and still running: the event loop holds a task
        # only weakly, so without this one could be collected mid-way.
        self.sending: set[asyncio.Task[None]] = set()

    async def plan(self) -> None:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(plan_ahead, self.engine, self.config, self.clock())

    async def queue(self) -> None:
        from starlette.concurrency import run_in_threadpool

        n = await run_in_threadpool(queue_due, self.engine, self.config, self.clock())
        if n:
            log.info("queued %d messages", n)
        # Delivered now, whether written by this run or an earlier one: a reminder written at
        # 06:55 to go at 07:00 leaves at this run of 07:00, not at the next minute's delivery.
        task = asyncio.create_task(self.deliver())
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)

    async def deliver(self) -> None:
        if self._delivering.locked():
            self._again = True
            return
        async with self._delivering:
            self._again = True
            while self._again:
                self._again = False
                stats = await deliver_due(self.engine, self.config, self.channels, self.clock())
                if stats.sent or stats.failed or stats.retried:
                    log.info("delivered: %s", stats)


def start_scheduler(engine: Engine, config: Config, channels: dict[str, Channel]) -> AsyncIOScheduler:
    """The service's jobs (`schedule`) started on the running event loop."""
    scheduler = schedule(ServiceJobs(engine, config, channels), now_utc())
    scheduler.start()
    return scheduler


def schedule(jobs: ServiceJobs, now: datetime) -> AsyncIOScheduler:
    """APScheduler, not started, with the jobs: plan at ``now`` and then daily at 00:30; queue at
    ``now`` and then on every fifth minute of the clock (07:00, 07:05: when reminders fall due);
    deliver every minute (retries, and what a queue run did not start). Coalesced, one instance
    of a job at a time, with a grace time for a late start.

    The times are the service's clock's (``serve --now`` shifts it) while APScheduler runs on the
    real one: each is given as the real clock will read it then (``on_the_wall``). Cron fields,
    not intervals: after the run at start APScheduler reckons the next time from that run, and
    an interval would go on from it (06:58:13, 07:03:13, ...).
    """
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger

    tz = jobs.config.timezone
    local = as_utc(now).astimezone(tz)

    def fires_at(at: datetime) -> datetime:
        """The real clock's reading at ``at`` of the service's clock, to the second after: cron
        fires on whole seconds, and a second early would find 07:00's messages not yet due."""
        wall = on_the_wall(at).astimezone(tz)
        return wall + timedelta(microseconds=-wall.microsecond % 1_000_000)

    # The clock's next fifth minute and next 00:30.
    fifth = fires_at(local.replace(second=0, microsecond=0) + timedelta(minutes=5 - local.minute % 5))
    half_past = fires_at(local.replace(hour=0, minute=30, second=0, microsecond=0))
    every_fifth = CronTrigger(minute=f"{fifth.minute % 5}-59/5", second=fifth.second, timezone=tz)
    daily = CronTrigger(hour=half_past.hour, minute=half_past.minute, second=half_past.second, timezone=tz)

    at_start = on_the_wall(now)
    scheduler = AsyncIOScheduler(
        timezone=str(tz), job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    )
    scheduler.add_job(jobs.plan, daily, id="plan", next_run_time=at_start)
    scheduler.add_job(jobs.queue, every_fifth, id="queue", next_run_time=at_start)
    scheduler.add_job(jobs.deliver, "interval", minutes=1, id="deliver")
    return scheduler
