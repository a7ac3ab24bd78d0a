"""The calendar as a person or a program reads it: Vietnamese text, the contract's JSON, CSV.

JSON is streamed: ten years of a national registry is millions of sessions, and no single string
of them is ever built.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from datetime import time
from json.encoder import encode_basestring
from operator import attrgetter
from typing import IO

from rules import CalendarPlan, Unit
from rules.dialogues import DialogueFinding
from rules.vietnamese import dm, dmy, long_date

_CHUNK = 4096
_unit_id = attrgetter("id")


def _j(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _js(value: object) -> str:
    """``_j`` for the values of a session line; strings straight to the C escaper."""
    if type(value) is str:
        return encode_basestring(value)  # what json.dumps(value, ensure_ascii=False) returns
    return _j(value)


def _hh_mm(t: object) -> str:
    """``f"{t:%H:%M}"``, without strftime for a plain ``time``."""
    if type(t) is time:
        return f"{t.hour:02d}:{t.minute:02d}"
    return f"{t:%H:%M}"


def write_json(
    plan: CalendarPlan, out: IO[str], *, dialogue_findings: Sequence[DialogueFinding] | None = None
) -> None:
    """Exactly the JSON of contracts/calendar.md, sorted as it says; with ``dialogue_findings``
    (the years short of dialogue conferences), that key after ``findings``."""
    # A session's line is its unit's head, its planned date's middle and its unit's tail; each
    # part is built once (per unit id, per planned date), and a day's lines are one join of
    # parts: no string is built per session.
    unit_head: dict[str, str] = {}  # with the separator before the line: ',\n{"unit": ...'
    unit_tail: dict[str, str] = {}
    date_part: dict[int, str] = {}

    def add_unit(u: Unit) -> None:
        unit_head[u.id] = ',\n{"unit": ' + _js(u.id) + ", "
        unit_tail[u.id] = (
            ', "start": '
            + _js(_hh_mm(u.start) if u.start else None)
            + ', "end": '
            + _js(_hh_mm(u.end) if u.end else None)
            + ', "venue": '
            + _js(u.venue)
            + "}"
        )

    for pattern_plan in plan.plans:
        for p in pattern_plan.dates:
            date_part[id(p)] = (
                f'"date": "{p.date.isoformat()}", "nominal": "{p.nominal.isoformat()}", "moved": '
                + _js(p.moved)
            )

    # A day's units are the same sequence object on every day with the same plans (see
    # CalendarPlan.day_runs): their heads and tails are looked up once per such sequence.
    runs: dict[int, tuple[list[str], list[str], Sequence[Unit]]] = {}
    out.write('{"sessions": [')
    parts: list[str] = []
    first = True
    for units, planned in plan.day_runs():
        run = runs.get(id(units))
        if run is None or run[2] is not units:
            ids = list(map(_unit_id, units))
            if not unit_head.keys() >= set(ids):
                for u in units:
                    if u.id not in unit_head:
                        add_unit(u)  # the first unit seen with an id speaks for it
            heads = list(map(unit_head.__getitem__, ids))
            run = runs[id(units)] = (heads, list(map(unit_tail.__getitem__, ids)), units)
        heads, tails, _ = run
        day = [""] * (3 * len(heads))
        day[0::3] = heads
        day[1::3] = list(map(date_part.__getitem__, map(id, planned)))
        day[2::3] = tails
        if first and day:
            day[0] = "\n" + day[0][2:]  # the first line has no comma before it
            first = False
        parts += day
        if len(parts) >= 3 * _CHUNK:
            out.write("".join(parts))
            parts.clear()
    out.write("".join(parts))
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
    if dialogue_findings is None:
        out.write("\n]}\n")
        return
    out.write('\n],\n"dialogue_findings": [')
    sep = "\n"
    for df in dialogue_findings:
        out.write(sep + _j(df.as_json()))
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
    plan: CalendarPlan,
    out: IO[str],
    *,
    describe_mandate: Callable[[Unit], str] | None = None,
    dialogue_findings: Sequence[DialogueFinding] | None = None,
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
    names = {u.id: u.name for p in plan.plans for u in p.units}
    out.write("\n")
    if not findings:
        out.write("Không có tháng/tuần nào thiếu ngày tiếp so với quy định.\n")
    else:
        out.write(f"CÁC KỲ THIẾU NGÀY TIẾP SO VỚI QUY ĐỊNH ({len(findings)})\n")
        for f in findings:
            out.write(f"  {names.get(f.unit, f.unit)} ({f.unit}) – {f.message}\n")
    if dialogue_findings:
        out.write(f"\nCÁC NĂM CHƯA ĐỦ HỘI NGHỊ ĐỐI THOẠI ({len(dialogue_findings)})\n")
        for df in dialogue_findings:
            out.write(f"  {names.get(df.unit, df.unit)} ({df.unit}) – {df.message}\n")


def render(plan: CalendarPlan, fmt: str, **kwargs: object) -> str:
    buf = io.StringIO()
    {"json": write_json, "csv": write_csv, "text": write_text}[fmt](plan, buf, **kwargs)
    return buf.getvalue()
