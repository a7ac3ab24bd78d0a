"""Plain values the publishing renderers take: a notice, the notice board and the feed.

``notifiers`` never opens the database; ``scheduler`` reads the rows and the configuration and
hands over these frozen values, already resolved (the make-up's original date, the date a session
was moved from), so a renderer is a pure function that a test can call without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

from rules import Roll, Unit
from rules.periods import PeriodKind

Kind = Literal["periodic", "makeup", "adhoc"]
Status = Literal["planned", "held", "cancelled", "not_held"]
Change = Literal["cancelled", "moved", "makeup", "adhoc"]

ACTIVE: tuple[Status, ...] = ("planned", "held")


@dataclass(frozen=True, slots=True)
class SessionView:
    """One stored session as a reader sees it."""

    id: int
    date: date  # the field shadows the type below: those say dt.date
    kind: Kind = "periodic"
    status: Status = "planned"
    start: time | None = None
    end: time | None = None
    venue: str = ""
    online_url: str = ""
    nominal: dt.date | None = None
    moved: str | None = None  # why the rules put it off its nominal day ("25/01 trùng Chủ nhật")
    reason: str | None = None  # the last decision's reason (cancel, move, make-up, ad hoc)
    moved_from: dt.date | None = None  # moved by decision: the date it had before
    replaces_date: dt.date | None = None  # a make-up: the date of the session it stands for
    made_up_on: dt.date | None = None  # cancelled or not held: the date of its booked make-up
    version: int = 1
    updated_at: datetime | None = None  # UTC

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def time_text(self) -> str:
        """ "07h30 - 11h30", as Vietnamese notices write it; "" when the time is not set."""
        if self.start is None or self.end is None:
            return ""
        return f"{self.start:%H}h{self.start:%M} - {self.end:%H}h{self.end:%M}"


@dataclass(frozen=True, slots=True)
class DialogueView:
    """One announced dialogue conference (hội nghị tiếp xúc, đối thoại) as the public sees it:
    what the public notice states, nothing about the opinions or the results."""

    id: int
    date: date
    topic: str
    kind: str = "periodic"  # rules.dialogues.DIALOGUE_KINDS
    form: str = "in_person"  # rules.dialogues.DIALOGUE_FORMS
    status: str = "planned"  # rules.dialogues.DIALOGUE_STATUSES
    start: time | None = None
    end: time | None = None
    place: str = ""
    online_url: str = ""
    co_organisers: tuple[str, ...] = ()
    reason: str | None = None  # not held: why
    version: int = 1
    updated_at: datetime | None = None  # UTC

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def time_text(self) -> str:
        if self.start is None or self.end is None:
            return ""
        return f"{self.start:%H}h{self.start:%M} - {self.end:%H}h{self.end:%M}"


@dataclass(frozen=True, slots=True)
class Signature:
    """The signature block: authority lines ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH") and the name."""

    lines: tuple[str, ...]
    name: str


@dataclass(frozen=True, slots=True)
class Issue:
    """What the office fills in on a document: its number, date, signer and recipients."""

    number: str  # the whole line: "Số 12-TB/TU", "Số:    /TB-UBND"
    issued_on: date | None  # None: left blank for the date of signing
    signature: Signature
    recipients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Schedule:
    """The rules a notice and the board state about a unit's days."""

    unit: Unit
    roll: Roll
    period: PeriodKind  # the mandate's period: where a day off may roll to
    mandate: str = ""  # "ít nhất 1 ngày/tháng"
    basis: tuple[str, ...] = ()  # the legal basis of the mandates in force


@dataclass(frozen=True, slots=True)
class AnnualNotice:
    """Thông báo lịch tiếp công dân định kỳ of one unit for one year."""

    schedule: Schedule
    year: int
    sessions: tuple[SessionView, ...]  # planned or held, sorted by date
    issue: Issue
    attendees: str = ""


@dataclass(frozen=True, slots=True)
class NoticeRef:
    """An issued notice that a later one cites ("Thông báo số 05-TB/TU ngày 01/12/2026")."""

    number: str  # "05-TB/TU", "05/TB-UBND"; "" when it was issued with the number left blank
    issued_on: date | None  # None: not on record (the clerk fills it in)


@dataclass(frozen=True, slots=True)
class ChangeNotice:
    """Thông báo hoãn/thay đổi lịch tiếp công dân: one session that changed.

    The lead in working days is the clerk's business (a warning on the command line and the
    desk), never the notice's: a public document does not admit a breach (Luật Tiếp công dân,
    Điều 24)."""

    schedule: Schedule
    session: SessionView
    change: Change
    issue: Issue
    annual: NoticeRef | None = None  # the year's notice this one changes


@dataclass(frozen=True, slots=True)
class UnitLink:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class MonthView:
    year: int
    month: int
    sessions: tuple[SessionView, ...]
    dialogues: tuple[DialogueView, ...] = ()  # announced ones, beside the sessions

    @property
    def label(self) -> str:
        return f"Tháng {self.month:02d}/{self.year}"


@dataclass(frozen=True, slots=True)
class BoardView:
    """The one-stop-center notice board of one unit."""

    schedule: Schedule
    today: date
    months: tuple[MonthView, ...]
    feed_url: str
    subscribe_url: str = ""  # the page the QR code opens (webcal:// subscription and schedule)
    children: tuple[UnitLink, ...] = ()
    parent: UnitLink | None = None
    refresh: bool = True  # the unattended screen reloads itself; a reader can turn it off
    path: str = ""  # the page's own path, for the link that turns refreshing on or off


@dataclass(frozen=True, slots=True)
class FeedView:
    """The iCalendar feed of one unit: every stored session, cancelled ones included."""

    schedule: Schedule
    sessions: tuple[SessionView, ...] = field(default_factory=tuple)
    timezone: str = "Asia/Ho_Chi_Minh"
    board_url: str = ""
    dialogues: tuple[DialogueView, ...] = ()  # announced dialogue conferences
