"""The words of reminders and alerts (nhắc lịch, cảnh báo): subject, text, HTML, SMS, invitation.

Plain values in (``SessionFacts``), rendered strings out; templates under
``notifiers/templates/messages/`` (Jinja2, autoescaped for HTML).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from notifiers.ics import EventSource, Method, invitation
from notifiers.sms_text import Part, fit_one_segment
from rules import MakeupProposal
from rules.replan import WITHDRAWN
from rules.vietnamese import dm, dmy, hours, in_sentence, line_date
from rules.vocabulary import MESSAGE_VI, lost_word

VN = ZoneInfo("Asia/Ho_Chi_Minh")


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
    replaces_date: dt.date | None = None  # dt: the field "date" shadows the type
    # The session's calendar event, for the invitation (the same as in the unit's feed).
    event: EventSource | None = field(default=None, compare=False)

    @property
    def day(self) -> str:
        """The day inside a sentence: "thứ Hai, ngày 25/01/2027" (WORDING.md, "Forms")."""
        return in_sentence(self.date)

    @property
    def when(self) -> str:
        """In running text: "thứ Hai, ngày 25/01/2027, từ 07h30 đến 11h30"."""
        span = hours(self.start, self.end)
        return f"{self.day}, {span}" if span else self.day

    @property
    def when_item(self) -> str:
        """After a label ("- Thời gian: 07h30 - 11h30, thứ Hai, ngày 25/01/2027") and in an SMS."""
        span = hours(self.start, self.end, running=False)
        return f"{span}, {self.day}" if span else self.day


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str
    ics: str | None = None


@dataclass(frozen=True, slots=True)
class Addressee:
    """Who a message greets (người nhận): the unit's own office, or its superior's office, which
    is told what the unit must do (it cannot act itself)."""

    name: str  # the office's own unit: "Tỉnh ủy Cao Bằng"
    supervisor: bool = False
    # The head (người đứng đầu), greeted by name and title instead of the office.
    person: str = ""
    title: str = ""

    @property
    def head(self) -> bool:
        return bool(self.person or self.title)

    @property
    def greeting(self) -> str:
        if self.head:
            who = ", ".join(x for x in (self.person, self.title) if x)
            return f"Kính gửi đồng chí {who},"
        return f"Kính gửi Văn phòng {self.name},"


# Stands for the addressee in a message whose words differ from one addressee to another only by
# the greeting (``each_greeted``): its greeting is this line, replaced by each one's own.
_MARK = "\x00greeting\x00"
GREETED = Addressee("", person=_MARK)
_GREETED_LINE = GREETED.greeting


def each_greeted(render: Callable[[Addressee], Rendered], tos: Sequence[Addressee]) -> list[Rendered]:
    """``render(to)`` for each of ``tos``, rendered once for all of them: only for messages whose
    template reads nothing of ``to`` but its greeting (a reminder, a change, a cancellation) —
    the same words, the same invitation and SMS, each greeted as who they are."""
    greetings = [to.greeting for to in tos]
    if len(tos) < 2 or any("\n" in g or "\x00" in g for g in greetings):
        return [render(to) for to in tos]
    shared = render(GREETED)
    if shared.text.count(_GREETED_LINE) != 1 or shared.html.count(_GREETED_LINE) != 1:  # pragma: no cover
        return [render(to) for to in tos]
    return [
        Rendered(
            shared.subject,
            shared.text.replace(_GREETED_LINE, g),
            shared.html.replace(_GREETED_LINE, str(escape(g))),
            shared.sms,
            shared.ics,
        )
        for g in greetings
    ]


def office(name: str) -> Addressee:
    """The unit's own office (Văn phòng), the default greeting of a session's messages."""
    return Addressee(name)


@dataclass(frozen=True, slots=True)
class PeriodFacts:
    """A period at risk, ended short, or corrected (đã cập nhật), for one unit."""

    unit_id: str
    unit_name: str
    period_label: str
    required: int
    held: int
    planned: int
    ended: bool
    basis: str = ""
    proposals: tuple[MakeupProposal, ...] = field(default_factory=tuple)
    purpose: str = ""  # "at_risk", "ended_short", "period_update"; empty: from ``ended``
    unrecorded: tuple[date, ...] = ()  # counted against: "chưa ghi kết quả"
    lost: tuple[str, ...] = ()  # "buổi 10/06 không tổ chức (...), chưa tiếp bù"
    free_days: tuple[date, ...] = ()  # at risk: the free working days left in the period
    short_by: int = 0

    @property
    def kind(self) -> str:
        return self.purpose or ("ended_short" if self.ended else "at_risk")


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("notifiers", "templates/messages"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates ship with the package: not checked on disk at every message (a stat
        # per template per message was a tenth of a reminder's rendering).
        auto_reload=False,
    )


def _render(
    name: str,
    subject: str,
    sms_parts: Sequence[Part | str],
    *,
    unicode_sms: bool,
    ics: str | None = None,
    **ctx: object,
) -> Rendered:
    env = _env()
    text = env.get_template(f"{name}.txt.j2").render(
        subject=subject, dmy=dmy, dm=dm, line_date=line_date, in_sentence=in_sentence, **ctx
    )
    html = env.get_template("message.html.j2").render(subject=subject, paragraphs=html_paragraphs(text))
    # SMS parts separated by "; " (WORDING.md, "Forms"), in one segment.
    sms = fit_one_segment(sms_parts, unicode=unicode_sms, sep="; ")
    return Rendered(subject, text, html, sms, ics)


_BR = Markup("<br>")


# An address in a message's text; what may end a sentence after it (a full stop, a comma, a
# closing bracket) is not part of it.
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:)"
_NOTHING = Markup("")


def _linked(line: str) -> Markup | str:
    """A line of text with its addresses as links (the desk page an alert points to): a mail
    client shows an HTML part's bare address as text it cannot click."""
    if "://" not in line:
        return line  # escaped where it is joined
    parts: list[Markup | str] = []
    at = 0
    for m in _URL.finditer(line):
        url = m.group(0).rstrip(_TRAILING)
        if url.endswith("://"):
            continue  # no address after the scheme
        shown = escape(url)  # Markup.format's formatter cost 30 us a link: written here
        parts += (line[at : m.start()], Markup(f'<a href="{shown}">{shown}</a>'))
        at = m.start() + len(url)
    parts.append(line[at:])
    return _NOTHING.join(parts)  # the text between escaped


def html_paragraphs(text: str | Sequence[str]) -> list[Markup]:
    """The paragraphs of a message's text (or the paragraphs themselves) as the HTML part's
    ``<p>`` contents: each line escaped, its addresses links, the lines joined by ``<br>``
    (joined here: a Jinja loop over the lines was most of the cost of the HTML)."""
    paragraphs = text.strip().split("\n\n") if isinstance(text, str) else text
    return [_BR.join(_linked(line) for line in p.split("\n")) for p in paragraphs]


def _invite(s: SessionFacts, method: Method) -> str | None:
    """The session's invitation or cancellation: the feed's event (one builder, ``notifiers.ics``)."""
    return None if s.event is None else invitation(s.event, method)


def reminder(
    s: SessionFacts,
    ahead: str,
    *,
    stamp: datetime,
    to: Addressee | None = None,
    unicode_sms: bool = False,
) -> Rendered:
    """``ahead``: how far off, in words ("ngày mai", "7 ngày nữa": ``rules.alert_policy``)."""
    subject = f"[Nhắc lịch] Tiếp công dân {in_sentence(s.date)} ({ahead}) – {s.unit_name}"
    sms: list[Part | str] = [
        f"Nhắc lịch ({ahead}): {s.unit_name} tiếp công dân {s.when_item}",
        Part(s.venue, shorten=True),
        Part(f"Trực tuyến: {s.online}" if s.online else "", optional=True),
    ]
    return _render(
        "reminder",
        subject,
        sms,
        unicode_sms=unicode_sms,
        s=s,
        to=to or office(s.unit_name),
        ahead=ahead,
        ics=_invite(s, "REQUEST"),
    )


def cancelled(
    s: SessionFacts, *, stamp: datetime, to: Addressee | None = None, unicode_sms: bool = False
) -> Rendered:
    """A session postponed (hoãn) before it, with a CANCEL invitation; withdrawn by a re-plan of
    the year (the rules no longer give this day: nothing to make up), with a CANCEL too; or
    recorded "không được tổ chức" after the fact: no invitation (it is past), not a cancellation."""
    not_held, withdrawn = s.status == "not_held", s.reason == WITHDRAWN
    if not_held:
        subject = f"[Không được tổ chức] Buổi tiếp công dân {in_sentence(s.date)} – {s.unit_name}"
        first = f"Buổi tiếp công dân ngày {dmy(s.date)} của {s.unit_name} không được tổ chức"
    elif withdrawn:
        subject = f"[Điều chỉnh lịch] Không còn buổi tiếp công dân {in_sentence(s.date)} – {s.unit_name}"
        first = f"Điều chỉnh lịch: {s.unit_name} không còn buổi tiếp công dân {s.when_item}"
    else:
        subject = f"[Hoãn lịch] Tiếp công dân {in_sentence(s.date)} – {s.unit_name}"
        first = f"Hoãn lịch tiếp công dân {s.unit_name} {s.when_item}"
    # A withdrawal's reason is the first line itself; said once.
    why = f"Lý do: {s.reason}" if s.reason and not withdrawn else ""
    sms: list[Part | str] = [first, Part(why, shorten=True)]
    return _render(
        "cancelled",
        subject,
        sms,
        unicode_sms=unicode_sms,
        s=s,
        to=to or office(s.unit_name),
        not_held=not_held,
        withdrawn=withdrawn,
        ics=None if not_held else _invite(s, "CANCEL"),
    )


def changed(
    s: SessionFacts,
    *,
    stamp: datetime,
    old_date: date | None = None,
    why: str = "",
    to: Addressee | None = None,
    unicode_sms: bool = False,
) -> Rendered:
    """A change (thay đổi lịch): the old date, the new date and why, in words a citizen reads;
    a make-up names the session it stands for. Earlier than announced is said so."""
    what = {"makeup": "Lịch tiếp bù", "adhoc": "Lịch tiếp đột xuất"}.get(s.kind, "Thay đổi lịch")
    old = old_date or s.replaces_date
    earlier = old is not None and s.kind != "makeup" and s.date < old
    subject = f"[{what}] Tiếp công dân {in_sentence(s.date)} – {s.unit_name}"
    if old is not None and s.kind != "makeup":
        moved = f"{in_sentence(old)} chuyển sang {in_sentence(s.date)}"
        subject = f"[{what}] Tiếp công dân {moved} – {s.unit_name}"
    sms: list[Part | str] = [
        f"{what}: {s.unit_name} tiếp công dân "
        + (f"từ {dmy(old)} sang {s.when_item}" if old is not None and s.kind != "makeup" else s.when_item),
        "sớm hơn lịch đã thông báo" if earlier else "",
        Part(s.venue, shorten=True),
        Part(why or s.reason or "", optional=True),
    ]
    return _render(
        "changed",
        subject,
        sms,
        unicode_sms=unicode_sms,
        s=s,
        to=to or office(s.unit_name),
        what=what,
        old=old,
        why=why or s.reason or "",
        earlier=earlier,
        ics=_invite(s, "REQUEST"),
    )


def makeup_alert(
    s: SessionFacts,
    proposals: list[MakeupProposal],
    *,
    to: Addressee,
    link: str,
    stage: int,
    last: bool,
    lost_on: date,
    unicode_sms: bool = False,
) -> Rendered:
    """A session still waiting for its make-up (chưa có lịch tiếp bù), at one stage of the
    cadence of ``rules.alert_policy``; the last stage says no more will come."""
    subject = f"[Cần tiếp bù] Buổi tiếp {in_sentence(s.date)} của {s.unit_name} chưa có lịch tiếp bù"
    if last:
        subject = f"[Cần tiếp bù - nhắc lần cuối] Buổi tiếp {in_sentence(s.date)} của {s.unit_name}"
    first = next((p for p in proposals if p.in_period and p.postable), proposals[0] if proposals else None)
    sms: list[Part | str] = [
        f"Cần tiếp bù ({'nhắc lần cuối' if last else f'nhắc lần {stage}'}): "
        f"{s.unit_name}, buổi ngày {dmy(s.date)}",
        Part(f"đề xuất {dmy(first.date)}" if first else "", optional=True),
        f"Đặt lịch: {link}" if not to.supervisor else f"Xem: {link}",
    ]
    return _render(
        "makeup_alert",
        subject,
        sms,
        lost=lost_word(s.status),
        unicode_sms=unicode_sms,
        s=s,
        to=to,
        link=link,
        proposals=proposals,
        stage=stage,
        last=last,
        lost_on=lost_on,
    )


def period_alert(p: PeriodFacts, *, to: Addressee, link: str, unicode_sms: bool = False) -> Rendered:
    kind = p.kind
    label = p.period_label
    if kind == "period_update":
        verdict = "đạt" if p.held >= p.required else "chưa đạt"
        subject = f"[Đã cập nhật] {p.unit_name}: {label} {verdict} {p.held}/{p.required} ngày tiếp"
    elif kind == "ended_short":
        subject = f"[Thiếu ngày tiếp] {p.unit_name}: {label} chỉ tiếp {p.held}/{p.required} ngày"
    else:
        subject = (
            f"[Nguy cơ thiếu ngày tiếp] {p.unit_name}: {label} còn {p.planned} buổi, quy định {p.required}"
        )
    sms: list[Part | str] = [
        subject.replace("[", "").replace("]", ":", 1),
        Part(
            f"Ngày trống: {', '.join(dm(d) for d in p.free_days[:3])}" if p.free_days else "", optional=True
        ),
        f"Xem: {link}",
    ]
    return _render("period_alert", subject, sms, unicode_sms=unicode_sms, p=p, kind=kind, to=to, link=link)


def outcome_missing(s: SessionFacts, *, to: Addressee, link: str, unicode_sms: bool = False) -> Rendered:
    subject = f"[Chưa có kết quả] Buổi tiếp {in_sentence(s.date)} của {s.unit_name}"
    sms = [f"Chưa ghi kết quả buổi tiếp ngày {dmy(s.date)} của {s.unit_name}", f"Ghi kết quả: {link}"]
    return _render("outcome_missing", subject, sms, unicode_sms=unicode_sms, s=s, to=to, link=link)


PURPOSE_VI = MESSAGE_VI  # one vocabulary (rules/vocabulary.py)
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
