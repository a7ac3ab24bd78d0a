"""The desk in a real browser: Debian's Chromium driven by playwright-core (tests/js/desk_browser.mjs).

A clerk signs in, cancels a session and books its make-up, writes two rows of the reception log
and records the session as held; the public board changes. Every desk page passes axe-core with
no serious or critical violation, and every screenshot has the viewport's size and is not blank.

Skipped without node, Chromium or ``npm install`` in tests/js, unless CI is set: then it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from desk_support import PASSWORD, Server, serve

from scheduler.reads.session_views import replacements
from scheduler.usecases import sessions as uc

JS = Path(__file__).resolve().parent / "js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 1366, 768  # a clerk's laptop


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    for package in ("playwright-core", "axe-core"):
        if not (JS / "node_modules" / package).is_dir():
            return f"tests/js/node_modules/{package} is missing (cd tests/js && npm install)"
    return None


@pytest.fixture(scope="module")
def browser_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, dict[str, Any], Any, Any]]:
    missing = _missing()
    if missing:
        if _in_ci():
            pytest.fail(f"browser tests must run in CI: {missing}", pytrace=False)
        pytest.skip(missing)
    # The real clock: the public board shows this month and the next as of today.
    with serve(tmp_path_factory.mktemp("desk-browser"), clock=None) as server:
        cancel = server.future_planned("xa-a")
        record = server.past_planned("xa-a")
        shots = tmp_path_factory.mktemp("shots")
        proc = subprocess.run(
            [
                "node",
                str(JS / "desk_browser.mjs"),
                server.base,
                "staff_a",
                PASSWORD,
                "xa-a",
                str(cancel.id),
                str(record.id),
                str(shots),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=JS,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        keep = os.environ.get("DESK_SHOTS")  # a folder to keep the pictures in, to look at them
        if keep:
            shutil.copytree(shots, keep, dirs_exist_ok=True)
        yield server, json.loads(proc.stdout), cancel, record


def test_every_desk_page_loads_in_vietnamese_without_script_dialogs(browser_run: Any) -> None:
    _, out, _, _ = browser_run
    assert set(out["pages"]) == {
        "login",
        "units",
        "unit",
        "session",
        "confirm",
        "cancelled",
        "makeup",
        "log",
        "recorded",
        "unit_after",
        "log_edit",
    }
    for name, page in out["pages"].items():
        assert page["status"] == 200, (name, page)
        assert page["lang"] == "vi" and page["title"], name
        assert page["scrollWidth"] <= page["clientWidth"], f"{name} scrolls sideways"
    assert out["dialogs"] == []


def test_axe_finds_no_serious_or_critical_violation(browser_run: Any) -> None:
    _, out, _, _ = browser_run
    bad = {
        name: [v for v in page["violations"] if v["impact"] in ("serious", "critical")]
        for name, page in out["pages"].items()
    }
    assert all(not v for v in bad.values()), bad


def test_cancel_and_make_up_in_the_browser(browser_run: Any) -> None:
    server, out, cancel, _ = browser_run
    assert "Xác nhận hoãn" in out["texts"]["confirm"]
    assert "Đặt ngày tiếp bù" in out["texts"]["afterCancel"]
    assert "?ok=makeup" in out["texts"]["makeupUrl"]
    row = uc.get_session(server.engine, cancel.id)
    assert (row.status, row.needs_makeup) == ("cancelled", False)
    made = replacements(server.engine, [cancel.id])[cancel.id]
    made_row = uc.get_session(server.engine, made)
    assert made_row.kind == "makeup" and made_row.date.isoformat() == out["texts"]["proposal"]
    assert "Tiếp bù cho" in out["texts"]["afterMakeup"]


def test_two_log_rows_and_the_outcome_in_the_browser(browser_run: Any) -> None:
    server, out, _, record = browser_run
    row = uc.get_session(server.engine, record.id)
    assert (row.status, row.visits, row.people, row.groups, row.petitions) == ("held", 2, 5, 1, 1)
    assert row.received_by == "Bí thư Đảng ủy xã"
    assert "2 lượt, 5 người" in out["texts"]["afterRecord"]
    assert "Hoàng Thị Lan - Thôn Nà Pò, xã An Khánh" in out["texts"]["afterRecord"]
    assert "đã tiếp" in out["texts"]["unitAfter"]


def test_the_public_board_changes(browser_run: Any) -> None:
    _, out, _, _ = browser_run
    board = out["board"]
    assert board["status"] == 200
    assert board["changed"] and not board["reasonBefore"] and board["reasonAfter"], board


def _png(path: Path) -> tuple[int, int, int, float]:
    """(width, height, distinct colours, share of pixels not the most common colour)."""
    from PIL import Image

    with Image.open(path) as image:
        assert image.format == "PNG", path
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 24) or []
    total = sum(n for n, _ in colours)
    return rgb.width, rgb.height, len(colours), 1 - max(n for n, _ in colours) / total


def test_screenshots_have_the_viewport_size_and_are_not_blank(browser_run: Any) -> None:
    _, out, _, _ = browser_run
    assert len(out["screenshots"]) == 12
    for shot in out["screenshots"]:
        width, height, colours, ink = _png(Path(shot))
        assert (width, height) == (WIDTH, HEIGHT), shot
        assert colours >= 8 and ink > 0.02, (shot, colours, ink)


def test_a_log_row_edited_in_the_browser(browser_run: Any) -> None:
    _, out, _, _ = browser_run
    assert "Đã sửa một dòng của sổ tiếp công dân" in out["texts"]["afterEdit"]
    assert "Đã hướng dẫn công dân nộp hồ sơ tại bộ phận một cửa" in out["texts"]["afterEdit"]


def test_desk_pages_fit_a_390_px_phone(browser_run: Any) -> None:
    """No page scrolls sideways on a phone, and the log's names keep a readable width (the old
    table squeezed them to one letter a line)."""
    _, out, _, _ = browser_run
    assert set(out["phone"]) == {"units", "unit", "session", "cancelled", "log_edit"}
    for name, page in out["phone"].items():
        assert page["status"] == 200, name
        assert page["clientWidth"] == 390, name
        assert page["scrollWidth"] <= page["clientWidth"], f"{name}: {page['scrollWidth']} px wide"
        assert page["widest"] <= 390.5, f"{name}: something reaches {page['widest']} px"
    names = out["phone"]["session"]["names"]
    assert len(names) == 2
    for cell in names:
        assert cell["width"] >= 250, cell
        assert "Hoàng Thị Lan" in cell["text"] or "Đoàn thôn Bản Giới" in cell["text"]
    for name, page in out["phone"].items():
        width, _, colours, ink = _png(Path(page["file"]))
        assert width == 390 and colours >= 8 and ink > 0.02, name
