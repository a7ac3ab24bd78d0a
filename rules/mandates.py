"""The mandate (mức tiếp bắt buộc): at least N reception days per month or per ISO week.

A level's mandate can change by law on a date (the commune People's Committee chair went from
1 day a week to 2 days a month on 1/7/2026, Luật 136/2025/QH15): a level carries its mandates as
dated data, each in force over [start, end].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules.dialogues import DialogueMandate
from rules.periods import Period, PeriodKind, period_of, periods_starting_in


@dataclass(frozen=True, slots=True)
class Mandate:
    """At least ``min_days`` reception days per ``per``, in force from ``start`` to ``end``."""

    min_days: int
    per: PeriodKind
    basis: str = ""
    start: date | None = None  # None: since always
    end: date | None = None  # None: until further notice

    def in_force_on(self, d: date) -> bool:
        return (self.start is None or self.start <= d) and (self.end is None or d <= self.end)

    def describe(self) -> str:
        unit = "tháng" if self.per == "month" else "tuần"
        return f"ít nhất {self.min_days} ngày/{unit}"


@dataclass(frozen=True, slots=True)
class Level:
    """A kind of unit with its mandate history (cấp: tỉnh, xã, chủ tịch UBND xã, ...)."""

    id: str
    name: str
    mandates: tuple[Mandate, ...]  # sorted by start; contiguous; the last has no end
    notice_basis: tuple[str, ...] = ()  # the notices' "Căn cứ" lines of its units (empty: defaults)
    dialogue: DialogueMandate | None = None  # hội nghị đối thoại a year; None: the level asks none

    @classmethod
    def from_history(
        cls,
        id: str,
        name: str,
        current: tuple[int, PeriodKind, str],
        earlier: list[tuple[date, int, PeriodKind, str]] = (),  # type: ignore[assignment]
        notice_basis: tuple[str, ...] = (),
        dialogue: DialogueMandate | None = None,
    ) -> Level:
        """Build from the configuration's shape: the current mandate and ``earlier`` ones, each
        in force through its ``until``."""
        mandates: list[Mandate] = []
        start: date | None = None
        for until, min_days, per, basis in sorted(earlier, key=lambda e: e[0]):
            mandates.append(Mandate(min_days, per, basis, start, until))
            start = date.fromordinal(until.toordinal() + 1)
        min_days, per, basis = current
        mandates.append(Mandate(min_days, per, basis, start, None))
        return cls(id, name, tuple(mandates), notice_basis, dialogue)

    def mandate_on(self, d: date) -> Mandate:
        for m in self.mandates:
            if m.end is None or d <= m.end:
                return m
        return self.mandates[-1]

    def period_of(self, d: date) -> Period:
        """The period of ``d``, of the kind given by the mandate in force on ``d``."""
        return period_of(d, self.mandate_on(d).per)

    def judged_periods(self, first: date, last: date) -> list[tuple[Period, Mandate]]:
        """Whole periods inside [first, last] with the mandate that judges each: for each
        mandate, the periods of its kind whose first day falls while it is in force."""
        out: list[tuple[Period, Mandate]] = []
        for m in self.mandates:
            lo = first if m.start is None or m.start < first else m.start
            hi = last if m.end is None or m.end > last else m.end
            if lo > hi:
                continue
            for p in periods_starting_in(lo, hi, m.per):
                if p.end <= last:
                    out.append((p, m))
        return out

    def required_between(self, first: date, last: date) -> int:
        return sum(m.min_days for _, m in self.judged_periods(first, last))
