"""The words of reminders and alerts (nhắc lịch, cảnh báo): subject, text, HTML, SMS, invitation.

Plain values in (``SessionFacts``), rendered strings out; templates under
``notifiers/templates/messages/`` (Jinja2, autoescaped for HTML).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifiers.sms_text import Part, fit_one_segment
from rules import MakeupProposal
from rules.vietnamese import dm, dmy, long_date

VN = ZoneInfo("Asia/Ho_Chi_Minh")
KIND_VI = {"periodic": "định kỳ", "makeup": "tiếp bù", "adhoc": "đột xuất"}


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What a message says about one session."""

    id: int
    unit_id: str
    unit_name: str
    date: date
    start: str | None
    end: str | None
    venue: str
    kind: str
    status: str
    version: int
    reason: str | None = None
    online: str = ""
    head: str = ""
    replaces_date: date | None = None

    @property
    def when(self) -> str:
        hours = f"{self.start}-{self.end}, " if self.start and self.end else ""
        return f"{hours}{long_date(self.date)}"


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str
    ics: str | None = None


@dataclass(frozen=True, slots=True)
class PeriodFacts:
    """A period at risk or ended short, for one unit."""

    unit_id: str
    unit_name: str
    period_label: str
    required: int
    held: int
    planned: int
    ended: bool
    basis: str = ""
    proposals: tuple[MakeupProposal, ...] = field(default_factory=tuple)


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("notifiers", "templates/messages"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(
    name: str,
    subject: str,
    sms_parts: list[Part | str],
    *,
    unicode_sms: bool,
    ics: str | None = None,
    **ctx: object,
) -> Rendered:
    env = _env()
    text = env.get_template(f"{name}.txt.j2").render(
        subject=subject, dmy=dmy, dm=dm, long_date=long_date, **ctx
    )
    html = env.get_template("message.html.j2").render(subject=subject, paragraphs=text.strip().split("\n\n"))
    return Rendered(subject, text, html, fit_one_segment(sms_parts, unicode=unicode_sms), ics)


@cache
def _vtimezone() -> str:
    """The VTIMEZONE of Asia/Ho_Chi_Minh, worked out and written once: ``add_missing_timezones``
    did both again for every message, most of the time a national peak day's reminders took."""
    return Timezone.from_tzid(str(VN)).to_ical().decode("utf-8")


def invitation(s: SessionFacts, *, method: str, domain: str = "tiepdan") -> str:
    """An iTIP invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL) for one session.

    UID and SEQUENCE are the session's id and version, the same as in the unit's feed, so a
    calendar that has the session from either place updates it in place.
    """
    cal = Calendar()
    cal.add("prodid", "-//tiepdan//Lich tiep cong dan//VI")
    cal.add("version", "2.0")
    cal.add("method", method)
    ev = Event()
    ev.add("uid", f"session-{s.id}@{domain}")
    ev.add("sequence", s.version)
    ev.add("dtstamp", datetime.now(tz=ZoneInfo("UTC")).replace(microsecond=0))
    start = time.fromisoformat(s.start) if s.start else time(7, 30)
    end = time.fromisoformat(s.end) if s.end else time(11, 30)
    ev.add("dtstart", datetime.combine(s.date, start, tzinfo=VN))
    ev.add("dtend", datetime.combine(s.date, end, tzinfo=VN))
    ev.add("summary", f"Tiếp công dân {KIND_VI.get(s.kind, '')} – {s.unit_name}".replace("  ", " "))
    ev.add("location", s.venue)
    if s.online:
        ev.add("url", s.online)
    ev.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if s.reason:
        ev.add("description", s.reason)
    cal.add_component(ev)
    # The zone goes before the event, where add_missing_timezones would put it.
    head, begin, event = cal.to_ical().decode("utf-8").partition("BEGIN:VEVENT")
    return head + _vtimezone() + begin + event


def reminder(s: SessionFacts, lead: int, *, unicode_sms: bool = False) -> Rendered:
    ahead = "hôm nay" if lead == 0 else ("ngày mai" if lead == 1 else f"còn {lead} ngày")
    subject = f"[Nhắc lịch] Tiếp công dân {long_date(s.date)} ({ahead}) – {s.unit_name}"
    sms = [
        f"Nhắc lịch: {s.unit_name} tiếp công dân",
        s.when,
        Part(s.venue, shorten=True),
        Part(f"Trực tuyến: {s.online}" if s.online else "", optional=True),
    ]
    return _render(
        "reminder",
        subject,
        sms,
        unicode_sms=unicode_sms,
        s=s,
        ahead=ahead,
        ics=invitation(s, method="REQUEST"),
    )


def cancelled(s: SessionFacts, *, unicode_sms: bool = False) -> Rendered:
    subject = f"[Hủy lịch] Tiếp công dân {long_date(s.date)} – {s.unit_name}"
    sms = [
        f"Hủy lịch tiếp công dân {s.unit_name}",
        long_date(s.date),
        Part(f"Lý do: {s.reason}" if s.reason else "", shorten=True),
    ]
    return _render(
        "cancelled", subject, sms, unicode_sms=unicode_sms, s=s, ics=invitation(s, method="CANCEL")
    )


def changed(s: SessionFacts, *, unicode_sms: bool = False) -> Rendered:
    what = "Lịch tiếp bù" if s.kind == "makeup" else "Thay đổi lịch"
    subject = f"[{what}] Tiếp công dân {long_date(s.date)} – {s.unit_name}"
    sms = [
        f"{what}: {s.unit_name} tiếp công dân",
        s.when,
        Part(s.venue, shorten=True),
        Part(s.reason or "", optional=True),
    ]
    return _render(
        "changed", subject, sms, unicode_sms=unicode_sms, s=s, what=what, ics=invitation(s, method="REQUEST")
    )


def makeup_alert(
    s: SessionFacts, proposals: list[MakeupProposal], *, days_waiting: int, unicode_sms: bool = False
) -> Rendered:
    subject = f"[Cần tiếp bù] Buổi tiếp {long_date(s.date)} của {s.unit_name} chưa có lịch tiếp bù"
    first = proposals[0].date if proposals else None
    sms = [
        f"Cần tiếp bù: {s.unit_name} hủy buổi {dmy(s.date)}",
        Part(f"Đề xuất {long_date(first)}" if first else "", optional=True),
        f"Đặt lịch: tiepdan makeup {s.id}",
    ]
    return _render(
        "makeup_alert",
        subject,
        sms,
        unicode_sms=unicode_sms,
        s=s,
        proposals=proposals,
        days_waiting=days_waiting,
    )


def period_alert(p: PeriodFacts, *, unicode_sms: bool = False) -> Rendered:
    if p.ended:
        subject = f"[Thiếu ngày tiếp] {p.unit_name}: {p.period_label} chỉ tiếp {p.held}/{p.required} ngày"
    else:
        subject = (
            f"[Nguy cơ thiếu ngày tiếp] {p.unit_name}: {p.period_label} còn {p.planned} buổi, "
            f"quy định {p.required}"
        )
    sms = [subject.replace("[", "").replace("]", ":", 1)]
    return _render("period_alert", subject, sms, unicode_sms=unicode_sms, p=p)


def outcome_missing(s: SessionFacts, *, supervisor: bool, unicode_sms: bool = False) -> Rendered:
    who = "cấp trên" if supervisor else "văn phòng"
    subject = f"[Chưa có kết quả] Buổi tiếp {long_date(s.date)} của {s.unit_name}"
    sms = [f"Chưa ghi kết quả buổi tiếp {dmy(s.date)} của {s.unit_name}", f"tiepdan record {s.id}"]
    return _render(
        "outcome_missing", subject, sms, unicode_sms=unicode_sms, s=s, supervisor=supervisor, who=who
    )


PURPOSE_VI = {
    "reminder": "tin nhắc lịch",
    "changed": "tin thay đổi lịch",
    "cancelled": "tin hủy lịch",
    "makeup_alert": "cảnh báo cần tiếp bù",
    "outcome_missing": "tin nhắc ghi kết quả",
    "outcome_missing_sup": "tin nhắc ghi kết quả (cấp trên)",
    "at_risk": "cảnh báo nguy cơ thiếu ngày tiếp",
    "ended_short": "cảnh báo thiếu ngày tiếp",
}
CHANNEL_VI = {"email": "thư điện tử", "sms": "tin nhắn SMS"}


def delivery_failed(
    *, unit_name: str, purpose: str, channel: str, recipient: str, error: str, unicode_sms: bool = False
) -> Rendered:
    """The notice (báo lỗi gửi tin) to a unit's staff that a message could not be delivered."""
    subject = f"[Lỗi gửi tin] Không gửi được tới {recipient}"
    return _render(
        "delivery_failed",
        subject,
        [subject],
        unicode_sms=unicode_sms,
        unit_name=unit_name,
        what=PURPOSE_VI.get(purpose, "tin"),
        channel=CHANNEL_VI.get(channel, channel),
        recipient=recipient,
        error=error.rstrip("."),
    )


def local_dt(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), tzinfo=VN)


def days(n: int) -> timedelta:
    return timedelta(days=n)
