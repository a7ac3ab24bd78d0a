"""The annual schedule notice and the change notice as editable Word documents.

The office edits, signs and stamps the document it gets, so it is a plain .docx (python-docx)
rather than a PDF: the number is left blank for the registry to fill in unless given.
"""

from __future__ import annotations

import io

from docx.document import Document as DocumentObject

from notifiers import docx_layout as page
from notifiers.views import AnnualNotice, ChangeNotice, Issue, SessionView, Signature
from notifiers.wording import (
    change_note,
    describe_pattern,
    head_title,
    makeup_rule,
    receiver,
    register_deadline,
    register_rule,
    roll_rule,
)
from rules import Unit
from rules.vietnamese import WEEKDAYS, dmy

# Abbreviations of the issuing party body in the number ("Số 12-TB/TU"), by the name's start.
_PARTY_ABBREVIATIONS = (
    ("tỉnh ủy", "TU"),
    ("thành ủy", "TU"),
    ("thị ủy", "TU"),
    ("huyện ủy", "HU"),
    ("quận ủy", "QU"),
    ("đảng ủy", "ĐU"),
)
_ROLES = ("phó bí thư", "bí thư", "phó chủ tịch", "chủ tịch", "phó giám đốc", "giám đốc", "chánh thanh tra")
BLANK_NUMBER = "    "  # room for the registry's number, written by hand or typed in later


def _abbreviation(unit: Unit) -> str:
    name = unit.name.lower()
    if unit.body == "party":
        return next((abbr for start, abbr in _PARTY_ABBREVIATIONS if name.startswith(start)), "TU")
    return "UBND"


def number_line(unit: Unit, number: str | None) -> str:
    """ "Số 12-TB/TU" (party, HD 36) or "Số: 12/TB-UBND" (state, NĐ 30); blanks when not given.
    A full number ("12-TB/VPTU") is kept as written."""
    n = (number or "").strip()
    if n.lower().startswith("số"):
        return n
    if n and not n.isdigit():
        return f"Số {n}" if unit.body == "party" else f"Số: {n}"
    n = n or BLANK_NUMBER
    if unit.body == "party":
        return f"Số {n}-TB/{_abbreviation(unit)}"
    return f"Số: {n}/TB-{_abbreviation(unit)}"


def _role(title: str) -> str:
    low = title.lower().strip()
    for role in _ROLES:
        if low.startswith(role):
            return role.upper()
    return title.upper()


def default_signature(unit: Unit, signer: str | None = None) -> Signature:
    """The signature block: party "T/M BAN THƯỜNG VỤ / BÍ THƯ", state "TM. ỦY BAN NHÂN DÂN /
    CHỦ TỊCH". ``signer`` is a name, or lines and a name joined by "|"
    ("KT. CHỦ TỊCH|PHÓ CHỦ TỊCH|Trần Văn B")."""
    parts = [p.strip() for p in (signer or "").split("|") if p.strip()]
    if len(parts) > 1:
        return Signature(tuple(parts[:-1]), parts[-1])
    name = parts[0] if parts else unit.head.name
    role = _role(unit.head.title) if unit.head.title else ""
    if unit.body == "party":
        lines = ("T/M BAN THƯỜNG VỤ", role or "BÍ THƯ")
    elif unit.name.lower().startswith("ủy ban nhân dân"):
        lines = ("TM. ỦY BAN NHÂN DÂN", role or "CHỦ TỊCH")
    else:
        lines = (role,) if role else ()
    return Signature(lines, name)


def default_recipients(unit: Unit) -> tuple[str, ...]:
    if unit.body == "party":
        return (
            "Các đồng chí Ủy viên Ban Thường vụ",
            "Các cơ quan, đơn vị liên quan",
            "Nơi tiếp công dân (niêm yết)",
            "Trang thông tin điện tử",
            f"Lưu Văn phòng {unit.name}",
        )
    return (
        "Thường trực Hội đồng nhân dân",
        "Các cơ quan chuyên môn liên quan",
        "Ban Tiếp công dân",
        "Cổng thông tin điện tử",
        "Lưu: VT",
    )


def default_attendees(unit: Unit) -> str:
    if unit.body == "party":
        return (
            "đại diện lãnh đạo Ủy ban Kiểm tra, Ban Nội chính, Văn phòng và các cơ quan, đơn vị có "
            "liên quan đến nội dung công dân phản ánh"
        )
    return (
        "Chánh Thanh tra, Trưởng Ban Tiếp công dân và thủ trưởng các cơ quan chuyên môn có liên "
        "quan đến nội dung công dân phản ánh"
    )


def _time_phrase(unit: Unit) -> str:
    if unit.start is None or unit.end is None:
        return ""
    part = "buổi sáng" if unit.start.hour < 12 else "buổi chiều"
    return f"{part} từ {unit.start:%H} giờ {unit.start:%M} đến {unit.end:%H} giờ {unit.end:%M}"


def _when(s: SessionView) -> str:
    """ "Thứ Hai, ngày 25/01/2027, từ 07h30 - 11h30, tại Trụ sở ..."."""
    out = f"{WEEKDAYS[s.date.weekday()]}, ngày {dmy(s.date)}"
    if s.time_text:
        out += f", thời gian {s.time_text}"
    if s.venue:
        out += f", tại {s.venue}"
    return out


def _save(doc: DocumentObject) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _top(doc: DocumentObject, unit: Unit, issue: Issue, summary: str) -> None:
    page.letterhead(doc, unit.body, superior=unit.superior, issuer=unit.name, place=unit.place, issue=issue)
    page.title(doc, unit.body, "Thông báo", summary)


def _basis(doc: DocumentObject, basis: tuple[str, ...]) -> None:
    for line in basis:
        line = line.strip().rstrip(";.")
        if line:
            lead = "" if line.lower().startswith("căn cứ") else "Căn cứ "
            page.text(doc, f"{lead}{line};", after=2)


def _closing(doc: DocumentObject, unit: Unit, issue: Issue) -> None:
    page.text(
        doc,
        f"{unit.name} thông báo để các cơ quan, đơn vị, địa phương và Nhân dân biết, thực hiện./.",
        after=6,
    )
    page.signature_block(doc, unit.body, issue)


def _summary_annual(n: AnnualNotice) -> str:
    unit = n.schedule.unit
    who = f"của {head_title(unit)}"
    if unit.body == "party":
        return f"về lịch tiếp công dân định kỳ năm {n.year} {who}"
    return f"Lịch tiếp công dân định kỳ năm {n.year} {who}"


def annual_notice_docx(n: AnnualNotice) -> bytes:
    """Thông báo lịch tiếp công dân định kỳ: the year's sessions month by month."""
    unit = n.schedule.unit
    summary = _summary_annual(n)
    doc = page.new_document(f"Thông báo {summary}")
    _top(doc, unit, n.issue, summary)
    _basis(doc, n.schedule.basis)
    page.text(
        doc, f"{unit.name} thông báo lịch tiếp công dân định kỳ năm {n.year} của {head_title(unit)} như sau:"
    )
    page.text(
        doc, f"{receiver(unit)} trực tiếp tiếp công dân.", bold_lead="1. Người tiếp công dân: ", after=2
    )
    attendees = n.attendees.strip().rstrip(".")
    if attendees:
        page.text(doc, f"{attendees[0].upper()}{attendees[1:]}.", bold_lead="Thành phần tham dự: ")
    when = describe_pattern(unit.pattern)
    if n.schedule.mandate:
        when += f" ({n.schedule.mandate})"
    time_phrase = _time_phrase(unit)
    if time_phrase:
        when += f", {time_phrase}"
    page.text(
        doc,
        f"{when}. {roll_rule(n.schedule.roll, n.schedule.period)}",
        bold_lead="2. Thời gian tiếp công dân: ",
        after=2,
    )
    page.text(doc, f"Các buổi tiếp công dân trong năm {n.year} cụ thể như sau:", after=4)
    _sessions_table(doc, n)
    venue = unit.venue or "nơi tiếp công dân"
    if unit.address and unit.address not in venue:
        venue += f", {unit.address}"
    page.text(doc, f"{venue}.", bold_lead="3. Địa điểm: ", after=2)
    if unit.online:
        page.text(doc, f"Công dân có thể tham gia buổi tiếp trực tuyến tại địa chỉ {unit.online}.", after=6)
    example = n.sessions[0] if n.sessions else None
    page.text(doc, register_rule(unit, example), bold_lead="4. Đăng ký tiếp công dân: ")
    page.text(doc, makeup_rule(unit), bold_lead="5. Hoãn lịch và tiếp bù: ")
    _closing(doc, unit, n.issue)
    return _save(doc)


def _sessions_table(doc: DocumentObject, n: AnnualNotice) -> None:
    unit = n.schedule.unit
    register = unit.register_by is not None
    headers = ["Tháng", "Thứ", "Ngày", "Thời gian"]
    widths = [18.0, 22.0, 26.0, 30.0]
    if register:
        headers.append("Đăng ký trước ngày")
        widths.append(27.0)
    headers.append("Ghi chú")
    widths.append(page.TEXT_WIDTH_MM - sum(widths))
    rows: list[list[str]] = []
    by_month: dict[int, list[SessionView]] = {}
    for s in n.sessions:
        by_month.setdefault(s.date.month, []).append(s)
    for month in range(1, 13):
        label = f"{month:02d}/{n.year}"
        sessions = by_month.get(month, [])
        if not sessions:
            rows.append([label, "", "", "", *([""] if register else []), "Không có buổi tiếp"])
            continue
        for i, s in enumerate(sessions):
            note = _note(s, unit)
            row = [label if i == 0 else "", WEEKDAYS[s.date.weekday()], dmy(s.date), s.time_text]
            if register:
                assert unit.register_by is not None
                row.append(dmy(register_deadline(unit.register_by, s.date)))
            rows.append([*row, note])
    page.grid_table(doc, headers, rows, widths, merge_first_column=True)
    page.paragraph(doc, after=6)


def _note(s: SessionView, unit: Unit) -> str:
    note = change_note(s)
    parts = [note] if note else []
    if s.venue and s.venue != unit.venue:
        parts.append(f"Địa điểm: {s.venue}")
    if s.online_url:
        parts.append(f"Trực tuyến: {s.online_url}")
    return "; ".join(parts)


# ------------------------------------------------------------------------------- change notice


def _kind_words(s: SessionView) -> str:
    return {"periodic": "định kỳ", "makeup": "bù", "adhoc": "đột xuất"}[s.kind]


def change_summary(n: ChangeNotice) -> str:
    s = n.session
    lead = "về việc " if n.schedule.unit.body == "party" else "Về việc "
    if n.change == "cancelled":
        what = "hoãn" if s.status == "cancelled" else "không tổ chức"
        return f"{lead}{what} buổi tiếp công dân {_kind_words(s)} ngày {dmy(s.date)}"
    if n.change == "moved":
        since = s.moved_from or s.nominal or s.date
        return f"{lead}thay đổi lịch tiếp công dân {_kind_words(s)} ngày {dmy(since)}"
    if n.change == "makeup":
        return f"{lead}lịch tiếp công dân bù ngày {dmy(s.date)}"
    return f"{lead}lịch tiếp công dân đột xuất ngày {dmy(s.date)}"


def change_notice_docx(n: ChangeNotice) -> bytes:
    """Thông báo hoãn/thay đổi lịch tiếp công dân: one session cancelled, moved or made up."""
    unit, s = n.schedule.unit, n.session
    summary = change_summary(n)
    doc = page.new_document(f"Thông báo {summary}")
    _top(doc, unit, n.issue, summary)
    who = head_title(unit)
    if n.change == "cancelled":
        what = "hoãn" if s.status == "cancelled" else "không tổ chức được"
        page.text(
            doc,
            f"{unit.name} thông báo {what} buổi tiếp công dân {_kind_words(s)} của {who} "
            f"dự kiến vào {_when(s)}.",
        )
        if s.reason:
            page.text(doc, f"{s.reason.rstrip('.')}.", bold_lead="Lý do: ")
        if s.made_up_on is not None:
            makeup = SessionView(s.id, s.made_up_on, start=s.start, end=s.end, venue=s.venue)
            page.text(
                doc,
                f"Buổi tiếp bù được tổ chức vào {_when(makeup)}. Công dân đã đăng ký tiếp tại "
                f"buổi ngày {dmy(s.date)} được tiếp tại buổi tiếp bù.",
            )
        else:
            page.text(
                doc, "Thời gian tiếp bù sẽ được thông báo sau, ít nhất 05 ngày làm việc trước ngày tiếp."
            )
    elif n.change == "moved":
        since = s.moved_from or s.nominal
        since_text = f"ngày {dmy(since)}" if since else "đã thông báo"
        page.text(
            doc,
            f"{unit.name} thông báo thay đổi lịch tiếp công dân {_kind_words(s)} của {who}: "
            f"buổi tiếp {since_text} chuyển sang {_when(s)}.",
        )
        if s.reason:
            page.text(doc, f"{s.reason.rstrip('.')}.", bold_lead="Lý do: ")
        page.text(
            doc, f"Công dân đã đăng ký tiếp tại buổi {since_text} được tiếp tại buổi ngày {dmy(s.date)}."
        )
    elif n.change == "makeup":
        since = f" cho buổi tiếp ngày {dmy(s.replaces_date)} đã hoãn" if s.replaces_date else ""
        page.text(doc, f"{unit.name} thông báo lịch tiếp công dân bù của {who}{since}: {_when(s)}.")
        if s.reason:
            page.text(doc, f"{s.reason.rstrip('.')}.", bold_lead="Ghi chú: ")
    else:
        page.text(doc, f"{unit.name} thông báo {who} tiếp công dân đột xuất vào {_when(s)}.")
        if s.reason:
            page.text(doc, f"{s.reason.rstrip('.')}.", bold_lead="Nội dung: ")
    if s.online_url:
        page.text(doc, f"Công dân có thể tham gia trực tuyến tại địa chỉ {s.online_url}.")
    if n.short_notice:
        page.text(doc, short_notice_sentence(n.working_days_left or 0))
    _closing(doc, unit, n.issue)
    return _save(doc)


def short_notice_sentence(days: int) -> str:
    return (
        f"Do thay đổi phát sinh đột xuất, thông báo này được ban hành khi chỉ còn {days:02d} ngày làm "
        "việc trước buổi tiếp, ít hơn 05 ngày làm việc theo quy định về niêm yết lịch tiếp công dân; "
        "đề nghị các cơ quan, đơn vị khẩn trương niêm yết và thông tin rộng rãi để công dân biết."
    )
