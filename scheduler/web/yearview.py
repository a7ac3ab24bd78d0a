"""A unit's year as the desk shows it: month by month, what the clerk has to do today, the
periods short of the mandate, and the sessions still waiting for a make-up.

Each session is shown with what it means *as of today* (``Entry``): a past session without an
outcome is work to do ("chưa ghi kết quả"), a future one is only a date; a postponed (hoãn)
session says whether its make-up (tiếp công dân bù) is still to book, booked, or held.

Built from stored sessions (what was really decided), not from the rules' plan: a cancelled
session without a make-up is what makes a month short. The mandate in force for each period comes
from the rules (``Level.judged_periods``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from rules import Level
from rules.compliance import SessionRecord, period_results
from rules.vietnamese import dm, long_date
from rules.vocabulary import lost_word
from scheduler.reads.stored_session import StoredSession

ACTIVE = ("planned", "held")
MONTHS_VI = tuple(f"Tháng {m}" for m in range(1, 13))


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A whole period of the year with fewer active sessions than its mandate."""

    key: str
    label: str
    start: date
    end: date
    required: int
    active: int
    basis: str
    causes: tuple[str, ...]

    @property
    def message(self) -> str:
        label = self.label[0].upper() + self.label[1:]
        why = "; ".join(self.causes) or "lịch không đủ ngày tiếp trong kỳ"
        basis = f" ({self.basis})" if self.basis else ""
        return (
            f"{label}: {self.active}/{self.required} buổi tiếp{basis}, thiếu "
            f"{self.required - self.active}: {why}"
        )


# What a session is to the clerk today: the CSS class of its line (state) and its words.
UNRECORDED = "unrecorded"  # past, still planned: no outcome recorded
TODAY = "today"  # planned for today
FUTURE = "future"
HELD = "held"
NOT_HELD = "not_held"
POSTPONED = "postponed"  # hoãn (cancelled), make-up to book
MAKEUP_BOOKED = "makeup-booked"  # hoãn, its make-up booked and not held yet
MADE_UP = "made-up"  # hoãn or not held, its make-up held
WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Entry:
    """A session as the desk lists it: what it is today, and the action it waits for, if any."""

    row: StoredSession
    state: str
    label: str  # "chưa ghi kết quả", "hoãn; tiếp công dân bù ngày 17/03 (chưa tiếp)" ...
    action: str = ""  # the button's words on the session page: "Ghi kết quả", "Đặt ngày tiếp bù"
    anchor: str = ""  # where on the session page the action is

    @property
    def todo(self) -> bool:
        return bool(self.action)


def entry_of(row: StoredSession, today: date | None, makeup: StoredSession | None = None) -> Entry:
    """What ``row`` is as of ``today`` (None: no clock, every planned session is just planned).
    ``makeup``: the session that makes this one up (its direct make-up), when there is one."""
    status = row.status
    if status == "planned":
        if today is None:
            return Entry(row, FUTURE, "đã lên lịch")
        if row.date < today:
            return Entry(row, UNRECORDED, "chưa ghi kết quả", "Ghi kết quả", "#h-record")
        if row.date == today:
            return Entry(row, TODAY, "hôm nay", "Ghi kết quả", "#h-record")
        return Entry(row, FUTURE, "sắp tới")
    if status == "held":
        return Entry(row, HELD, "đã tiếp")
    lost = lost_word(status)
    if makeup is not None:
        when = dm(makeup.date)
        if makeup.status == "held":
            return Entry(row, MADE_UP, f"{lost}; đã tiếp công dân bù ngày {when}")
        if makeup.status == "planned":
            return Entry(row, MAKEUP_BOOKED, f"{lost}; tiếp công dân bù ngày {when} (chưa tiếp)")
        return Entry(row, POSTPONED, f"{lost}; buổi tiếp bù ngày {when} cũng {lost_word(makeup.status)}")
    if row.needs_makeup:
        return Entry(row, POSTPONED, f"{lost}; chưa đặt ngày tiếp bù", "Đặt ngày tiếp bù", "#h-makeup")
    return Entry(row, WITHDRAWN, f"{lost}; không phải tiếp bù")


@dataclass(slots=True)
class Month:
    number: int
    name: str
    sessions: list[StoredSession] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    today_at: int | None = None  # the "Hôm nay" marker goes before entries[today_at]


@dataclass(frozen=True, slots=True)
class YearView:
    year: int
    months: tuple[Month, ...]
    shortfalls: tuple[Shortfall, ...]
    waiting: tuple[StoredSession, ...]  # cancelled or not held, still needing a make-up
    totals: dict[str, int]
    today: date | None = None
    todo: tuple[Entry, ...] = ()  # what the clerk has to do as of today, oldest first

    @property
    def today_label(self) -> str:
        return long_date(self.today) if self.today is not None else ""


def year_view(
    level: Level,
    rows: Sequence[StoredSession],
    year: int,
    counts: Sequence[str],
    *,
    today: date | None = None,
    makeups: Mapping[int, StoredSession] | None = None,
) -> YearView:
    """The year of a unit from its stored sessions. ``makeups``: {postponed session id: the
    session that makes it up}; ``today`` places the "Hôm nay" marker and decides what is due."""
    months = tuple(Month(m, MONTHS_VI[m - 1]) for m in range(1, 13))
    made = makeups or {}
    todo: list[Entry] = []
    for r in rows:
        if r.date.year == year:
            month = months[r.date.month - 1]
            month.sessions.append(r)
            entry = entry_of(r, today, made.get(r.id))
            month.entries.append(entry)
            if entry.todo:
                todo.append(entry)
    if today is not None and today.year == year:
        month = months[today.month - 1]
        month.today_at = sum(1 for e in month.entries if e.row.date < today)
    shortfalls: list[Shortfall] = []
    # The one count of each period (rules.compliance), as for the report and the alerts; without
    # a clock every planned session counts as planned.
    records = [
        SessionRecord(r.id, "", "periodic", r.status, r.date, needs_makeup=r.needs_makeup) for r in rows
    ]
    for result in period_results(
        level, records, date(year, 1, 1), date(year, 12, 31), today=today or date.min
    ):
        active = result.held + result.planned + len(result.unrecorded)
        if active >= result.required:
            continue
        period, mandate = result.period, result.mandate
        causes = tuple(
            f"buổi ngày {dm(r.date)} {lost_word(r.status)}" + (", chưa tiếp bù" if r.needs_makeup else "")
            for r in result.lost
        )
        s = Shortfall(
            period.key,
            period.label,
            period.start,
            period.end,
            mandate.min_days,
            active,
            mandate.basis,
            causes,
        )
        shortfalls.append(s)
        months[period.start.month - 1].shortfalls.append(s)
    totals = {k: 0 for k in ("planned", "held", "cancelled", "not_held", *counts)}
    for r in rows:
        totals[r.status] = totals.get(r.status, 0) + 1
        if r.status == "held":
            for k in counts:
                totals[k] += getattr(r, k) or 0
    waiting = tuple(r for r in rows if r.status in ("cancelled", "not_held") and r.needs_makeup)
    todo.sort(key=lambda e: (e.row.date, e.row.id))
    return YearView(year, months, tuple(shortfalls), waiting, totals, today, tuple(todo))
