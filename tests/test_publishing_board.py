"""The notice board ``GET /board/{unit}``: served by uvicorn, read by httpx, rendered by Debian's
Chromium (screenshot at 1920x1080, print to A4 PDF), checked by axe-core.

The board shows this month and next month as of its clock, so the database is planned for that
year and the next, and the changes are made on sessions still ahead. The clock is the real one on
a working day; on a weekend or a holiday it is pinned to 08:00 of the next working day, since an ad
hoc session (the one "today" the board must highlight) may only go on a working day.
"""

from __future__ import annotations

import contextlib
import html
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import httpx
import publishing_support as ps
import pytest

from rules import ServiceError
from rules.vietnamese import dmy
from scheduler.infra.clock import local_today, parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import cancel_makeup, move_adhoc, session_reads
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year
from scheduler.web import create_app


class Board:
    def __init__(self, base: str, tmp: Path, facts: dict[str, object]) -> None:
        self.base = base
        self.tmp = tmp
        self.facts = facts

    def get(self, path: str, **kw: object) -> httpx.Response:
        return httpx.get(self.base + path, timeout=30, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("board")
    config = load_config(ps.write_config(tmp))
    engine = open_database(config.database_url)
    now = datetime.now(UTC)
    today = local_today(now, config.timezone)  # from the one reading: the clock is pinned to it
    if not config.calendar.is_working_day(today):
        today = config.calendar.next_working_day(today)
        now = parse_now(f"{today.isoformat()}T08:00", config.timezone)
    for year in (today.year, today.year + 1):
        plan_year(engine, config, year, now=now, today=today, actor="test")
    actor = uc.Actor("test")
    end = today + timedelta(days=62)
    ahead = [
        r
        for r in session_reads.list_sessions(
            engine, unit_ids=["cao-bang"], first=today + timedelta(days=1), last=end
        )
        if r.status == "planned"
    ]
    facts: dict[str, object] = {"today": today}
    # Cancel the next session of the province and make it up; the reason is hostile markup.
    if ahead:
        cancelled = cancel_makeup.cancel(
            engine, config, ahead[0].id, reason=ps.HOSTILE_REASON, actor=actor, now=now, today=today
        ).session
        facts["cancelled"] = cancelled
        with contextlib.suppress(ServiceError):  # no free day left to propose
            facts["makeup"] = cancel_makeup.book_makeup(
                engine, config, cancelled.id, on=None, actor=actor, now=now, today=today
            ).session
    # The hostile unit has a session today: its periodic one, else an ad hoc one.
    with contextlib.suppress(ServiceError):  # today already has its periodic session
        move_adhoc.add_adhoc(
            engine,
            config,
            "xa-thu",
            on=today,
            reason="Tiếp đột xuất <b>vụ việc</b> đông người",
            actor=actor,
            now=now,
        )
    app = create_app(config, engine)
    app.state.clock = lambda: now  # the board's day is the fixture's, even across midnight
    with ps.served(app) as base:
        yield Board(base, tmp, facts)
    engine.dispose()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_board_shows_this_and_next_month_with_changes_and_registration(board: Board) -> None:
    r = board.get("/board/cao-bang")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert '<html lang="vi">' in page
    assert r.headers["refresh"] == "300"  # the screen reloads itself, without JavaScript
    text = " ".join(_text(page).split())
    today = board.facts["today"]
    nxt = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert f"Tháng {today.month:02d}/{today.year}" in text
    assert f"Tháng {nxt.month:02d}/{nxt.year}" in text
    assert "Tỉnh ủy Cao Bằng" in text
    assert "Trụ sở Tiếp công dân tỉnh, số 1 đường Hoàng Đình Giong" in text
    assert "Đồng chí Nguyễn Văn A, Bí thư Tỉnh ủy" in text
    assert "Đăng ký trước ngày 20 hằng tháng" in text
    if "cancelled" in board.facts:
        cancelled = board.facts["cancelled"]
        assert "Hoãn" in text and dmy(cancelled.date) in text
        assert ps.HOSTILE_REASON in text  # shown as text ...
        assert "<script>" not in page  # ... never as markup
    if "makeup" in board.facts:
        makeup = board.facts["makeup"]
        assert "Tiếp bù" in text and f"Tiếp bù cho buổi ngày {dmy(board.facts['cancelled'].date)}" in text
        assert dmy(makeup.date) in text
    # A real registration date: the 20th of a shown session's month, or of the month before.
    assert re.search(r"trước ngày 20/\d\d/\d{4}", text)
    # The QR code of the feed, inline, and the feed's address.
    assert '<svg class="qr" role="img"' in page
    # The address comes from the configuration ([http] base_url, else its host and port), never
    # from the request.
    assert re.search(r"https?://[^\"/]+/ics/cao-bang\.ics", page) and board.base not in page
    for secret in ps.PHONES_AND_MAILS:
        assert secret not in page


def test_board_highlights_today(board: Board) -> None:
    page = board.get("/board/xa-thu").text
    rows = re.findall(r'<tr class="now[^"]*">(.*?)</tr>', page, re.S)
    assert rows, "today's session is not highlighted"
    assert dmy(board.facts["today"]) in rows[0] and "Hôm nay" in rows[0]


def test_board_escapes_hostile_names_and_reasons(board: Board) -> None:
    page = board.get("/board/xa-thu").text
    tags = [t for t, _ in _tags(page)]
    assert "script" not in tags and "img" not in tags and "b" not in tags and "i" not in tags
    assert "onerror" not in page.replace("onerror=alert(2)&gt;", "")
    text = _text(page)
    assert ps.HOSTILE_NAME in text
    assert "Lò Văn <i>K</i>" in text
    assert 'Nhà văn hóa <b>xã</b> & "hội trường"' in text
    assert "Tiếp đột xuất <b>vụ việc</b> đông người" in text or "Đột xuất" not in text


def test_board_of_supervising_unit_links_its_units(board: Board) -> None:
    page = board.get("/board/cao-bang").text
    links = {a.get("href") for t, a in _tags(page) if t == "a"}
    assert "/board/thuc-phan" in links and "/board/xa-thu" in links
    assert "Các đơn vị trực thuộc (2)" in page
    child = board.get("/board/thuc-phan").text
    assert "/board/cao-bang" in {a.get("href") for t, a in _tags(child) if t == "a"}
    assert "Đơn vị cấp trên" in child


def test_unknown_unit_is_404_with_a_vietnamese_page(board: Board) -> None:
    r = board.get("/board/khong-co-%3Cscript%3E")
    assert r.status_code == 404
    assert '<html lang="vi">' in r.text and "Không tìm thấy đơn vị" in r.text
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text


def test_board_revalidates_with_etag(board: Board) -> None:
    first = board.get("/board/thuc-phan")
    again = board.get("/board/thuc-phan", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_board_screenshot_at_1920x1080_is_not_blank(board: Board, tmp_path: Path) -> None:
    ps.need_tools("chromium")
    shot = tmp_path / "board.png"
    proc = ps.chromium(
        "--window-size=1920,1080",
        "--hide-scrollbars",
        f"--screenshot={shot}",
        f"{board.base}/board/cao-bang",
        profile=tmp_path / "profile",
    )
    assert shot.exists(), proc.stderr[-2000:]
    width, height, colours, inked = ps.png_stats(shot)
    assert (width, height) == (1920, 1080)
    assert colours > 50 and 0.05 < inked < 0.9, (colours, inked)


def test_board_prints_to_a4_with_the_unit_name(board: Board, tmp_path: Path) -> None:
    ps.need_tools("chromium", "pdftotext", "pdfinfo")
    pdf = tmp_path / "board.pdf"
    proc = ps.chromium(
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        f"{board.base}/board/thuc-phan",
        profile=tmp_path / "profile",
    )
    assert pdf.exists(), proc.stderr[-2000:]
    info = ps.subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:.*\(A4\)", info), info
    text = ps.pdf_text(pdf)
    assert "Đảng ủy phường Thục Phán" in " ".join(text.split())
    assert "Tỉnh ủy Cao Bằng" in " ".join(text.split())  # the link to its supervisor


def test_board_passes_axe_without_serious_violations(board: Board) -> None:
    ps.need_tools("chromium")
    ps.need_node_packages()
    page = ps.node_json("axe_check.mjs", f"{board.base}/lich/xa-thu")  # the QR code's page
    assert page["status"] == 200 and page["lang"] == "vi" and page["dialogs"] == []
    assert [v for v in page["violations"] if v["impact"] in ("serious", "critical")] == []
    assert page["scrollWidth"] <= page["clientWidth"], page
    for unit in ("cao-bang", "xa-thu"):
        # The page as a reader opens it, refreshing turned off by its own link (WCAG 2.2.1):
        quiet = ps.node_json("axe_check.mjs", f"{board.base}/board/{unit}?tu-lam-moi=0")
        assert quiet["status"] == 200 and quiet["lang"] == "vi" and quiet["dialogs"] == []
        serious = [v for v in quiet["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
        # The unattended screen's page reloads through the HTTP Refresh header, not a <meta>.
        screen = ps.node_json("axe_check.mjs", f"{board.base}/board/{unit}")
        serious = [v["id"] for v in screen["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], screen["violations"]
        # Long hostile names wrap instead of widening the page.
        assert screen["scrollWidth"] <= screen["clientWidth"], screen
        assert screen["dialogs"] == []


def test_board_fits_a_phone_width_without_horizontal_scroll(board: Board) -> None:
    ps.need_tools("chromium")
    ps.need_node_packages()
    small = ps.node_json("axe_check.mjs", f"{board.base}/board/xa-thu?tu-lam-moi=0", "390", "844")
    assert small["scrollWidth"] <= small["clientWidth"], small
