"""The follow-up section of the report (Kết quả giải quyết sau tiếp công dân): counts only.

The same figures in every form: the JSON's ``followup`` object, the HTML section with its chart,
the XLSX sheet and the CSV columns.
"""

from __future__ import annotations

from typing import Any

from rules.dialogue_report import FIGURES as DIALOGUE_FIGURES
from rules.dialogue_report import DialogueTotals
from rules.dialogues import DIALOGUE_KINDS
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


def dialogues_dict(report: Report) -> dict[str, Any] | None:
    """The report's ``dialogues`` object: held against required, by level and kind (counts)."""
    d = report.dialogues
    if d is None:
        return None
    names = {u.unit.id: u.unit.name for u in report.units}

    def figures(t: DialogueTotals) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(t, k) for k in DIALOGUE_FIGURES if k not in DIALOGUE_KINDS}
        out["by_kind"] = t.by_kind
        return out

    return {
        "years": list(d.years),
        "total": figures(d.total),
        "by_level": [
            {"level": lv, "name": report.levels[lv].name} | figures(d.by_level[lv])
            for lv in sorted(d.by_level)
        ],
        "units": [
            {"unit": uid, "name": names.get(uid, uid)} | figures(d.units[uid]) for uid in sorted(d.units)
        ],
        "rollups": [
            {"unit": k, "name": names[k], "children": list(report.children[k])} | figures(d.rollups[k])
            for k in report.supervisors
        ],
    }


DIALOGUE_LABELS = (
    ("required", "Phải tổ chức"),
    ("held", "Đã tổ chức"),
    ("planned", "Dự kiến"),
    ("not_held", "Không tổ chức được"),
    ("postponed", "Hoãn"),
    ("periodic", "Định kỳ"),
    ("adhoc", "Đột xuất"),
    ("thematic", "Chuyên đề"),
    ("enterprise", "Với doanh nghiệp"),
    ("triggered", "Theo kiến nghị, vụ việc bức xúc"),
    ("opinions_raised", "Ý kiến phát biểu"),
    ("opinions_answered", "Trả lời tại hội nghị"),
    ("mttq_opinions", "Ý kiến MTTQ tổng hợp"),
    ("concluded", "Đã thông báo kết quả"),
    ("results_on_time", "Thông báo kết quả đúng hạn"),
)


def shows_dialogues(report: Report) -> bool:
    """Whether the HTML, XLSX and CSV carry the dialogue figures: when a unit of the report is
    asked for a dialogue in a judged year or had one in the range (otherwise they are all 0,
    and the formats stay as they were before dialogues)."""
    d = report.dialogues
    return d is not None and d.total != DialogueTotals()


def dialogue_values(t: DialogueTotals) -> list[int]:
    return [getattr(t, k) for k, _ in DIALOGUE_LABELS]
