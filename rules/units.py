"""Units (đơn vị): a party committee, a People's Committee or an agency, with its fixed days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Literal

Roll = Literal["following", "modified-following", "nearest"]
ROLLS: tuple[Roll, ...] = ("following", "modified-following", "nearest")
Body = Literal["party", "state"]


@dataclass(frozen=True, slots=True)
class Pattern:
    """An office's fixed days: days of the month ("ngày 10 và 25") or an RFC 5545 RRULE
    ("thứ Năm tuần thứ 2 và thứ 4": ``FREQ=MONTHLY;BYDAY=+2TH,+4TH``). Exactly one is set."""

    days: tuple[int, ...] | None = None
    rrule: str | None = None

    def describe(self) -> str:
        if self.days is not None:
            return "ngày " + ", ".join(str(d) for d in self.days) + " hằng tháng"
        return f"theo quy tắc {self.rrule}"


@dataclass(frozen=True, slots=True)
class Person:
    name: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit and who receives citizens there."""

    id: str
    name: str
    level: str
    pattern: Pattern
    parent: str | None = None
    roll: Roll | None = None  # None: the calendar's roll
    start: time | None = None
    end: time | None = None
    venue: str = ""
    body: Body = "party"
    head: Person = field(default_factory=Person)
    staff: tuple[Person, ...] = ()
    online: str = ""  # default link for online sessions (since 1/7/2026)
    register_by: int | None = None  # "đăng ký trước ngày 15 hằng tháng"
    address: str = ""
    place: str = ""  # place name on notices ("Cao Bằng")
    superior: str = ""  # the superior body's name, top left of a party notice
    notice_basis: tuple[str, ...] = ()  # the notices' "Căn cứ" lines (empty: the level's, else defaults)
    sender: str = ""  # the unit's own e-mail From ("Văn phòng Đảng ủy xã A <vp@...>"); empty: [email]'s
    brandname: str = ""  # the unit's own SMS brandname; empty: [sms]'s
    # the dialogue conferences' co-organisers with their contacts (Ủy ban MTTQ, Thường trực HĐND):
    # told of a dialogue's announcement, its reminders and its postponement
    co_organisers: tuple[Person, ...] = ()

    @property
    def time_text(self) -> str:
        if self.start is None or self.end is None:
            return ""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"
