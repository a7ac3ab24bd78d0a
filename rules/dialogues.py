"""Dialogue conferences (hội nghị tiếp xúc, đối thoại): the yearly mandate, the notice and results
deadlines, the voters' trigger and the yearly findings, as dated data and pure functions.

The commune's duty is the law's: Luật Tổ chức chính quyền địa phương 2025 (Luật 72/2025/QH15),
Điều 43 — at least once a year, or when at least 10 % of the voters ask, or when necessary;
announced at least 7 days before, its results announced within 10 days after. Heads of party
committees keep the rhythm their province fixes (Quyết định 218-QĐ/TW; Quy định 11-QĐi/TW sets no
frequency), so their level names its own basis in the configuration.

Both deadlines are counted in calendar days and are not moved off days off: the law says "ít
nhất 07 ngày trước" and "trong thời hạn 10 ngày", a duration, not a working-day limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from rules.errors import RuleError
from rules.units import Person
from rules.workcalendar import WorkCalendar

DialoguePer = Literal["year"]

LAW_72 = "Luật Tổ chức chính quyền địa phương số 72/2025/QH15, Điều 43"
# Luật 72/2025/QH15 is in force from 16/06/2025, the day it was passed.
LAW_72_SINCE = date(2025, 6, 16)


@dataclass(frozen=True, slots=True)
class DialogueMandate:
    """At least ``min`` dialogue conferences per year (mức đối thoại bắt buộc của một cấp)."""

    min: int
    per: DialoguePer = "year"
    basis: str = ""

    def describe(self) -> str:
        return f"ít nhất {self.min} hội nghị đối thoại/năm"


# The presets a level may name instead of a table (``dialogue = "law-72-2025"``).
PRESETS: Mapping[str, DialogueMandate] = {
    "law-72-2025": DialogueMandate(1, "year", LAW_72),
}


@dataclass(frozen=True, slots=True)
class DialogueLimit:
    """A dialogue's deadline (thời hạn): ``days`` calendar days before or after the day held."""

    id: str
    name: str
    days: int  # negative: before the dialogue
    basis: str
    since: date | None = None
    until: date | None = None

    def in_force(self, on: date) -> bool:
        return (self.since is None or self.since <= on) and (self.until is None or on <= self.until)


DIALOGUE_LIMITS: tuple[DialogueLimit, ...] = (
    DialogueLimit(
        "dialogue-notice",
        "Thông báo thời gian, địa điểm, nội dung và cách thức tham gia hội nghị đối thoại",
        -7,
        LAW_72,
        since=LAW_72_SINCE,
    ),
    DialogueLimit(
        "dialogue-results",
        "Thông báo kết quả hội nghị đối thoại (niêm yết tại trụ sở, gửi trưởng thôn, tổ trưởng tổ dân phố)",
        10,
        LAW_72,
        since=LAW_72_SINCE,
    ),
)
LIMITS_BY_ID: Mapping[str, DialogueLimit] = {lim.id: lim for lim in DIALOGUE_LIMITS}
# The share of the voters whose request obliges the commune to hold a dialogue (Điều 43).
VOTERS_SHARE_PERCENT = 10


def _limit(limit_id: str, on: date) -> DialogueLimit:
    lim = LIMITS_BY_ID[limit_id]
    if not lim.in_force(on):
        # Before the law: the same rhythm was the provinces' practice; keep the figure, say so.
        return DialogueLimit(lim.id, lim.name, lim.days, "theo quy chế của địa phương")
    return lim


def notice_due(held_on: date) -> date:
    """The last day to announce a dialogue held on ``held_on``: 7 days before (20/06 -> 13/06)."""
    return held_on + timedelta(days=_limit("dialogue-notice", held_on).days)


def results_due(held_on: date) -> date:
    """The last day to announce a dialogue's results: 10 days after (20/06 -> 30/06)."""
    return held_on + timedelta(days=_limit("dialogue-results", held_on).days)


def notice_late(held_on: date, announced_on: date) -> bool:
    """Whether a notice given on ``announced_on`` is later than the law allows."""
    return announced_on > notice_due(held_on)


def voters_threshold(voters: int) -> int:
    """How many voters must ask for a dialogue to be due: 10 %, rounded up (Điều 43)."""
    if voters < 1:
        raise RuleError(f"số cử tri phải lớn hơn 0, không phải {voters}")
    return -(-voters * VOTERS_SHARE_PERCENT // 100)


def voters_request_binding(asked: int, voters: int) -> bool:
    """Whether ``asked`` of ``voters`` is enough to oblige a dialogue (at least 10 %)."""
    if asked < 0 or asked > voters:
        raise RuleError(f"số cử tri kiến nghị ({asked}) phải từ 0 đến tổng số cử tri ({voters})")
    return asked >= voters_threshold(voters)


# A dialogue's status (trạng thái): announced and concluded are facts beside it (the notice's
# and the conclusion's dates), not statuses.
DialogueStatus = Literal["planned", "held", "not_held", "postponed"]
DIALOGUE_STATUSES: tuple[DialogueStatus, ...] = ("planned", "held", "not_held", "postponed")
STATUS_VI: Mapping[str, str] = {
    "planned": "dự kiến",
    "held": "đã tổ chức",
    "not_held": "không tổ chức được",
    "postponed": "hoãn",
}
# The kinds real reports count (định kỳ, đột xuất, chuyên đề, với doanh nghiệp) and the forms.
DialogueKind = Literal["periodic", "adhoc", "thematic", "enterprise"]
DIALOGUE_KINDS: tuple[DialogueKind, ...] = ("periodic", "adhoc", "thematic", "enterprise")
KIND_VI: Mapping[str, str] = {
    "periodic": "định kỳ",
    "adhoc": "đột xuất",
    "thematic": "chuyên đề",
    "enterprise": "với doanh nghiệp",
}
DialogueForm = Literal["in_person", "online", "hybrid"]
DIALOGUE_FORMS: tuple[DialogueForm, ...] = ("in_person", "online", "hybrid")
FORM_VI: Mapping[str, str] = {"in_person": "trực tiếp", "online": "trực tuyến", "hybrid": "kết hợp"}
# Dialogues that count towards the year: planned or held, not postponed or not held.
COUNTED: tuple[DialogueStatus, ...] = ("planned", "held")
# Why an ad hoc dialogue was opened: "" (planned in the year's plan), the voters' request (at
# least 10 % of them) or a pressing issue (vụ việc bức xúc).
DialogueTrigger = Literal["", "voters", "pressing"]


@dataclass(frozen=True, slots=True)
class DialogueFinding:
    """A year a unit ended (or will end) below its dialogue mandate (kết luận: năm chưa đối
    thoại đủ)."""

    unit: str
    year: int
    required: int
    scheduled: int
    held: int
    basis: str

    @property
    def period(self) -> str:
        return f"{self.year:04d}"

    @property
    def message(self) -> str:
        basis = f" ({self.basis})" if self.basis else ""
        return (
            f"Năm {self.year}: {self.scheduled}/{self.required} hội nghị đối thoại"
            f"{basis}, thiếu {self.required - self.scheduled}"
        )

    def as_json(self) -> dict[str, object]:
        """An entry of the calendar's and the report's ``dialogue_findings``."""
        return {
            "unit": self.unit,
            "period": self.period,
            "kind": "dialogue",
            "required": self.required,
            "scheduled": self.scheduled,
            "held": self.held,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class DialogueFact:
    """What the findings need of a stored dialogue: its unit, its day and its status."""

    unit: str
    held_on: date
    status: str


def judged_years(first: date, last: date) -> list[int]:
    """The calendar years lying wholly inside [first, last]."""
    return [y for y in range(first.year, last.year + 1) if first <= date(y, 1, 1) and date(y, 12, 31) <= last]


def dialogue_findings(
    mandates: Mapping[str, DialogueMandate],
    dialogues: Iterable[DialogueFact],
    first: date,
    last: date,
) -> list[DialogueFinding]:
    """Every (unit, whole year in [first, last]) whose planned or held dialogues are fewer than
    its mandate asks; sorted by year, then unit. ``mandates`` maps unit ids to the mandate of
    their level (units whose level asks none are left out)."""
    years = judged_years(first, last)
    counted: dict[tuple[str, int], int] = {}
    held: dict[tuple[str, int], int] = {}
    for d in dialogues:
        if d.status not in COUNTED:
            continue
        k = (d.unit, d.held_on.year)
        counted[k] = counted.get(k, 0) + 1
        if d.status == "held":
            held[k] = held.get(k, 0) + 1
    out: list[DialogueFinding] = []
    for year in years:
        for unit in sorted(mandates):
            m = mandates[unit]
            n = counted.get((unit, year), 0)
            if n < m.min:
                out.append(DialogueFinding(unit, year, m.min, n, held.get((unit, year), 0), m.basis))
    return out


@dataclass(frozen=True, slots=True)
class DialogueRisk:
    """A year not yet over with fewer dialogues planned or held than the mandate (nguy cơ không
    đạt): told before the year ends, with the days left."""

    unit: str
    year: int
    required: int
    scheduled: int
    days_left: int

    @property
    def key(self) -> str:
        """The state told: a new alert only when the shortfall or the stage changes."""
        shortfall = f"{self.scheduled}/{self.required}"
        return f"dialogue-risk:{self.unit}:{self.year}:{shortfall}:{risk_stage(self.days_left)}"


# Told when the year has this many days left or fewer: a quarter, then a month, then a fortnight.
RISK_STAGES: tuple[int, ...] = (92, 30, 14)


def risk_stage(days_left: int) -> int:
    """The smallest stage (days before the year's end) that ``days_left`` has reached."""
    reached = [s for s in RISK_STAGES if days_left <= s]
    return min(reached) if reached else 0


def dialogue_risks(
    mandates: Mapping[str, DialogueMandate],
    dialogues: Sequence[DialogueFact],
    today: date,
) -> list[DialogueRisk]:
    """Units whose year (that of ``today``) is in its last quarter with fewer dialogues planned
    or held than the mandate; nothing once the year is over (that is a finding)."""
    end = date(today.year, 12, 31)
    days_left = (end - today).days
    if risk_stage(days_left) == 0:
        return []
    out: list[DialogueRisk] = []
    for f in dialogue_findings(mandates, dialogues, date(today.year, 1, 1), end):
        out.append(DialogueRisk(f.unit, f.year, f.required, f.scheduled, days_left))
    return out


# What is chased, and when (the alert policy's shape: working days only, a decreasing cadence, a
# last word, a key that is the state told): the notice 3 and 1 working days before its deadline
# and 1 after; the results 3 and 1 before, then 1 and 3 after, the last also to the superior.
NOTICE_STEPS: tuple[tuple[int, ...], tuple[int, ...]] = ((3, 1), (1,))
RESULTS_STEPS: tuple[tuple[int, ...], tuple[int, ...]] = ((3, 1), (1, 3))
DialoguePurpose = Literal["dlg_notice_due", "dlg_notice_late", "dlg_results_due", "dlg_results_late"]


@dataclass(frozen=True, slots=True)
class DialogueAlert:
    """One step to tell about a dialogue's deadline."""

    purpose: DialoguePurpose
    step: int  # working days before (negative) or after (positive) the deadline
    deadline: date
    last: bool = False


def _latest(
    purposes: tuple[DialoguePurpose, DialoguePurpose],
    deadline: date,
    steps: tuple[tuple[int, ...], tuple[int, ...]],
    today: date,
    calendar: WorkCalendar,
) -> DialogueAlert | None:
    if not calendar.is_working_day(today):
        return None
    before, after = steps
    days = [(-n, calendar.add_working_days(deadline, -n)) for n in sorted(before, reverse=True)]
    days += [(n, calendar.add_working_days(deadline, n)) for n in sorted(after)]
    due = [(step, on) for step, on in days if on <= today]
    if not due:
        return None
    step = due[-1][0]
    return DialogueAlert(purposes[0] if step < 0 else purposes[1], step, deadline, last=step == days[-1][0])


def notice_alert(
    held_on: date, status: str, announced_on: date | None, today: date, calendar: WorkCalendar
) -> DialogueAlert | None:
    """The reminder of a planned dialogue's public notice, or None once it is given (or the day
    has come)."""
    if status != "planned" or (announced_on is not None and announced_on <= today) or today >= held_on:
        return None
    return _latest(("dlg_notice_due", "dlg_notice_late"), notice_due(held_on), NOTICE_STEPS, today, calendar)


def results_alert(
    held_on: date, status: str, concluded_on: date | None, today: date, calendar: WorkCalendar
) -> DialogueAlert | None:
    """The reminder of a held dialogue's results notice, or None once it is given."""
    if status != "held" or (concluded_on is not None and concluded_on <= today):
        return None
    return _latest(
        ("dlg_results_due", "dlg_results_late"), results_due(held_on), RESULTS_STEPS, today, calendar
    )


# Co-organisers (cơ quan phối hợp tổ chức) --------------------------------------------------------

# What a dialogue names when the office names none and the unit's configuration lists no
# co-organiser: the two bodies Luật 72/2025/QH15, Điều 43 organises it with.
DEFAULT_CO_ORGANISERS = ("Ủy ban Mặt trận Tổ quốc Việt Nam", "Thường trực Hội đồng nhân dân")


def _words(name: str) -> list[str]:
    return name.casefold().split()


def co_organiser_contacts(names: Iterable[str], people: Sequence[Person]) -> tuple[Person, ...]:
    """The configured co-organisers (with contacts) a dialogue names, in the configuration's order.
    A name matches a contact when one is the other's first words: the default "Ủy ban Mặt trận Tổ
    quốc Việt Nam" names "Ủy ban Mặt trận Tổ quốc Việt Nam phường Thục Phán" (case aside)."""
    wanted = [_words(n) for n in names if n.strip()]
    out: list[Person] = []
    for p in people:
        mine = _words(p.name)
        if mine and any(w and (mine[: len(w)] == w or w[: len(mine)] == mine) for w in wanted):
            out.append(p)
    return tuple(out)
