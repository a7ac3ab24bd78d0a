"""The two notices of a dialogue conference, as editable Word documents:

- the public notice (Thông báo tổ chức hội nghị đối thoại): time, place, content and how to take
  part, at least 7 days before (Luật 72/2025/QH15, Điều 43); a late one is the clerk's warning on
  the command line, never a word in the notice (a public document admits no breach);
- the conclusion notice (Thông báo kết luận hội nghị đối thoại), within 10 days after: what was
  held, the opinions raised and answered, and the head's directions with the agency and the
  deadline of each; "Nơi nhận" lists the agencies assigned.

Party (HD 36: "đồng chí Bí thư ...", T/M BAN THƯỜNG VỤ) or state (NĐ 30: no "đồng chí", the body
spelled out, TM. ỦY BAN NHÂN DÂN), by the unit's ``body``. The page (letterhead, title,
signature) is ``notifiers.docx_layout``, shared with every other notice. A dialogue holds no
citizen's personal data, so neither notice carries any.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, time

from docx.document import Document as DocumentObject

from notifiers import docx_layout as page
from notifiers.conclusion_docx import DirectionLine, head_words
from notifiers.notice_bodies import issuing_body, locality
from notifiers.views import Issue
from notifiers.wording import weekday_lower
from rules import Unit
from rules.dialogues import FORM_VI
from rules.vietnamese import dmy

# The act by its name and date (WORDING: "Căn cứ" lines without article numbers).
LAW_72_LINE = "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"
VILLAGES = "Trưởng thôn, Tổ trưởng tổ dân phố"


@dataclass(frozen=True, slots=True)
class DialogueFacts:
    """What both notices say of one dialogue."""

    unit: Unit
    held_on: date
    start: time | None
    end: time | None
    topic: str
    form: str  # rules.dialogues.DIALOGUE_FORMS
    place: str
    online_url: str
    co_organisers: tuple[str, ...]
    lead_agency: str = ""
    basis: str = ""  # the level's dialogue.basis (the province's rule for a party level)


@dataclass(frozen=True, slots=True)
class DialogueNotice:
    dialogue: DialogueFacts
    issue: Issue


@dataclass(frozen=True, slots=True)
class DialogueConclusion:
    dialogue: DialogueFacts
    issue: Issue
    attendance: int | None
    opinions_raised: int | None
    opinions_answered: int | None
    directions: tuple[DirectionLine, ...]


def _hours(t: time | None) -> str:
    return f"{t:%H}h{t:%M}" if t else ""


def _when(d: DialogueFacts) -> str:
    """ "từ 08h00 đến 11h00, chủ nhật, ngày 20/06/2027" inside a sentence."""
    day = f"{weekday_lower(d.held_on.weekday())}, ngày {dmy(d.held_on)}"
    if d.start and d.end:
        return f"từ {_hours(d.start)} đến {_hours(d.end)}, {day}"
    return day


def _lead(unit: Unit) -> str:
    return "về việc" if unit.body == "party" else "Về việc"


def notice_summary(d: DialogueFacts) -> str:
    return f"{_lead(d.unit)} tổ chức hội nghị đối thoại với Nhân dân ngày {dmy(d.held_on)}"


def conclusion_summary(d: DialogueFacts) -> str:
    return f"Kết luận của {head_words(d.unit)} tại hội nghị đối thoại với Nhân dân ngày {dmy(d.held_on)}"


def _basis(doc: DocumentObject, d: DialogueFacts) -> None:
    """A state notice cites the law; a party notice "Thực hiện" the level's own rule."""
    if d.unit.body == "party":
        if d.basis:
            page.text(doc, f"Thực hiện {d.basis.strip().rstrip(';.,')};", after=2)
        return
    page.text(doc, f"Căn cứ {LAW_72_LINE};", after=2)


def _co_organisers(d: DialogueFacts) -> str:
    items = [x for x in d.co_organisers if x]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " và " + items[-1]


def _save(doc: DocumentObject) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _villages(unit: Unit, why: str) -> tuple[str, ...]:
    """A commune's heads of villages and residential groups tell the people (Điều 43); a
    province has none of its own."""
    return (f"{VILLAGES} ({why})",) if locality(unit).tier == "commune" else ()


def notice_recipients(d: DialogueFacts) -> tuple[str, ...]:
    """The co-organisers, the villages' heads (to tell the people), the office's copy."""
    tail = (f"Lưu Văn phòng {d.unit.name}",) if d.unit.body == "party" else ("Lưu: VT",)
    return (*[x for x in d.co_organisers if x], *_villages(d.unit, "để thông báo"), *tail)


def dialogue_notice_docx(n: DialogueNotice) -> bytes:
    """Thông báo tổ chức hội nghị đối thoại."""
    d, unit = n.dialogue, n.dialogue.unit
    summary = notice_summary(d)
    doc = page.new_document(f"Thông báo {summary}")
    page.letterhead(doc, unit.body, superior=unit.superior, issuer=unit.name, place=unit.place, issue=n.issue)
    page.title(doc, unit.body, "Thông báo", summary)
    _basis(doc, d)
    body = issuing_body(unit)
    page.text(
        doc, f"{body} thông báo tổ chức hội nghị đối thoại giữa {head_words(unit)} với Nhân dân như sau:"
    )
    page.text(doc, f"{_when(d)[0].upper()}{_when(d)[1:]}.", bold_lead="1. Thời gian: ", after=2)
    where = d.place or "trụ sở " + unit.name
    if d.form == "online":
        where = f"trực tuyến tại địa chỉ {d.online_url}" if d.online_url else "trực tuyến"
    elif d.form == "hybrid" and d.online_url:
        where += f"; kết hợp trực tuyến tại địa chỉ {d.online_url}"
    page.text(doc, f"{where[0].upper()}{where[1:]}.", bold_lead="2. Địa điểm: ", after=2)
    page.text(doc, f"{d.topic.rstrip('.')}.", bold_lead="3. Nội dung: ", after=2)
    co = _co_organisers(d)
    who = f"{unit.name} chủ trì" + (f", phối hợp với {co}" if co else "") + " tổ chức hội nghị"
    if d.lead_agency:
        who += f"; {d.lead_agency} chuẩn bị nội dung"
    page.text(doc, f"{who}.", bold_lead="4. Tổ chức: ", after=2)
    form = FORM_VI.get(d.form, "trực tiếp")
    page.text(
        doc,
        f"Nhân dân trên địa bàn tham dự hội nghị theo hình thức {form}. Ý kiến, kiến nghị có thể gửi "
        f"trước hội nghị đến Ủy ban Mặt trận Tổ quốc Việt Nam hoặc {unit.name} để tổng hợp.",
        bold_lead="5. Cách thức tham gia: ",
    )
    page.text(
        doc,
        f"{body} thông báo để các cơ quan, đơn vị và Nhân dân biết, tham gia./.",
        after=6,
    )
    page.signature_block(doc, unit.body, n.issue)
    return _save(doc)


def conclusion_recipients(c: DialogueConclusion) -> tuple[str, ...]:
    """The agencies assigned, in the order they first appear; the co-organisers; the villages'
    heads (the law: results sent to them and posted at the office); the office's copy."""
    out: list[str] = []
    for line in c.directions:
        if line.agency not in out:
            out.append(line.agency)
    for x in c.dialogue.co_organisers:
        if x and x not in out:
            out.append(x)
    unit = c.dialogue.unit
    tail = (f"Lưu Văn phòng {unit.name}",) if unit.body == "party" else ("Lưu: VT",)
    return (*out, *_villages(unit, "để thông báo đến Nhân dân"), *tail)


def _count(n: int | None, what: str) -> str:
    return f"{n:02d} {what}" if n is not None else ""


def dialogue_conclusion_docx(c: DialogueConclusion) -> bytes:
    """Thông báo kết luận hội nghị đối thoại."""
    d, unit = c.dialogue, c.dialogue.unit
    summary = conclusion_summary(d)
    doc = page.new_document(f"Thông báo {summary}")
    page.letterhead(doc, unit.body, superior=unit.superior, issuer=unit.name, place=unit.place, issue=c.issue)
    page.title(doc, unit.body, "Thông báo", summary)
    who = head_words(unit)
    co = _co_organisers(d)
    venue = f" tại {d.place}," if d.place and d.form != "online" else ""
    if d.form == "online":
        venue = " theo hình thức trực tuyến,"
    held = (
        f"Ngày {dmy(d.held_on)},{venue} {unit.name}" + (f" phối hợp với {co}" if co else "")
        + f" tổ chức hội nghị đối thoại giữa {who} với Nhân dân. Nội dung đối thoại: {d.topic.rstrip('.')}."
    )  # fmt: skip
    figures = [
        x
        for x in (
            _count(c.attendance, "người tham dự"),
            _count(c.opinions_raised, "ý kiến phát biểu, kiến nghị"),
            _count(c.opinions_answered, "ý kiến được trả lời trực tiếp tại hội nghị"),
        )
        if x
    ]
    if figures:
        held += " Hội nghị có " + "; ".join(figures) + "."
    page.text(doc, held)
    if not c.directions:
        page.text(doc, f"Các ý kiến, kiến nghị của Nhân dân đã được {who} trả lời tại hội nghị.")
    else:
        page.text(
            doc,
            f"Sau khi nghe ý kiến, kiến nghị của Nhân dân và ý kiến của các cơ quan, đơn vị liên quan, "
            f"{who} kết luận, chỉ đạo như sau:",
        )
        for i, line in enumerate(c.directions, start=1):
            limit = f" ({line.limit_text})" if line.limit_text else ""
            page.text(
                doc,
                f"{line.content.rstrip('.')}. Giao {line.agency} chủ trì giải quyết, hoàn thành trước ngày "
                f"{dmy(line.due)}{limit}.",
                bold_lead=f"{i}. ",
                after=6 if i == len(c.directions) else 2,
            )
    page.text(
        doc,
        # The body that signs says it (HD 36: "T/M BAN THƯỜNG VỤ" with "Ban Thường vụ ... thông báo").
        f"{issuing_body(unit)} thông báo để các cơ quan, đơn vị liên quan biết, thực hiện; trả lời Nhân "
        f"dân và báo cáo kết quả giải quyết về {unit.name} trước thời hạn nêu trên. Thông báo này được "
        f"niêm yết công khai tại trụ sở {unit.name}"
        + (f" và gửi {VILLAGES.lower()} để thông báo đến Nhân dân./." if _villages(unit, "") else "./."),
        after=6,
    )
    page.signature_block(doc, unit.body, c.issue)
    return _save(doc)
