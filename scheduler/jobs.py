"""The scheduled jobs and the one place APScheduler is imported.

Jobs are thin: each calls a use case as of ``now``. Safety across instances comes from the
database (unique outbox keys, claimed rows), not from the scheduler.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, select

from notifiers.channels import Channel
from scheduler.infra.clock import local_today, now_utc
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import PlanYear
from scheduler.outbox import DeliveryStats, deliver_due, queue_due
from scheduler.usecases.planning import PlanResult, plan_year

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


def start_scheduler(engine: Engine, config: Config, channels: dict[str, Channel]) -> object:
    """APScheduler on the running event loop: plan daily, queue every 5 minutes, deliver every
    minute; coalesced, one instance at a time, with a grace time for a late start."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from starlette.concurrency import run_in_threadpool

    async def plan_job() -> None:
        await run_in_threadpool(plan_ahead, engine, config, now_utc())

    async def queue_job() -> None:
        n = await run_in_threadpool(queue_due, engine, config, now_utc())
        if n:
            log.info("queued %d messages", n)

    async def deliver_job() -> None:
        stats = await deliver_due(engine, config, channels, now_utc())
        if stats.sent or stats.failed or stats.retried:
            log.info("delivered: %s", stats)

    scheduler = AsyncIOScheduler(
        timezone=str(config.timezone),
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    scheduler.add_job(
        plan_job, "cron", hour=0, minute=30, id="plan", next_run_time=now_utc().astimezone(config.timezone)
    )
    scheduler.add_job(
        queue_job, "interval", minutes=5, id="queue", next_run_time=now_utc().astimezone(config.timezone)
    )
    scheduler.add_job(deliver_job, "interval", minutes=1, id="deliver")
    scheduler.start()
    return scheduler
