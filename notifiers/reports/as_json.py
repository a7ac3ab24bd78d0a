"""The report's JSON (contracts/service.md, "The report's JSON"), with more keys beside.

Every unit object has exactly the contract's keys with their meaning (``unit``, ``required``,
``held``, ``periodic``, ``makeup``, ``adhoc``, ``cancelled``, ``shortfall_periods``, ``visits``,
``people``, ``cases``, ``petitions``, ``groups``); units are sorted by ``unit``.
"""

from __future__ import annotations

import json
from typing import IO, Any

from notifiers.reports.followup import dialogues_dict, followup_dict
from notifiers.reports.sections import SECTIONS, figures
from rules.compliance import TOTAL_FIELDS, PeriodResult, SessionRecord, Totals, UnitReport
from rules.report import Report
from rules.risk import PendingMakeup, PeriodRisk
from rules.vietnamese import long_date


def _rate(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def totals_dict(t: Totals, *, with_units: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = dict(zip(TOTAL_FIELDS, t, strict=True))
    if not with_units:
        del out["units"]
    out["shortfalls"] = t.shortfalls
    out["compliance"] = _rate(t.compliance)
    out["average_makeup_days"] = None if t.average_makeup_days is None else round(t.average_makeup_days, 2)
    return out


def lost_dict(r: SessionRecord) -> dict[str, Any]:
    return {
        "session": r.id,
        "date": r.date.isoformat(),
        "kind": r.kind,
        "status": r.status,
        "reason": r.reason,
        "fate": r.fate,
        "makeup_session": r.made_up_by,
        "makeup_date": r.made_up_date.isoformat() if r.made_up_date else None,
        "makeup_days": r.makeup_delay,
    }


def period_dict(p: PeriodResult) -> dict[str, Any]:
    return {
        "period": p.period.key,
        "label": p.period.label,
        "from": p.period.start.isoformat(),
        "to": p.period.end.isoformat(),
        "state": p.state,
        "required": p.required,
        "held": p.held,
        "missing": p.missing,
        "planned": p.planned,
        "unrecorded": [d.isoformat() for d in p.unrecorded],
        "lost": [r.id for r in p.lost],
        "reason": p.reason,
        "basis": p.mandate.basis,
    }


def unit_dict(u: UnitReport, report: Report) -> dict[str, Any]:
    t = u.totals
    out: dict[str, Any] = {
        "unit": u.unit.id,
        "name": u.unit.name,
        "level": u.unit.level,
        "parent": u.unit.parent,
        "required": t.required,
        "held": t.held,
        "periodic": t.periodic,
        "makeup": t.makeup,
        "adhoc": t.adhoc,
        "cancelled": t.cancelled,
        "shortfall_periods": u.shortfall_periods,
        "visits": t.visits,
        "people": t.people,
        "cases": t.cases,
        "petitions": t.petitions,
        "groups": t.groups,
    }
    for k, v in totals_dict(t, with_units=False).items():
        out.setdefault(k, v)
    out["shortfall_details"] = [period_dict(p) for p in u.shortfalls]
    out["breakdown"] = {
        sec.key: {
            line.key: value for line, value in zip(sec.lines, sec.values(report, u.unit.id), strict=True)
        }
        for sec in SECTIONS
    }
    if report.previous is not None:
        prev = report.previous
        out["previous"] = {
            sec.key: {
                line.key: value for line, value in zip(sec.lines, sec.values(prev, u.unit.id), strict=True)
            }
            for sec in SECTIONS
        }
    # Periods that ended before ``since`` with nothing recorded: "chưa có dữ liệu", not judged.
    out["no_data_periods"] = [p.key for p in u.no_data]
    out["lost_sessions"] = [lost_dict(r) for r in u.lost]
    return out


def risk_dict(r: PeriodRisk) -> dict[str, Any]:
    p = r.result
    return {
        "unit": r.unit,
        "period": p.period.key,
        "label": p.period.label,
        "required": p.required,
        "held": p.held,
        "planned_left": p.planned,
        "unrecorded": [d.isoformat() for d in p.unrecorded],
        "free_days": r.free_days,
        "on_track": r.on_track,
        "can_still_meet": r.can_still_meet,
        "short_by": r.short_by,
    }


def pending_dict(m: PendingMakeup) -> dict[str, Any]:
    return lost_dict(m.record) | {
        "unit": m.record.unit,
        "proposals": [
            {"date": p.date.isoformat(), "in_period": p.in_period, "label": p.label} for p in m.proposals
        ],
    }


def report_dict(report: Report) -> dict[str, Any]:
    rng = report.range
    names = {u.unit.id: u.unit.name for u in report.units}
    risks = report.risks
    return {
        "report": {
            "period": rng.name,
            "title": rng.title or None,
            "label": rng.label,
            "from": rng.first.isoformat(),
            "to": rng.last.isoformat(),
            "cutoff": rng.cutoff,
            "period_rule": rng.rule,
            "since": report.since.isoformat() if report.since else None,
            "today": report.today.isoformat(),
            "today_label": long_date(report.today),
            "open": report.is_open,
            "scope": report.scope.id if report.scope else None,
            "scope_name": report.scope.name if report.scope else None,
        },
        "units": [unit_dict(u, report) for u in report.units],
        "total": totals_dict(report.total),
        "rollups": [
            {"unit": k, "name": names[k], "children": list(report.children[k])}
            | totals_dict(report.rollups[k])
            for k in report.supervisors
        ],
        "levels": [
            {"level": k, "name": report.levels[k].name if k in report.levels else k} | totals_dict(t)
            for k, t in report.by_level.items()
        ],
        "months": [
            {
                "month": m.key,
                "from": m.start.isoformat(),
                "to": m.end.isoformat(),
                "judged": m.judged,
                "met": m.met,
                "compliance": _rate(m.compliance),
                "held": m.held,
                "periodic": m.periodic,
                "makeup": m.makeup,
                "adhoc": m.adhoc,
                "cancelled": m.cancelled,
            }
            for m in report.months
        ],
        "short_units": [
            {
                "unit": s.report.unit.id,
                "name": s.report.unit.name,
                "level": s.report.unit.level,
                "periods": list(s.periods),
                "missing": s.missing,
                "compliance": _rate(s.report.totals.compliance),
            }
            for s in report.short_units
        ],
        "open_periods": {
            "count": len(risks),
            "on_track": sum(1 for r in risks if r.on_track),
            "at_risk": sum(1 for r in risks if not r.on_track),
            "cannot_meet": sum(1 for r in risks if not r.can_still_meet),
        },
        "at_risk": [risk_dict(r) for r in report.at_risk],
        "pending_makeups": [pending_dict(m) for m in report.pending],
        "followup": followup_dict(report),
        "dialogues": dialogues_dict(report),
        "dialogue_findings": [f.as_json() for f in report.dialogues.findings] if report.dialogues else [],
        "breakdown": breakdown_list(report),
        "previous": previous_dict(report),
    }


def breakdown_dict(report: Report, unit_id: str) -> dict[str, dict[str, int | None]]:
    """{section: {figure: value}} of one unit."""
    return {
        sec.key: dict(zip((line.key for line in sec.lines), sec.values(report, unit_id), strict=True))
        for sec in SECTIONS
    }


def breakdown_list(report: Report) -> list[dict[str, Any]]:
    """The sections of the whole report, each figure with the previous period's beside it."""
    return [
        {
            "section": sec.key,
            "title": sec.title,
            "lines": [
                {"key": f.line.key, "label": f.line.label, "value": f.value, "previous": f.previous}
                for f in figures(report, sec)
            ],
        }
        for sec in SECTIONS
    ]


def previous_dict(report: Report) -> dict[str, Any] | None:
    prev = report.previous
    if prev is None:
        return None
    rng = prev.range
    return {
        "period": rng.name,
        "title": rng.title or None,
        "label": rng.label,
        "from": rng.first.isoformat(),
        "to": rng.last.isoformat(),
        "total": totals_dict(prev.total),
    }


def write_json(report: Report, out: IO[str]) -> None:
    """One JSON object; units one per line, so that a national report streams."""
    d = report_dict(report)
    units = d.pop("units")
    out.write('{"report": ' + json.dumps(d.pop("report"), ensure_ascii=False) + ',\n"units": [')
    sep = "\n"
    for u in units:
        out.write(sep + json.dumps(u, ensure_ascii=False))
        sep = ",\n"
    out.write("\n]")
    for key, value in d.items():
        out.write(f',\n"{key}": ' + json.dumps(value, ensure_ascii=False))
    out.write("}\n")
