"""What is due for the dialogue conferences (nhắc hội nghị đối thoại): the public notice and the
results notice chased on their deadlines, and the year at risk of ending without one, written to
the outbox once.

The policy is ``rules.dialogues`` (notice_alert, results_alert, dialogue_risks); this module
reads the dialogues, asks the rules what is due today, and writes it with a unique key: subject
``dialogue:<id>`` (or ``dialogue-year:<unit>:<year>``), version = the deadline's ordinal (or the
shortfall told), purpose, lead = the step (or the stage). A second tick writes nothing new. The
head and the staff of the unit are told; the last step goes to the superior's staff too.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, select

from notifiers import dialogue_messages as words
from rules.dialogues import DialogueFact, dialogue_risks, notice_alert, results_alert, risk_stage
from scheduler.infra.clock import local_today
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import DialogueRow
from scheduler.infra.since import service_since
from scheduler.outbox.dialogue_news import DialogueNews
from scheduler.outbox.due_followup import _expires
from scheduler.outbox.recipients import recipients
from scheduler.outbox.store import _existing_keys, _Queue
from scheduler.reads.dialogue_mandates import unit_mandates

_T = DialogueRow.__table__


def queue_dialogues(engine: Engine, config: Config, now: datetime, *, only: int | None = None) -> int:
    """Write every dialogue reminder due as of ``now``; returns how many rows were new. ``only``:
    one dialogue's messages, for "tell people now" (``scheduler.usecases.tell``)."""
    today = local_today(now, config.timezone)
    sms_unicode = bool(config.sms and config.sms.unicode)
    mine = _T.c.id == only if only is not None else _T.c.held_on >= date(today.year - 1, 1, 1)
    with reading(engine) as conn:
        rows = conn.execute(select(_T).where(mine).order_by(_T.c.id)).all()
        since = service_since(conn, config)
    mandates = unit_mandates(config) if only is None else {}
    this_year = [r for r in rows if r.held_on.year == today.year]
    risks = dialogue_risks(mandates, [DialogueFact(r.unit_id, r.held_on, r.status) for r in this_year], today)
    if since is not None and since > date(today.year, 1, 1):
        # The office began to use tiepdan during this year: what it held before is not on record,
        # so a unit with nothing recorded for the year is not told it is at risk (the same rule
        # as the reception days: nobody is judged for a time before the service was in use).
        known = {r.unit_id for r in this_year}
        risks = [k for k in risks if k.unit in known]
    q = _Queue(config, now, [])
    with reading(engine) as conn:
        q.existing = _existing_keys(
            conn,
            {f"dialogue:{r.id}" for r in rows} | {f"dialogue-year:{k.unit}:{k.year}" for k in risks},
        )
    expires = _expires(config, today)
    told = DialogueNews(config, now, sms_unicode)
    for row in rows:
        unit = config.units_by_id.get(row.unit_id)
        if unit is None:
            continue
        note = words.DialogueNote(
            row.id, unit.name, row.topic, row.held_on, config.link(f"/desk/dialogues/{row.id}")
        )
        told.queue(q, row, unit, today)
        for alert in (
            notice_alert(row.held_on, row.status, row.announced_on, today, config.calendar),
            results_alert(row.held_on, row.status, row.concluded_on, today, config.calendar),
        ):
            if alert is None:
                continue
            q.add(
                subject=f"dialogue:{row.id}",
                session_id=None,
                version=alert.deadline.toordinal(),
                purpose=alert.purpose,
                lead=alert.step,
                unit=unit,
                to=recipients(config, unit, head=True, supervisor=alert.last),
                rendered=lambda n=note, a=alert: words.deadline_reminder(n, a, unicode_sms=sms_unicode),
                due=now,
                expires=expires,
                working_day=True,
            )
    for risk in risks:
        unit = config.units_by_id.get(risk.unit)
        if unit is None:
            continue
        link = config.link(f"/desk/units/{unit.id}/dialogues?year={risk.year}")
        q.add(
            subject=f"dialogue-year:{risk.unit}:{risk.year}",
            session_id=None,
            version=risk.scheduled,
            purpose="dlg_year_at_risk",
            lead=-risk_stage(risk.days_left),
            unit=unit,
            to=recipients(config, unit, head=True),
            rendered=lambda u=unit.name, r=risk, link=link: words.risk_reminder(
                u, r, link, unicode_sms=sms_unicode
            ),
            due=now,
            expires=expires,
            working_day=True,
        )
    return q.insert(engine)
