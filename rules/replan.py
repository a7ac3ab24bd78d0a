"""A re-plan of a year in use (lập lại lịch): why each session moves, in words a citizen reads,
and which moves need the office's word (``--yes``).

Pure: the calendar and ``today`` are passed in. The reason cites the Government's decision
(its ``source``) when a day off or a working day caused the move, and never says "cấu hình".
A session inside the posting window (Luật Tiếp công dân, Điều 24: announced at least 5 working
days ahead) is already in people's diaries: it moves only when the office says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules.makeup import earliest_postable
from rules.vietnamese import in_sentence
from rules.workcalendar import DayNote, WorkCalendar

# The unit changed its days (no day off nor working day behind it).
UNIT_CHANGED = "lịch tiếp công dân định kỳ của đơn vị được điều chỉnh"
WITHDRAWN = "lịch tiếp công dân định kỳ của đơn vị được điều chỉnh, không còn buổi tiếp này"


def _working_note(calendar: WorkCalendar, d: date) -> DayNote | None:
    """The decision that made ``d`` a working day (the configuration's first, then the
    Government's), or None."""
    note = calendar.workdays.get(d)
    if note is None and d not in calendar.days_off:
        note = calendar.government_work.get(d)
    return note


def _off_note(calendar: WorkCalendar, d: date) -> DayNote | None:
    note = calendar.days_off.get(d)
    if note is None and d not in calendar.workdays:
        note = calendar.government_off.get(d)
    return note


def move_reason(calendar: WorkCalendar, old: date, new: date, moved: str | None = None) -> str:
    """Why a planned session leaves ``old`` for ``new``.

    - ``old`` is no longer a working day: "thứ Sáu, ngày 25/06/2027 là ngày nghỉ: <decision> (<source>)";
    - ``new`` became a working day: "thứ Bảy, ngày 24/04/2027 là ngày làm việc: <decision> (<source>)";
    - else the engine's own reason for the new day (``moved``), or the unit changed its days.
    """
    if not calendar.is_working_day(old):
        note = _off_note(calendar, old)
        what = note.describe() if note is not None else calendar.why_off(old).removeprefix("trùng ")
        return f"{in_sentence(old)} là ngày nghỉ: {what}"
    work = _working_note(calendar, new)
    if work is not None:
        text = work.describe() if work.name else f"ngày làm việc theo quyết định ({work.source})"
        return f"{in_sentence(new)} là ngày làm việc: {text}"
    return moved or UNIT_CHANGED


@dataclass(frozen=True, slots=True)
class Window:
    """The posting window as of ``today``: a session before ``first_postable`` can no longer be
    announced 5 working days ahead."""

    today: date
    first_postable: date

    def inside(self, *days: date) -> bool:
        return any(self.today <= d < self.first_postable for d in days)


def posting_window(today: date, calendar: WorkCalendar) -> Window:
    return Window(today, earliest_postable(today, calendar))
