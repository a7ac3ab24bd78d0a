"""The words of the dialogue reminders (nhắc thông báo, kết quả hội nghị đối thoại).

Plain values in, ``alerts.Rendered`` out: what to do, by when, on what basis, and the desk link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from notifiers.alerts import Rendered
from notifiers.followup_messages import _render
from notifiers.sms_text import Part
from rules.dialogues import KIND_VI, LAW_72, DialogueAlert, DialogueRisk
from rules.vietnamese import dmy, hours, in_sentence, line_date, long_date


@dataclass(frozen=True, slots=True)
class DialogueNote:
    id: int
    unit_name: str
    topic: str
    held_on: date
    link: str


def _when(alert: DialogueAlert) -> str:
    if alert.step < 0:
        return f"còn {-alert.step:02d} ngày làm việc đến hạn {dmy(alert.deadline)}"
    return f"đã quá hạn {dmy(alert.deadline)} {alert.step:02d} ngày làm việc"


def deadline_reminder(n: DialogueNote, alert: DialogueAlert, *, unicode_sms: bool = False) -> Rendered:
    notice = alert.purpose.startswith("dlg_notice")
    late = alert.step > 0
    what = (
        "thông báo công khai thời gian, địa điểm, nội dung và cách thức tham gia"
        if notice
        else ("thông báo kết quả hội nghị (niêm yết tại trụ sở, gửi trưởng thôn, tổ trưởng tổ dân phố)")
    )
    rule = "ít nhất 07 ngày trước hội nghị" if notice else "trong 10 ngày sau hội nghị"
    tag = ("Quá hạn" if late else "Sắp đến hạn") + (
        " thông báo hội nghị đối thoại" if notice else " thông báo kết quả đối thoại"
    )
    subject = f"[{tag}] {n.unit_name}: hội nghị ngày {dmy(n.held_on)}"
    body = [
        f"Kính gửi {n.unit_name},",
        f"Hội nghị đối thoại {long_date(n.held_on)} ({n.topic}) chưa có {what.split(' (')[0]}: "
        f"{_when(alert)} ({rule}, {LAW_72}).",
        f"Đề nghị {what} và ghi lại tại: {n.link}",
        "Đây là lần nhắc cuối; việc chậm đã được báo cấp trên." if alert.last else "",
    ]
    short = "Thong bao hoi nghi doi thoai" if notice else "Thong bao ket qua doi thoai"
    sms: list[Part | str] = [
        f"{short} {dmy(n.held_on)} {n.unit_name}: han {dmy(alert.deadline)}",
        Part(n.link, optional=True),
    ]
    return _render(subject, body, sms, unicode_sms=unicode_sms)


def risk_reminder(unit_name: str, risk: DialogueRisk, link: str, *, unicode_sms: bool = False) -> Rendered:
    subject = f"[Nguy cơ chưa đủ hội nghị đối thoại] {unit_name}: năm {risk.year}"
    body = [
        f"Kính gửi {unit_name},",
        f"Năm {risk.year} còn {risk.days_left} ngày; đơn vị mới có {risk.scheduled}/{risk.required} hội nghị "
        "đối thoại đã tổ chức hoặc dự kiến.",
        f"Đề nghị xây dựng kế hoạch và tổ chức hội nghị đối thoại trước ngày 31/12/{risk.year}: {link}",
    ]
    sms: list[Part | str] = [
        f"Nam {risk.year} {unit_name} moi co {risk.scheduled}/{risk.required} hoi nghi doi thoai",
        Part(link, optional=True),
    ]
    return _render(subject, body, sms, unicode_sms=unicode_sms)


# The dialogue itself: its announcement, its reminders and its postponement, to the people who
# take part (the head, the staff, the co-organisers). A co-organiser (the MTTQ's chair reading the
# Ủy ban MTTQ's mail) is greeted by its own name, asked what the law asks of it (to organise it
# with the unit and bring the opinions it gathered), and given the public schedule's address,
# not a desk page it has no account for.


@dataclass(frozen=True, slots=True)
class DialogueEvent:
    id: int
    unit_name: str
    topic: str
    kind: str
    form: str
    held_on: date
    start: str | None
    end: str | None
    place: str
    online_url: str
    co_organisers: tuple[str, ...]


def _what(ev: DialogueEvent) -> str:
    if ev.kind == "enterprise":
        return "hội nghị đối thoại với doanh nghiệp"
    return f"hội nghị đối thoại {KIND_VI[ev.kind]} với Nhân dân"


def _when_where(ev: DialogueEvent, day: date | None = None) -> str:
    """ "chủ nhật, ngày 20/06/2027, từ 08h00 đến 11h00, tại Hội trường UBND phường" """
    out = in_sentence(day or ev.held_on)
    span = hours(ev.start, ev.end)
    if span:
        out += f", {span}"
    if ev.form != "online" and ev.place:
        out += f", tại {ev.place}"
    return out


def _details(ev: DialogueEvent) -> list[str]:
    out = [f"Nội dung: {ev.topic}."]
    if ev.form in ("online", "hybrid"):
        how = "trực tuyến" if ev.form == "online" else "trực tiếp kết hợp trực tuyến"
        out.append(f"Hình thức: {how}" + (f", tại địa chỉ {ev.online_url}" if ev.online_url else "") + ".")
    if ev.co_organisers:
        out.append(f"Cơ quan phối hợp tổ chức: {'; '.join(ev.co_organisers)}.")
    return out


def _sms_when(ev: DialogueEvent, day: date | None = None) -> str:
    span = hours(ev.start, ev.end, running=False)
    return f"{span} {dmy(day or ev.held_on)}" if span else dmy(day or ev.held_on)


def announcement(ev: DialogueEvent, to_name: str, link: str, *, unicode_sms: bool = False) -> Rendered:
    """To a co-organiser, once the dialogue is announced."""
    subject = f"[Thông báo hội nghị đối thoại] {ev.unit_name}: {line_date(ev.held_on)}"
    body = [
        f"Kính gửi {to_name},",
        f"{ev.unit_name} tổ chức {_what(ev)} vào {_when_where(ev)}.",
        *_details(ev),
        "Đề nghị Quý cơ quan phối hợp tổ chức hội nghị và gửi ý kiến, kiến nghị của Nhân dân đã tổng hợp "
        f"đến {ev.unit_name} trước ngày hội nghị.",
        f"Lịch tiếp công dân và hội nghị đối thoại của đơn vị: {link}" if link else "",
    ]
    sms: list[Part | str] = [
        f"{ev.unit_name} to chuc hoi nghi doi thoai {_sms_when(ev)}",
        Part(ev.place if ev.form != "online" else ev.online_url, shorten=True),
        Part(link, optional=True),
    ]
    return _render(subject, body, sms, unicode_sms=unicode_sms)


def upcoming(
    ev: DialogueEvent, ahead: str, to_name: str, link: str, *, unicode_sms: bool = False
) -> Rendered:
    """The reminder before the day (``ahead``: "ngày mai", "7 ngày nữa"), to everyone taking part."""
    subject = f"[Nhắc lịch] Hội nghị đối thoại {in_sentence(ev.held_on)} ({ahead}) – {ev.unit_name}"
    body = [
        f"Kính gửi {to_name},",
        f"Nhắc lịch ({ahead}): {ev.unit_name} tổ chức {_what(ev)} vào {_when_where(ev)}.",
        *_details(ev),
        f"Chi tiết hội nghị: {link}" if link else "",
    ]
    sms: list[Part | str] = [
        f"Nhac lich ({ahead}): {ev.unit_name} hoi nghi doi thoai {_sms_when(ev)}",
        Part(ev.place if ev.form != "online" else ev.online_url, shorten=True),
        Part(link, optional=True),
    ]
    return _render(subject, body, sms, unicode_sms=unicode_sms)


def postponed(
    ev: DialogueEvent,
    old_date: date,
    new_date: date | None,
    reason: str,
    to_name: str,
    link: str,
    *,
    notice_by: date | None = None,
    unicode_sms: bool = False,
) -> Rendered:
    """The dialogue postponed (hoãn), to the people told of it: the old day, the new day or that it
    will be told, why. ``notice_by``: to the office, when the new day is still to be announced."""
    tail = f", tổ chức vào ngày {dmy(new_date)}" if new_date else ""
    subject = f"[Hoãn hội nghị đối thoại] {ev.unit_name}: ngày {dmy(old_date)}{tail}"
    then = (
        f"Hội nghị sẽ được tổ chức vào {_when_where(ev, new_date)}."
        if new_date
        else "Thời gian tổ chức hội nghị sẽ được thông báo sau."
    )
    body = [
        f"Kính gửi {to_name},",
        f"{_what(ev)[0].upper()}{_what(ev)[1:]} của {ev.unit_name} dự kiến tổ chức vào "
        f"{in_sentence(old_date)} được hoãn.",
        f"Lý do: {reason}" if reason else "",
        then,
        (
            f"Đề nghị thông báo công khai ngày tổ chức mới chậm nhất ngày {dmy(notice_by)} "
            f"(ít nhất 07 ngày trước hội nghị, {LAW_72})."
            if notice_by
            else ""
        ),
        (f"Chi tiết hội nghị: {link}" if link else ""),
    ]
    sms: list[Part | str] = [
        f"Hoan hoi nghi doi thoai {dmy(old_date)} {ev.unit_name}",
        f"to chuc {_sms_when(ev, new_date)}" if new_date else "ngay to chuc se thong bao sau",
        Part(f"ly do: {reason}", optional=True, shorten=True),
        Part(link, optional=True),
    ]
    return _render(subject, body, sms, unicode_sms=unicode_sms)
