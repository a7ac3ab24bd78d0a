"""The notice board as an unattended screen shows it: everything (headline, the months with their
changes, the rules, the venue, the footer) on one screen in landscape 1920x1080 and portrait
1080x1920, measured in Debian's Chromium for the busiest months of the fixture's busiest unit;
the headline, the registration, the online link, the QR page and the printed A4.

The clock is pinned on the app (``app.state.clock``) so the months shown are the chosen ones.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import publishing_support as ps
import pytest

from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import cancel_makeup, move_adhoc, session_reads
from scheduler.usecases import dialogues as dg
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year
from scheduler.web import create_app

# Monday 1 March 2027: the board shows March and April, nine sessions each for the ward's
# People's Committee (Tuesdays and Thursdays), plus a postponement, its make-up, a move and an
# ad hoc session in March, and an announced dialogue conference (the busy month plus a dialogue)
# with a long topic; a dialogue planned but not yet announced is not public.
TODAY = date(2027, 3, 1)
NOW = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)
SIZES = ((1920, 1080), (1080, 1920))
PARTS = ("header.top", ".headline", ".months", ".info", "footer")


class Site:
    def __init__(self, base: str, public: str, facts: dict[str, date], dialogue: int = 0) -> None:
        self.base = base
        self.dialogue = dialogue
        self.public = public  # the configured address links are built from, never the request's
        self.facts = facts

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.base + path, timeout=30)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("fit")
    path = ps.write_config(tmp)
    # The ward holds its sessions online too (since 1/7/2026): the link on every row is the
    # heaviest board.
    raw = path.read_text(encoding="utf-8").replace(
        'venue    = "Bộ phận Tiếp công dân phường Thục Phán"\n',
        'venue    = "Bộ phận Tiếp công dân phường Thục Phán"\nonline   = "https://meet.example.vn/thuc-phan"\n',
    )
    path.write_text(raw, encoding="utf-8")
    config = load_config(path)
    engine = open_database(config.database_url)
    plan_year(engine, config, 2027, now=datetime(2026, 12, 1, tzinfo=UTC), today=date(2026, 12, 1), actor="t")
    actor = uc.Actor("test")
    ward = {r.date: r for r in session_reads.list_sessions(engine, unit_ids=["ubnd-thuc-phan"])}
    cancel_makeup.cancel(
        engine,
        config,
        ward[date(2027, 3, 2)].id,
        reason="Chủ tịch dự họp Tỉnh ủy",
        actor=actor,
        now=NOW,
        today=TODAY,
    )
    cancel_makeup.book_makeup(
        engine, config, ward[date(2027, 3, 2)].id, on=date(2027, 3, 3), actor=actor, now=NOW, today=TODAY
    )
    move_adhoc.move(
        engine,
        config,
        ward[date(2027, 3, 16)].id,
        to=date(2027, 3, 17),
        reason="Trùng kỳ họp HĐND",
        actor=actor,
        now=NOW,
    )
    move_adhoc.add_adhoc(
        engine,
        config,
        "ubnd-thuc-phan",
        on=date(2027, 3, 19),
        reason="Vụ việc đông người",
        actor=actor,
        now=NOW,
    )
    province = {r.date: r for r in session_reads.list_sessions(engine, unit_ids=["cao-bang"])}
    cancel_makeup.cancel(
        engine,
        config,
        province[date(2027, 3, 25)].id,
        reason="Bí thư đi công tác Trung ương",
        actor=actor,
        now=NOW,
        today=TODAY,
    )
    cancel_makeup.book_makeup(
        engine,
        config,
        province[date(2027, 3, 25)].id,
        on=date(2027, 3, 29),
        actor=actor,
        now=NOW,
        today=TODAY,
    )
    dialogue = dg.plan_dialogue(
        engine,
        config,
        "ubnd-thuc-phan",
        held_on=date(2027, 3, 22),
        topic="Giải phóng mặt bằng dự án đường vành đai phía Tây và bố trí tái định cư cho các hộ dân "
        "tổ 5, tổ 7; chỉnh trang đô thị, thu gom rác thải và trật tự an toàn giao thông khu chợ Xanh",
        kind="periodic",
        time_range="08:00-11:00",
        place="Hội trường UBND phường Thục Phán",
        actor=actor,
        now=NOW,
        today=TODAY,
    )
    dg.announce_dialogue(engine, dialogue.id, actor=actor, now=NOW, today=TODAY)
    dg.plan_dialogue(
        engine,
        config,
        "ubnd-thuc-phan",
        held_on=date(2027, 4, 20),
        topic="Chưa thông báo",
        actor=actor,
        now=NOW,
        today=TODAY,
    )
    app = create_app(config, engine)
    app.state.clock = lambda: NOW
    with ps.served(app) as base:
        yield Site(
            base,
            config.public_base,
            {"makeup": date(2027, 3, 3), "postponed": date(2027, 3, 2)},
            dialogue=dialogue.id,
        )
    engine.dispose()


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize("unit", ["ubnd-thuc-phan", "cao-bang"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_board_fits_one_screen_in_both_shapes(
    site: Site, tmp_path: Path, unit: str, width: int, height: int
) -> None:
    ps.need_tools("chromium")
    ps.need_node_packages()
    shot = tmp_path / f"board-{unit}-{width}x{height}.png"
    m = ps.node_json("board_fit.mjs", f"{site.base}/board/{unit}", str(width), str(height), str(shot), *PARTS)
    assert m["status"] == 200
    assert m["scrollHeight"] <= m["clientHeight"], m  # nothing below the screen
    assert m["scrollWidth"] <= m["clientWidth"], m
    for part in PARTS:
        assert m["sections"][part] and m["sections"][part]["visible"], (part, m["sections"])
    # Readable from three metres: no text under 24 px on a 1080-wide portrait screen.
    assert m["minFont"] >= (24 if width == 1080 else 20), (m["minFont"], m["minFontText"])
    assert m["brokenDates"] == [], m["brokenDates"]  # "26/02/2 027" never
    w, h, colours, inked = ps.png_stats(shot)
    assert (w, h) == (width, height) and colours > 50 and 0.05 < inked < 0.9


def test_headline_gives_the_place_and_the_make_up_of_a_postponed_day(site: Site) -> None:
    page = site.get("/board/ubnd-thuc-phan").text
    text = _text(page)
    assert (
        "Buổi tiếp sắp tới: Thứ Tư, 03/03/2027, 13h30 - 17h00, tại Bộ phận Tiếp công dân phường Thục Phán."
    ) in text
    assert (
        "Đây là buổi tiếp công dân bù cho buổi ngày 02/03/2027 đã hoãn; công dân đã đăng ký tiếp ngày "
        "02/03/2027 được tiếp tại buổi này."
    ) in text
    assert "Buổi tiếp gần nhất" not in text
    # No registration deadline: the board still says how and where to register.
    assert "Đăng ký tiếp" in text and "Công dân đến trực tiếp Bộ phận Tiếp công dân phường Thục Phán" in text
    # The unit's online link for every session still to be held (postponed ones have none).
    rows = re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", page, re.S)
    active = [r for r in rows if "Hoãn" not in r and "Hội nghị đối thoại" not in r]
    assert len(rows) >= 20 and all("https://meet.example.vn/thuc-phan" in r for r in active)
    # A source is a citation, not text for the public.
    assert "công văn VPCP" not in text


def test_qr_code_opens_a_subscription_page_with_the_schedule(site: Site) -> None:
    board = site.get("/board/cao-bang").text
    assert 'aria-labelledby="qr-title"' in board
    assert f"Mã QR của trang theo dõi lịch tiếp công dân: {site.public}/lich/cao-bang" in board
    r = site.get("/lich/cao-bang")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    host = site.public.split("://", 1)[1]
    assert f'href="webcal://{host}/ics/cao-bang.ics"' in r.text
    text = _text(r.text)
    assert "Theo dõi lịch trên điện thoại" in text
    assert "29/03/2027" in text and "Tiếp bù cho buổi ngày 25/03/2027" in text
    assert site.get("/lich/khong-co").status_code == 404


def test_printed_board_says_when_it_was_updated(site: Site, tmp_path: Path) -> None:
    ps.need_tools("chromium", "pdftotext", "pdfinfo")
    pdf = tmp_path / "board.pdf"
    proc = ps.chromium(
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        f"{site.base}/board/ubnd-thuc-phan",
        profile=tmp_path / "profile",
    )
    assert pdf.exists(), proc.stderr[-2000:]
    text = " ".join(ps.pdf_text(pdf).split())
    assert "Cập nhật ngày 01/03/2027" in text
    assert "Hôm nay" not in text and "tự làm mới" not in text


def test_board_feed_and_page_show_the_announced_dialogue_beside_the_reception_days(site: Site) -> None:
    board = site.get("/board/ubnd-thuc-phan").text
    rows = re.findall(r"<tr class=\"([^\"]*)\">(.*?)</tr>", board, re.S)
    dialogue = [_text(r) for cls, r in rows if "dialogue" in cls]
    assert len(dialogue) == 1
    assert dialogue[0].startswith(
        "Thứ Hai 22/03/2027 08h00 - 11h00 Hội nghị đối thoại định kỳ: Giải phóng mặt bằng"
    )
    assert "tại Hội trường UBND phường Thục Phán" in dialogue[0]
    # Beside the sessions, by day: after Friday 19/03 (ad hoc), before Tuesday 23/03.
    days = [re.search(r"\d{2}/\d{2}/\d{4}", _text(r)).group(0) for _, r in rows]  # type: ignore[union-attr]
    i = days.index("22/03/2027")
    assert days[i - 1] == "19/03/2027" and days[i + 1] == "23/03/2027"
    assert "Chưa thông báo" not in board  # planned, not announced: not public yet
    page = _text(site.get("/lich/ubnd-thuc-phan").text)
    assert "Hội nghị đối thoại định kỳ: Giải phóng mặt bằng dự án đường vành đai phía Tây" in page
    assert "khu chợ Xanh" in page
    ics = site.get("/ics/ubnd-thuc-phan.ics").text.replace("\r\n ", "")
    assert f"UID:dialogue-{site.dialogue}@tiepdan" in ics
    assert ics.count("BEGIN:VEVENT") == ics.count("UID:session-") + 1
    event = next(e for e in ics.split("BEGIN:VEVENT") if f"UID:dialogue-{site.dialogue}@tiepdan" in e)
    assert "SUMMARY:Hội nghị đối thoại định kỳ - Ủy ban nhân dân phường Thục Phán" in event
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20270322T080000" in event
    assert "STATUS:CONFIRMED" in event and "LOCATION:Hội trường UBND phường Thục Phán" in event
    assert "Chưa thông báo" not in ics
