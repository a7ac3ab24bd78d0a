"""The year's plan of dialogue conferences (Kế hoạch tiếp xúc, đối thoại năm 2027), as an editable
Word document: purpose, the table of the year's dialogues (time, content, kind and form, place,
who presides and who co-organises), how it is carried out, and the signature.

The page (letterhead, title, signature) is ``notifiers.docx_layout``, shared with the notices.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, time

from notifiers import docx_layout as page
from notifiers.notice_bodies import BLANK_NUMBER, abbreviation
from notifiers.views import Issue
from rules import Unit
from rules.dialogues import FORM_VI, KIND_VI, LAW_72
from rules.vietnamese import dmy


@dataclass(frozen=True, slots=True)
class PlannedDialogue:
    held_on: date
    start: time | None
    topic: str
    kind: str
    form: str
    place: str
    lead_agency: str
    co_organisers: tuple[str, ...]
    unit_name: str


@dataclass(frozen=True, slots=True)
class DialoguePlan:
    unit: Unit
    year: int
    issue: Issue
    dialogues: tuple[PlannedDialogue, ...]
    basis: str = ""


def plan_number_line(unit: Unit, number: str | None) -> str:
    """ "Số 05-KH/TU" (party) or "Số: 05/KH-UBND" (state); blanks when not given."""
    n = (number or "").strip()
    if n.lower().startswith("số"):
        return n
    n = (f"{int(n):02d}" if n.isdigit() else n) if n else BLANK_NUMBER
    return f"Số {n}-KH/{abbreviation(unit)}" if unit.body == "party" else f"Số: {n}/KH-{abbreviation(unit)}"


def dialogue_plan_docx(p: DialoguePlan) -> bytes:
    unit = p.unit
    summary = f"Tổ chức hội nghị tiếp xúc, đối thoại năm {p.year}"
    doc = page.new_document(f"Kế hoạch {summary.lower()}")
    page.letterhead(doc, unit.body, superior=unit.superior, issuer=unit.name, place=unit.place, issue=p.issue)
    page.title(doc, unit.body, "Kế hoạch", summary)
    basis = p.basis or LAW_72
    page.text(doc, f"Thực hiện {basis}, {unit.name} xây dựng Kế hoạch tổ chức hội nghị tiếp xúc, đối thoại "
              f"năm {p.year} như sau:")  # fmt: skip
    page.text(doc, "", bold_lead="I. MỤC ĐÍCH, YÊU CẦU", after=2)
    page.text(
        doc,
        "Lắng nghe ý kiến, kiến nghị của Nhân dân; kịp thời giải quyết những vấn đề bức xúc ở địa "
        "phương. Phối hợp với Ủy ban Mặt trận Tổ quốc Việt Nam tổng hợp ý kiến của Nhân dân trước "
        "hội nghị; thông báo công khai thời gian, địa điểm, nội dung và cách thức tham gia ít nhất 07 "
        "ngày trước hội nghị; thông báo kết quả trong thời hạn 10 ngày sau hội nghị.",
    )
    page.text(doc, "", bold_lead="II. THỜI GIAN, NỘI DUNG, HÌNH THỨC", after=4)
    rows = [
        (
            str(i),
            dmy(d.held_on) + (f"\n{d.start:%H:%M}" if d.start else ""),
            d.topic + (f" ({d.unit_name})" if d.unit_name != unit.name else ""),
            f"{KIND_VI[d.kind].capitalize()}; {FORM_VI[d.form]}",
            d.place,
            "; ".join(x for x in (d.lead_agency, *d.co_organisers) if x),
        )
        for i, d in enumerate(p.dialogues, start=1)
    ]
    if not rows:
        rows = [("", "", "Chưa có hội nghị nào trong kế hoạch", "", "", "")]
    page.grid_table(
        doc,
        (
            "STT",
            "Thời gian",
            "Nội dung đối thoại",
            "Loại, hình thức",
            "Địa điểm",
            "Chủ trì chuẩn bị, phối hợp",
        ),
        rows,
        (12, 24, 48, 28, 28, 30),
        size=11,
    )
    page.text(doc, "", bold_lead="III. TỔ CHỨC THỰC HIỆN", after=2)
    page.text(
        doc,
        "Văn phòng chủ trì, phối hợp với Ủy ban Mặt trận Tổ quốc Việt Nam, Thường trực Hội đồng nhân "
        "dân và các cơ quan liên quan chuẩn bị nội dung, chương trình chi tiết từng hội nghị; theo dõi, "
        f"đôn đốc việc thực hiện kết luận sau hội nghị và báo cáo kết quả về {unit.name}./.",
    )
    page.signature_block(doc, unit.body, p.issue)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
