"""``tiepdan notice``: the annual notice and the change notice as Word (python-docx reads them
back) and as PDF (LibreOffice headless; pdftotext -bbox tells where the header blocks landed)."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import publishing_support as ps
import pytest
from docx import Document
from docx.shared import Pt

from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import cancel_makeup, move_adhoc, session_reads
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year

NOW = "2026-12-01T08:00"
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
ACTOR = uc.Actor("test")


class Store:
    """The test's database, changed in process (only ``tiepdan notice`` runs as a subprocess)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.config = load_config(path)
        self.engine = open_database(self.config.database_url)

    def sessions(self, unit: str) -> list[dict[str, Any]]:
        return [
            session_reads.session_dict(r) for r in session_reads.list_sessions(self.engine, unit_ids=[unit])
        ]

    def cancel(self, sid: int, reason: str, today: date) -> None:
        cancel_makeup.cancel(self.engine, self.config, sid, reason=reason, actor=ACTOR, now=T0, today=today)

    def makeup(self, sid: int, on: date, today: date) -> None:
        cancel_makeup.book_makeup(self.engine, self.config, sid, on=on, actor=ACTOR, now=T0, today=today)

    def move(self, sid: int, to: date, reason: str) -> None:
        move_adhoc.move(self.engine, self.config, sid, to=to, reason=reason, actor=ACTOR, now=T0)


@pytest.fixture
def store(tmp_path: Path):
    s = Store(ps.write_config(tmp_path))
    plan_year(s.engine, s.config, 2027, now=T0, today=date(2026, 12, 1), actor="test")
    yield s
    s.engine.dispose()


@pytest.fixture
def cfg(store: Store) -> Path:
    return store.path


def _all_text(doc: Document) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _runs(doc: Document):
    for p in doc.paragraphs:
        yield from p.runs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    yield from p.runs


def _run(doc: Document, text: str):
    found = [r for r in _runs(doc) if r.text == text]
    assert found, f"no run {text!r}"
    return found[0]


def _page_ok(doc: Document) -> None:
    s = doc.sections[0]
    # A4 portrait (Word stores twentieths of a point: compare to a tenth of a millimetre).
    assert abs(s.page_width.mm - 210) < 0.1 and abs(s.page_height.mm - 297) < 0.1

    def within(length: Any, lo: float, hi: float) -> bool:
        return lo - 0.1 <= length.mm <= hi + 0.1

    assert within(s.top_margin, 20, 25) and within(s.bottom_margin, 20, 25)
    assert within(s.left_margin, 30, 35) and within(s.right_margin, 15, 20)
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and Pt(13) <= normal.font.size <= Pt(14)
    fonts = {r.font.name for r in _runs(doc) if r.text.strip()}
    assert fonts == {"Times New Roman"}, fonts


def test_annual_party_notice_has_the_hd36_layout_and_every_session(
    store: Store, cfg: Path, tmp_path: Path
) -> None:
    out = tmp_path / "thong-bao-2027.docx"
    proc = ps.tiepdan(cfg, "notice", "--unit", "cao-bang", "--year", "2027", "--out", str(out), "--now", NOW)
    assert "12 buổi" in proc.stdout
    doc = Document(str(out))
    _page_ok(doc)
    motto = _run(doc, "ĐẢNG CỘNG SẢN VIỆT NAM")
    assert motto.bold and motto.underline and motto.font.size == Pt(15)
    assert _run(doc, "TỈNH ỦY CAO BẰNG").bold
    assert not _run(doc, "ĐẢNG BỘ TỈNH CAO BẰNG").bold
    assert _run(doc, "Số     -TB/TU")  # blanks for the registry
    assert _run(doc, "Cao Bằng, ngày 01 tháng 12 năm 2026").italic
    title = _run(doc, "THÔNG BÁO")
    assert title.bold and Pt(15) <= title.font.size <= Pt(16)
    text = _all_text(doc)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text  # no national motto on a party document
    assert "Thực hiện Quy định số 11-QĐi/TW ngày 18/02/2019 của Bộ Chính trị về trách nhiệm" in text
    assert "Kết luận số 215-KL/TW ngày 23/11/2025 của Bộ Chính trị" in text
    assert "Căn cứ" not in text  # a party notice "thực hiện" party rules
    # The body matches the signature (T/M BAN THƯỜNG VỤ), and the comma after the title.
    assert "Ban Thường vụ Tỉnh ủy Cao Bằng thông báo lịch tiếp công dân định kỳ năm 2027" in text
    assert "đồng chí Nguyễn Văn A, Bí thư Tỉnh ủy, trực tiếp tiếp công dân" in text
    assert "ngày 25 hằng tháng (ít nhất 1 ngày/tháng)" in text
    assert "buổi sáng từ 07h30 đến 11h30" in text
    assert "thì chuyển sang ngày làm việc tiếp theo" in text
    assert "bố trí tiếp công dân bù" in text
    assert "đăng ký trước ngày 20 hằng tháng" in text
    assert "Trụ sở Tiếp công dân tỉnh, số 1 đường Hoàng Đình Giong" in text
    for s in store.sessions("cao-bang"):
        y, m, d = str(s["date"]).split("-")
        assert f"{d}/{m}/{y}" in text
    assert "Ngày 25/12 trùng Thứ Bảy" in text and "27/12/2027" in text
    assert "20/12/2027" in text  # the registration deadline of December, a real date
    assert "Nơi nhận:" in text and _run(doc, "Nơi nhận:").underline
    assert "T/M BAN THƯỜNG VỤ" in text and "BÍ THƯ" in text
    assert _run(doc, "Nguyễn Văn A").bold
    for secret in ps.PHONES_AND_MAILS:
        assert secret not in text
    # Recorded as issued.
    with sqlite3.connect(tmp_path / "t.db") as db:
        rows = db.execute("SELECT unit_id, kind, year, number, path FROM notices").fetchall()
    assert rows == [("cao-bang", "annual", 2027, "Số     -TB/TU", str(out.resolve()))]


def test_annual_state_notice_has_the_nd30_layout(cfg: Path, tmp_path: Path) -> None:
    out = tmp_path / "ubnd.docx"
    ps.tiepdan(
        cfg,
        "notice",
        "--unit",
        "ubnd-cao-bang",
        "--year",
        "2027",
        "--out",
        str(out),
        "--now",
        NOW,
        "--number",
        "12",
        "--signer",
        "KT. CHỦ TỊCH|PHÓ CHỦ TỊCH|Trần Văn B",
        "--recipients",
        "Như trên;Thường trực Tỉnh ủy;Lưu: VT, BTCD",
    )
    doc = Document(str(out))
    _page_ok(doc)
    nation = _run(doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert nation.bold and Pt(12) <= nation.font.size <= Pt(13)
    motto = _run(doc, "Độc lập - Tự do - Hạnh phúc")
    assert motto.bold and Pt(13) <= motto.font.size <= Pt(14)
    # The letterhead breaks between the body's words, never inside the place name.
    assert _run(doc, "ỦY BAN NHÂN DÂN").bold and _run(doc, "TỈNH CAO BẰNG").bold
    assert _run(doc, "Số: 12/TB-UBND")
    assert _run(doc, "Cao Bằng, ngày 01 tháng 12 năm 2026").italic
    where = _run(doc, "Nơi nhận:")
    assert where.bold and where.italic and where.font.size == Pt(12)
    text = _all_text(doc)
    assert "- Như trên;" in text and "- Lưu: VT, BTCD." in text
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text and "Trần Văn B" in text
    assert "Căn cứ Luật Tiếp công dân ngày 25 tháng 11 năm 2013, được sửa đổi, bổ sung bởi Luật số" in text
    assert "Căn cứ Nghị định số 64/2014/NĐ-CP ngày 26/6/2014 của Chính phủ quy định chi tiết" in text
    assert "Căn cứ Thông tư số 04/2021/TT-TTCP ngày 01/10/2021 của Thanh tra Chính phủ" in text
    assert "Điều 12" not in text and "đồng chí" not in text
    assert (
        "Ủy ban nhân dân tỉnh Cao Bằng thông báo lịch tiếp công dân định kỳ năm 2027 của Chủ tịch "
        "Ủy ban nhân dân tỉnh Cao Bằng" in text
    )
    assert "https://meet.example.vn/cao-bang" in text
    # Page numbers from page 2, centred in the top margin: a PAGE field in the header, none on page 1.
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml and 'w:val="center"' in header_xml
    assert "PAGE" not in section.first_page_header._element.xml
    default_out = tmp_path / "ubnd-default.docx"
    ps.tiepdan(
        cfg, "notice", "--unit", "ubnd-cao-bang", "--year", "2027", "--out", str(default_out), "--now", NOW
    )
    default_text = _all_text(Document(str(default_out)))
    assert "TM. ỦY BAN NHÂN DÂN" in default_text and "CHỦ TỊCH" in default_text and "Lê Văn C" in default_text
    assert "Số:     /TB-UBND" in default_text


def test_annual_notice_reads_cancellations_makeups_and_moves_from_the_database(
    store: Store, cfg: Path, tmp_path: Path
) -> None:
    by_day = {s["nominal"]: s for s in store.sessions("cao-bang")}
    jan, mar = by_day["2027-01-25"], by_day["2027-03-25"]
    store.cancel(jan["id"], "Đi công tác", date(2026, 12, 1))
    store.makeup(jan["id"], date(2027, 1, 28), date(2026, 12, 1))
    store.move(mar["id"], date(2027, 3, 30), "Trùng hội nghị")
    out = tmp_path / "a.docx"
    ps.tiepdan(cfg, "notice", "--unit", "cao-bang", "--year", "2027", "--out", str(out), "--now", NOW)
    text = _all_text(Document(str(out)))
    assert "28/01/2027" in text and "Tiếp bù cho buổi ngày 25/01/2027" in text
    assert "25/01/2027" not in text.replace("Tiếp bù cho buổi ngày 25/01/2027", "")
    assert "30/03/2027" in text and "Dời từ ngày 25/03/2027: Trùng hội nghị" in text


def test_change_notice_warns_when_less_than_five_working_days_remain(
    store: Store, cfg: Path, tmp_path: Path
) -> None:
    jan = next(s for s in store.sessions("cao-bang") if s["nominal"] == "2027-01-25")
    late = "2027-01-20T09:00"  # Wednesday: 20, 21, 22 January are left before Monday 25
    store.cancel(jan["id"], "Bí thư đi công tác Trung ương", date(2027, 1, 20))
    out = tmp_path / "hoan.docx"
    proc = ps.tiepdan(cfg, "notice", "--change", str(jan["id"]), "--out", str(out), "--now", late)
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("cảnh báo:")]
    assert len(warnings) == 1 and "chỉ còn 3 ngày làm việc" in warnings[0] and "25/01/2027" in warnings[0]
    doc = Document(str(out))
    _page_ok(doc)
    text = _all_text(doc)
    assert "về việc hoãn buổi tiếp công dân định kỳ ngày 25/01/2027" in text
    assert "Lý do: Bí thư đi công tác Trung ương." in text
    # The lead is the clerk's business: the public notice never admits it came late.
    assert "ngày làm việc trước buổi tiếp" not in text and "ít hơn 05 ngày" not in text
    assert "Thời gian tiếp công dân bù sẽ được thông báo sau" in text
    with sqlite3.connect(tmp_path / "t.db") as db:
        row = db.execute("SELECT kind, session_id, session_version FROM notices").fetchone()
    assert row == ("change", jan["id"], 2)

    # Made up ten days ahead: the make-up notice says so, without a warning.
    store.makeup(jan["id"], date(2027, 1, 27), date(2027, 1, 20))
    made = next(s for s in store.sessions("cao-bang") if s["replaces"] == jan["id"])
    early = "2027-01-13T09:00"
    out2 = tmp_path / "bu.docx"
    proc = ps.tiepdan(cfg, "notice", "--change", str(made["id"]), "--out", str(out2), "--now", early)
    assert "cảnh báo" not in proc.stderr
    text = _all_text(Document(str(out2)))
    assert "về việc tiếp công dân bù vào ngày 27/01/2027" in text
    assert "cho buổi tiếp ngày 25/01/2027 đã hoãn" in text
    assert "ít hơn 05 ngày làm việc" not in text


def test_change_notice_of_a_moved_session(store: Store, cfg: Path, tmp_path: Path) -> None:
    mar = next(s for s in store.sessions("ubnd-cao-bang") if s["nominal"] == "2027-03-15")
    store.move(mar["id"], date(2027, 3, 17), "Đón đoàn công tác")
    out = tmp_path / "doi.docx"
    proc = ps.tiepdan(cfg, "notice", "--change", str(mar["id"]), "--out", str(out), "--now", NOW)
    assert "cảnh báo" not in proc.stderr
    text = _all_text(Document(str(out)))
    assert "Về việc thay đổi lịch tiếp công dân định kỳ ngày 15/03/2027" in text
    assert "buổi tiếp ngày 15/03/2027 chuyển sang thứ Tư, ngày 17/03/2027" in text
    assert "Lý do: Đón đoàn công tác." in text


def test_change_notice_refuses_a_session_without_change_and_bad_files(
    store: Store, cfg: Path, tmp_path: Path
) -> None:
    feb = next(s for s in store.sessions("cao-bang") if s["nominal"] == "2027-02-25")
    proc = ps.tiepdan(
        cfg, "notice", "--change", str(feb["id"]), "--out", str(tmp_path / "x.docx"), check=False
    )
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1
    assert "không có thay đổi nào để thông báo" in proc.stderr
    proc = ps.tiepdan(
        cfg, "notice", "--unit", "cao-bang", "--year", "2027", "--out", str(tmp_path / "x.odt"), check=False
    )
    assert proc.returncode == 1 and "phải có đuôi .docx hoặc .pdf" in proc.stderr
    proc = ps.tiepdan(
        cfg, "notice", "--unit", "cao-bang", "--year", "2030", "--out", str(tmp_path / "x.docx"), check=False
    )
    assert proc.returncode == 1 and "chạy tiepdan plan --year 2030" in proc.stderr
    assert not list(tmp_path.glob("x.*"))
    with sqlite3.connect(tmp_path / "t.db") as db:
        assert db.execute("SELECT count(*) FROM notices").fetchone() == (0,)


def _word(words: list, text: str) -> tuple:
    found = [w for w in words if w[0] == text]
    assert found, f"{text!r} not on the page: {[w[0] for w in words][:60]}"
    return found[0]


def test_party_notice_pdf_puts_the_header_blocks_in_their_places(cfg: Path, tmp_path: Path) -> None:
    ps.need_tools("soffice", "pdftotext", "pdftoppm")
    out = tmp_path / "thong-bao.pdf"
    ps.tiepdan(cfg, "notice", "--unit", "cao-bang", "--year", "2027", "--out", str(out), "--now", NOW)
    assert out.read_bytes().startswith(b"%PDF")
    words = ps.pdf_words(out)
    width, height = words[0][5], words[0][6]
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 portrait, in points
    party = _word(words, "SẢN")  # "ĐẢNG CỘNG SẢN VIỆT NAM": right half, at the top
    assert party[1] > width / 2 and party[2] < height * 0.15
    issuer = [w for w in words if w[0] == "TỈNH" and w[2] < height * 0.2]
    assert issuer and issuer[0][3] < width / 2  # "TỈNH ỦY CAO BẰNG": left half
    left_margin = min(w[1] for w in words)
    assert left_margin >= 30 * 72 / 25.4 - 3  # nothing in the 30 mm left margin
    number = _word(words, "-TB/TU")
    assert number[3] < width / 2 and number[2] > issuer[0][2]
    title = _word(words, "THÔNG")
    assert abs((title[1] + title[3]) / 2 - width / 2) < width * 0.2 and title[2] > party[2]
    text = " ".join(ps.pdf_text(out).split())
    assert "Ban Thường vụ Tỉnh ủy Cao Bằng thông báo lịch tiếp công dân định kỳ năm 2027" in text
    # The first page as a picture: ink at the top right and the top left.
    png = tmp_path / "page"
    ps.subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(out), str(png)], check=True)
    first = next(tmp_path.glob("page*.png"))
    _, _, colours, inked = ps.png_stats(first)
    assert colours > 2 and 0.005 < inked < 0.5


def test_state_notice_pdf_numbers_pages_from_two(cfg: Path, tmp_path: Path) -> None:
    ps.need_tools("soffice", "pdftotext")
    out = tmp_path / "ubnd.pdf"
    # Two sessions a week across the year: the table runs onto the following pages.
    ps.tiepdan(
        cfg,
        "notice",
        "--unit",
        "ubnd-thuc-phan",
        "--year",
        "2027",
        "--out",
        str(out),
        "--now",
        NOW,
        "--number",
        "7",
    )
    pages = ps.subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) >= 2
    first = ps.pdf_words(out, 1)
    assert not [w for w in first if w[0] == "1" and w[2] < 20 * 72 / 25.4]  # no number on page 1
    second = ps.pdf_words(out, 2)
    width = second[0][5]
    number = [w for w in second if w[0] == "2" and w[2] < 20 * 72 / 25.4]
    assert number, [w[:3] for w in second[:5]]
    assert abs((number[0][1] + number[0][3]) / 2 - (30 + (210 - 45) / 2) * 72 / 25.4) < 15
    assert width > 590
    assert "Số: 07/TB-UBND" in ps.pdf_text(out)


def test_state_notice_pdf_header(cfg: Path, tmp_path: Path) -> None:
    ps.need_tools("soffice", "pdftotext")
    out = tmp_path / "ubnd.pdf"
    ps.tiepdan(cfg, "notice", "--unit", "ubnd-cao-bang", "--year", "2027", "--out", str(out), "--now", NOW)
    words = ps.pdf_words(out)
    width, height = words[0][5], words[0][6]
    nation = _word(words, "CỘNG")
    assert nation[1] > width * 0.45 and nation[2] < height * 0.12
    motto = _word(words, "Độc")
    assert motto[1] > width / 2 and motto[2] > nation[2]
    issuer = [w for w in words if w[0] == "ỦY" and w[2] < height * 0.15]
    assert issuer and issuer[0][3] < width / 2
    assert _word(words, "Số:")[3] < width / 2


def test_no_row_of_a_notice_table_breaks_across_pages():
    """A schedule row split by a page break left "Bảy" of "Ngày 25/12 trùng Thứ Bảy" alone under
    the repeated header on page 2 (seen in LibreOffice): every row is kept whole."""
    from docx.oxml.ns import qn

    from notifiers import docx_layout as page

    doc = page.new_document("t")
    rows = [["01/2027", "Thứ Hai", "25/01/2027", "Ngày 25/12 trùng Thứ Bảy, chuyển sang ngày làm việc"]] * 30
    table = page.grid_table(doc, ["Tháng", "Thứ", "Ngày", "Ghi chú"], rows, (20, 20, 30, 95))
    body_rows = table.rows[1:]
    assert len(body_rows) == 30
    assert all(r._tr.trPr is not None and r._tr.trPr.find(qn("w:cantSplit")) is not None for r in body_rows)
