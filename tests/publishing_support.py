"""Helpers for the publishing tests (tests/test_publishing_*.py): notices, board and feed.

- a configuration of Cao Bằng units (party and state bodies, a supervising unit with its
  communes, and one unit whose name is hostile: markup, quotes and a very long word);
- the app served by a real uvicorn on 127.0.0.1 in a thread;
- the outside tools (Chromium, LibreOffice, poppler, node with tests/js/node_modules): missing
  ones fail the test in CI and skip it elsewhere, with the reason;
- the ``tiepdan`` CLI (its ``main``, see ``cli_runner``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import cli_runner
import pytest
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "tests" / "js"
NODE_PACKAGES = ("axe-core", "ical.js", "playwright-core")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

HOSTILE_NAME = (
    'Đảng ủy xã "Thử" <script>alert(1)</script><img src=x onerror=alert(2)> & '
    + "Rấtdàikhôngcókhoảngtrắng" * 12
)
HOSTILE_REASON = '<script>alert("lý do")</script> Bí thư đi họp "đột xuất" & về muộn'

CONFIG = """\
timezone = "Asia/Ho_Chi_Minh"
database = {database}
outbox_dir = "outbox"

[calendar]
country  = "VN"
roll     = "modified-following"
days_off = [ {{ date = "2027-02-11", name = "Nghỉ Tết Nguyên đán (hoán đổi)", source = "công văn VPCP" }} ]
workdays = []

[levels.province]
name     = "Bí thư Tỉnh ủy"
min_days = 1
per      = "month"
basis    = "Quy định 11-QĐi/TW, sửa đổi theo Kết luận 215-KL/TW"

[levels.commune]
name     = "Bí thư Đảng ủy xã"
min_days = 2
per      = "month"
basis    = "Quy định 11-QĐi/TW; Kết luận 215-KL/TW"

[levels.chair-province]
name     = "Chủ tịch UBND tỉnh"
min_days = 1
per      = "month"
basis    = "Luật Tiếp công dân 42/2013/QH13, Điều 12"

[[units]]
id       = "cao-bang"
name     = "Tỉnh ủy Cao Bằng"
level    = "province"
body     = "party"
superior = "Đảng bộ tỉnh Cao Bằng"
place    = "Cao Bằng"
days     = [25]
time     = "07:30-11:30"
venue    = "Trụ sở Tiếp công dân tỉnh, số 1 đường Hoàng Đình Giong"
register_by = 20
[units.head]
name  = "Nguyễn Văn A"
title = "Bí thư Tỉnh ủy"
email = "bithu@caobang.example.vn"
phone = "+84912345678"

[[units]]
id       = "thuc-phan"
name     = "Đảng ủy phường Thục Phán"
level    = "commune"
parent   = "cao-bang"
superior = "Đảng bộ tỉnh Cao Bằng"
place    = "Thục Phán"
rrule    = "FREQ=MONTHLY;BYDAY=+2TH,+4TH"
time     = "07:30-11:00"
venue    = "Trụ sở Đảng ủy phường Thục Phán"
head     = {{ name = "Hoàng Văn E", title = "Bí thư Đảng ủy phường", phone = "+84911222333" }}

[[units]]
id       = "xa-thu"
name     = {hostile}
level    = "commune"
parent   = "cao-bang"
rrule    = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
time     = "13:30-17:00"
venue    = "Nhà văn hóa <b>xã</b> & \\"hội trường\\""
[units.head]
name  = "Lò Văn <i>K</i>"
title = "Bí thư Đảng ủy xã"
email = "k@example.vn"
phone = "0912000999"

[[units]]
id       = "ubnd-cao-bang"
name     = "Ủy ban nhân dân tỉnh Cao Bằng"
level    = "chair-province"
body     = "state"
place    = "Cao Bằng"
days     = [15]
time     = "07:30-11:30"
venue    = "Trụ sở Tiếp công dân tỉnh"
online   = "https://meet.example.vn/cao-bang"
head     = {{ name = "Lê Văn C", title = "Chủ tịch UBND tỉnh", email = "chutich@caobang.example.vn" }}

[[units]]
id       = "ubnd-thuc-phan"
name     = "Ủy ban nhân dân phường Thục Phán"
level    = "chair-province"
parent   = "ubnd-cao-bang"
body     = "state"
place    = "Thục Phán"
rrule    = "FREQ=WEEKLY;BYDAY=TU,TH"
roll     = "nearest"
time     = "13:30-17:00"
venue    = "Bộ phận Tiếp công dân phường Thục Phán"
head     = {{ name = "Vũ Văn H", title = "Chủ tịch UBND phường" }}
"""

PHONES_AND_MAILS = (
    "+84912345678",
    "0912345678",
    "bithu@caobang.example.vn",
    "+84911222333",
    "0912000999",
    "k@example.vn",
    "chutich@caobang.example.vn",
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def unavailable(reason: str) -> None:
    """CI must run every real check; a developer's machine may lack a tool."""
    if in_ci():
        pytest.fail(f"{reason} (CI must run this test)", pytrace=False)
    pytest.skip(reason)


def need_tools(*names: str) -> None:
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        unavailable(
            f"missing programs: {', '.join(missing)} (apt-get install chromium poppler-utils "
            "libreoffice-writer-nogui, node/npm)"
        )


def need_node_packages() -> None:
    need_tools("node")
    missing = [p for p in NODE_PACKAGES if not (JS / "node_modules" / p / "package.json").exists()]
    if missing:
        unavailable(f"missing node packages in tests/js: {', '.join(missing)} (cd tests/js && npm ci)")


def write_config(directory: Path, db_url: str | None = None) -> Path:
    db_url = db_url or f"sqlite:///{directory / 't.db'}"
    path = directory / "config.toml"
    path.write_text(
        CONFIG.format(database=json.dumps(db_url), hostile=json.dumps(HOSTILE_NAME, ensure_ascii=False)),
        encoding="utf-8",
    )
    return path


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k != "TIEPDAN_DEBUG"}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.setdefault("LANG", "C.UTF-8")
    return e


def tiepdan(
    config: Path, *args: str, check: bool = True, process: bool = False
) -> subprocess.CompletedProcess[str]:
    """``tiepdan ARGS --config CONFIG`` from the configuration's folder (see ``cli_runner``)."""
    proc = cli_runner.run([*args, "--config", str(config)], cwd=config.parent, process=process)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"tiepdan {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


@contextlib.contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", ws="none", http="h11")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def node_json(script: str, *args: str, timeout: int = 120) -> dict[str, Any]:
    proc = subprocess.run(
        ["node", str(JS / script), *args],
        cwd=JS,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, f"node {script} exited {proc.returncode}:\n{proc.stderr}"
    return json.loads(proc.stdout)


def chromium(*args: str, profile: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("chromium") or "chromium"
    return subprocess.run(
        [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def now_utc() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    from scheduler.infra.clock import local_today as _local_today

    return _local_today(now_utc())


def pdf_words(pdf: Path, page: int = 1) -> list[tuple[str, float, float, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax, page width, page height) of one page, by pdftotext -bbox."""
    import html
    import re

    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    ).stdout
    m = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', out)
    assert m, out[:500]
    width, height = float(m.group(1)), float(m.group(2))
    words = []
    for w in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', out
    ):
        words.append(
            (
                html.unescape(w.group(5)),
                float(w.group(1)),
                float(w.group(2)),
                float(w.group(3)),
                float(w.group(4)),
                width,
                height,
            )
        )
    return words


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, encoding="utf-8", check=True
    ).stdout


def png_stats(path: Path) -> tuple[int, int, int, float]:
    """(width, height, distinct colours, share of pixels that are not white)."""
    from PIL import Image

    with Image.open(path) as img:
        rgb = img.convert("RGB")
        width, height = rgb.size
        small = rgb.resize((max(1, width // 4), max(1, height // 4)))
        raw = small.tobytes()
    pixels = [tuple(raw[i : i + 3]) for i in range(0, len(raw), 3)]
    colours = len(set(pixels))
    inked = sum(1 for p in pixels if min(p) < 235) / len(pixels)
    return width, height, colours, inked
