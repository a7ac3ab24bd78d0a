"""Charts as inline SVG, drawn here on the server: no script, printable, readable offline.

Each function returns safe markup (every label is escaped) with a ``viewBox`` and
``width="100%"``, so a chart scales to the page and never overflows it.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from notifiers.reports.labels import number, percent

WIDTH = 720
GOOD, FAIR, POOR, NONE = "#2f855a", "#b7791f", "#c53030", "#a0aec0"
SERIES = (
    ("Định kỳ", "#2b6cb0"),
    ("Tiếp bù", "#38a169"),
    ("Đột xuất", "#d69e2e"),
    ("Hoãn/không tổ chức", "#c53030"),
)
FONT = 'font-family="Noto Sans, DejaVu Sans, Arial, sans-serif"'


def _color(rate: float | None) -> str:
    if rate is None:
        return NONE
    return GOOD if rate >= 0.9 else FAIR if rate >= 0.7 else POOR


def _svg(height: int, title: str, body: list[str], css_class: str) -> Markup:
    t = escape(title)
    return Markup(
        f'<svg class="chart {css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{t}" {FONT} font-size="11">'
        f"<title>{t}</title>" + "".join(body) + "</svg>"
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compliance_columns(points: Sequence[tuple[str, float | None]], *, title: str) -> Markup:
    """One column per period (a month): the share of unit-periods that met the mandate."""
    height, top, bottom, left, right = 240, 16, 36, 40, 8
    plot_h = height - top - bottom
    body: list[str] = []
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - pct / 100)
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e2e8f0"/>')
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#4a5568">{pct}%</text>')
    n = max(len(points), 1)
    slot = (WIDTH - left - right) / n
    bar = min(slot * 0.7, 48)
    for i, (label, rate) in enumerate(points):
        x = left + slot * i + (slot - bar) / 2
        h = plot_h * (rate or 0)
        y = top + plot_h - h
        body.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{_color(rate)}"><title>{escape(label)}: {percent(rate)}</title></rect>'
        )
        cx = x + bar / 2
        body.append(
            f'<text x="{cx:.1f}" y="{max(y - 3, top + 9):.1f}" text-anchor="middle" font-size="10">'
            f"{escape(percent(rate, 0))}</text>"
        )
        body.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 14}" text-anchor="middle" fill="#2d3748">'
            f"{escape(label)}</text>"
        )
    body.append(
        f'<line x1="{left}" x2="{WIDTH - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#4a5568"/>'
    )
    return _svg(height, title, body, "chart-months")


def compliance_bars(items: Sequence[tuple[str, float | None, str]], *, title: str) -> Markup:
    """One horizontal bar per unit: (name, compliance, note shown after the percentage)."""
    row, top, label_w, right = 20, 8, 250, 150
    height = top * 2 + row * max(len(items), 1)
    plot_w = WIDTH - label_w - right
    body: list[str] = []
    for i, (name, rate, note) in enumerate(items):
        y = top + row * i
        w = plot_w * (rate or 0)
        body.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" fill="#2d3748">'
            f"{escape(_short(name, 40))}</text>"
        )
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{plot_w}" height="{row - 6}" fill="#edf2f7"/>')
        body.append(
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{_color(rate)}"><title>{escape(name)}: {percent(rate)}</title></rect>'
        )
        body.append(
            f'<text x="{label_w + plot_w + 6}" y="{y + 14}" fill="#2d3748">'
            f"{escape(percent(rate))} {escape(note)}</text>"
        )
    return _svg(height, title, body, "chart-units")


def kind_columns(points: Sequence[tuple[str, Sequence[int]]], *, title: str) -> Markup:
    """Stacked columns per month: held periodic, make-up and ad hoc sessions, then the lost ones."""
    height, top, bottom, left, right = 260, 28, 36, 48, 8
    plot_h = height - top - bottom
    peak = max((sum(v) for _, v in points), default=0) or 1
    body: list[str] = []
    x = left
    for name, color in SERIES:
        body.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{color}"/>')
        body.append(f'<text x="{x + 14}" y="15" fill="#2d3748">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e2e8f0"/>')
        body.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#4a5568">'
            f"{escape(number(round(peak * frac)))}</text>"
        )
    n = max(len(points), 1)
    slot = (WIDTH - left - right) / n
    bar = min(slot * 0.7, 48)
    for i, (label, values) in enumerate(points):
        x0 = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for (name, color), v in zip(SERIES, values, strict=False):
            h = plot_h * v / peak
            y -= h
            body.append(
                f'<rect class="bar" x="{x0:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{color}">'
                f"<title>{escape(label)} – {escape(name)}: {escape(number(v))}</title></rect>"
            )
        body.append(
            f'<text x="{x0 + bar / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" fill="#2d3748">'
            f"{escape(label)}</text>"
        )
    return _svg(height, title, body, "chart-kinds")
