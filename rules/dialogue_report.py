"""The dialogue figures of the report (kết quả tổ chức hội nghị tiếp xúc, đối thoại): counts only.

Pure: units, their levels' dialogue mandates and plain dialogue records in, figures out, per unit,
per level and rolled up through ``parent`` among the units of the report, beside the reception
days' figures. A dialogue belongs to the range when its day falls in it:

- ``planned``: still planned; ``held``: held; ``not_held``, ``postponed``;
- ``by_kind``: held, by kind (định kỳ, đột xuất, chuyên đề, với doanh nghiệp);
- ``triggered``: held or planned on a voters' request or a pressing issue;
- ``opinions_raised``, ``opinions_answered`` (on the spot), ``mttq_opinions`` (gathered before);
- ``concluded``: held ones whose results were announced; ``results_on_time``: within the 10 days;
- ``required``: the mandates' ``min`` over the years the report judges (a calendar year wholly
  inside the range, or the year a report of a named year is about), ``findings`` the years short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import NamedTuple

from rules.dialogues import (
    DIALOGUE_KINDS,
    DialogueFact,
    DialogueFinding,
    DialogueMandate,
    dialogue_findings,
    judged_years,
    results_due,
)
from rules.units import Unit


class DialogueRecord(NamedTuple):
    """One dialogue as the report sees it: no names, no contents."""

    unit: str
    held_on: date
    kind: str
    status: str
    trigger: str = ""
    opinions_raised: int | None = None
    opinions_answered: int | None = None
    mttq_opinions: int | None = None
    concluded_on: date | None = None


@dataclass(frozen=True, slots=True)
class DialogueTotals:
    required: int = 0
    planned: int = 0
    held: int = 0
    not_held: int = 0
    postponed: int = 0
    periodic: int = 0  # held, by kind
    adhoc: int = 0
    thematic: int = 0
    enterprise: int = 0
    triggered: int = 0
    opinions_raised: int = 0
    opinions_answered: int = 0
    mttq_opinions: int = 0
    concluded: int = 0
    results_on_time: int = 0

    def __add__(self, other: DialogueTotals) -> DialogueTotals:
        return DialogueTotals(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def by_kind(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in DIALOGUE_KINDS}


FIGURES: tuple[str, ...] = tuple(f.name for f in fields(DialogueTotals))


def count(r: DialogueRecord) -> DialogueTotals:
    held = r.status == "held"
    on_time = held and r.concluded_on is not None and r.concluded_on <= results_due(r.held_on)
    kinds = {k: int(held and r.kind == k) for k in DIALOGUE_KINDS}
    return DialogueTotals(
        planned=int(r.status == "planned"),
        held=int(held),
        not_held=int(r.status == "not_held"),
        postponed=int(r.status == "postponed"),
        triggered=int(bool(r.trigger) and r.status in ("planned", "held")),
        opinions_raised=(r.opinions_raised or 0) if held else 0,
        opinions_answered=(r.opinions_answered or 0) if held else 0,
        mttq_opinions=r.mttq_opinions or 0,
        concluded=int(held and r.concluded_on is not None),
        results_on_time=int(on_time),
        **kinds,
    )


@dataclass(frozen=True, slots=True)
class DialogueFigures:
    years: tuple[int, ...]  # the calendar years judged against the mandates
    units: dict[str, DialogueTotals]  # unit id -> its own dialogues
    rollups: dict[str, DialogueTotals]  # unit id -> the unit and every unit under it
    by_level: dict[str, DialogueTotals]  # level id -> its units' dialogues
    total: DialogueTotals
    findings: tuple[DialogueFinding, ...] = field(default=())


def report_years(first: date, last: date, name: str | None) -> list[int]:
    """The calendar years a report judges: those wholly inside it, or the year a report of a
    named year is about ("2027", whatever its cut-off)."""
    if name is not None and len(name) == 4 and name.isdigit():
        return [int(name)]
    return judged_years(first, last)


def build_dialogues(
    units: Sequence[Unit],
    mandates: Mapping[str, DialogueMandate],
    records: Iterable[DialogueRecord],
    first: date,
    last: date,
    *,
    years: Sequence[int] = (),
) -> DialogueFigures:
    """``records`` may reach outside [first, last] (the judged years): only those in the range
    are counted, all of them judge the years."""
    recs = list(records)
    own: dict[str, DialogueTotals] = {u.id: DialogueTotals() for u in units}
    for r in recs:
        if r.unit in own and first <= r.held_on <= last:
            own[r.unit] = own[r.unit] + count(r)
    for uid, m in mandates.items():
        if uid in own:
            own[uid] = own[uid] + DialogueTotals(required=m.min * len(years))
    parent = {u.id: u.parent for u in units}
    rollups: dict[str, DialogueTotals] = dict(own)
    for uid, totals in own.items():
        seen = {uid}
        up = parent.get(uid)
        while up is not None and up in own and up not in seen:
            rollups[up] = rollups[up] + totals
            seen.add(up)
            up = parent.get(up)
    by_level: dict[str, DialogueTotals] = {}
    total = DialogueTotals()
    for u in units:
        by_level[u.level] = by_level.get(u.level, DialogueTotals()) + own[u.id]
        total = total + own[u.id]
    found: list[DialogueFinding] = []
    facts = [DialogueFact(r.unit, r.held_on, r.status) for r in recs]
    for y in years:
        found += dialogue_findings(
            {k: v for k, v in mandates.items() if k in own}, facts, date(y, 1, 1), date(y, 12, 31)
        )
    return DialogueFigures(tuple(years), own, rollups, by_level, total, tuple(found))
