"""The conclusion notice (Thông báo kết luận) of a held session, as an editable Word document.

"THÔNG BÁO / Kết luận của đồng chí Bí thư Tỉnh ủy tại buổi tiếp công dân định kỳ ngày
25/01/2027" (party, HD 36) or "... của Chủ tịch Ủy ban nhân dân tỉnh Cao Bằng ..." (state, NĐ 30:
no "đồng chí", the body spelled out). One section per case of the reception log with the head's
directions, the agency and the deadline of each; "Nơi nhận" lists the agencies assigned.

Personal data (Nghị định 13/2023/NĐ-CP): the agencies get what they need to act and to answer the
citizen — the name, the address and what was raised — never the ID number. The page itself (the
letterhead, the title, the signature) is ``notifiers.docx_layout``, shared with the other notices.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from notifiers import docx_layout as page
from notifiers.notice_bodies import issuing_body
from notifiers.views import Issue
from rules import Unit
from rules.vietnamese import dmy
from rules.vocabulary import KIND_VI

_SPELLED = (("UBND", "Ủy ban nhân dân"), ("HĐND", "Hội đồng nhân dân"))


@dataclass(frozen=True, slots=True)
class DirectionLine:
    content: str  # what the head concluded or directed
    agency: str
    due: date
    limit_text: str = ""  # "10 ngày làm việc" ("" for a date the office set)


@dataclass(frozen=True, slots=True)
class ConclusionCase:
    """One citizen or delegation of the log, as the agencies need it."""

    name: str
    address: str
    content: str
    people: int = 1
    is_group: bool = False
    directions: tuple[DirectionLine, ...] = ()


@dataclass(frozen=True, slots=True)
class ConclusionNotice:
    unit: Unit
    session_date: date
    kind: str  # periodic | makeup | adhoc
    venue: str
    issue: Issue
    cases: tuple[ConclusionCase, ...]
    received_by: str = ""  # someone other than the head received (tiếp thay)


def head_words(unit: Unit) -> str:
    """Who concluded: "đồng chí Bí thư Tỉnh ủy" (party); "Chủ tịch Ủy ban nhân dân tỉnh Cao Bằng"
    (state: no "đồng chí", the body's name spelled out)."""
    title = unit.head.title.strip()
    if unit.body == "party":
        return f"đồng chí {title}" if title else f"người đứng đầu {unit.name}"
    for short, full in _SPELLED:
        title = title.replace(short, full)
    if not title:
        return f"người đứng đầu {unit.name}"
    words = title.split()
    role = " ".join(words[:2])
    # "Chủ tịch" alone, or "Chủ tịch Ủy ban nhân dân tỉnh": the body's full name follows.
    if role.lower() in ("chủ tịch", "giám đốc") and (len(words) <= 2 or full_body_in(title, unit)):
        return f"{role} {unit.name}"
    return title


def full_body_in(title: str, unit: Unit) -> bool:
    """The title names the body only by its level ("Chủ tịch Ủy ban nhân dân tỉnh"): use the
    body's full name instead."""
    return unit.name.lower().startswith(" ".join(title.split()[2:]).lower())


def summary_of(n: ConclusionNotice) -> str:
    kind = KIND_VI.get(n.kind, "")
    kind_text = "tiếp công dân bù" if n.kind == "makeup" else f"tiếp công dân {kind}"
    return f"Kết luận của {head_words(n.unit)} tại buổi {kind_text} ngày {dmy(n.session_date)}"


def recipients_of(n: ConclusionNotice) -> tuple[str, ...]:
    """The agencies assigned, in the order they first appear, then the office's own copies."""
    agencies: list[str] = []
    for case in n.cases:
        for d in case.directions:
            if d.agency not in agencies:
                agencies.append(d.agency)
    if n.unit.body == "party":
        tail = (f"Thường trực {n.unit.name}", f"Lưu Văn phòng {n.unit.name}")
    else:
        tail = ("Thường trực Hội đồng nhân dân", "Lưu: VT")
    return (*agencies, *tail)


def _who(case: ConclusionCase) -> str:
    if case.is_group:
        lead = f"Đoàn {case.people:02d} công dân do {case.name} đại diện"
    else:
        lead = f"Công dân {case.name}"
    return f"{lead}, địa chỉ: {case.address}" if case.address else lead


def conclusion_notice_docx(n: ConclusionNotice) -> bytes:
    unit = n.unit
    summary = summary_of(n)
    doc = page.new_document(f"Thông báo {summary}")
    page.letterhead(doc, unit.body, superior=unit.superior, issuer=unit.name, place=unit.place, issue=n.issue)
    page.title(doc, unit.body, "Thông báo", summary)
    who = head_words(unit)
    kind = "tiếp công dân bù" if n.kind == "makeup" else f"tiếp công dân {KIND_VI.get(n.kind, '')}"
    venue = f" tại {n.venue}" if n.venue else ""
    receiver = f"{n.received_by} (tiếp thay {who})" if n.received_by else who
    page.text(
        doc,
        f"Ngày {dmy(n.session_date)}, {receiver} đã {kind}{venue}. Sau khi nghe công dân trình bày "
        f"và ý kiến của các cơ quan, đơn vị liên quan, {who} kết luận, chỉ đạo như sau:",
    )
    for i, case in enumerate(n.cases, start=1):
        page.text(doc, f"{_who(case)}.", bold_lead=f"{i}. ", after=2)
        if case.content:
            page.text(
                doc, f"{case.content.rstrip('.')}.", bold_lead="Nội dung phản ánh, kiến nghị: ", after=2
            )
        if not case.directions:
            page.text(doc, "Đã trả lời, hướng dẫn công dân tại buổi tiếp.", after=6)
            continue
        page.text(doc, "", bold_lead="Kết luận, chỉ đạo:", after=2)
        for j, d in enumerate(case.directions):
            limit = f" ({d.limit_text})" if d.limit_text else ""
            last = j == len(case.directions) - 1
            page.text(
                doc,
                f"- {d.content.rstrip('.')}. Giao {d.agency} chủ trì giải quyết, hoàn thành trước ngày "
                f"{dmy(d.due)}{limit}.",
                after=6 if last else 2,
            )
    page.text(
        doc,
        # The body that signs says it (HD 36: "T/M BAN THƯỜNG VỤ" with "Ban Thường vụ ... thông báo").
        f"{issuing_body(unit)} thông báo để các cơ quan, đơn vị liên quan biết, thực hiện; trả lời công "
        f"dân theo quy định và báo cáo kết quả giải quyết về {unit.name} trước thời hạn nêu trên./.",
        after=6,
    )
    page.signature_block(doc, unit.body, n.issue)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
