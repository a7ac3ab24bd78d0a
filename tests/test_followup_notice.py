"""The conclusion notice (Thông báo kết luận) of a held session with three log rows: three
cases with their directions, agencies and deadlines, in the party (HD 36) and state (NĐ 30)
formats, as DOCX and as PDF rendered by LibreOffice and looked at as a picture."""

from __future__ import annotations

import io
from datetime import date

import publishing_support as ps
import pytest
from docx import Document
from followup_support import CLERK, at, world
from service_support import one_line_error, tiepdan

from rules import ServiceError
from scheduler.usecases import followup as fu
from scheduler.usecases.conclusion import build_notice

D = date.fromisoformat


def _seed(w, unit: str, day: date):
    sid, rows = w.hold(unit, day)
    now = at(f"{day.isoformat()}T15:00")
    for entry, content, agency, extra in (
        (
            rows[0],
            "Kiểm tra, xác minh nguồn gốc đất và hướng dẫn hòa giải",
            "Sở Tài nguyên và Môi trường",
            {},
        ),
        (rows[0], "Phối hợp kiểm tra hiện trạng sử dụng đất", "Ủy ban nhân dân xã Hưng Đạo", {"days": 15}),
        (
            rows[1],
            "Thụ lý, giải quyết khiếu nại theo quy định",
            "Sở Tài chính",
            {"limit": "complaint-accept"},
        ),
        (
            rows[2],
            "Kiểm tra, xử lý tiếng ồn của cơ sở sản xuất",
            "Sở Tài nguyên và Môi trường",
            {"due": D("2027-02-26")},
        ),
    ):
        fu.add_direction(
            w.engine,
            w.config,
            entry,
            content=content,
            agency=agency,
            actor=CLERK,
            now=now,
            today=day,
            **extra,
        )
    return sid


def _text(docx: bytes) -> list[str]:
    doc = Document(io.BytesIO(docx))
    out = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for cell in t._cells:
            out += [p.text for p in cell.paragraphs]
    return out


def test_party_notice_has_three_cases_with_directions_agencies_and_deadlines(tmp_path):
    from notifiers.conclusion_docx import conclusion_notice_docx

    w = world(tmp_path, f"sqlite:///{tmp_path / 't.db'}")
    sid = _seed(w, "tinh", D("2027-01-25"))
    notice = build_notice(
        w.engine, w.config, sid, number="15", issued_on=D("2027-01-27"), actor=CLERK,
        now=at("2027-01-27T09:00"), today=D("2027-01-27"),
    )  # fmt: skip
    lines = _text(conclusion_notice_docx(notice))
    text = "\n".join(lines)
    assert "Kết luận của đồng chí Bí thư Tỉnh ủy tại buổi tiếp công dân định kỳ ngày 25/01/2027" in lines
    assert "Số 15-TB/TU" in lines and "Cao Bằng, ngày 27 tháng 01 năm 2027" in lines
    cases = [line for line in lines if line[:3] in ("1. ", "2. ", "3. ", "4. ")]
    assert cases == [
        "1. Công dân Nguyễn Văn Bình, địa chỉ: xóm Nà Rụa, xã Hưng Đạo.",
        "2. Công dân Hoàng Thị Cúc, địa chỉ: tổ 3, phường Thục Phán.",
        "3. Đoàn 12 công dân do Lục Văn Dũng đại diện, địa chỉ: tổ 5, phường Tân Giang.",
    ]
    # 25/01/2027 + 10 working days (Tết 4-10/2): 15/02; + 15 working days: 22/02;
    # + 10 days: 04/02, in Tết -> 11/02.
    for line in (
        "Giao Sở Tài nguyên và Môi trường chủ trì giải quyết, hoàn thành trước ngày 15/02/2027 "
        "(10 ngày làm việc).",
        "Giao Ủy ban nhân dân xã Hưng Đạo chủ trì giải quyết, hoàn thành trước ngày 22/02/2027 "
        "(15 ngày làm việc).",
        "Giao Sở Tài chính chủ trì giải quyết, hoàn thành trước ngày 11/02/2027 (10 ngày).",
        "Giao Sở Tài nguyên và Môi trường chủ trì giải quyết, hoàn thành trước ngày 26/02/2027.",
    ):
        assert line in text
    received = lines[lines.index("Nơi nhận:") + 1 :]
    assert received[:5] == [
        "- Sở Tài nguyên và Môi trường,",
        "- Ủy ban nhân dân xã Hưng Đạo,",
        "- Sở Tài chính,",
        "- Thường trực Tỉnh ủy Cao Bằng,",
        "- Lưu Văn phòng Tỉnh ủy Cao Bằng.",
    ]
    # What the agencies need to act, not the ID numbers (Nghị định 13/2023/NĐ-CP).
    assert "004087001234" not in text and "004190005678" not in text
    stored = fu.conclusion_notice(w.engine, sid)
    assert (stored.number, stored.issued_on) == ("15", D("2027-01-27"))
    w.engine.dispose()


def test_state_notice_pdf_through_the_cli_looked_at(tmp_path):
    ps.need_tools("soffice", "pdftotext", "pdftoppm")
    w = world(tmp_path, f"sqlite:///{tmp_path / 't.db'}")
    sid = _seed(w, "ubnd", D("2027-01-22"))
    w.engine.dispose()
    out = tmp_path / "ket-luan.pdf"
    tiepdan(
        w.path,
        "notice",
        "--conclusion",
        str(sid),
        "--number",
        "07",
        "--out",
        str(out),
        now="2027-01-25T09:00",
    )
    assert out.read_bytes().startswith(b"%PDF")
    text = " ".join(ps.pdf_text(out).split())
    assert (
        "Kết luận của Chủ tịch Ủy ban nhân dân tỉnh Cao Bằng tại buổi tiếp công dân định kỳ ngày 22/01/2027"
        in text
    )
    assert "đồng chí" not in text.lower()
    assert "Số: 07/TB-UBND" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    for case in (
        "1. Công dân Nguyễn Văn Bình",
        "2. Công dân Hoàng Thị Cúc",
        "3. Đoàn 12 công dân do Lục Văn Dũng",
    ):
        assert case in text
    assert "hoàn thành trước ngày 12/02/2027 (10 ngày làm việc)" in text  # 22/01 + 10 working days, Tết
    assert "Sở Tài chính" in text and "Lưu: VT" in text and "004087001234" not in text
    png = tmp_path / "page"
    ps.subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(out), str(png)], check=True)
    _, _, colours, inked = ps.png_stats(next(tmp_path.glob("page*.png")))
    assert colours > 2 and 0.005 < inked < 0.5
    # Also as DOCX, and the number and date kept.
    docx = tmp_path / "ket-luan.docx"
    tiepdan(
        w.path,
        "notice",
        "--conclusion",
        str(sid),
        "--number",
        "07",
        "--out",
        str(docx),
        now="2027-01-25T09:00",
    )
    assert "Số: 07/TB-UBND" in _text(docx.read_bytes())
    # A planned session has no conclusion notice: one line, nothing written.
    later = tmp_path / "khong.docx"
    err = one_line_error(
        tiepdan(
            w.path, "notice", "--conclusion", "999", "--out", str(later), now="2027-01-25T09:00", check=False
        )
    )
    assert "999" in err and not later.exists()


def test_the_notice_is_refused_before_the_session_is_held(tmp_path):
    w = world(tmp_path, f"sqlite:///{tmp_path / 't.db'}")
    s = w.session("tinh", D("2027-01-25"))
    from scheduler.usecases import reception_log as book

    book.add_entry(w.engine, w.config, s.id, {"full_name": "A"}, actor=CLERK, now=at("2027-01-25T09:00"))
    with pytest.raises(ServiceError, match="chưa được ghi là đã tiếp"):
        build_notice(
            w.engine, w.config, s.id, number="1", issued_on=D("2027-01-25"), actor=CLERK,
            now=at("2027-01-25T09:00"), today=D("2027-01-25"),
        )  # fmt: skip
    assert fu.conclusion_notice(w.engine, s.id) is None
    w.engine.dispose()


def _pages_of(pdf, needles: tuple[str, ...]) -> dict[str, list[int]]:
    """On which pages of the PDF each text appears (pdfinfo for the count, pdftotext a page)."""
    import re
    import subprocess

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    found: dict[str, list[int]] = {n: [] for n in needles}
    for page in range(1, pages + 1):
        text = " ".join(
            subprocess.run(
                ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                capture_output=True, text=True, encoding="utf-8", check=True,
            ).stdout.split()
        )  # fmt: skip
        for n in needles:
            if n in text:
                found[n].append(page)
    return {"pages": [pages], **found}


@pytest.mark.parametrize(("unit", "day", "count"), [
    ("tinh", "2027-01-25", 1),  # a short notice: one page
    ("tinh", "2027-01-25", 3),  # the fixture's three rows: the signer's name once fell alone onto page 2
    ("tinh", "2027-01-25", 8),  # a long one: the last page carries the closing lines and the signature
    ("ubnd", "2027-01-22", 3),
    ("ubnd", "2027-01-22", 7),
])  # fmt: skip
def test_the_signature_stays_on_the_page_of_the_closing_lines(tmp_path, unit, day, count):
    """A signer's name on a page of its own (or "Nơi nhận" on one page and the name on the next)
    cannot be signed as it is: the closing lines, "Nơi nhận", the signing title and the name are
    on one page, whatever the number of cases."""
    import dataclasses

    from notifiers.conclusion_docx import conclusion_notice_docx
    from notifiers.pdf import docx_to_pdf

    ps.need_tools("soffice", "pdftotext", "pdfinfo")
    w = world(tmp_path, f"sqlite:///{tmp_path / 't.db'}")
    sid = _seed(w, unit, D(day))
    notice = build_notice(
        w.engine, w.config, sid, number="15", issued_on=D("2027-01-27"), actor=CLERK,
        now=at("2027-01-27T09:00"), today=D("2027-01-27"),
    )  # fmt: skip
    w.engine.dispose()
    cases = tuple(
        dataclasses.replace(c, name=f"{c.name} {i + 1}") for i in range(count) for c in notice.cases
    )[:count]
    notice = dataclasses.replace(notice, cases=cases)
    pdf = tmp_path / "ket-luan.pdf"
    pdf.write_bytes(docx_to_pdf(conclusion_notice_docx(notice)))
    closing = "thông báo để các cơ quan, đơn vị liên quan biết, thực hiện"
    title = notice.issue.signature.lines[-1].upper()  # "BÍ THƯ", "CHỦ TỊCH"
    name = notice.issue.signature.name
    where = _pages_of(pdf, (closing, "Nơi nhận", title, name))
    pages = where["pages"][0]
    assert where[closing] == where["Nơi nhận"] == [pages], where
    assert pages in where[title] and where[name] == [pages], where
    if count >= 7:
        assert pages >= 2  # the case really is a notice longer than a page
    if unit == "tinh":
        # The body that says it is the body that signs (T/M BAN THƯỜNG VỤ).
        assert f"Ban Thường vụ Tỉnh ủy Cao Bằng {closing}" in " ".join(ps.pdf_text(pdf).split())
