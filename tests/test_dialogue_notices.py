"""The dialogue's two notices from `tiepdan dialogue document ID --notice|--conclusion`: the public
notice (a late one warns the clerk on stderr, never in the notice) and the conclusion notice with
the directions given at the dialogue, their agencies and deadlines, and the agencies in "Nơi
nhận"; state (NĐ 30) and party (HD 36) words; DOCX read with python-docx, PDF with pdftotext."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import date

import docx
import pytest
from dialogue_support import CLERK, at, dialogue_config
from service_support import one_line_error, tiepdan

from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import dialogues as dg

JUN20 = date(2027, 6, 20)


def _text(path) -> str:
    d = docx.Document(io.BytesIO(path.read_bytes()))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


@pytest.fixture
def w(tmp_path):
    path = dialogue_config(tmp_path, f"sqlite:///{tmp_path / 't.db'}")
    config = load_config(path)
    engine = open_database(config.database_url)
    ids = {}
    for unit in ("ubnd-thuc-phan", "cao-bang"):
        ids[unit] = dg.plan_dialogue(
            engine, config, unit, held_on=JUN20, topic="Bồi thường, hỗ trợ, tái định cư đường tránh",
            time_range="08:00-11:00", actor=CLERK, now=at("2027-06-01T08:00"), today=date(2027, 6, 1),
        ).id  # fmt: skip
    yield path, engine, ids
    engine.dispose()


def test_the_public_notice_announces_and_a_late_one_warns_the_clerk_only(w, tmp_path):
    path, engine, ids = w
    out = tmp_path / "tb.docx"
    p = tiepdan(path, "dialogue", "document", str(ids["ubnd-thuc-phan"]), "--notice", "--number", "15",
                "--out", str(out), now="2027-06-15T08:00")  # fmt: skip
    assert p.stderr.startswith("cảnh báo: thông báo ngày 15/06/2027 muộn hơn hạn 13/06/2027")
    text = _text(out)
    assert "Về việc tổ chức hội nghị đối thoại với Nhân dân ngày 20/06/2027" in text
    assert "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;" in text
    assert "Từ 08h00 đến 11h00, chủ nhật, ngày 20/06/2027." in text
    assert "Số: 15/TB-UBND" in text and "TM. ỦY BAN NHÂN DÂN" in text
    assert "Trưởng thôn, Tổ trưởng tổ dân phố (để thông báo);" in text
    for breach in ("muộn", "07 ngày", "quá hạn", "cảnh báo"):
        assert breach not in text
    # Issuing it recorded the announcement.
    assert dg.get_dialogue(engine, ids["ubnd-thuc-phan"]).announced_on == date(2027, 6, 15)
    # On time, for the province's party committee: no warning, the party's words.
    party = tmp_path / "tb-tu.docx"
    p = tiepdan(path, "dialogue", "document", str(ids["cao-bang"]), "--notice", "--out", str(party),
                now="2027-06-10T08:00")  # fmt: skip
    assert p.stderr == ""
    text = _text(party)
    assert "về việc tổ chức hội nghị đối thoại" in text and "đồng chí Bí thư Tỉnh ủy" in text
    assert "T/M BAN THƯỜNG VỤ" in text and "Ban Thường vụ Tỉnh ủy Cao Bằng thông báo" in text
    assert "Trưởng thôn" not in text  # a province has no villages of its own


def test_the_conclusion_notice_lists_the_directions_and_their_agencies(w, tmp_path):
    path, _engine, ids = w
    did = str(ids["ubnd-thuc-phan"])
    out = tmp_path / "kl.docx"
    refused = tiepdan(path, "dialogue", "document", did, "--conclusion", "--out", str(out),
                      now="2027-06-21T08:00", check=False)  # fmt: skip
    assert "chưa được ghi là đã tổ chức" in one_line_error(refused) and not out.exists()
    tiepdan(path, "dialogue", "record", did, "--attendance", "180", "--raised", "25", "--answered", "19",
            now="2027-06-20T12:00")  # fmt: skip
    for content, agency, deadline in (
        ("Rà soát, công khai đơn giá bồi thường", "Phòng Kinh tế, Hạ tầng và Đô thị", ("--days", "5")),
        ("Kiểm tra việc cấp giấy chứng nhận cho các hộ tái định cư", "Văn phòng Đăng ký đất đai",
         ("--due", "2027-07-15")),
    ):  # fmt: skip
        tiepdan(path, "direction", "add", "--dialogue", did, "--content", content, "--agency", agency,
                *deadline, now="2027-06-21T08:00")  # fmt: skip
    p = tiepdan(path, "dialogue", "document", did, "--conclusion", "--number", "12", "--out", str(out),
                now="2027-06-29T08:00")  # fmt: skip
    assert p.stderr == "" and "2 chỉ đạo" in p.stdout
    text = _text(out)
    assert "Kết luận của" in text and "tại hội nghị đối thoại với Nhân dân ngày 20/06/2027" in text
    assert "180 người tham dự; 25 ý kiến phát biểu, kiến nghị; 19 ý kiến được trả lời" in text
    assert (
        "Rà soát, công khai đơn giá bồi thường. Giao Phòng Kinh tế, Hạ tầng và Đô thị chủ trì giải "
        "quyết, hoàn thành trước ngày 25/06/2027 (05 ngày làm việc)." in text
    )
    assert "hoàn thành trước ngày 15/07/2027." in text
    assert "- Phòng Kinh tế, Hạ tầng và Đô thị;" in text and "- Văn phòng Đăng ký đất đai;" in text
    assert "Số: 12/TB-UBND" in text and "đồng chí" not in text
    shown = json.loads(
        tiepdan(path, "dialogue", "show", did, "--format", "json", now="2027-06-29T09:00").stdout
    )
    assert (shown["concluded_on"], shown["conclusion_number"], shown["results_late"]) == (
        "2027-06-29", "12", False
    )  # fmt: skip
    # Later than 10 days: recorded, and the clerk warned on stderr.
    late = tiepdan(path, "dialogue", "document", did, "--conclusion", "--out", str(out),
                   "--date", "2027-07-02", now="2027-07-02T08:00")  # fmt: skip
    assert late.stderr.startswith("cảnh báo: thông báo kết quả ngày 02/07/2027 quá hạn 30/06/2027")
    assert "quá hạn" not in _text(out)


@pytest.mark.skipif(not shutil.which("soffice") and not shutil.which("libreoffice"), reason="LibreOffice")
def test_the_notices_as_pdf_through_libreoffice(w, tmp_path):
    path, _, ids = w
    out = tmp_path / "tb.pdf"
    tiepdan(path, "dialogue", "document", str(ids["cao-bang"]), "--notice", "--out", str(out),
            now="2027-06-10T08:00")  # fmt: skip
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "THÔNG BÁO" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "T/M BAN THƯỜNG VỤ" in text and "Nguyễn Văn A" in text
    assert "Trụ sở Tiếp công dân tỉnh" in text
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in pages
