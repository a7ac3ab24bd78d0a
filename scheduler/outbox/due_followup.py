"""What is due in the follow-up (nhắc hạn giải quyết): the reminders of directions' deadlines,
of the written notice to the citizen, and of conclusion notices not issued, written to the
outbox once.

The policy (which steps, on which working days, the last word) is ``rules.followup_alerts``; this
module reads the directions, asks the rules what is due today, and writes it with a unique key:
subject ``direction:<id>`` (or ``conclusion:<session id>``), version = the deadline's ordinal (a
new deadline is new news), purpose, lead = the step. A second tick writes nothing new.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Engine, select

from notifiers import followup_messages as words
from rules.followup import notice_due
from rules.followup_alerts import ConclusionDigest, conclusion_digest, direction_alert, notice_alert
from scheduler.infra.clock import local_today
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import DirectionRow
from scheduler.infra.since import service_since
from scheduler.outbox import memo
from scheduler.outbox.recipients import recipients
from scheduler.outbox.store import _existing_keys, _Queue
from scheduler.reads.followup_facts import facts_of, missing_conclusions

_D = DirectionRow.__table__


def _expires(config: Config, today: date) -> datetime:
    # A reminder not delivered by the end of the next working day is no longer today's news.
    day = config.calendar.add_working_days(today, 1)
    return datetime.combine(day, time(17), tzinfo=config.timezone)


def queue_followup(engine: Engine, config: Config, now: datetime) -> int:
    """Write every follow-up reminder due as of ``now``; returns how many rows were new."""
    today = local_today(now, config.timezone)
    settings = config.followup
    policy = settings.policy
    sms_unicode = bool(config.sms and config.sms.unicode)
    with reading(engine) as conn:
        rows = conn.execute(select(_D).where(_D.c.answered_on.is_(None)).order_by(_D.c.id)).all()
    # The written notice is owed to the citizen once, whatever the number of directions on the case:
    # chased on the case's first direction, and sent when any of them records it.
    # A dialogue's direction (no entry) is chased on its deadline only: there is no one petitioner
    # to notify in writing; the dialogue's results notice is chased by due_dialogue.
    notified = {r.entry_id for r in rows if r.notified_on is not None and r.notified_on <= today}
    first_of_entry: dict[int, int] = {}
    for r in rows:
        if r.entry_id is not None:
            first_of_entry.setdefault(r.entry_id, r.id)
    # Every unit's (a unit no longer configured is passed over below).
    missing = missing_conclusions(engine, config, None, today)
    q = _Queue(config, now, [])
    with reading(engine) as conn:
        q.existing = _existing_keys(
            conn, {f"direction:{r.id}" for r in rows} | {f"conclusion:unit:{u}" for u in config.units_by_id}
        )
    expires = _expires(config, today)
    for row in rows:
        unit = config.units_by_id.get(row.unit_id)
        if unit is None:
            continue
        facts = facts_of(row)
        note = words.DirectionNote(
            row.id, unit.name, row.content, row.agency, row.received_on, row.due,
            config.link(f"/desk/directions/{row.id}"), at_dialogue=row.dialogue_id is not None,
        )  # fmt: skip
        alerts = [direction_alert(facts, today, config.calendar, policy)]
        if (
            row.entry_id is not None
            and first_of_entry[row.entry_id] == row.id
            and row.entry_id not in notified
        ):
            notice_deadline = notice_due(config.calendar, row.received_on)
            alerts.append(notice_alert(facts, notice_deadline, today, config.calendar, policy))
        for alert in alerts:
            if alert is None:
                continue
            office = recipients(config, unit, head=False, supervisor=alert.last)
            q.add(
                subject=f"direction:{row.id}",
                session_id=None,
                version=alert.deadline.toordinal(),
                purpose=alert.purpose,
                lead=alert.step,
                unit=unit,
                to=office,
                rendered=lambda n=note, a=alert: words.direction_to_office(n, a, unicode_sms=sms_unicode),
                due=now,
                expires=expires,
            )
            email = settings.agency_email(row.agency)
            if email and policy.tell_agency and alert.purpose.startswith("direction"):
                q.add(
                    subject=f"direction:{row.id}",
                    session_id=None,
                    version=alert.deadline.toordinal(),
                    purpose=alert.purpose,
                    lead=alert.step,
                    unit=unit,
                    to=[("email", email)],
                    rendered=lambda n=note, a=alert, o=unit.name: words.direction_to_agency(
                        n, a, office=o, unicode_sms=sms_unicode
                    ),
                    due=now,
                    expires=expires,
                )
    since = service_since(engine, config)
    # One message a unit, on the cadence counted from its oldest session without a conclusion
    # notice (rules.followup_alerts.conclusion_digest): sessions from before the office used
    # tiepdan are on the list, not alerted.
    by_unit: dict[str, list[tuple[int, date, date]]] = {}
    for m in missing:
        if (since is not None and m.date < since) or (today - m.date).days > 366:
            continue
        by_unit.setdefault(m.unit_id, []).append((m.session_id, m.date, m.due))
    steps = sorted(set(policy.after))
    judged = memo.judged(config, "conclusions")  # a unit's digest, again only when its list changed
    for unit_id, mine in sorted(by_unit.items()):
        unit = config.units_by_id.get(unit_id)
        if unit is None:
            continue
        inputs = (today, tuple(mine))
        hit = judged.get(unit_id)
        if hit is not None and hit[0] == inputs:
            digest: ConclusionDigest | None = hit[1]
        else:
            digest = conclusion_digest(mine, today, config.calendar, policy)
            judged[unit_id] = (inputs, digest)
        if digest is None:
            continue
        nth = steps.index(digest.step) + 1 if digest.step in steps else 1
        listed = [(h, d) for _sid, h, d in digest.sessions]
        link = config.link(f"/desk/sessions/{digest.sessions[0][0]}/directions")
        own = recipients(config, unit, head=False)
        audiences = [(unit.name, False, own)]
        parent = config.units_by_id.get(unit.parent or "")
        if digest.last and parent is not None:
            sup = [p for p in recipients(config, parent, head=False) if p not in own]
            audiences.append((parent.name, True, sup))
        for greet, supervisor, pairs in audiences:
            q.add(
                subject=f"conclusion:unit:{unit.id}",
                session_id=None,
                version=digest.oldest,
                purpose="conclusion_missing",
                lead=digest.step,
                state=digest.state,
                unit=unit,
                to=pairs,
                rendered=lambda u=unit.name, ls=listed, lk=link, g=greet, sv=supervisor, d=digest, n=nth: (
                    words.conclusion_digest(
                        u, ls, lk, greet=g, supervisor=sv, nth=n, last=d.last, unicode_sms=sms_unicode
                    )
                ),
                due=now,
                expires=expires,
                working_day=True,
            )
    return q.insert(engine)
