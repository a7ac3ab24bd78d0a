"""The news of a dialogue conference to the people taking part, written to the outbox once: its
announcement to the co-organisers, its reminders before the day, its postponement.

Who: the unit's head and staff (``head``, ``staff``) and the co-organisers the dialogue names that
the unit's configuration gives contacts (``co_organisers``, matched by
``rules.dialogues.co_organiser_contacts``). What, keyed on subject ``dialogue:<id>``:

- ``dlg_announced`` (version 0: once a dialogue), to the co-organisers, once it is announced and
  while its day is ahead; the head and the staff announced it themselves;
- ``dlg_reminder`` (version: the day's ordinal, lead: the days before), to all of them, on the
  unit's reminder leads (``[reminders] days_before``, as the reception days), only once it is
  announced, never for a lead that had passed when it was announced;
- ``dlg_postponed`` (version: the postponing change's version), to the head and the staff, and to
  the co-organisers when it had been announced to them: the old day, the new one, why.
"""

from __future__ import annotations

from datetime import datetime, time
from functools import partial
from typing import Any

from notifiers import dialogue_messages as words
from rules import Unit, alert_policy
from rules.dialogues import co_organiser_contacts, notice_due
from scheduler.infra.config import Config
from scheduler.outbox.recipients import recipients
from scheduler.outbox.store import _Queue


def _pairs(email: str, phone: str) -> list[tuple[str, str]]:
    return [(c, a) for c, a in (("email", email), ("sms", phone)) if a]


class DialogueNews:
    def __init__(self, config: Config, now: datetime, sms_unicode: bool) -> None:
        self.config, self.now, self.sms_unicode = config, now, sms_unicode

    def _local(self, day: Any, hhmm: str | None, default: time) -> datetime:
        at = time.fromisoformat(hhmm) if hhmm else default
        return datetime.combine(day, at, tzinfo=self.config.timezone)

    def queue(self, q: _Queue, row: Any, unit: Unit, today: Any) -> None:
        config = self.config
        names = tuple(x for x in (row.co_organisers or "").split("\n") if x)
        ev = words.DialogueEvent(
            row.id, unit.name, row.topic, row.kind, row.form, row.held_on, row.start, row.end,
            row.place or "", row.online_url or "", names,
        )  # fmt: skip
        desk = config.link(f"/desk/dialogues/{row.id}")
        public = config.link(f"/lich/{unit.id}")
        office = recipients(config, unit, head=True)
        contacts = co_organiser_contacts(names, unit.co_organisers)
        partners = [(p.name, _pairs(p.email, p.phone)) for p in contacts]
        start = self._local(row.held_on, row.start, time(7, 30))
        subject = f"dialogue:{row.id}"
        announced = row.announced_on is not None
        if row.status == "planned" and announced and row.held_on >= today:
            for name, pairs in partners:
                q.add(
                    subject=subject, session_id=None, version=0, purpose="dlg_announced", lead=0,
                    unit=unit, to=pairs, due=self.now, expires=start,
                    rendered=partial(words.announcement, ev, name, public, unicode_sms=self.sms_unicode),
                )  # fmt: skip
            self._reminders(q, row, unit, ev, office, partners, desk, public, start, today)
        if row.postponed_version is not None and max(row.held_on, row.postponed_from) >= today:
            new_date = row.held_on if row.status == "planned" else None
            notice_by = notice_due(row.held_on) if new_date and not announced else None
            told = [(unit.name, office, desk, notice_by)]
            if announced:
                told += [(name, pairs, public, None) for name, pairs in partners]
            for name, pairs, link, by in told:
                q.add(
                    subject=subject, session_id=None, version=row.postponed_version, purpose="dlg_postponed",
                    lead=0, unit=unit, to=pairs, due=self.now,
                    rendered=partial(
                        words.postponed, ev, row.postponed_from, new_date, row.reason or "", name, link,
                        notice_by=by, unicode_sms=self.sms_unicode,
                    ),
                )  # fmt: skip

    def _reminders(
        self,
        q: _Queue,
        row: Any,
        unit: Unit,
        ev: words.DialogueEvent,
        office: list[tuple[str, str]],
        partners: list[tuple[str, list[tuple[str, str]]]],
        desk: str,
        public: str,
        start: datetime,
        today: Any,
    ) -> None:
        config, cal = self.config, self.config.calendar
        due_at = {
            lead: self._local(
                alert_policy.reminder_day(row.held_on, lead, cal), None, time(config.remind_hour)
            )
            for lead in config.remind_days_for(unit)
        }
        # A lead whose day came before the announcement: the notice itself told them then.
        due = [lead for lead, at in due_at.items() if at <= self.now < start and at.date() > row.announced_on]
        if not due:
            return
        lead = min(due)  # after an outage only the most recent reminder is still useful
        ahead = alert_policy.ahead_words(row.held_on, today)
        for name, pairs, link in [(unit.name, office, desk), *((n, p, public) for n, p in partners)]:
            q.add(
                subject=f"dialogue:{row.id}", session_id=None, version=row.held_on.toordinal(),
                purpose="dlg_reminder", lead=lead, unit=unit, to=pairs, due=due_at[lead], expires=start,
                rendered=partial(words.upcoming, ev, ahead, name, link, unicode_sms=self.sms_unicode),
            )  # fmt: skip
