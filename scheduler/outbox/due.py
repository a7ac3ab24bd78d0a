"""What is due (tin đến hạn): every message due as of ``now``, computed from the stored sessions
and written to the outbox once (``queue_due``).

The jobs: the sessions' own messages (``due_sessions``: reminders, changes, cancellations, make-up
and outcome alerts), the periods' alerts (``due_period``), the follow-up of directions
(``due_followup``) and the dialogue conferences (``due_dialogue``). This module reads what they
need once and writes their rows together."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, or_, select, true

from scheduler.infra.clock import local_today
from scheduler.infra.config import Config
from scheduler.infra.db import reading, rows_in
from scheduler.infra.db.models import PlanYear, SessionRow
from scheduler.infra.since import service_since
from scheduler.outbox.compose import Composer
from scheduler.outbox.due_period import period_rows, period_told, queue_period_alerts
from scheduler.outbox.due_sessions import SessionJobs, skipper
from scheduler.outbox.store import Inserter, _existing_keys, _Queue, tell_the_planner
from scheduler.reads.stored_session import StoredSession

_S = SessionRow.__table__
_COLUMNS = len(_S.columns)


def queue_due(
    engine: Engine,
    config: Config,
    now: datetime,
    *,
    only: tuple[Collection[int], Collection[str]] | None = None,
) -> int:
    """Write every message due as of ``now``; returns how many rows were new. ``only``:
    (session ids, unit ids) of one change, for "tell people now" (``scheduler.usecases.tell``): the
    messages about those sessions and those units' periods, nothing else."""
    # The tick's rows go in while the rest are rendered; "tell now" writes a few, in one go.
    with Inserter(engine, Composer(config)) if only is None else nullcontext() as inserter:
        q = _Queue(config, now, [], inserter=inserter)
        new = _queue_sessions_and_periods(engine, config, now, only, q)
    if only is not None:
        return new
    # And the follow-up of directions (scheduler/outbox/due_followup.py) and the dialogue
    # conferences' deadlines and years at risk (scheduler/outbox/due_dialogue.py), due on the same
    # ticks.
    from scheduler.outbox.due_dialogue import queue_dialogues
    from scheduler.outbox.due_followup import queue_followup

    new += queue_followup(engine, config, now) + queue_dialogues(engine, config, now)
    tell_the_planner(engine, new)
    return new


def _queue_sessions_and_periods(
    engine: Engine,
    config: Config,
    now: datetime,
    only: tuple[Collection[int], Collection[str]] | None,
    q: _Queue,
) -> int:
    """The sessions' messages and the periods' alerts due as of ``now``, rendered into ``q`` and
    inserted; returns how many rows were new."""
    today = local_today(now, config.timezone)
    mine = _S.c.id.in_(list(only[0])) if only is not None else true()
    max_lead = max([*config.default_remind_days, *(d for v in config.remind_days.values() for d in v)] or [0])
    # A reminder whose day is off goes on the working day before (reminder_day): before Tết that
    # is a week early, so look as far as the last session whose reminder falls today, that is up
    # to the day before the next working day, plus the longest lead.
    horizon = config.calendar.add_working_days(today, 1) + timedelta(days=max_lead - 1)

    skip = skipper()

    def readable(r: Any) -> StoredSession | None:
        s = StoredSession.of(r[:_COLUMNS])
        if (r.start and s.start is None) or (r.end and s.end is None):
            # a row damaged outside tiepdan: its time cannot be read
            skip(s, ValueError(f"giờ {r.start!r}-{r.end!r} không phải HH:MM"))
            return None
        return s

    def sessions(*where: ColumnElement[bool]) -> list[StoredSession]:
        return [s for r in conn.execute(select(_S).where(mine, *where)).all() if (s := readable(r))]

    news = and_(
        _S.c.status == "planned",
        _S.c.date >= today,
        # a make-up and an ad hoc session are announced to their people when created
        or_(_S.c.rescheduled_version.is_not(None), _S.c.kind.in_(("makeup", "adhoc"))),
    )
    off = and_(
        _S.c.status.in_(("cancelled", "not_held")),
        # "not held" is often recorded days after the session: told when recorded.
        or_(_S.c.date >= today - timedelta(days=1), _S.c.updated_at >= now - timedelta(days=2)),
    )
    # The cadence lasts some 36 working days from the day a session was lost.
    lost = and_(_S.c.needs_makeup.is_(True), _S.c.updated_at >= now - timedelta(days=80))
    # The changed, the cancelled and the lost in one pass over the table, each row saying which it
    # is: no index serves them (SQLite would walk the date index over every later session, a
    # second a tick on the national registry), and a pass is a pass.
    labelled = (news.label("news"), off.label("off"), lost.label("lost"))
    few = select(_S, *labelled).where(mine, or_(news, off, lost))
    if only is None:
        few = few.with_hint(_S, "NOT INDEXED", dialect_name="sqlite")
    with reading(engine) as conn:
        upcoming = sessions(_S.c.status == "planned", _S.c.date.between(today, max(horizon, today)))
        changed: list[StoredSession] = []
        cancelled: list[StoredSession] = []
        waiting: list[StoredSession] = []
        for r in conn.execute(few).all():
            if (s := readable(r)) is not None:
                for flag, out in ((r.news, changed), (r.off, cancelled), (r.lost, waiting)):
                    if flag:
                        out.append(s)
        unrecorded = sessions(_S.c.status == "planned", _S.c.date.between(today - timedelta(days=30), today))
        replaced = sorted({r.replaces_id for r in changed if r.replaces_id})
        replaced_dates = (
            dict(rows_in(conn, select(_S.c.id, _S.c.date), _S.c.id, replaced)) if replaced else {}
        )
        periods = period_rows(conn, today)
        told = period_told(conn, now)
        since = service_since(conn, config)
        planned_years = set(conn.execute(select(PlanYear.year)).scalars())
        subjects = {
            f"session:{r.id}" for rows in (upcoming, changed, cancelled, waiting, unrecorded) for r in rows
        }
        q.existing = _existing_keys(conn, subjects)

    jobs = SessionJobs(engine, config, q, today, skip)
    jobs.reminders(upcoming)
    jobs.changes(changed, replaced_dates)
    jobs.cancellations(cancelled)
    # The invitations carry the session's calendar event as the feed has it.
    jobs.run_later()
    jobs.makeup_alerts(waiting)
    jobs.outcomes_missing(unrecorded)
    queue_period_alerts(
        q,
        config,
        today,
        periods,
        told,
        since,
        planned_years,
        jobs.unicode,
        None if only is None else only[1],
    )
    return q.insert(engine)
