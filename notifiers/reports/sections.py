"""The report's breakdowns (phân loại kết quả tiếp công dân), written once for every format.

A ``Section`` is a titled list of figures; JSON, CSV, HTML and XLSX all lay out ``SECTIONS`` in
this order, each figure for the report's period and for the period before (``Report.previous``).
To add a section to all four formats, append one here; a section whose figures do not come from
``Totals`` overrides ``Section.values``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from rules.compliance import Totals
from rules.report import Report

Value = int | None  # None: a figure tiepdan does not keep


@dataclass(frozen=True, slots=True)
class Line:
    key: str
    label: str
    value: Callable[[Totals], Value]


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    lines: tuple[Line, ...]
    note: str = ""

    def values(self, report: Report, unit_id: str | None) -> list[Value]:
        """The figures of a unit (its own), or with None of the whole report."""
        t = report.totals_of(unit_id)
        return [line.value(t) for line in self.lines]


class Figure(NamedTuple):
    line: Line
    value: Value
    previous: Value  # None also when the report has no previous period

    @property
    def change(self) -> Value:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _field(name: str) -> Callable[[Totals], Value]:
    def get(t: Totals) -> Value:
        return int(getattr(t, name))

    return get


def _line(key: str, label: str, value: Callable[[Totals], Value] | None = None) -> Line:
    return Line(key, label, value or _field(key))


def _not_kept(_: Totals) -> Value:
    return None


SECTIONS: tuple[Section, ...] = (
    Section(
        "results",
        "Kết quả tiếp công dân",
        (
            _line("held", "Số buổi đã tiếp"),
            _line("visits", "Số lượt tiếp"),
            _line("people", "Số người được tiếp"),
            _line("cases", "Số vụ việc"),
            _line("petitions", "Số đơn nhận qua tiếp công dân"),
        ),
    ),
    Section(
        "kinds",
        "Hình thức tiếp",
        (
            _line("regular", "Tiếp thường xuyên", _not_kept),
            _line(
                "periodic",
                "Tiếp định kỳ của người đứng đầu (gồm tiếp công dân bù)",
                lambda t: t.periodic + t.makeup,
            ),
            _line("adhoc", "Tiếp đột xuất"),
        ),
        note="Tiếp thường xuyên tại trụ sở tiếp công dân không ghi trong hệ thống này.",
    ),
    Section(
        "received",
        "Người tiếp",
        (
            _line("in_person", "Người đứng đầu trực tiếp tiếp"),
            _line("delegated", "Người khác tiếp thay"),
        ),
    ),
    Section(
        "cases",
        "Vụ việc",
        (
            _line("new_cases", "Tiếp lần đầu (vụ việc mới)"),
            _line("old_cases", "Tiếp nhiều lần (vụ việc cũ)"),
            _line(
                "cases_unsorted",
                "Chưa phân loại (buổi không ghi sổ tiếp công dân)",
                lambda t: max(0, t.cases - t.new_cases - t.old_cases),
            ),
        ),
    ),
    Section(
        "groups",
        "Đoàn đông người",
        (
            _line("groups", "Số đoàn"),
            _line("group_people", "Số người trong các đoàn (theo sổ tiếp công dân)"),
        ),
    ),
    Section(
        "content",
        "Nội dung vụ việc",
        (
            _line("complaints", "Khiếu nại"),
            _line("denunciations", "Tố cáo"),
            _line("proposals", "Kiến nghị, phản ánh"),
            _line("other_content", "Nội dung khác, chưa phân loại"),
        ),
    ),
    Section(
        "handling",
        "Kết quả xử lý",
        (
            _line("guided", "Hướng dẫn (trả lại đơn và hướng dẫn)"),
            _line("accepted", "Tiếp nhận (thụ lý để giải quyết)"),
            _line("forwarded", "Chuyển đơn đến cơ quan có thẩm quyền"),
            _line("undecided", "Chưa xác định hướng xử lý"),
        ),
    ),
)


def figures(report: Report, section: Section, unit_id: str | None = None) -> list[Figure]:
    """A section's figures for the report's period and the one before."""
    now = section.values(report, unit_id)
    before: list[Value] = (
        section.values(report.previous, unit_id) if report.previous is not None else [None] * len(now)
    )
    return [Figure(line, v, p) for line, v, p in zip(section.lines, now, before, strict=True)]


def groups_text(t: Totals) -> str:
    """ "2 đoàn/61 người", as reports write the delegations."""
    return f"{t.groups} đoàn/{t.group_people} người"
