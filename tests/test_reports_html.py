"""The HTML report rendered in a real headless Chromium: not blank, charts drawn as SVG, nothing
wider than the printable width of A4 landscape, and printed on A4 pages.

The report is built in-process from plain records (notifiers and rules need no database): a
province of 1 party committee, 1 People's Committee and 24 communes with their chairs, a year of
sessions, some with national-size counts so that the widest numbers are laid out too.
Without Chromium the tests are skipped, unless CI=true: then they fail.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from notifiers.reports import render_html
from rules import Level, Pattern, Unit, WorkCalendar
from rules.compliance import SessionRecord
from rules.report import Report, build_report
from rules.report_periods import named_range

A4_LANDSCAPE_PT = (841.92, 594.96)
PRINTABLE_PX = 1020  # 297 mm - 27 mm of margins, at 96 px per inch
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
]  # fmt: skip

LEVELS = {
    "province": Level.from_history("province", "Bí thư Tỉnh ủy", (1, "month", "Quy định 11-QĐi/TW")),
    "commune": Level.from_history("commune", "Bí thư Đảng ủy xã", (2, "month", "Quy định 11-QĐi/TW")),
    "chair-province": Level.from_history("chair-province", "Chủ tịch UBND tỉnh", (1, "month", "")),
    "chair-commune": Level.from_history(
        "chair-commune", "Chủ tịch UBND xã", (2, "month", ""), [(date(2026, 6, 30), 1, "week", "")]
    ),
}
COMMUNES = [
    "Hòa An",
    "Hà Quảng",
    "Trùng Khánh",
    "Quảng Hòa",
    "Thạch An",
    "Nguyên Bình",
    "Bảo Lạc",
    "Bảo Lâm",
    "Hạ Lang",
    "Thông Nông",
    "Trà Lĩnh",
    "Phục Hòa",
    "Đức Long",
    "Lũng Nặm",
    "Cần Yên",
    "Xuân Trường",
    "Minh Khai",
    "Hưng Đạo",
    "Ngọc Đào",
    "Đề Thám",
    "Sông Hiến",
    "Thục Phán",
    "Tân Giang",
    "Chu Trinh",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("Chromium is required in CI (apt-get install -y chromium fonts-noto-core)")
    pytest.skip("Chromium not installed (apt-get install -y chromium fonts-noto-core)")


def run_chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip


def province_report() -> Report:
    rnd = random.Random(2026)
    units = [
        Unit("cao-bang", "Tỉnh ủy Cao Bằng", "province", Pattern(days=(25,))),
        Unit("ubnd-cao-bang", "Ủy ban nhân dân tỉnh Cao Bằng", "chair-province", Pattern(days=(15,))),
    ]
    for i, name in enumerate(COMMUNES):
        units.append(
            Unit(f"xa-{i:02d}", f"Đảng ủy xã {name}", "commune", Pattern(days=(10, 25)), parent="cao-bang")
        )
        long_name = f"Ủy ban nhân dân xã {name}, tỉnh Cao Bằng (sau sắp xếp đơn vị hành chính)"
        weekly = Pattern(rrule="FREQ=WEEKLY;BYDAY=TH")
        units.append(Unit(f"ubnd-xa-{i:02d}", long_name, "chair-commune", weekly, parent="ubnd-cao-bang"))
    records: list[SessionRecord] = []
    big = {"cao-bang": 120_000, "ubnd-cao-bang": 98_765}  # national-size counts: 7-digit totals
    n = 0
    for u in units:
        step = 7 if u.level == "chair-commune" else 15
        d = date(2026, 1, 5)
        while d <= date(2026, 12, 28):
            n += 1
            r = rnd.random()
            if d >= date(2026, 11, 23):
                status = "planned"
            else:
                status = "held" if r < 0.9 else "cancelled" if r < 0.95 else "not_held"
            scale = big.get(u.id, 1)
            made = status != "held" and status != "planned" and rnd.random() < 0.5
            kind = "adhoc" if rnd.random() < 0.03 else "periodic"
            counts = (
                rnd.randint(0, 9) * scale,
                rnd.randint(0, 12) * scale,
                rnd.randint(0, 5),
                rnd.randint(0, 6),
            )
            records.append(
                SessionRecord(
                    n,
                    u.id,
                    kind,
                    status,
                    d,
                    *counts,
                    rnd.randint(0, 1),  # type: ignore[arg-type]
                    received_by="Phó Bí thư" if rnd.random() < 0.1 else None,
                    reason="Bí thư đi công tác",
                    needs_makeup=status in ("cancelled", "not_held") and not made,
                    made_up_by=100_000 + n if made else None,
                    made_up_date=d + timedelta(days=3) if made else None,
                    made_up_status="held" if made else None,
                )
            )
            d += timedelta(days=step)
    return build_report(
        units, LEVELS, records, named_range("2026"), today=date(2026, 11, 23), calendar=WorkCalendar("VN")
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "bao-cao-2026.html"
    out.write_text(render_html(province_report()), encoding="utf-8")
    return out


PROBE = """
<script>
(() => {
  const b = document.body, root = document.documentElement;
  b.dataset.scrollWidth = root.scrollWidth;
  b.dataset.innerWidth = window.innerWidth;
  b.dataset.charts = document.querySelectorAll('svg.chart').length;
  b.dataset.bars = document.querySelectorAll('svg.chart rect.bar').length;
  const wide = [...document.querySelectorAll('table, figure, svg, td.n')]
    .filter(e => e.scrollWidth > e.clientWidth + 1
                 || e.getBoundingClientRect().right > window.innerWidth + 0.5);
  b.dataset.overflowing = wide.length;
  b.dataset.firstOverflow = wide.length ? (wide[0].tagName + ' ' + wide[0].textContent.slice(0, 40)) : '';
})();
</script>
"""


def test_charts_are_drawn_as_svg_and_nothing_overflows_the_printable_width(page, tmp_path):
    probed = tmp_path / "probed.html"
    probed.write_text(
        page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    dom = run_chromium(tmp_path, f"--window-size={PRINTABLE_PX},1400", "--dump-dom", probed.as_uri()).stdout
    marks = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', re.search(r"<body[^>]*>", dom).group(0)))
    assert marks["charts"] == "3", marks
    assert int(marks["bars"]) > 40, marks
    assert int(marks["scroll-width"]) <= int(marks["inner-width"]) == PRINTABLE_PX, marks
    assert marks["overflowing"] == "0", marks
    assert "Tỷ lệ kỳ đạt mức tiếp theo tháng" in dom and "Đảng ủy xã Hòa An" in dom


def test_screenshot_is_not_blank(page, tmp_path):
    shot = tmp_path / "shot.png"
    run_chromium(tmp_path, "--window-size=1123,1600", f"--screenshot={shot}", page.as_uri())
    img = Image.open(shot).convert("RGB")
    assert img.size == (1123, 1600)
    colors = img.getcolors(maxcolors=1 << 20)
    assert colors is not None and len(colors) > 50  # text, anti-aliasing, chart colours
    white = max(count for count, rgb in colors if rgb == (255, 255, 255))
    assert white < 0.93 * img.size[0] * img.size[1]
    # The charts' colours are there (the green of a period met, the blue of periodic sessions).
    present = {rgb for _, rgb in colors}
    assert (0x2F, 0x85, 0x5A) in present and (0x2B, 0x6C, 0xB0) in present


def test_it_prints_on_a4_landscape_pages(page, tmp_path):
    pdf = tmp_path / "bao-cao.pdf"
    run_chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages >= 2 and boxes
    for w, h in boxes:
        assert abs(float(w) - A4_LANDSCAPE_PT[0]) < 1 and abs(float(h) - A4_LANDSCAPE_PT[1]) < 1


def test_text_is_escaped_and_vietnamese(tmp_path):
    unit = Unit("x", "Đảng ủy <script>alert(1)</script> & co", "commune", Pattern(days=(10,)))
    html = render_html(build_report([unit], LEVELS, [], named_range("2026-Q3"), today=date(2026, 11, 23)))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert '<html lang="vi">' in html and "Quý III năm 2026" in html
