"""The report's unit table as CSV (one row per unit, sorted by id, Vietnamese headers).

Written for people who open it in a spreadsheet: names where they read (the unit's level and its
supervising unit by name, the periods short of the mandate as "tháng 02/2027"), the breakdowns of
``sections`` for the period and for the one before.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

from notifiers.reports import labels
from notifiers.reports.followup import DIALOGUE_LABELS, LABELS, dialogue_values, shows_dialogues, values
from notifiers.reports.sections import SECTIONS
from notifiers.safe import csv_cell
from rules.dialogue_report import DialogueTotals
from rules.followup_report import FollowupTotals
from rules.report import Report

HEADERS = (
    "Mã đơn vị",
    "Đơn vị",
    "Cấp",
    "Đơn vị chủ quản",
    "Số kỳ",
    "Số kỳ đạt",
    "Số buổi phải tiếp",
    "Đã tiếp",
    "Định kỳ",
    "Tiếp bù",
    "Đột xuất",
    "Hoãn/không tổ chức",
    "Chưa tiếp bù",
    "Người khác tiếp thay",
    "Lượt",
    "Người",
    "Vụ việc",
    "Đoàn đông người",
    "Đơn",
    "Tỷ lệ kỳ đạt",
    "Kỳ không đạt",
)
FOLLOWUP_HEADERS = tuple(f"Theo dõi giải quyết: {label}" for label in LABELS)
DIALOGUE_HEADERS = tuple(f"Tiếp xúc, đối thoại: {label}" for _, label in DIALOGUE_LABELS)


def breakdown_headers(report: Report) -> list[str]:
    before = f" ({labels.period_title(report.previous)})" if report.previous is not None else ""
    out: list[str] = []
    for sec in SECTIONS:
        for line in sec.lines:
            out.append(f"{sec.title}: {line.label}")
            if report.previous is not None:
                out.append(f"{sec.title}: {line.label} - kỳ trước{before}")
    return out


class _SafeWriter:
    """A csv writer whose text fields cannot become live formulas (notifiers.safe.csv_cell)."""

    def __init__(self, writer: Any) -> None:
        self._w = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow([csv_cell(v) for v in row])


def write_csv(report: Report, out: IO[str]) -> None:
    w = _SafeWriter(csv.writer(out, lineterminator="\n"))
    dialogue_headers = DIALOGUE_HEADERS if shows_dialogues(report) else ()
    w.writerow([*HEADERS, *breakdown_headers(report), *FOLLOWUP_HEADERS, *dialogue_headers])
    names = {u.unit.id: u.unit.name for u in report.units} | dict(report.names)
    prev = report.previous
    for u in report.units:
        t = u.totals
        parent = u.unit.parent or ""
        extra: list[int | str] = []
        for sec in SECTIONS:
            now = sec.values(report, u.unit.id)
            before = sec.values(prev, u.unit.id) if prev is not None else None
            for i, value in enumerate(now):
                extra.append("" if value is None else value)
                if before is not None:
                    prior = before[i]
                    extra.append("" if prior is None else prior)
        w.writerow(
            [
                u.unit.id,
                u.unit.name,
                labels.level_name(report, u.unit.level),
                names.get(parent, parent),
                t.periods_judged,
                t.periods_met,
                t.required,
                t.held,
                t.periodic,
                t.makeup,
                t.adhoc,
                t.cancelled,
                t.not_made_up,
                t.delegated,
                t.visits,
                t.people,
                t.cases,
                t.groups,
                t.petitions,
                "" if t.compliance is None else labels.percent(t.compliance),
                "; ".join(p.period.label for p in sorted(u.shortfalls, key=lambda p: p.period.start)),
                *extra,
                *_followup(report, u.unit.id),
                *_dialogues(report, u.unit.id),
            ]
        )


def _followup(report: Report, unit_id: str) -> list[int | str]:
    f = report.followup
    t = f.units.get(unit_id, FollowupTotals()) if f is not None else FollowupTotals()
    *counts, rate = values(t)
    return [*(int(c or 0) for c in counts), "" if rate is None else f"{rate:.4f}"]


def _dialogues(report: Report, unit_id: str) -> list[int]:
    """The unit's own dialogue figures (none when the report has no dialogue part)."""
    d = report.dialogues
    if d is None or not shows_dialogues(report):
        return []
    return dialogue_values(d.units.get(unit_id, DialogueTotals()))
