"""The report's unit table as CSV (one row per unit, sorted by id, Vietnamese headers)."""

from __future__ import annotations

import csv
from typing import IO

from notifiers.reports.followup import LABELS, values
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
    "Hủy/không tổ chức",
    "Chưa tiếp bù",
    "Ủy quyền tiếp",
    "Lượt",
    "Người",
    "Vụ việc",
    "Đoàn đông người",
    "Đơn",
    "Tỷ lệ kỳ đạt",
    "Kỳ không đạt",
    *(f"Theo dõi giải quyết: {label}" for label in LABELS),
)


def write_csv(report: Report, out: IO[str]) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADERS)
    for u in report.units:
        t = u.totals
        w.writerow(
            [
                u.unit.id,
                u.unit.name,
                u.unit.level,
                u.unit.parent or "",
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
                "" if t.compliance is None else f"{t.compliance:.4f}",
                " ".join(u.shortfall_periods),
                *_followup(report, u.unit.id),
            ]
        )


def _followup(report: Report, unit_id: str) -> list[int | str]:
    f = report.followup
    t = f.units.get(unit_id, FollowupTotals()) if f is not None else FollowupTotals()
    *counts, rate = values(t)
    return [*(int(c or 0) for c in counts), "" if rate is None else f"{rate:.4f}"]
