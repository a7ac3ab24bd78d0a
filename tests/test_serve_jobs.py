"""What ``tiepdan serve`` runs and when: the queue on the clock's fifth minutes (the 07:00
reminders are queued at 07:00, not some minutes after, wherever the service was started), what
it queued sent at once, and one delivery at a time that goes round again when asked meanwhile."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_outbox_support import outbox, plan, write_config

from scheduler import jobs as service
from scheduler.infra import clock
from scheduler.infra.clock import VN, parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.outbox import build_channels

NOW = "2027-01-22T07:00"  # a reminder morning: the working day before Cao Bằng's session of Monday 25/01/2027


@pytest.mark.parametrize(
    "shift", [timedelta(0), timedelta(days=-678, seconds=1234.5)], ids=["clock", "serve --now"]
)
def test_the_queue_runs_at_start_and_then_on_every_fifth_minute_of_the_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shift: timedelta
) -> None:
    config = load_config(write_config(tmp_path, units=["cao-bang"]))
    jobs = service.ServiceJobs(open_database(config.database_url), config, build_channels(config))
    # ``serve --now`` shifts the service's clock; APScheduler's timers run on the real one.
    monkeypatch.setattr(clock, "_offset", shift)
    started = datetime(2027, 1, 24, 6, 58, 13, tzinfo=VN)  # as the service's clock reads it
    scheduler = service.schedule(jobs, started)
    by_id = {job.id: job for job in scheduler.get_jobs()}
    # Planning and queueing run as soon as the service starts (a service started at 07:02 does
    # not wait for 07:05 to send the 07:00 reminders) ...
    assert by_id["queue"].next_run_time + shift == started
    assert by_id["plan"].next_run_time + shift == started

    def after_start(job: str, count: int) -> list[datetime]:
        """The job's ``count`` times after its run at start, as APScheduler reckons them (from
        the run before), on the service's clock, to the second."""
        trigger, out, previous = by_id[job].trigger, [], clock.on_the_wall(started)
        for _ in range(count):
            previous = trigger.get_next_fire_time(previous, previous)
            out.append((previous + shift).astimezone(VN).replace(microsecond=0))
        return out

    # ... and then on the clock's fifth minutes, not every five minutes from the start.
    assert after_start("queue", 3) == [datetime(2027, 1, 24, 7, m, tzinfo=VN) for m in (0, 5, 10)]
    assert after_start("plan", 2) == [datetime(2027, 1, d, 0, 30, tzinfo=VN) for d in (25, 26)]


class _Recording(service.ServiceJobs):
    """The service's jobs, noting when the service's clock had them run."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.runs: list[tuple[str, datetime]] = []

    async def plan(self) -> None:
        self.runs.append(("plan", clock.now_utc()))

    async def queue(self) -> None:
        self.runs.append(("queue", clock.now_utc()))


def test_a_service_started_a_moment_before_seven_queues_at_start_and_again_at_seven(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(write_config(tmp_path, units=["cao-bang"]))
    jobs = _Recording(open_database(config.database_url), config, build_channels(config))
    monkeypatch.setattr(clock, "_offset", clock._offset)  # put back afterwards
    clock.start_clock_at(datetime(2027, 1, 24, 6, 59, 58, 300_000, tzinfo=VN))  # serve --now

    async def serve_a_while() -> None:
        scheduler: Any = service.schedule(jobs, clock.now_utc())
        scheduler.start()
        await asyncio.sleep(3.0)
        scheduler.shutdown(wait=False)

    asyncio.run(serve_a_while())
    queued = [at.astimezone(VN) for job, at in jobs.runs if job == "queue"]
    assert [job for job, _ in jobs.runs].count("plan") == 1
    assert len(queued) == 2, jobs.runs
    assert queued[0] < datetime(2027, 1, 24, 6, 59, 59, tzinfo=VN)
    # At 07:00 of the service's clock, not before (the 07:00 reminders are not due a moment
    # early) and within the second.
    assert datetime(2027, 1, 24, 7, 0, tzinfo=VN) <= queued[1] < datetime(2027, 1, 24, 7, 0, 1, tzinfo=VN)


def _jobs(tmp_path: Path) -> tuple[Path, service.ServiceJobs]:
    config_path = write_config(tmp_path, units=["cao-bang"], days_before=[1])
    plan(config_path)
    config = load_config(config_path)
    now = parse_now(NOW, config.timezone)
    return config_path, service.ServiceJobs(
        open_database(config.database_url), config, build_channels(config), clock=lambda: now
    )


def test_what_a_queue_run_writes_is_sent_at_once_not_at_the_next_delivery(tmp_path: Path) -> None:
    config_path, jobs = _jobs(tmp_path)

    async def queue_only() -> None:
        await jobs.queue()
        assert jobs.sending, "the queue run wrote reminders and started no delivery"
        await asyncio.gather(*jobs.sending)

    asyncio.run(queue_only())
    rows = outbox(config_path, purpose="reminder")
    assert rows, "the morning before the session has reminders"
    assert {r.status for r in rows} == {"sent"}
    assert len(list((tmp_path / "outbox" / "email").glob("*.eml"))) >= 1


def test_a_queue_run_sends_what_is_due_though_an_earlier_run_wrote_it(tmp_path: Path) -> None:
    # An alert held for the working morning is written the evening before, due at 07:00; the
    # queue run of 07:00 writes nothing new and must send it then, not at the next minute.
    config_path, jobs = _jobs(tmp_path)
    assert service.queue_due(jobs.engine, jobs.config, jobs.clock()) > 0  # written earlier

    async def queue_only() -> None:
        await jobs.queue()
        assert jobs.sending, "nothing new was queued, and nothing due was sent"
        await asyncio.gather(*jobs.sending)

    asyncio.run(queue_only())
    assert {r.status for r in outbox(config_path)} == {"sent"}


def test_a_delivery_asked_for_while_one_runs_goes_round_once_more_not_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, jobs = _jobs(tmp_path)
    real = service.deliver_due
    rounds: list[int] = []
    running = 0

    async def watched(*args: Any, **kwargs: Any) -> Any:
        nonlocal running
        running += 1
        assert running == 1, "two deliveries at once"
        try:
            if not rounds:
                # Asked twice while the first round runs (the minute's job, a second queue run).
                await asyncio.gather(jobs.deliver(), jobs.deliver())
            stats = await real(*args, **kwargs)
            rounds.append(stats.sent)
            return stats
        finally:
            running -= 1

    monkeypatch.setattr(service, "deliver_due", watched)

    async def run() -> None:
        await asyncio.to_thread(service.queue_due, jobs.engine, jobs.config, jobs.clock())
        await jobs.deliver()
        await jobs.deliver()  # nothing asked meanwhile: one round

    asyncio.run(run())
    assert len(rounds) == 3, rounds
    assert rounds[0] > 0 and rounds[1:] == [0, 0]
