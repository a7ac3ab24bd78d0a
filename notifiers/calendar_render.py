"""The calendar as a person or a program reads it: Vietnamese text, the contract's JSON, CSV.

JSON is streamed: ten years of a national registry is millions of sessions, and no single string
of them is ever built.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import IO

from rules import CalendarPlan, PlannedDate, Unit
from rules.vietnamese import dm, dmy, long_date

_CHUNK = 4096


def _j(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_json(plan: CalendarPlan, out: IO[str]) -> None:
    """Exactly the JSON of contracts/calendar.md, sorted as it says."""
    unit_head: dict[str, str] = {}
    unit_tail: dict[str, str] = {}
    date_part: dict[int, str] = {}

    def head(u: Unit) -> str:
        s = unit_head.get(u.id)
        if s is None:
            s = unit_head[u.id] = '{"unit": ' + _j(u.id) + ", "
            unit_tail[u.id] = (
                ', "start": '
                + _j(f"{u.start:%H:%M}" if u.start else None)
                + ', "end": '
                + _j(f"{u.end:%H:%M}" if u.end else None)
                + ', "venue": '
                + _j(u.venue)
                + "}"
            )
        return s

    def middle(p: PlannedDate) -> str:
        s = date_part.get(id(p))
        if s is None:
            s = date_part[id(p)] = (
                f'"date": "{p.date.isoformat()}", "nominal": "{p.nominal.isoformat()}", "moved": '
                + _j(p.moved)
            )
        return s

    out.write('{"sessions": [')
    buf: list[str] = []
    sep = "\n"
    for unit, planned in plan.sorted_pairs():
        buf.append(sep + head(unit) + middle(planned) + unit_tail[unit.id])
        sep = ",\n"
        if len(buf) >= _CHUNK:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    out.write('\n],\n"findings": [')
    sep = "\n"
    for f in plan.findings():
        out.write(
            sep
            + _j(
                {
                    "unit": f.unit,
                    "period": f.period.key,
                    "required": f.required,
                    "scheduled": f.scheduled,
                    "message": f.message,
                }
            )
        )
        sep = ",\n"
    out.write("\n]}\n")


def write_csv(plan: CalendarPlan, out: IO[str]) -> None:
    """Sessions for a spreadsheet, one row each, headers in Vietnamese."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Mã đơn vị", "Đơn vị", "Thứ", "Ngày", "Ngày định kỳ", "Từ", "Đến", "Địa điểm", "Lý do dời"])
    for unit, p in plan.sorted_pairs():
        w.writerow(
            [
                unit.id,
                unit.name,
                long_date(p.date).split(",")[0],
                p.date.isoformat(),
                p.nominal.isoformat(),
                f"{unit.start:%H:%M}" if unit.start else "",
                f"{unit.end:%H:%M}" if unit.end else "",
                unit.venue,
                p.moved or "",
            ]
        )


def write_text(
    plan: CalendarPlan, out: IO[str], *, describe_mandate: Callable[[Unit], str] | None = None
) -> None:
    """Each unit's reception days in Vietnamese, then the periods that fall short."""
    rows = sorted(((u, p) for p in plan.plans for u in p.units), key=lambda t: t[0].id)
    out.write(f"LỊCH TIẾP CÔNG DÂN từ {dmy(plan.first)} đến {dmy(plan.last)}\n")
    for unit, p in rows:
        out.write(f"\n{unit.name} ({unit.id})\n")
        facts = [unit.pattern.describe()]
        if unit.time_text:
            facts.append(unit.time_text)
        if unit.venue:
            facts.append(unit.venue)
        if describe_mandate:
            facts.append(describe_mandate(unit))
        out.write("  " + "; ".join(facts) + "\n")
        if not p.dates:
            out.write("  (không có buổi tiếp nào trong khoảng này)\n")
        for d in p.dates:
            line = f"  {long_date(d.date)}"
            if d.moved:
                line += f"  (dời từ {dm(d.nominal)}: {d.moved})"
            out.write(line + "\n")
    findings = list(plan.findings())
    out.write("\n")
    if not findings:
        out.write("Không có tháng/tuần nào thiếu ngày tiếp so với quy định.\n")
        return
    out.write(f"CÁC KỲ THIẾU NGÀY TIẾP SO VỚI QUY ĐỊNH ({len(findings)})\n")
    names = {u.id: u.name for p in plan.plans for u in p.units}
    for f in findings:
        out.write(f"  {names.get(f.unit, f.unit)} ({f.unit}) – {f.message}\n")


def render(plan: CalendarPlan, fmt: str, **kwargs: object) -> str:
    buf = io.StringIO()
    {"json": write_json, "csv": write_csv, "text": write_text}[fmt](plan, buf, **kwargs)  # type: ignore[operator]
    return buf.getvalue()
