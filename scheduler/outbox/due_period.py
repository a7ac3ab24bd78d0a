"""What is due about the periods (cảnh báo theo kỳ): every unit's recent periods judged
(``rules.compliance`` then ``rules.alert_policy.judge_period``), and told what the policy says is
due — a period at risk, ended short, or corrected — under subject ``period:<unit>:<key>``, the
state told in ``state`` ("held=1", "short_by=2").

A unit's verdicts depend only on its sessions in the window, the day, the first day the service
was in use and the planned years: judged once for those, and judged again only when one of them
changed (a tick every minute over 11,000 units otherwise judged every period again to find
nothing new). What was told is read from the outbox at every tick.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, select

from notifiers import alerts
from rules import alert_policy
from rules.compliance import PeriodResult, SessionRecord, judge_sorted, lost_text
from rules.vocabulary import Kind, Status
from scheduler.infra.config import Config
from scheduler.infra.db.models import OutboxRow, SessionRow
from scheduler.outbox import memo
from scheduler.outbox.recipients import addressees
from scheduler.outbox.store import _Queue

_S = SessionRow.__table__
_O = OutboxRow.__table__
PERIOD_LOOKBACK = 75  # days: the previous month, its grace, and a late record's correction

_Findings = list[tuple[str, PeriodResult, alert_policy.PeriodVerdict]]


# (id, unit_id, kind, status, date, reason, needs_makeup): plain tuples, compared whole with the
# last tick's (a Row compares in Python, a tuple in C).
PeriodRow = tuple[int, str, Kind, Status, date, str | None, bool]


def period_rows(conn: Connection, today: date) -> list[PeriodRow]:
    """The sessions of every unit's window, in date order."""
    rows = conn.execute(
        select(_S.c.id, _S.c.unit_id, _S.c.kind, _S.c.status, _S.c.date, _S.c.reason, _S.c.needs_makeup)
        .where(_S.c.date.between(today - timedelta(days=PERIOD_LOOKBACK), today + timedelta(days=40)))
        .order_by(_S.c.date, _S.c.id)
    ).all()
    return [tuple(r) for r in rows]


def period_told(conn: Connection, now: datetime) -> dict[str, list[tuple[str, int]]]:
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


def _judge(
    config: Config,
    unit_id: str,
    rows: Iterable[PeriodRow],
    today: date,
    since: date | None,
    planned_years: Collection[int],
) -> _Findings:
    unit = config.units_by_id[unit_id]
    level = config.level_of(unit)
    current = level.period_of(today)
    first = today - timedelta(days=PERIOD_LOOKBACK)
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
        return []
    lo, hi = judged[0][0].start, current.end
    mine = [
        SessionRecord(i, u, kind, status, d, reason=reason, needs_makeup=bool(makeup))
        for i, u, kind, status, d, reason, makeup in rows
        if lo <= d <= hi
    ]
    report = judge_sorted(unit, level, mine, lo, hi, today=today, judged=judged)
    taken = {r.date for r in mine}
    return [
        (
            f"period:{unit.id}:{result.period.key}",
            result,
            alert_policy.judge_period(result, config.calendar, since=since, taken=taken),
        )
        for result in report.periods
    ]


def queue_period_alerts(
    q: _Queue,
    config: Config,
    today: date,
    rows: Iterable[PeriodRow],
    told: dict[str, list[tuple[str, int]]],
    since: date | None,
    planned_years: set[int],
    sms_unicode: bool,
    units: Collection[str] | None = None,
) -> None:
    """Every unit's recent periods judged (again only when its inputs changed), and told what
    the policy says is due."""
    by_unit: dict[str, list[PeriodRow]] = defaultdict(list)
    for r in rows:
        by_unit[r[1]].append(r)
    cache = memo.judged(config, "periods")
    years = frozenset(planned_years)
    for unit in (
        config.units if units is None else [config.units_by_id[u] for u in units if u in config.units_by_id]
    ):
        mine = tuple(by_unit.get(unit.id, ()))
        inputs = (today, since, years, mine)
        hit = cache.get(unit.id)
        if hit is not None and hit[0] == inputs:
            findings: _Findings = hit[1]
        else:
            try:
                findings = _judge(config, unit.id, mine, today, since, years)
            except Exception as exc:  # a bad row never stops the others
                print(f"tiepdan: bỏ qua đơn vị {unit.id} khi xét kỳ: {exc}", file=sys.stderr)
                continue
            cache[unit.id] = (inputs, findings)
        for subject, result, v in findings:
            alert = alert_policy.period_alert(v, told.get(subject, ()))
            if alert is not None:
                _tell(q, config, unit.id, subject, result, v, alert, sms_unicode)


def _tell(
    q: _Queue,
    config: Config,
    unit_id: str,
    subject: str,
    result: PeriodResult,
    v: alert_policy.PeriodVerdict,
    alert: alert_policy.PeriodAlert,
    sms_unicode: bool,
) -> None:
    unit = config.units_by_id[unit_id]
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
    link = config.link(f"/desk/units/{unit.id}")
    for who, pairs in addressees(config, unit, alert.audience):
        q.add(
            subject=subject,
            session_id=None,
            version=0,
            state=f"{'short_by' if alert.purpose == 'at_risk' else 'held'}={alert.state}",
            purpose=alert.purpose,
            lead=0,
            unit=unit,
            to=pairs,
            rendered=lambda f=facts, w=who: alerts.period_alert(f, to=w, link=link, unicode_sms=sms_unicode),
            due=q.now,
            expires=expires,
            working_day=True,
        )
