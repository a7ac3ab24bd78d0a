"""The follow-up figures of the report (kết quả giải quyết sau tiếp công dân): counts only.

Pure: units and plain direction records in (no names, no contents: Nghị định 13/2023/NĐ-CP),
figures out, per unit and rolled up through ``parent`` among the units of the report. A direction
belongs to the range when the case was received in it; it is judged as of the report's end (or
today, when the range is still open):

- ``issued``: directions given in the range;
- ``resolved``: of those, resolved by then; ``on_time``: resolved by their deadline;
- ``overdue``: not resolved and past their deadline;
- ``on_time_rate`` = on_time / (resolved + overdue): of the directions whose time has come, the
  share resolved in time (None when none has come); a unit below ``TARGET`` is listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from rules.units import Unit

# Nghệ An, Đề án 07 (2022): more than 90 % of legitimate petitions resolved on time.
TARGET = 0.9


class DirectionRecord(NamedTuple):
    """One direction as the report sees it: dates only."""

    unit: str
    received_on: date
    due: date
    resolved_on: date | None = None
    answered_on: date | None = None


@dataclass(frozen=True, slots=True)
class FollowupTotals:
    issued: int = 0
    resolved: int = 0
    on_time: int = 0
    overdue: int = 0
    answered: int = 0

    @property
    def judged(self) -> int:
        return self.resolved + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.judged if self.judged else None

    def __add__(self, other: FollowupTotals) -> FollowupTotals:
        return FollowupTotals(
            self.issued + other.issued,
            self.resolved + other.resolved,
            self.on_time + other.on_time,
            self.overdue + other.overdue,
            self.answered + other.answered,
        )


@dataclass(frozen=True, slots=True)
class FollowupFigures:
    as_of: date
    target: float
    units: dict[str, FollowupTotals]  # unit id -> its own directions
    rollups: dict[str, FollowupTotals]  # unit id -> the unit and every unit under it
    total: FollowupTotals

    def below_target(self) -> list[str]:
        """Units whose own rate is below the target (of those with directions judged), worst first."""
        rated = [(t.on_time_rate, uid) for uid, t in self.units.items() if t.on_time_rate is not None]
        return [uid for rate, uid in sorted(rated) if rate < self.target]


def judge(record: DirectionRecord, as_of: date) -> FollowupTotals:
    resolved = record.resolved_on is not None and record.resolved_on <= as_of
    on_time = resolved and record.resolved_on is not None and record.resolved_on <= record.due
    overdue = not resolved and record.due < as_of
    answered = record.answered_on is not None and record.answered_on <= as_of
    return FollowupTotals(1, int(resolved), int(on_time), int(overdue), int(answered))


def build_followup(
    units: Sequence[Unit],
    records: Iterable[DirectionRecord],
    first: date,
    last: date,
    *,
    today: date,
    target: float = TARGET,
) -> FollowupFigures:
    as_of = min(today, last)
    own: dict[str, FollowupTotals] = {u.id: FollowupTotals() for u in units}
    for r in records:
        if r.unit in own and first <= r.received_on <= last:
            own[r.unit] = own[r.unit] + judge(r, as_of)
    parent = {u.id: u.parent for u in units}
    rollups: dict[str, FollowupTotals] = dict(own)
    for uid, totals in own.items():
        seen = {uid}
        up = parent.get(uid)
        # Up through every supervising unit in the report (a cycle cannot happen: the
        # configuration refuses one, and ``seen`` guards anyway).
        while up is not None and up in own and up not in seen:
            rollups[up] = rollups[up] + totals
            seen.add(up)
            up = parent.get(up)
    total = FollowupTotals()
    for t in own.values():
        total = total + t
    return FollowupFigures(as_of, target, own, rollups, total)
