"""The words of the dialogue reminders (nhắc thông báo, kết quả hội nghị đối thoại).

Plain values in, ``alerts.Rendered`` out: what to do, by when, on what basis, and the desk link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from notifiers.alerts import Rendered
from notifiers.followup_messages import _render
from notifiers.sms_text import Part
from rules.dialogues import LAW_72, DialogueAlert, DialogueRisk
from rules.vietnamese import dmy, long_date


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
