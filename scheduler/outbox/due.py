"""What is due (tin đến hạn): every message due as of ``now``, computed from the stored sessions
and written to the outbox once (``queue_due``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, or_, select

from notifiers import alerts
from scheduler.clock import as_utc, local_today
from scheduler.config import Config
from scheduler.db import reading
from scheduler.db.models import SessionRow
from scheduler.outbox.recipients import recipients
from scheduler.outbox.store import _existing_keys, _insert_new, _Queue
from scheduler.sessions import proposals_for

_S = SessionRow.__table__


def _facts(config: Config, row: Any, replaces_date: date | None = None) -> alerts.SessionFacts | None:
    unit = config.units_by_id.get(row.unit_id)
    if unit is None:
        return None
    return alerts.SessionFacts(
        id=row.id,
        unit_id=row.unit_id,
        unit_name=unit.name,
        date=row.date,
        start=row.start,
        end=row.end,
        venue=row.venue,
        kind=row.kind,
        status=row.status,
        version=row.version,
        reason=row.reason,
        online=row.online_url or "",
        head=unit.head.name,
        replaces_date=replaces_date,
    )


def _local(config: Config, d: date, hhmm: str | None, default: time) -> datetime:
    t = time.fromisoformat(hhmm) if hhmm else default
    return datetime.combine(d, t, tzinfo=config.timezone)


def queue_due(engine: Engine, config: Config, now: datetime) -> int:
    """Write every message due as of ``now``; returns how many rows were new."""
    today = local_today(now, config.timezone)
    sms_unicode = bool(config.sms and config.sms.unicode)
    q = _Queue(config, now, [])
    max_lead = max([*config.default_remind_days, *(d for v in config.remind_days.values() for d in v)] or [0])
    with reading(engine) as conn:
        upcoming = conn.execute(
            select(_S).where(
                _S.c.status == "planned", _S.c.date.between(today, today + timedelta(days=max_lead))
            )
        ).all()
        changed = conn.execute(
            select(_S).where(
                _S.c.status == "planned",
                _S.c.date >= today,
                or_(_S.c.rescheduled_version.is_not(None), _S.c.kind == "makeup"),
            )
        ).all()
        cancelled = conn.execute(
            select(_S).where(
                _S.c.status.in_(("cancelled", "not_held")), _S.c.date >= today - timedelta(days=1)
            )
        ).all()
        waiting = conn.execute(
            select(_S).where(_S.c.needs_makeup.is_(True), _S.c.date >= today - timedelta(days=62))
        ).all()
        unrecorded = conn.execute(
            select(_S).where(_S.c.status == "planned", _S.c.date.between(today - timedelta(days=30), today))
        ).all()
        replaced_dates = dict(
            conn.execute(
                select(_S.c.id, _S.c.date).where(
                    _S.c.id.in_([r.replaces_id for r in changed if r.replaces_id] or [-1])
                )
            ).all()
        )
        period_rows = conn.execute(
            select(_S.c.unit_id, _S.c.status, _S.c.date).where(
                _S.c.date.between(today - timedelta(days=40), today + timedelta(days=40)),
            )
        ).all()
        subjects = {
            f"session:{r.id}" for rows in (upcoming, changed, cancelled, waiting, unrecorded) for r in rows
        }
        q.existing = _existing_keys(conn, subjects)

    for row in upcoming:
        unit = config.units_by_id.get(row.unit_id)
        facts = _facts(config, row)
        if unit is None or facts is None:
            continue
        start = _local(config, row.date, row.start, time(7, 30))
        # A session moved (or a make-up booked) after a lead time had come: the change notice
        # told everyone then; a reminder at the same moment would only repeat it.
        noticed = (
            as_utc(row.updated_at)
            if row.kind == "makeup" or (row.rescheduled_version and row.rescheduled_version == row.version)
            else None
        )
        due_leads = [
            lead
            for lead in config.remind_days_for(unit)
            if (due := _local(config, row.date - timedelta(days=lead), None, time(config.remind_hour))) <= now
            and now < start
            and (noticed is None or due >= noticed)
        ]
        if not due_leads:
            continue
        lead = min(due_leads)  # after an outage only the most recent reminder is still useful
        days_left = (row.date - today).days  # the words say how far off it is, even when late
        q.add(
            subject=f"session:{row.id}",
            session_id=row.id,
            version=row.version,
            purpose="reminder",
            lead=lead,
            unit=unit,
            to=recipients(config, unit),
            rendered=lambda f=facts, n=days_left: alerts.reminder(f, n, unicode_sms=sms_unicode),
            due=_local(config, row.date - timedelta(days=lead), None, time(config.remind_hour)),
            expires=start,
        )

    for row in changed:
        unit = config.units_by_id.get(row.unit_id)
        facts = _facts(config, row, replaced_dates.get(row.replaces_id))
        if unit is None or facts is None:
            continue
        version = row.rescheduled_version or 1
        q.add(
            subject=f"session:{row.id}",
            session_id=row.id,
            version=version,
            purpose="changed",
            lead=0,
            unit=unit,
            to=recipients(config, unit),
            rendered=lambda f=facts: alerts.changed(f, unicode_sms=sms_unicode),
            due=now,
            expires=_local(config, row.date, row.start, time(7, 30)),
        )

    for row in cancelled:
        unit = config.units_by_id.get(row.unit_id)
        facts = _facts(config, row)
        if unit is None or facts is None:
            continue
        # Version 0: a session is cancelled once; later bumps (its make-up booked) are no news.
        q.add(
            subject=f"session:{row.id}",
            session_id=row.id,
            version=0,
            purpose="cancelled",
            lead=0,
            unit=unit,
            to=recipients(config, unit),
            rendered=lambda f=facts: alerts.cancelled(f, unicode_sms=sms_unicode),
            due=now,
        )

    for row in waiting:
        unit = config.units_by_id.get(row.unit_id)
        facts = _facts(config, row)
        if unit is None or facts is None:
            continue
        to = recipients(config, unit, head=False, supervisor=True)
        if all(
            (f"session:{row.id}", row.version, "makeup_alert", 0, today.isoformat(), "", c, a) in q.existing
            for c, a in to
        ):
            continue  # today's alert is already out
        with reading(engine) as conn:
            # The same proposals as ``tiepdan cancel`` shows (never the cancelled day itself).
            proposals = proposals_for(conn, config, row, today)
        waited = max(0, (today - as_utc(row.updated_at).astimezone(config.timezone).date()).days)
        # One alert a day (the key's day) until a make-up is booked.
        q.add(
            subject=f"session:{row.id}",
            session_id=row.id,
            version=row.version,
            purpose="makeup_alert",
            lead=0,
            day=today.isoformat(),
            unit=unit,
            to=to,
            rendered=alerts.makeup_alert(facts, proposals, days_waiting=waited, unicode_sms=sms_unicode),
            due=now,
        )

    for row in unrecorded:
        unit = config.units_by_id.get(row.unit_id)
        facts = _facts(config, row)
        if unit is None or facts is None:
            continue
        if as_utc(row.created_at).astimezone(config.timezone).date() > row.date:
            continue  # planned after the fact (a first install mid-year): nobody was to record it
        staff_day = config.calendar.add_working_days(row.date, 1)
        sup_day = config.calendar.add_working_days(staff_day, 2)
        for purpose, day, supervisor in (
            ("outcome_missing", staff_day, False),
            ("outcome_missing_sup", sup_day, True),
        ):
            due = _local(config, day, "17:00", time(17))
            if due > now:
                continue
            to = recipients(config, unit, head=False, staff=not supervisor, supervisor=supervisor)
            q.add(
                subject=f"session:{row.id}",
                session_id=row.id,
                version=row.version,
                purpose=purpose,
                lead=0,
                unit=unit,
                to=to,
                rendered=lambda f=facts, sup=supervisor: alerts.outcome_missing(
                    f, supervisor=sup, unicode_sms=sms_unicode
                ),
                due=due,
            )

    _queue_period_alerts(q, config, today, period_rows, sms_unicode)
    # The follow-up of directions (scheduler/followup_due.py) is due on the same ticks.
    from scheduler.followup_due import queue_followup

    return _insert_new(engine, q.rows) + queue_followup(engine, config, now)


def _queue_period_alerts(
    q: _Queue, config: Config, today: date, rows: Iterable[Any], sms_unicode: bool
) -> None:
    """A period whose remaining sessions can no longer meet the mandate, or that ended short."""
    by_unit: dict[str, list[tuple[str, date]]] = defaultdict(list)
    for unit_id, status, d in rows:
        by_unit[unit_id].append((status, d))
    for unit_id, sessions in by_unit.items():
        unit = config.units_by_id.get(unit_id)
        if unit is None:
            continue
        level = config.level_of(unit)
        current = level.period_of(today)
        mandate = level.mandate_on(current.start)
        held = sum(1 for s, d in sessions if s == "held" and d in current)
        # A past session not yet recorded is most likely held: the missing-outcome reminder
        # chases it; counting it as lost would cry wolf.
        planned = sum(1 for s, d in sessions if s == "planned" and d in current)
        if held + planned < mandate.min_days:
            facts = alerts.PeriodFacts(
                unit.id, unit.name, current.label, mandate.min_days, held, planned, False, mandate.basis
            )
            q.add(
                subject=f"period:{unit.id}:{current.key}",
                session_id=None,
                version=0,
                state=f"held={held} planned={planned}",  # told again only when the counts change
                purpose="at_risk",
                lead=0,
                unit=unit,
                to=recipients(config, unit, head=False, supervisor=True),
                rendered=alerts.period_alert(facts, unicode_sms=sms_unicode),
                due=q.now,
            )
        previous = level.period_of(current.start - timedelta(days=1))
        prev_mandate = level.mandate_on(previous.start)
        prev_held = sum(1 for s, d in sessions if s == "held" and d in previous)
        # Only a period with sessions on record: before the service was in use, nothing is known.
        known = any(d in previous for _, d in sessions)
        if known and previous.start >= today - timedelta(days=40) and prev_held < prev_mandate.min_days:
            facts = alerts.PeriodFacts(
                unit.id,
                unit.name,
                previous.label,
                prev_mandate.min_days,
                prev_held,
                0,
                True,
                prev_mandate.basis,
            )
            q.add(
                subject=f"period:{unit.id}:{previous.key}",
                session_id=None,
                version=0,
                purpose="ended_short",
                lead=0,
                unit=unit,
                to=recipients(config, unit, head=False, supervisor=True),
                rendered=alerts.period_alert(facts, unicode_sms=sms_unicode),
                due=q.now,
            )
