"""The sentences a notice, the board and the feed share, so that all three say the same thing.

Worded after real notices (Cao Bằng, Lạng Sơn, Gia Lai ...): the days ("ngày 25 hằng tháng",
"thứ Năm tuần thứ hai và tuần thứ tư hằng tháng"), the rule for a day off, the make-up rule and
the registration deadline with its real dates.
"""

from __future__ import annotations

import calendar as _calendar
import re
from datetime import date

from notifiers.notice_bodies import head_phrase, issuing_body, receiver_phrase
from notifiers.views import SessionView
from rules import Pattern, Roll, Unit
from rules.periods import PeriodKind
from rules.vietnamese import WEEKDAYS, dmy
from rules.vocabulary import LOST_TITLE_VI

_RRULE_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_ORDINALS = {1: "thứ nhất", 2: "thứ hai", 3: "thứ ba", 4: "thứ tư", 5: "thứ năm", -1: "cuối cùng"}
_BYDAY = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")


def weekday_lower(index: int) -> str:
    """ "thứ Năm", "chủ nhật": a weekday inside a sentence."""
    name = WEEKDAYS[index]
    return name[0].lower() + name[1:]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


def describe_pattern(pattern: Pattern) -> str:
    """The fixed days in words: "ngày 25 hằng tháng", "thứ Năm hằng tuần",
    "thứ Năm tuần thứ hai và tuần thứ tư hằng tháng"; an RRULE we cannot word plainly is
    described by the dates listed in the notice."""
    if pattern.days is not None:
        return "ngày " + _join([str(d) for d in pattern.days]) + " hằng tháng"
    parts = dict(p.split("=", 1) for p in (pattern.rrule or "").upper().split(";") if "=" in p)
    freq, byday = parts.get("FREQ"), parts.get("BYDAY", "")
    if set(parts) - {"FREQ", "BYDAY", "WKST"} or not byday:
        return "các ngày ghi trong lịch dưới đây"
    wanted: dict[int, list[int | None]] = {}
    for item in byday.split(","):
        m = _BYDAY.match(item.strip())
        if not m:
            return "các ngày ghi trong lịch dưới đây"
        wanted.setdefault(_RRULE_DAYS[m.group(2)], []).append(int(m.group(1)) if m.group(1) else None)
    if freq == "WEEKLY" and all(n == [None] for n in wanted.values()):
        return _join([weekday_lower(d) for d in sorted(wanted)]) + " hằng tuần"
    if freq == "MONTHLY":
        phrases = []
        for day, nths in sorted(wanted.items()):
            if nths == [None]:
                phrases.append(f"các ngày {weekday_lower(day)}")
                continue
            if any(n not in _ORDINALS for n in nths if n is not None) or None in nths:
                return "các ngày ghi trong lịch dưới đây"
            known = [n for n in nths if n is not None]  # None was ruled out above
            weeks = [f"tuần {_ORDINALS[n]}" for n in sorted(known, key=lambda n: (n < 0, n))]
            phrases.append(f"{weekday_lower(day)} " + _join(weeks))
        return _join(phrases) + " hằng tháng"
    return "các ngày ghi trong lịch dưới đây"


def roll_rule(roll: Roll, period: PeriodKind) -> str:
    """What happens when a fixed day is a day off, worded from the unit's roll."""
    within = "trong tháng" if period == "month" else "trong tuần"
    head = (
        "Nếu ngày tiếp công dân định kỳ trùng vào ngày nghỉ (thứ Bảy, Chủ nhật, ngày lễ, Tết "
        "hoặc ngày nghỉ theo quyết định của cấp có thẩm quyền) thì "
    )
    if roll == "following":
        return head + "chuyển sang ngày làm việc tiếp theo."
    if roll == "nearest":
        return head + f"chuyển sang ngày làm việc gần nhất {within}."
    return (
        head + f"chuyển sang ngày làm việc tiếp theo; nếu không còn ngày làm việc nào {within} "
        "thì chuyển về ngày làm việc liền trước."
    )


def receiver(unit: Unit) -> str:
    """ "đồng chí Nguyễn Văn A, Bí thư Tỉnh ủy"; a state body's head without "đồng chí" and with
    the body spelled out (never a phone number or an e-mail)."""
    return receiver_phrase(unit)


def head_title(unit: Unit) -> str:
    """ "đồng chí Bí thư Tỉnh ủy", "Chủ tịch Ủy ban nhân dân phường Thục Phán": whoever holds
    the office, inside a sentence."""
    return head_phrase(unit)


def makeup_rule(unit: Unit) -> str:
    return (
        f"Trường hợp {head_phrase(unit)} có công việc đột xuất không thể tiếp công dân theo lịch thì "
        f"{issuing_body(unit)} thông báo hoãn và bố trí tiếp công dân bù vào ngày làm việc sớm nhất, "
        "trong cùng kỳ khi còn ngày làm việc; lịch hoãn và lịch tiếp bù được niêm yết công khai tại "
        "trụ sở, nơi tiếp công dân và đăng trên trang thông tin điện tử ít nhất 05 ngày làm việc trước "
        "ngày tiếp."
    )


def register_deadline(register_by: int, session_day: date) -> date:
    """The day a registration for a session must come before ("đăng ký trước ngày 15 hằng
    tháng"): the ``register_by``-th of the session's month, or of the month before when that
    day falls after the session. Later requests go to the next session."""
    y, m = session_day.year, session_day.month
    deadline = date(y, m, min(register_by, _calendar.monthrange(y, m)[1]))
    if deadline > session_day:
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        deadline = date(y, m, min(register_by, _calendar.monthrange(y, m)[1]))
    return deadline


def register_rule(unit: Unit, example: SessionView | None = None) -> str:
    """The registration sentence, with a real date when the unit has a deadline."""
    if unit.register_by is None:
        # No deadline: say at least where to come (the board's screen has no other clue).
        where = unit.venue or "nơi tiếp công dân"
        return (
            f"Công dân đến trực tiếp {where} trong thời gian tiếp để đăng ký và được tiếp; khi đến "
            "mang theo giấy tờ tùy thân và tài liệu liên quan (nếu có)."
        )
    text = (
        f"Công dân có nhu cầu được tiếp đăng ký trước ngày {unit.register_by} hằng tháng tại nơi "
        "tiếp công dân; trường hợp đăng ký sau thời hạn này được bố trí vào buổi tiếp kế tiếp."
    )
    if example is not None:
        deadline = register_deadline(unit.register_by, example.date)
        text += f" Ví dụ: buổi tiếp ngày {dmy(example.date)} nhận đăng ký trước ngày {dmy(deadline)}."
    return text


def change_note(s: SessionView) -> str:
    """Why a session is where it is, or what became of it, in one phrase for a table."""
    if s.status in ("cancelled", "not_held"):
        what = LOST_TITLE_VI["cancelled" if s.status == "cancelled" else "not_held"]
        note = f"{what}: {s.reason}" if s.reason else what
        if s.made_up_on is not None:
            note += f"; tiếp bù ngày {dmy(s.made_up_on)}"
        return note
    if s.kind == "makeup":
        if s.replaces_date is not None:
            return f"Tiếp bù cho buổi ngày {dmy(s.replaces_date)}"
        return s.reason or "Tiếp bù"
    if s.kind == "adhoc":
        return f"Tiếp đột xuất: {s.reason}" if s.reason else "Tiếp đột xuất"
    if s.moved_from is not None:
        note = f"Dời từ ngày {dmy(s.moved_from)}"
        return f"{note}: {s.reason}" if s.reason else note
    if s.moved:
        # The rules word it from the nominal day: "25/01 trùng Chủ nhật".
        return f"Ngày {s.moved}" if s.moved[:1].isdigit() else s.moved
    return ""
