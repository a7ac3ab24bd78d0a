"""What is due about sessions (tin về buổi tiếp): the reminders before a session, the news of a
change or a cancellation, the make-up alerts of a lost session and the reminders to record an
outcome, keyed on subject ``session:<id>``.

Each job first decides what is due and whether any of it is new (the outbox's keys read once a
tick): a session whose messages are all written costs no rendering and no view. What is new is
rendered once for all its people (``alerts.each_greeted``: the same words, invitation and SMS,
each greeted as who they are)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, Engine, select

from notifiers import alerts
from notifiers.ics import EventSource
from notifiers.views import SessionView
from rules import Unit, alert_policy
from rules.parsing import hhmm
from rules.replan import move_reason
from rules.vietnamese import dmy
from scheduler.infra.clock import as_utc
from scheduler.infra.config import Config
from scheduler.infra.db import reading, rows_in
from scheduler.infra.db.models import AuditRow
from scheduler.outbox.recipients import Group, addressees, people
from scheduler.outbox.store import _Queue
from scheduler.reads.makeup_days import proposals_for
from scheduler.reads.session_views import views_of
from scheduler.reads.stored_session import StoredSession

_AU = AuditRow.__table__
REPLAN_JARGON = "Lịch thay đổi theo cấu hình mới"
SESSION_START = time(7, 30)  # a session stored without its hours


def _facts(
    config: Config, row: StoredSession, replaces_date: date | None = None, view: SessionView | None = None
) -> alerts.SessionFacts | None:
    unit = config.units_by_id.get(row.unit_id)
    if unit is None:
        return None
    board = config.link(f"/board/{unit.id}")
    event = EventSource(unit, view, config.timezone.key, board) if view is not None else None
    return alerts.SessionFacts(
        id=row.id,
        unit_id=row.unit_id,
        unit_name=unit.name,
        date=row.date,
        start=hhmm(row.start),
        end=hhmm(row.end),
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


def change_of(conn: Connection, ids: list[int]) -> dict[int, tuple[date, str]]:
    """The old date and the reason of each session's last move or re-plan (from the audit)."""
    if not ids:
        return {}
    out: dict[int, tuple[date, str]] = {}
    q = (
        select(_AU.c.session_id, _AU.c.reason, _AU.c.details)
        .where(_AU.c.action.in_(("move", "replan")))
        .order_by(_AU.c.id)
    )
    # A session's rows all stand in one chunk, in the order written: its last change wins.
    for sid, reason, details in rows_in(conn, q, _AU.c.session_id, ids):
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


def skipper() -> Callable[[Any, Exception], None]:
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


class _Shared:
    """One message's renderings for every group of a session's people, made on first use."""

    def __init__(self, render: Callable[[alerts.Addressee], alerts.Rendered], groups: list[Group]) -> None:
        self.render, self.tos = render, [to for to, _ in groups]
        self.done: list[alerts.Rendered] | None = None

    def __call__(self, i: int) -> alerts.Rendered:
        if self.done is None:
            self.done = alerts.each_greeted(self.render, self.tos)
        return self.done[i]


# A job that needs the session's view (its invitation): run once the views of all are read.
_Later = tuple[StoredSession, Callable[[SessionView | None], None]]


class SessionJobs:
    """The session messages of one tick, written into ``q``."""

    def __init__(
        self, engine: Engine, config: Config, q: _Queue, today: date, skip: Callable[[Any, Exception], None]
    ) -> None:
        self.engine, self.config, self.q, self.today, self.now = engine, config, q, today, q.now
        self.unicode = bool(config.sms and config.sms.unicode)
        self.skip = skip
        self._people: dict[str, list[Group]] = {}
        self.later: list[_Later] = []

    def local(self, d: date, at: time | None, default: time) -> datetime:
        return datetime.combine(d, at or default, tzinfo=self.config.timezone)

    def people(self, unit: Unit) -> list[Group]:
        found = self._people.get(unit.id)
        if found is None:
            found = self._people[unit.id] = people(self.config, unit)
        return found

    def _new(self, subject: str, version: int, purpose: str, lead: int, groups: Sequence[Group]) -> bool:
        return any(self.q.is_new(subject, version, purpose, lead, pairs) for _, pairs in groups)

    def run_later(self) -> None:
        """The jobs that carry the session's calendar event, with the views read once for all."""
        rows = list({row.id: row for row, _ in self.later}.values())
        views = {v.id: v for v in views_of(self.engine, rows)} if rows else {}
        for row, job in self.later:
            try:  # one bad session never stops the queue for the others
                job(views.get(row.id))
            except Exception as exc:  # reported and skipped
                self.skip(row, exc)
        self.later = []

    def reminders(self, rows: list[StoredSession]) -> None:
        config, cal, now = self.config, self.config.calendar, self.now
        hour = time(config.remind_hour)
        days: dict[tuple[date, tuple[int, ...]], dict[int, datetime]] = {}
        for row in rows:
            try:  # one bad session never stops the queue for the others
                unit = config.units_by_id.get(row.unit_id)
                if unit is None:
                    continue
                start = self.local(row.date, row.start, SESSION_START)
                if now >= start:
                    continue
                # A session moved (or a make-up booked) after a lead time had come: the change
                # notice told everyone then; a reminder at the same moment would only repeat it.
                noticed = (
                    as_utc(row.updated_at)
                    if row.kind in ("makeup", "adhoc")
                    or (row.rescheduled_version and row.rescheduled_version == row.version)
                    else None
                )
                # On the last working day at or before the lead: a Monday's 1-day reminder on the
                # Friday (the same for every session of that day and leads).
                leads = config.remind_days_for(unit)
                due_at = days.get((row.date, leads))
                if due_at is None:
                    due_at = days[(row.date, leads)] = {
                        lead: self.local(alert_policy.reminder_day(row.date, lead, cal), None, hour)
                        for lead in leads
                    }
                due_leads = [
                    lead for lead, due in due_at.items() if due <= now and (noticed is None or due >= noticed)
                ]
                if not due_leads:
                    continue
                lead = min(due_leads)  # after an outage only the most recent reminder is still useful
                groups = self.people(unit)
                if self._new(f"session:{row.id}", row.version, "reminder", lead, groups):
                    self.later.append((row, self._reminder(row, unit, groups, lead, due_at[lead], start)))
            except Exception as exc:  # reported and skipped
                self.skip(row, exc)

    def _reminder(
        self, row: StoredSession, unit: Unit, groups: list[Group], lead: int, due: datetime, start: datetime
    ) -> Callable[[SessionView | None], None]:
        ahead = alert_policy.ahead_words(row.date, self.today)  # how far off it is, even when late

        def job(view: SessionView | None) -> None:
            facts = _facts(self.config, row, view=view)
            assert facts is not None
            shared = _Shared(
                lambda to: alerts.reminder(facts, ahead, stamp=self.now, to=to, unicode_sms=self.unicode),
                groups,
            )
            for i, (_, pairs) in enumerate(groups):
                self.q.add(
                    subject=f"session:{row.id}", session_id=row.id, version=row.version, purpose="reminder",
                    lead=lead, unit=unit, to=pairs, rendered=lambda i=i: shared(i), due=due, expires=start,
                )  # fmt: skip

        return job

    def changes(self, rows: list[StoredSession], replaced_dates: dict[int, date]) -> None:
        config = self.config
        fresh: list[tuple[StoredSession, Unit, list[Group], int]] = []
        for row in rows:
            unit = config.units_by_id.get(row.unit_id)
            if unit is None:
                continue
            version = row.rescheduled_version or 1
            groups = self.people(unit)
            if self._new(f"session:{row.id}", version, "changed", 0, groups):
                fresh.append((row, unit, groups, version))
        if not fresh:
            return
        with reading(self.engine) as conn:
            moves = change_of(conn, [row.id for row, *_ in fresh if row.kind != "makeup"])
        for row, unit, groups, version in fresh:
            try:  # one bad session never stops the queue for the others
                old, why = moves.get(row.id, (None, ""))
                if old is not None:
                    why = _citizen_reason(config, old, row.date, why)
                replaces = replaced_dates.get(row.replaces_id) if row.replaces_id else None
                self.later.append((row, self._changed(row, unit, groups, version, old, why, replaces)))
            except Exception as exc:  # reported and skipped
                self.skip(row, exc)

    def _changed(
        self,
        row: StoredSession,
        unit: Unit,
        groups: list[Group],
        version: int,
        old: date | None,
        why: str,
        replaces: date | None,
    ) -> Callable[[SessionView | None], None]:
        def job(view: SessionView | None) -> None:
            facts = _facts(self.config, row, replaces, view)
            assert facts is not None
            shared = _Shared(
                lambda to: alerts.changed(
                    facts, stamp=self.now, old_date=old, why=why, to=to, unicode_sms=self.unicode
                ),
                groups,
            )
            for i, (_, pairs) in enumerate(groups):
                self.q.add(
                    subject=f"session:{row.id}", session_id=row.id, version=version, purpose="changed",
                    lead=0, unit=unit, to=pairs, rendered=lambda i=i: shared(i), due=self.now,
                    expires=self.local(row.date, row.start, SESSION_START),
                )  # fmt: skip

        return job

    def cancellations(self, rows: list[StoredSession]) -> None:
        for row in rows:
            unit = self.config.units_by_id.get(row.unit_id)
            if unit is None:
                continue
            groups = self.people(unit)
            # Version 0: a session is cancelled once; later bumps (its make-up booked) are no news.
            if self._new(f"session:{row.id}", 0, "cancelled", 0, groups):
                self.later.append((row, self._cancelled(row, unit, groups)))

    def _cancelled(
        self, row: StoredSession, unit: Unit, groups: list[Group]
    ) -> Callable[[SessionView | None], None]:
        def job(view: SessionView | None) -> None:
            facts = _facts(self.config, row, view=view)
            assert facts is not None
            shared = _Shared(
                lambda to: alerts.cancelled(facts, stamp=self.now, to=to, unicode_sms=self.unicode), groups
            )
            for i, (_, pairs) in enumerate(groups):
                self.q.add(
                    subject=f"session:{row.id}", session_id=row.id, version=0, purpose="cancelled", lead=0,
                    unit=unit, to=pairs, rendered=lambda i=i: shared(i), due=self.now,
                )  # fmt: skip

        return job

    def makeup_alerts(self, rows: list[StoredSession]) -> None:
        config, today = self.config, self.today
        for row in rows:
            try:  # one bad session never stops the queue for the others
                unit = config.units_by_id.get(row.unit_id)
                facts = _facts(config, row)
                if unit is None or facts is None:
                    continue
                lost_on = as_utc(row.updated_at).astimezone(config.timezone).date()
                stage = alert_policy.makeup_stage(lost_on, today, config.calendar)
                if stage is None:
                    continue
                groups = addressees(config, unit, stage.audience)
                state = f"stage={stage.number}"  # the state told: this version, at this stage
                subject = f"session:{row.id}"
                if not any(
                    self.q.is_new(subject, row.version, "makeup_alert", 0, pairs, state=state)
                    for _, pairs in groups
                ):
                    continue  # this stage is told
                with reading(self.engine) as conn:
                    # The same proposals as ``tiepdan cancel`` shows (never the cancelled day itself).
                    proposals = proposals_for(conn, config, row, today)
                for who, pairs in groups:
                    self.q.add(
                        subject=subject,
                        session_id=row.id,
                        version=row.version,
                        purpose="makeup_alert",
                        lead=0,
                        state=state,
                        unit=unit,
                        to=pairs,
                        rendered=lambda f=facts, w=who, st=stage, p=proposals, lo=lost_on: (
                            alerts.makeup_alert(
                                f,
                                p,
                                to=w,
                                link=config.link(f"/desk/sessions/{f.id}"),
                                stage=st.number,
                                last=st.last,
                                lost_on=lo,
                                unicode_sms=self.unicode,
                            )
                        ),
                        due=self.local(stage.day, None, time(config.remind_hour)),
                        working_day=True,
                    )
            except Exception as exc:  # reported and skipped
                self.skip(row, exc)

    def outcomes_missing(self, rows: list[StoredSession]) -> None:
        config = self.config
        for row in rows:
            try:  # one bad session never stops the queue for the others
                unit = config.units_by_id.get(row.unit_id)
                facts = _facts(config, row)
                if unit is None or facts is None:
                    continue
                if as_utc(row.created_at).astimezone(config.timezone).date() > row.date:
                    continue  # planned after the fact (a first install mid-year): nobody was to record it
                for step in alert_policy.outcome_reminders(row.date, config.calendar):
                    due = self.local(step.day, time(17), time(17))
                    if due > self.now:
                        continue
                    for who, pairs in addressees(config, unit, step.audience):
                        self.q.add(
                            subject=f"session:{row.id}",
                            session_id=row.id,
                            version=row.version,
                            purpose=step.purpose,
                            lead=0,
                            unit=unit,
                            to=pairs,
                            rendered=lambda f=facts, w=who: alerts.outcome_missing(
                                f, to=w, link=config.link(f"/desk/sessions/{f.id}"), unicode_sms=self.unicode
                            ),
                            due=due,
                            working_day=True,
                        )
            except Exception as exc:  # reported and skipped
                self.skip(row, exc)
