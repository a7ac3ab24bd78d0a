"""Notices a ward or a commune can sign as they are, "Căn cứ" lines set once per level or unit,
change notices that cite the year's notice, and one assembly for the command line and the desk
(python-docx reads the documents back)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import publishing_support as ps
import pytest
from docx import Document

from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import cancel_makeup, move_adhoc, session_reads
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year

NOW = "2026-12-01T08:00"
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
ACTOR = uc.Actor("test")
# What a commune or a ward does not have since 1/7/2025.
NOT_AT_A_WARD = ("Ban Tiếp công dân", "Thanh tra", "Ban Nội chính", "Ủy ban nhân dân tỉnh")


def _text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _paragraphs(path: Path) -> list[str]:
    doc = Document(str(path))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                out.extend(p.text for p in cell.paragraphs)
    return out


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = ps.write_config(tmp_path)
    config = load_config(path)
    engine = open_database(config.database_url)
    plan_year(engine, config, 2027, now=T0, today=date(2026, 12, 1), actor="test")
    engine.dispose()
    return path


def _notice(cfg: Path, unit: str, out: Path, *extra: str) -> str:
    ps.tiepdan(cfg, "notice", "--unit", unit, "--year", "2027", "--out", str(out), "--now", NOW, *extra)
    return _text(out)


def test_ward_party_notice_names_only_ward_bodies(cfg: Path, tmp_path: Path) -> None:
    out = tmp_path / "dang-uy-phuong.docx"
    text = _notice(cfg, "thuc-phan", out, "--number", "5")
    lines = _paragraphs(out)
    # The letterhead: "ĐẢNG ỦY / PHƯỜNG THỤC PHÁN", never "PHƯỜNG THỤC / PHÁN".
    assert "ĐẢNG ỦY" in lines and "PHƯỜNG THỤC PHÁN" in lines
    assert "Số 05-TB/ĐU" in lines
    for body in NOT_AT_A_WARD:
        assert body not in text, body
    assert "công chức được giao tham mưu công tác tiếp công dân" in text.lower()
    assert "- Thường trực Đảng ủy," in text and "- Trang thông tin điện tử phường," in text
    assert "Ban Thường vụ Đảng ủy phường Thục Phán thông báo" in text and "T/M BAN THƯỜNG VỤ" in text
    assert "đồng chí Hoàng Văn E, Bí thư Đảng ủy phường, trực tiếp tiếp công dân" in text
    # A day off moved a session: its name is given, its source (a citation) is not.
    assert "Ngày 11/02 trùng Nghỉ Tết Nguyên đán (hoán đổi)" in text
    assert "công văn VPCP" not in text


def test_ward_state_notice_spells_the_body_out_and_never_says_dong_chi(cfg: Path, tmp_path: Path) -> None:
    out = tmp_path / "ubnd-phuong.docx"
    text = _notice(cfg, "ubnd-thuc-phan", out, "--number", "7")
    lines = _paragraphs(out)
    assert "ỦY BAN NHÂN DÂN" in lines and "PHƯỜNG THỤC PHÁN" in lines and "Số: 07/TB-UBND" in lines
    for body in NOT_AT_A_WARD:  # (the Government Inspectorate issued a circular the notice cites)
        assert body not in text.replace("Thanh tra Chính phủ", ""), body
    assert "đồng chí" not in text.lower()
    assert (
        "Ủy ban nhân dân phường Thục Phán thông báo lịch tiếp công dân định kỳ năm 2027 của Chủ tịch "
        "Ủy ban nhân dân phường Thục Phán như sau:"
    ) in text
    assert "Vũ Văn H, Chủ tịch Ủy ban nhân dân phường Thục Phán, trực tiếp tiếp công dân" in text
    assert "công chức được giao tham mưu công tác tiếp công dân" in text.lower()
    assert "- Thường trực HĐND phường;" in text and "- Trang thông tin điện tử phường;" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text
    # "UBND" only in the list of recipients, where offices abbreviate; spelled out in the text.
    body = text.split("Nơi nhận:")[0].replace("TB-UBND", "")
    assert "UBND" not in body
    assert "Căn cứ Nghị định số 64/2014/NĐ-CP ngày 26/6/2014 của Chính phủ" in text
    assert "công văn VPCP" not in text


def test_basis_lines_are_set_once_for_a_level_and_a_unit(tmp_path: Path) -> None:
    path = ps.write_config(tmp_path)
    raw = path.read_text(encoding="utf-8")
    raw = raw.replace(
        'basis    = "Quy định 11-QĐi/TW; Kết luận 215-KL/TW"\n',
        'basis    = "Quy định 11-QĐi/TW; Kết luận 215-KL/TW"\n'
        'notice_basis = ["Thực hiện Quy định số 11-QĐi/TW ngày 18/02/2019 của Bộ Chính trị",'
        ' "Quy chế số 07-QC/TU ngày 02/01/2026 của Tỉnh ủy Cao Bằng về tiếp dân"]\n',
        1,
    )
    raw = raw.replace(
        'venue    = "Trụ sở Tiếp công dân tỉnh"\n',
        'venue    = "Trụ sở Tiếp công dân tỉnh"\n'
        'notice_basis = ["Luật Tiếp công dân ngày 25 tháng 11 năm 2013"]\n',
        1,
    )
    path.write_text(raw, encoding="utf-8")
    config = load_config(path)
    engine = open_database(config.database_url)
    plan_year(engine, config, 2027, now=T0, today=date(2026, 12, 1), actor="test")
    engine.dispose()
    ward = _text_of(path, "thuc-phan", tmp_path / "a.docx")
    assert "Quy chế số 07-QC/TU ngày 02/01/2026 của Tỉnh ủy Cao Bằng về tiếp dân;" in ward
    assert "Kết luận số 215-KL/TW" not in ward  # the level's own lines replace the defaults
    province = _text_of(path, "ubnd-cao-bang", tmp_path / "b.docx")
    assert "Căn cứ Luật Tiếp công dân ngày 25 tháng 11 năm 2013;" in province
    assert "Nghị định số 64/2014" not in province
    # A wrong value: one line naming the key, nothing written.
    bad = tmp_path / "c.docx"
    path.write_text(
        raw.replace('notice_basis = ["Luật', 'notice_basis = "Luật', 1).replace('2013"]', '2013"')
    )
    proc = ps.tiepdan(
        path,
        "notice",
        "--unit",
        "ubnd-cao-bang",
        "--year",
        "2027",
        "--out",
        str(bad),
        check=False,
    )
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
    assert "notice_basis" in proc.stderr and "danh sách" in proc.stderr
    assert not bad.exists()


def _text_of(cfg: Path, unit: str, out: Path) -> str:
    return _notice(cfg, unit, out)


def test_change_notice_cites_the_annual_notice_and_bears_the_date_given(cfg: Path, tmp_path: Path) -> None:
    _notice(cfg, "cao-bang", tmp_path / "nam.docx", "--number", "3", "--date", "2026-11-28")
    config = load_config(cfg)
    engine = open_database(config.database_url)
    jan = next(
        r
        for r in session_reads.list_sessions(engine, unit_ids=["cao-bang"])
        if r.nominal == date(2027, 1, 25)
    )
    cancel_makeup.cancel(
        engine, config, jan.id, reason="Đi công tác", actor=ACTOR, now=T0, today=date(2026, 12, 1)
    )
    cancel_makeup.book_makeup(
        engine, config, jan.id, on=date(2027, 1, 28), actor=ACTOR, now=T0, today=date(2026, 12, 1)
    )
    engine.dispose()
    out = tmp_path / "hoan.docx"
    proc = ps.tiepdan(
        cfg,
        "notice",
        "--change",
        str(jan.id),
        "--out",
        str(out),
        "--now",
        "2027-01-21T09:00",
        "--date",
        "2027-01-20",
    )
    text = _text(out)
    assert "Cao Bằng, ngày 20 tháng 01 năm 2027" in text
    assert (
        "Theo Thông báo số 03-TB/TU ngày 28/11/2026 của Ban Thường vụ Tỉnh ủy Cao Bằng về lịch tiếp công "
        "dân năm 2027"
    ) in text
    assert (
        "về việc hoãn buổi tiếp công dân định kỳ ngày 25/01/2027 và tiếp công dân bù vào ngày 28/01/2027"
        in text
    )
    assert "Công dân đã đăng ký tiếp tại buổi ngày 25/01/2027 được tiếp tại buổi tiếp bù" in text
    # Less than 5 working days before the postponed day: the clerk is warned, the notice is silent.
    assert "cảnh báo:" in proc.stderr and "25/01/2027" in proc.stderr
    assert "ngày làm việc theo quy định" not in text and "chỉ còn" not in text


def test_the_desk_and_the_command_line_assemble_the_same_notice(cfg: Path, tmp_path: Path) -> None:
    from scheduler.web.notices import annual_docx, change_docx

    out = tmp_path / "cli.docx"
    cli = _notice(cfg, "ubnd-thuc-phan", out)
    config = load_config(cfg)
    engine = open_database(config.database_url)
    desk = tmp_path / "desk.docx"
    desk.write_bytes(annual_docx(config, engine, config.unit("ubnd-thuc-phan"), 2027, date(2026, 12, 1)))
    assert _text(desk) == cli
    mar = next(
        r
        for r in session_reads.list_sessions(engine, unit_ids=["ubnd-thuc-phan"])
        if r.date == date(2027, 3, 2)
    )
    move_adhoc.move(engine, config, mar.id, to=date(2027, 3, 3), reason="Trùng kỳ họp", actor=ACTOR, now=T0)
    desk.write_bytes(change_docx(config, engine, mar.id, date(2026, 12, 1), date(2026, 12, 1)))
    engine.dispose()
    ps.tiepdan(cfg, "notice", "--change", str(mar.id), "--out", str(out), "--now", NOW)
    assert _text(desk) == _text(out)
    assert "chuyển sang thứ Tư, ngày 03/03/2027" in _text(out)
