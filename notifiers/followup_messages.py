"""The words of the follow-up reminders (nhắc hạn giải quyết): to the office and to the agency.

Plain values in, ``alerts.Rendered`` out. A message to the office says what to do and links to
the desk page that does it; a message to an agency (which has no desk account) asks it to report
the result to the office. Neither carries the citizen's name or ID number (Nghị định 13/2023):
the direction's number, its content and the deadline are enough to act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from notifiers.alerts import Rendered, html_paragraphs
from notifiers.sms_text import Part, fit_one_segment
from rules.followup_alerts import FollowupAlert
from rules.vietnamese import dmy, in_sentence, long_date


@dataclass(frozen=True, slots=True)
class DirectionNote:
    """What a reminder says about one direction."""

    id: int
    unit_name: str
    content: str
    agency: str
    received_on: date
    due: date
    link: str  # the desk page where its result is recorded
    at_dialogue: bool = False  # given on an opinion raised at a dialogue conference, not a case


@cache
def _html() -> Environment:
    return Environment(
        loader=PackageLoader("notifiers", "templates/messages"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=False,  # the templates ship with the package: no stat a message
    )


def _render(subject: str, paragraphs: list[str], sms: Sequence[Part | str], *, unicode_sms: bool) -> Rendered:
    paragraphs = [p for p in paragraphs if p]
    text = "\n\n".join(paragraphs) + "\n"
    html = (
        _html()
        .get_template("message.html.j2")
        .render(subject=subject, paragraphs=html_paragraphs(paragraphs))
    )
    return Rendered(subject, text, html, fit_one_segment(sms, unicode=unicode_sms, sep="; "))


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _when(alert: FollowupAlert) -> str:
    if alert.step < 0:
        return f"còn {-alert.step:02d} ngày làm việc đến hạn"
    return f"đã quá hạn {alert.step:02d} ngày làm việc"


def _source(n: DirectionNote) -> str:
    if n.at_dialogue:
        return f"ý kiến tại hội nghị đối thoại ngày {dmy(n.received_on)}"
    return f"vụ việc tiếp nhận ngày {dmy(n.received_on)}"


def direction_to_office(n: DirectionNote, alert: FollowupAlert, *, unicode_sms: bool = False) -> Rendered:
    late = alert.step > 0
    tag = "Quá hạn giải quyết" if late else "Sắp đến hạn giải quyết"
    what = "gửi công dân thông báo bằng văn bản" if alert.purpose.startswith("notice") else "giải quyết"
    subject = f"[{tag}] Chỉ đạo số {n.id} của {n.unit_name}: hạn {dmy(n.due)}"
    if alert.purpose.startswith("notice"):
        tag = "Quá hạn thông báo cho công dân" if late else "Sắp đến hạn thông báo cho công dân"
        subject = f"[{tag}] Chỉ đạo số {n.id} của {n.unit_name}: hạn {dmy(alert.deadline)}"
    body = [
        f"Kính gửi Văn phòng {n.unit_name},",
        f"Chỉ đạo số {n.id} ({_source(n)}), giao {n.agency}: {_short(n.content)}",
        f"Hạn {what}: {long_date(alert.deadline)} — {_when(alert)}.",
        (
            "Vui lòng đôn đốc cơ quan được giao và ghi kết quả tại: " + n.link
            if not alert.purpose.startswith("notice")
            else "Vui lòng gửi thông báo cho công dân (Quy định 11-QĐi/TW) và ghi ngày gửi tại: " + n.link
        ),
        "Đây là lần nhắc cuối; việc chậm đã được báo Văn phòng cấp trên." if alert.last else "",
    ]
    sms: list[Part | str] = [
        f"{tag}: chi dao so {n.id} {n.unit_name}",
        f"han {dmy(alert.deadline)}",
        Part(n.agency, shorten=True),
        Part(n.link, optional=True),
    ]
    return _render(subject, body, sms, unicode_sms=unicode_sms)


def direction_to_agency(
    n: DirectionNote, alert: FollowupAlert, *, office: str, unicode_sms: bool = False
) -> Rendered:
    late = alert.step > 0
    tag = "Quá hạn giải quyết" if late else "Sắp đến hạn giải quyết"
    subject = f"[{tag}] Nội dung {office} giao, hạn {dmy(n.due)}"
    body = [
        f"Kính gửi {n.agency},",
        f"Tại {'hội nghị đối thoại' if n.at_dialogue else 'buổi tiếp công dân'} ngày {dmy(n.received_on)}, "
        f"{office} đã giao {n.agency} giải quyết: {_short(n.content, 400)}",
        f"Hạn giải quyết: {long_date(n.due)} — {_when(alert)}.",
        f"Đề nghị {n.agency} khẩn trương giải quyết, trả lời {'Nhân dân' if n.at_dialogue else 'công dân'} "
        f"theo quy định và báo cáo kết quả về {office} (chỉ đạo số {n.id}).",
    ]
    sms = [f"{tag}: chi dao so {n.id} cua {office}", f"han {dmy(n.due)}"]
    return _render(subject, body, sms, unicode_sms=unicode_sms)


def conclusion_missing(
    unit_name: str,
    session_id: int,
    held_on: date,
    due: date,
    link: str,
    *,
    last: bool,
    unicode_sms: bool = False,
) -> Rendered:
    subject = f"[Chưa có thông báo kết luận] Buổi tiếp ngày {dmy(held_on)} của {unit_name}"
    body = [
        f"Kính gửi Văn phòng {unit_name},",
        f"Buổi tiếp công dân {long_date(held_on)} chưa có Thông báo kết luận (hạn {dmy(due)}).",
        "Vui lòng ghi nội dung kết luận, chỉ đạo cho từng vụ việc và ban hành thông báo tại: " + link,
        "Đây là lần nhắc cuối; việc chậm đã được báo Văn phòng cấp trên." if last else "",
    ]
    sms: list[Part | str] = [
        f"Chua co thong bao ket luan buoi tiep {dmy(held_on)} {unit_name}",
        Part(link, optional=True),
    ]
    return _render(subject, body, sms, unicode_sms=unicode_sms)


def conclusion_digest(
    unit_name: str,
    sessions: Sequence[tuple[date, date]],
    link: str,
    *,
    greet: str,
    supervisor: bool,
    nth: int,
    last: bool,
    unicode_sms: bool = False,
) -> Rendered:
    """A unit's held sessions still without their conclusion notice, in one message: to the
    unit's office (``greet`` its own name), or to its superior's office, told what the unit must do.
    ``sessions``: (held on, deadline), oldest first."""
    n = len(sessions)
    which = "nhắc lần cuối" if last else f"nhắc lần {nth}"
    subject = f"[Chưa có thông báo kết luận] {unit_name}: {n} buổi tiếp ({which})"
    lines = "\n".join(f"- Buổi tiếp {in_sentence(h)} (hạn {dmy(d)})" for h, d in sessions)
    if supervisor:
        ask = f"Đề nghị Văn phòng đôn đốc {unit_name} ban hành Thông báo kết luận các buổi tiếp trên."
        ask += f" Xem: {link}"
    else:
        ask = f"Vui lòng ghi Nội dung kết luận, chỉ đạo và ban hành Thông báo kết luận tại: {link}"
    body = [
        f"Kính gửi Văn phòng {greet},",
        f"{n} buổi tiếp công dân của {unit_name} đã quá hạn mà chưa có Thông báo kết luận:\n{lines}",
        ask,
        "Đây là lần nhắc cuối về các buổi tiếp này; việc chậm đã được báo Văn phòng cấp trên."
        if last and not supervisor
        else "",
    ]
    sms: list[Part | str] = [
        f"Chưa có thông báo kết luận ({which}): {unit_name}, {n} buổi, sớm nhất ngày {dmy(sessions[0][0])}",
        Part(link, optional=True),
    ]
    return _render(subject, body, sms, unicode_sms=unicode_sms)
