"""What is due (tin đến hạn): every message due as of ``now``, computed from the stored sessions
and written to the outbox once (``queue_due``)."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, or_, select, true

from notifiers import alerts
from notifiers.ics import EventSource
from notifiers.views import SessionView
from rules import Unit, alert_policy
from rules.compliance import SessionRecord, judge_sorted, lost_text
from rules.replan import move_reason
from rules.vietnamese import dmy
from scheduler.infra.clock import as_utc, local_today
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import AuditRow, OutboxRow, PlanYear, SessionRow
from scheduler.infra.since import service_since
from scheduler.outbox.recipients import recipients
from scheduler.outbox.store import _existing_keys, _insert_new, _Queue
from scheduler.reads.makeup_days import proposals_for
from scheduler.reads.session_views import views_of

_S = SessionRow.__table__
_O = OutboxRow.__table__
_AU = AuditRow.__table__
REPLAN_JARGON = "Lịch thay đổi theo cấu hình mới"


def _facts(
    config: Config, row: Any, replaces_date: date | None = None, view: SessionView | None = None
) -> alerts.SessionFacts | None:
    unit = config.units_by_id.get(row.unit_id)
    if unit is None:
        return None
    board = f"{config.base_url}/board/{unit.id}" if config.base_url else ""
    event = EventSource(unit, view, config.timezone.key, board) if view is not None else None
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
        online=row.online_url or unit.online or "",
        head=unit.head.name,
        replaces_date=replaces_date,
        event=event,
    )


def _local(config: Config, d: date, hhmm: str | None, default: time) -> datetime:
    t = time.fromisoformat(hhmm) if hhmm else default
    return datetime.combine(d, t, tzinfo=config.timezone)


def desk_link(config: Config, session_id: int | None = None, unit_id: str | None = None) -> str:
    """The desk page where the action is done (``[http] base_url`` + path)."""
    path = f"/desk/sessions/{session_id}" if session_id is not None else f"/desk/units/{unit_id}"
    return f"{config.base_url}{path}"


def _addressees(
    config: Config, unit: Unit, audience: Iterable[str], *, head: bool = False
) -> list[tuple[alerts.Addressee, list[tuple[str, str]]]]:
    """Each audience of the policy with whom it greets: the unit's office, and its superior's
    office greeted by its own name (its staff only, never the unit's own people twice)."""
    out: list[tuple[alerts.Addressee, list[tuple[str, str]]]] = []
    mine = recipients(config, unit, head=head)
    for who in audience:
        if who == "unit":
            out.append((alerts.Addressee(unit.name), mine))
        elif unit.parent and unit.parent in config.units_by_id:
            parent = config.units_by_id[unit.parent]
            sup = [pair for pair in recipients(config, parent, head=False) if pair not in mine]
            out.append((alerts.Addressee(parent.name, supervisor=True), sup))
    return out


def _people(config: Config, unit: Unit) -> list[tuple[alerts.Addressee, list[tuple[str, str]]]]:
    """A session's own people, each greeted as who they are: the head (người đứng đầu) by name
    and title, the staff as the unit's office (Văn phòng)."""
    head = recipients(config, unit, staff=False)
    staff = [pair for pair in recipients(config, unit, head=False) if pair not in head]
    who = alerts.Addressee(unit.name, person=unit.head.name, title=unit.head.title)
    if not who.head:  # a head with no name nor title is greeted with the office
        return [(alerts.Addressee(unit.name), head + staff)]
    return [(who, head), (alerts.Addressee(unit.name), staff)]


def _change_of(conn: Connection, config: Config, ids: list[int]) -> dict[int, tuple[date, str]]:
    """The old date and the reason of each session's last move or re-plan (from the audit)."""
    out: dict[int, tuple[date, str]] = {}
    if not ids:
        return out
    for i in range(0, len(ids), 500):
        rows = conn.execute(
            select(_AU.c.session_id, _AU.c.reason, _AU.c.details)
            .where(_AU.c.session_id.in_(ids[i : i + 500]), _AU.c.action.in_(("move", "replan")))
            .order_by(_AU.c.id)
        ).all()
        for sid, reason, details in rows:
            try:
                old = date.fromisoformat(json.loads(details or "{}").get("from", ""))
            except (ValueError, TypeError, AttributeError):
                continue
            out[sid] = (old, reason or "")
    return out


def _citizen_reason(config: Config, old: date, new: date, reason: str) -> str:
    """The reason of a change in words a citizen reads, citing the decision's source when a day
    off or a working day caused it (never the configuration's jargon, which re-plans stored
    before ``rules.replan`` still carry)."""
    if reason and reason != REPLAN_JARGON:
        return reason
    return move_reason(config.calendar, old, new)


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
    today = local_today(now, config.timezone)
    mine = _S.c.id.in_(list(only[0])) if only is not None else true()
    sms_unicode = bool(config.sms and config.sms.unicode)
    q = _Queue(config, now, [])
    _skip = _skipper()
    max_lead = max([*config.default_remind_days, *(d for v in config.remind_days.values() for d in v)] or [0])
    # A reminder whose day is off goes on the working day before (reminder_day): before Tết that
    # is a week early, so look as far as the last session whose reminder falls today, that is up
    # to the day before the next working day, plus the longest lead.
    horizon = config.calendar.add_working_days(today, 1) + timedelta(days=max_lead - 1)
    with reading(engine) as conn:
        upcoming = conn.execute(
            select(_S).where(mine, _S.c.status == "planned", _S.c.date.between(today, max(horizon, today)))
        ).all()
        changed = conn.execute(
            select(_S).where(
                mine,
                _S.c.status == "planned",
                _S.c.date >= today,
                # a make-up and an ad hoc session are announced to their people when created
                or_(_S.c.rescheduled_version.is_not(None), _S.c.kind.in_(("makeup", "adhoc"))),
            )
        ).all()
        cancelled = conn.execute(
            select(_S).where(
                mine,
                _S.c.status.in_(("cancelled", "not_held")),
                # "not held" is often recorded days after the session: told when recorded.
                or_(_S.c.date >= today - timedelta(days=1), _S.c.updated_at >= now - timedelta(days=2)),
            )
        ).all()
        # The cadence lasts some 36 working days from the day a session was lost.
        waiting = conn.execute(
            select(_S).where(mine, _S.c.needs_makeup.is_(True), _S.c.updated_at >= now - timedelta(days=80))
        ).all()
        unrecorded = conn.execute(
            select(_S).where(
                mine, _S.c.status == "planned", _S.c.date.between(today - timedelta(days=30), today)
            )
        ).all()
        replaced_dates = dict(
            conn.execute(
                select(_S.c.id, _S.c.date).where(
                    _S.c.id.in_([r.replaces_id for r in changed if r.replaces_id] or [-1])
                )
            ).all()
        )
        period_rows = conn.execute(
            select(_S.c.id, _S.c.unit_id, _S.c.kind, _S.c.status, _S.c.date, _S.c.reason, _S.c.needs_makeup)
            .where(_S.c.date.between(today - timedelta(days=PERIOD_LOOKBACK), today + timedelta(days=40)))
            .order_by(_S.c.date, _S.c.id)
        ).all()
        told = _period_told(conn, now)
        since = service_since(conn, config)
        planned_years = set(conn.execute(select(PlanYear.year)).scalars())
        moves = _change_of(conn, config, [r.id for r in changed if r.kind != "makeup"])
        subjects = {
            f"session:{r.id}" for rows in (upcoming, changed, cancelled, waiting, unrecorded) for r in rows
        }
        q.existing = _existing_keys(conn, subjects)
    # The invitations carry the session's calendar event as the feed has it.
    views = {v.id: v for v in views_of(engine, [*upcoming, *changed, *cancelled])}

    cal = config.calendar
    for row in upcoming:
        try:  # one bad session never stops the queue for the others
            unit = config.units_by_id.get(row.unit_id)
            facts = _facts(config, row, view=views.get(row.id))
            if unit is None or facts is None:
                continue
            start = _local(config, row.date, row.start, time(7, 30))
            # A session moved (or a make-up booked) after a lead time had come: the change notice
            # told everyone then; a reminder at the same moment would only repeat it.
            noticed = (
                as_utc(row.updated_at)
                if row.kind in ("makeup", "adhoc")
                or (row.rescheduled_version and row.rescheduled_version == row.version)
                else None
            )
            # On the last working day at or before the lead: a Monday's 1-day reminder on the Friday.
            due_at = {
                lead: _local(
                    config, alert_policy.reminder_day(row.date, lead, cal), None, time(config.remind_hour)
                )
                for lead in config.remind_days_for(unit)
            }
            due_leads = [
                lead
                for lead, due in due_at.items()
                if due <= now and now < start and (noticed is None or due >= noticed)
            ]
            if not due_leads:
                continue
            lead = min(due_leads)  # after an outage only the most recent reminder is still useful
            ahead = alert_policy.ahead_words(row.date, today)  # how far off it is, even when late
            for to, pairs in _people(config, unit):
                q.add(
                    subject=f"session:{row.id}",
                    session_id=row.id,
                    version=row.version,
                    purpose="reminder",
                    lead=lead,
                    unit=unit,
                    to=pairs,
                    rendered=lambda f=facts, a=ahead, t=to: alerts.reminder(
                        f, a, stamp=now, to=t, unicode_sms=sms_unicode
                    ),
                    due=due_at[lead],
                    expires=start,
                )
        except Exception as exc:  # reported and skipped
            _skip(row, exc)

    for row in changed:
        try:  # one bad session never stops the queue for the others
            unit = config.units_by_id.get(row.unit_id)
            facts = _facts(config, row, replaced_dates.get(row.replaces_id), views.get(row.id))
            if unit is None or facts is None:
                continue
            version = row.rescheduled_version or 1
            old, why = moves.get(row.id, (None, ""))
            if old is not None:
                why = _citizen_reason(config, old, row.date, why)
            for to, pairs in _people(config, unit):
                q.add(
                    subject=f"session:{row.id}",
                    session_id=row.id,
                    version=version,
                    purpose="changed",
                    lead=0,
                    unit=unit,
                    to=pairs,
                    rendered=lambda f=facts, o=old, w=why, t=to: alerts.changed(
                        f, stamp=now, old_date=o, why=w, to=t, unicode_sms=sms_unicode
                    ),
                    due=now,
                    expires=_local(config, row.date, row.start, time(7, 30)),
                )
        except Exception as exc:  # reported and skipped
            _skip(row, exc)

    for row in cancelled:
        try:  # one bad session never stops the queue for the others
            unit = config.units_by_id.get(row.unit_id)
            facts = _facts(config, row, view=views.get(row.id))
            if unit is None or facts is None:
                continue
            # Version 0: a session is cancelled once; later bumps (its make-up booked) are no news.
            for to, pairs in _people(config, unit):
                q.add(
                    subject=f"session:{row.id}",
                    session_id=row.id,
                    version=0,
                    purpose="cancelled",
                    lead=0,
                    unit=unit,
                    to=pairs,
                    rendered=lambda f=facts, t=to: alerts.cancelled(
                        f, stamp=now, to=t, unicode_sms=sms_unicode
                    ),
                    due=now,
                )
        except Exception as exc:  # reported and skipped
            _skip(row, exc)

    for row in waiting:
        try:  # one bad session never stops the queue for the others
            unit = config.units_by_id.get(row.unit_id)
            facts = _facts(config, row)
            if unit is None or facts is None:
                continue
            lost_on = as_utc(row.updated_at).astimezone(config.timezone).date()
            stage = alert_policy.makeup_stage(lost_on, today, cal)
            if stage is None:
                continue
            groups = _addressees(config, unit, stage.audience)
            if all(
                (f"session:{row.id}", row.version, "makeup_alert", 0, "", f"stage={stage.number}", c, a)
                in q.existing
                for _, pairs in groups
                for c, a in pairs
            ):
                continue  # this stage is told
            try:
                with reading(engine) as conn:
                    # The same proposals as ``tiepdan cancel`` shows (never the cancelled day itself).
                    proposals = proposals_for(conn, config, row, today)
            except Exception as exc:  # one bad session never stops the queue for the others
                _skip(row, exc)
                continue
            for who, pairs in groups:
                q.add(
                    subject=f"session:{row.id}",
                    session_id=row.id,
                    version=row.version,
                    purpose="makeup_alert",
                    lead=0,
                    state=f"stage={stage.number}",  # the state told: this version, at this stage
                    unit=unit,
                    to=pairs,
                    rendered=lambda f=facts, w=who, st=stage, p=proposals, lo=lost_on: alerts.makeup_alert(
                        f,
                        p,
                        to=w,
                        link=desk_link(config, f.id),
                        stage=st.number,
                        last=st.last,
                        lost_on=lo,
                        unicode_sms=sms_unicode,
                    ),
                    due=_local(config, stage.day, None, time(config.remind_hour)),
                    working_day=True,
                )
        except Exception as exc:  # reported and skipped
            _skip(row, exc)

    for row in unrecorded:
        try:  # one bad session never stops the queue for the others
            unit = config.units_by_id.get(row.unit_id)
            facts = _facts(config, row)
            if unit is None or facts is None:
                continue
            if as_utc(row.created_at).astimezone(config.timezone).date() > row.date:
                continue  # planned after the fact (a first install mid-year): nobody was to record it
            for step in alert_policy.outcome_reminders(row.date, cal):
                due = _local(config, step.day, "17:00", time(17))
                if due > now:
                    continue
                for who, pairs in _addressees(config, unit, step.audience):
                    q.add(
                        subject=f"session:{row.id}",
                        session_id=row.id,
                        version=row.version,
                        purpose=step.purpose,
                        lead=0,
                        unit=unit,
                        to=pairs,
                        rendered=lambda f=facts, w=who: alerts.outcome_missing(
                            f, to=w, link=desk_link(config, f.id), unicode_sms=sms_unicode
                        ),
                        due=due,
                        working_day=True,
                    )
        except Exception as exc:  # reported and skipped
            _skip(row, exc)

    _queue_period_alerts(
        q,
        config,
        today,
        period_rows,
        told,
        since,
        planned_years,
        sms_unicode,
        None if only is None else only[1],
    )
    # The follow-up of directions (scheduler/outbox/due_followup.py) is due on the same ticks.
    from scheduler.outbox.due_followup import queue_followup

    new = _insert_new(engine, q.rows)
    if only is not None:
        return new
    # And the dialogue conferences' deadlines and years at risk (scheduler/outbox/due_dialogue.py).
    from scheduler.outbox.due_dialogue import queue_dialogues

    return new + queue_followup(engine, config, now) + queue_dialogues(engine, config, now)


PERIOD_LOOKBACK = 75  # days: the previous month, its grace, and a late record's correction


def _skipper() -> Callable[[Any, Exception], None]:
    """Report a session whose stored data cannot be read (a hand edit, an old version), once per
    run: it is skipped, every other session is queued, and the next tick tries it again."""
    told: set[int] = set()

    def skip(row: Any, exc: Exception) -> None:
        if row.id in told:
            return
        told.add(row.id)
        print(
            f"tiepdan: bỏ qua buổi tiếp số {row.id} ({row.unit_id}, ngày {dmy(row.date)}) khi xếp tin: "
            f"dữ liệu không đọc được ({exc}); các buổi khác vẫn được xếp, sửa buổi này rồi chạy lại",
            file=sys.stderr,
        )

    return skip


def _period_told(conn: Connection, now: datetime) -> dict[str, list[tuple[str, int]]]:
    """(purpose, state) already told about each period subject (``period:<unit>:<key>``)."""
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    rows = conn.execute(
        select(_O.c.subject, _O.c.purpose, _O.c.state)
        .where(_O.c.subject.like("period:%"), _O.c.created_at >= now - timedelta(days=PERIOD_LOOKBACK + 40))
        .distinct()
    ).all()
    for subject, purpose, state in rows:
        # "held=1", "short_by=2": the state a period alert told (rows of earlier schemes: skipped)
        _, eq, n = (state or "").partition("=")
        if eq and n.isdigit():
            out[subject].append((purpose, int(n)))
    return out


def _queue_period_alerts(
    q: _Queue,
    config: Config,
    today: date,
    rows: Iterable[Any],
    told: dict[str, list[tuple[str, int]]],
    since: date | None,
    planned_years: set[int],
    sms_unicode: bool,
    units: Collection[str] | None = None,
) -> None:
    """Every unit's recent periods judged once (``rules.compliance`` then
    ``rules.alert_policy.judge_period``), and told what the policy says is due."""
    by_unit: dict[str, list[SessionRecord]] = defaultdict(list)
    for r in rows:
        by_unit[r.unit_id].append(
            SessionRecord(
                r.id, r.unit_id, r.kind, r.status, r.date, reason=r.reason, needs_makeup=r.needs_makeup
            )
        )
    cal = config.calendar
    first = today - timedelta(days=PERIOD_LOOKBACK)
    for unit in (
        config.units if units is None else [config.units_by_id[u] for u in units if u in config.units_by_id]
    ):
        level = config.level_of(unit)
        current = level.period_of(today)
        # Only periods of planned years (a year never planned has nothing to judge), from the
        # first one the service was in use for.
        judged = [
            (p, m)
            for p, m in level.judged_periods(first, current.end)
            if p.end >= first
            and p.start.year in planned_years
            and p.end.year in planned_years
            and (since is None or p.end >= since)
        ]
        if not judged:
            continue
        lo, hi = judged[0][0].start, current.end
        mine = [r for r in by_unit.get(unit.id, ()) if lo <= r.date <= hi]
        try:
            report = judge_sorted(unit, level, mine, lo, hi, today=today, judged=judged)
        except Exception as exc:  # a bad row never stops the others
            print(f"tiepdan: bỏ qua đơn vị {unit.id} khi xét kỳ: {exc}", file=sys.stderr)
            continue
        taken = {r.date for r in mine}
        for result in report.periods:
            v = alert_policy.judge_period(result, cal, since=since, taken=taken)
            subject = f"period:{unit.id}:{result.period.key}"
            alert = alert_policy.period_alert(v, told.get(subject, ()))
            if alert is None:
                continue
            facts = alerts.PeriodFacts(
                unit.id,
                unit.name,
                result.period.label,
                result.required,
                result.held,
                result.planned,
                result.state == "closed",
                result.mandate.basis,
                purpose=alert.purpose,
                unrecorded=v.overdue,
                lost=tuple(lost_text(r, result.period) for r in result.lost),
                free_days=v.free_days if alert.purpose == "at_risk" else (),
                short_by=v.short_by,
            )
            expires = (
                datetime.combine(alert.until + timedelta(days=1), time(0), tzinfo=config.timezone)
                if alert.until is not None
                else None
            )
            for who, pairs in _addressees(config, unit, alert.audience):
                q.add(
                    subject=subject,
                    session_id=None,
                    version=0,
                    state=f"{'short_by' if alert.purpose == 'at_risk' else 'held'}={alert.state}",
                    purpose=alert.purpose,
                    lead=0,
                    unit=unit,
                    to=pairs,
                    rendered=lambda f=facts, w=who: alerts.period_alert(
                        f, to=w, link=desk_link(config, unit_id=f.unit_id), unicode_sms=sms_unicode
                    ),
                    due=q.now,
                    expires=expires,
                    working_day=True,
                )
