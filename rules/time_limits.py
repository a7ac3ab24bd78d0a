"""The legal time limits for handling what citizens raise (thời hạn giải quyết), as dated data.

Each limit says how many days, whether they are working days (ngày làm việc) or calendar days
(ngày), from which fact they run, since when the rule is in force, and its legal basis. The
numbers come from DOMAIN.md ("After the session"); when the law changes, an entry is added with
its ``since`` date, and the old one keeps its ``until``.

How a limit is counted (Bộ luật Dân sự 2015, cách tính thời hạn): the day of the fact the limit
runs from is not counted; in working days the deadline is the n-th working day after it; in
calendar days it is the n-th day after it, moved to the next working day when that day is off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from rules.errors import RuleError
from rules.workcalendar import WorkCalendar

Counting = Literal["working", "calendar"]
RunsFrom = Literal["received", "accepted"]


@dataclass(frozen=True, slots=True)
class TimeLimit:
    """A time limit (thời hạn) of the law, or the office's own (``office``)."""

    id: str
    name: str  # what must be done by then, in Vietnamese
    days: int
    counting: Counting
    runs_from: RunsFrom
    basis: str  # the citation: act, number, article ("" for the office's own)
    since: date | None = None  # in force from (None: always, as far as tiepdan is concerned)
    until: date | None = None  # last day in force (None: still in force)

    @property
    def days_text(self) -> str:
        """ "10 ngày làm việc", "30 ngày"."""
        return f"{self.days:02d} ngày làm việc" if self.counting == "working" else f"{self.days:02d} ngày"

    def in_force(self, on: date) -> bool:
        return (self.since is None or self.since <= on) and (self.until is None or on <= self.until)


QD11 = "Quy định 11-QĐi/TW ngày 18/02/2019 của Bộ Chính trị"
LKN = "Luật Khiếu nại số 02/2011/QH13"
LTC = "Luật Tố cáo số 25/2018/QH14"

LIMITS: tuple[TimeLimit, ...] = (
    TimeLimit(
        "petition-notice",
        "Thông báo bằng văn bản cho người gửi đơn việc thụ lý hoặc chuyển, chỉ đạo cơ quan có thẩm quyền",
        10,
        "working",
        "received",
        QD11,
        since=date(2019, 2, 18),
    ),
    TimeLimit(
        "complaint-accept",
        "Thụ lý khiếu nại và thông báo cho người khiếu nại",
        10,
        "calendar",
        "received",
        f"{LKN}, Điều 27",
    ),
    TimeLimit(
        "complaint-resolve", "Giải quyết khiếu nại lần đầu", 30, "calendar", "accepted", f"{LKN}, Điều 28"
    ),
    TimeLimit(
        "complaint-resolve-complex",
        "Giải quyết khiếu nại lần đầu (vụ việc phức tạp)",
        45,
        "calendar",
        "accepted",
        f"{LKN}, Điều 28",
    ),
    TimeLimit(
        "complaint-resolve-remote",
        "Giải quyết khiếu nại lần đầu (vùng sâu, vùng xa, đi lại khó khăn)",
        45,
        "calendar",
        "accepted",
        f"{LKN}, Điều 28",
    ),
    TimeLimit(
        "complaint-resolve-remote-complex",
        "Giải quyết khiếu nại lần đầu (vùng sâu, vùng xa, vụ việc phức tạp)",
        60,
        "calendar",
        "accepted",
        f"{LKN}, Điều 28",
    ),
    TimeLimit("denunciation-resolve", "Giải quyết tố cáo", 30, "calendar", "accepted", LTC),
    TimeLimit(
        "denunciation-resolve-complex",
        "Giải quyết tố cáo (vụ việc phức tạp, gia hạn một lần)",
        60,
        "calendar",
        "accepted",
        LTC,
    ),
    TimeLimit(
        "denunciation-resolve-very-complex",
        "Giải quyết tố cáo (vụ việc đặc biệt phức tạp, gia hạn hai lần)",
        90,
        "calendar",
        "accepted",
        LTC,
    ),
)
LIMITS_BY_ID = {lim.id: lim for lim in LIMITS}
# The limit a direction gets when the clerk names none: the head's own time to tell the citizen.
DEFAULT_LIMIT = "petition-notice"
# The written notice to the petitioner that every direction is chased for (Quy định 11-QĐi/TW).
NOTICE_LIMIT = "petition-notice"


def office_limit(days: int) -> TimeLimit:
    """The office's own time limit, in working days (thời hạn do người đứng đầu giao)."""
    if not 1 <= days <= 365:
        raise RuleError(f"thời hạn phải từ 1 đến 365 ngày làm việc, không phải {days}")
    return TimeLimit("office", "Thời hạn do người đứng đầu giao", days, "working", "received", "")


def limit_by_id(limit_id: str, *, on: date | None = None) -> TimeLimit:
    """The limit named ``limit_id`` (in force on ``on``, when given)."""
    lim = LIMITS_BY_ID.get(limit_id)
    if lim is None:
        raise RuleError(f"không có thời hạn {limit_id!r}; dùng một trong: {', '.join(LIMITS_BY_ID)}")
    if on is not None and not lim.in_force(on):
        raise RuleError(f"thời hạn {limit_id} không còn hiệu lực vào ngày {on.isoformat()}")
    return lim


def deadline(calendar: WorkCalendar, start: date, limit: TimeLimit) -> date:
    """The last day of ``limit`` counted from ``start`` (the day of the fact, not counted).

    Working days: the n-th working day after ``start``. Calendar days: the n-th day after it, or
    the first working day after that when it is a day off.
    """
    if limit.counting == "working":
        return calendar.add_working_days(start, limit.days)
    return calendar.next_working_day(start + timedelta(days=limit.days))
