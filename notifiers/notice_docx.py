"""The annual schedule notice and the change notice as editable Word documents.

The office edits, signs and stamps the document it gets, so it is a plain .docx (python-docx)
rather than a PDF: the number is left blank for the registry to fill in unless given.
"""

from __future__ import annotations

import io

from docx.document import Document as DocumentObject

from notifiers import docx_layout as page
from notifiers.notice_bodies import (
    abbreviation,
    default_attendees,
    default_recipients,
    default_signature,
    head_phrase,
    issuing_body,
    number_line,
    receiver_phrase,
)
from notifiers.views import AnnualNotice, ChangeNotice, Issue, NoticeRef, SessionView
from notifiers.wording import (
    change_note,
    describe_pattern,
    makeup_rule,
    register_deadline,
    register_rule,
    roll_rule,
    weekday_lower,
)
from rules import Unit
from rules.vietnamese import WEEKDAYS, dmy
from rules.vocabulary import KIND_VI, LOST_VERB_VI

__all__ = [
    "annual_notice_docx",
    "change_notice_docx",
    "default_attendees",
    "default_recipients",
    "default_signature",
    "number_line",
]


def _time_phrase(unit: Unit) -> str:
    if unit.start is None or unit.end is None:
        return ""
    part = "buổi sáng" if unit.start.hour < 12 else "buổi chiều"
    return f"{part} từ {unit.start:%H}h{unit.start:%M} đến {unit.end:%H}h{unit.end:%M}"


def _when(s: SessionView) -> str:
    """ "thứ Hai, ngày 25/01/2027, từ 07h30 đến 11h30, tại Trụ sở ...", inside a sentence."""
    out = f"{weekday_lower(s.date.weekday())}, ngày {dmy(s.date)}"
    if s.start is not None and s.end is not None:
        out += f", từ {s.start:%H}h{s.start:%M} đến {s.end:%H}h{s.end:%M}"
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


_LEADS = ("căn cứ", "thực hiện", "theo", "xét")


def _basis(doc: DocumentObject, unit: Unit, basis: tuple[str, ...]) -> None:
    """One paragraph an act, as configured or by default. A state line without its lead gets
    "Căn cứ "; a party line is kept as written ("Thực hiện Quy định ...;" then "Kết luận ...;"
    continuing the same "thực hiện")."""
    for line in basis:
        line = line.strip().rstrip(";.,")
        if line:
            lead = "" if unit.body == "party" or line.lower().startswith(_LEADS) else "Căn cứ "
            page.text(doc, f"{lead}{line};", after=2)


def _closing(doc: DocumentObject, unit: Unit, issue: Issue) -> None:
    page.text(
        doc,
        f"{issuing_body(unit)} thông báo để các cơ quan, đơn vị, địa phương và Nhân dân biết, thực hiện./.",
        after=6,
    )
    page.signature_block(doc, unit.body, issue)


def _summary_annual(n: AnnualNotice) -> str:
    unit = n.schedule.unit
    who = f"của {head_phrase(unit)}"
    if unit.body == "party":
        return f"về lịch tiếp công dân định kỳ năm {n.year} {who}"
    return f"Lịch tiếp công dân định kỳ năm {n.year} {who}"


def annual_notice_docx(n: AnnualNotice) -> bytes:
    """Thông báo lịch tiếp công dân định kỳ: the year's sessions month by month."""
    unit = n.schedule.unit
    summary = _summary_annual(n)
    doc = page.new_document(f"Thông báo {summary}")
    _top(doc, unit, n.issue, summary)
    _basis(doc, unit, n.schedule.basis)
    page.text(
        doc,
        f"{issuing_body(unit)} thông báo lịch tiếp công dân định kỳ năm {n.year} của {head_phrase(unit)} "
        "như sau:",
    )
    page.text(
        doc,
        f"{receiver_phrase(unit)}, trực tiếp tiếp công dân.",
        bold_lead="1. Người tiếp công dân: ",
        after=2,
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
    return KIND_VI[s.kind]


def change_summary(n: ChangeNotice) -> str:
    s = n.session
    lead = "về việc " if n.schedule.unit.body == "party" else "Về việc "
    if n.change == "cancelled":
        what = "hoãn" if s.status == "cancelled" else "không tổ chức"  # "Về việc không tổ chức buổi tiếp ..."
        text = f"{lead}{what} buổi tiếp công dân {_kind_words(s)} ngày {dmy(s.date)}"
        if s.made_up_on is not None:
            text += f" và tiếp công dân bù vào ngày {dmy(s.made_up_on)}"
        return text
    if n.change == "moved":
        since = s.moved_from or s.nominal or s.date
        return f"{lead}thay đổi lịch tiếp công dân {_kind_words(s)} ngày {dmy(since)}"
    if n.change == "makeup":
        return f"{lead}tiếp công dân bù vào ngày {dmy(s.date)}"
    return f"{lead}tiếp công dân đột xuất ngày {dmy(s.date)}"


def _number_suffix(unit: Unit) -> str:
    return f"-TB/{abbreviation(unit)}" if unit.body == "party" else f"/TB-{abbreviation(unit)}"


def annual_reference(unit: Unit, year: int, ref: NoticeRef | None) -> str:
    """ "Theo Thông báo số 05-TB/TU ngày 01/12/2026 của Ban Thường vụ Tỉnh ủy Cao Bằng về lịch
    tiếp công dân năm 2027": the year's notice this change amends; dots where the record has no
    number or date, for the clerk to fill in."""
    number = ref.number if ref is not None and ref.number else f"....{_number_suffix(unit)}"
    issued = dmy(ref.issued_on) if ref is not None and ref.issued_on else "..../..../...."
    return (
        f"Theo Thông báo số {number} ngày {issued} của {issuing_body(unit)} về lịch tiếp công dân năm {year}"
    )


def change_notice_docx(n: ChangeNotice) -> bytes:
    """Thông báo hoãn/thay đổi lịch tiếp công dân: one session cancelled, moved or made up."""
    unit, s = n.schedule.unit, n.session
    body = issuing_body(unit)
    summary = change_summary(n)
    doc = page.new_document(f"Thông báo {summary}")
    _top(doc, unit, n.issue, summary)
    who = head_phrase(unit)
    year = (s.replaces_date or s.moved_from or s.date).year
    cite = annual_reference(unit, year, n.annual)
    if n.change == "cancelled":
        what = LOST_VERB_VI["cancelled" if s.status == "cancelled" else "not_held"]
        page.text(
            doc,
            f"{cite}, buổi tiếp công dân {_kind_words(s)} của {who} được tổ chức vào {_when(s)}. "
            f"Nay {body} thông báo {what} buổi tiếp công dân nói trên.",
        )
        if s.reason:
            page.text(doc, f"{s.reason.rstrip('.')}.", bold_lead="Lý do: ")
        if s.made_up_on is not None:
            makeup = SessionView(s.id, s.made_up_on, start=s.start, end=s.end, venue=s.venue)
            page.text(
                doc,
                f"{who[0].upper()}{who[1:]} tiếp công dân bù vào {_when(makeup)}. Công dân đã đăng ký "
                f"tiếp tại buổi ngày {dmy(s.date)} được tiếp tại buổi tiếp bù.",
            )
        else:
            page.text(
                doc,
                "Thời gian tiếp công dân bù sẽ được thông báo sau, ít nhất 05 ngày làm việc trước ngày tiếp.",
            )
    elif n.change == "moved":
        since = s.moved_from or s.nominal
        since_text = f"ngày {dmy(since)}" if since else "đã thông báo"
        page.text(
            doc,
            f"{cite}, {body} thông báo thay đổi lịch tiếp công dân {_kind_words(s)} của {who}: "
            f"buổi tiếp {since_text} chuyển sang {_when(s)}.",
        )
        if s.reason:
            page.text(doc, f"{s.reason.rstrip('.')}.", bold_lead="Lý do: ")
        page.text(
            doc, f"Công dân đã đăng ký tiếp tại buổi {since_text} được tiếp tại buổi ngày {dmy(s.date)}."
        )
    elif n.change == "makeup":
        for_day = f" cho buổi tiếp ngày {dmy(s.replaces_date)} đã hoãn" if s.replaces_date else ""
        page.text(doc, f"{cite}, {body} thông báo lịch tiếp công dân bù của {who}{for_day}: {_when(s)}.")
        if s.replaces_date:
            page.text(
                doc,
                f"Công dân đã đăng ký tiếp tại buổi ngày {dmy(s.replaces_date)} được tiếp tại buổi tiếp bù.",
            )
        if s.reason:
            page.text(doc, f"{s.reason.rstrip('.')}.", bold_lead="Ghi chú: ")
    else:
        page.text(doc, f"{body} thông báo {who} tiếp công dân đột xuất vào {_when(s)}.")
        if s.reason:
            page.text(doc, f"{s.reason.rstrip('.')}.", bold_lead="Nội dung: ")
    if s.online_url:
        page.text(doc, f"Công dân có thể tham gia trực tuyến tại địa chỉ {s.online_url}.")
    _closing(doc, unit, n.issue)
    return _save(doc)
