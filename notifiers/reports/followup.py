"""The follow-up section of the report (Kết quả giải quyết sau tiếp công dân): counts only.

The same figures in every form: the JSON's ``followup`` object, the HTML section with its chart,
the XLSX sheet and the CSV columns.
"""

from __future__ import annotations

from typing import Any

from rules.followup_report import FollowupFigures, FollowupTotals
from rules.report import Report

LABELS = ("Chỉ đạo", "Đã giải quyết", "Đúng hạn", "Quá hạn", "Đã trả lời công dân", "Tỷ lệ đúng hạn")


def _rate(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def figures_dict(t: FollowupTotals) -> dict[str, Any]:
    return {
        "issued": t.issued,
        "resolved": t.resolved,
        "on_time": t.on_time,
        "overdue": t.overdue,
        "answered": t.answered,
        "on_time_rate": _rate(t.on_time_rate),
    }


def values(t: FollowupTotals) -> list[int | float | None]:
    return [t.issued, t.resolved, t.on_time, t.overdue, t.answered, t.on_time_rate]


def followup_dict(report: Report) -> dict[str, Any] | None:
    f: FollowupFigures | None = report.followup
    if f is None:
        return None
    names = {u.unit.id: u.unit.name for u in report.units}
    return {
        "as_of": f.as_of.isoformat(),
        "target": f.target,
        "total": figures_dict(f.total),
        "units": [
            {"unit": uid, "name": names.get(uid, uid)} | figures_dict(f.units[uid]) for uid in sorted(f.units)
        ],
        "rollups": [
            {"unit": k, "name": names[k], "children": list(report.children[k])} | figures_dict(f.rollups[k])
            for k in report.supervisors
        ],
        "below_target": [
            {"unit": uid, "name": names.get(uid, uid), "on_time_rate": _rate(f.units[uid].on_time_rate)}
            for uid in f.below_target()
        ],
    }
