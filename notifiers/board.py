"""The one-stop-center notice board (bảng thông báo tại Bộ phận một cửa) as one HTML page.

Jinja2 with autoescaping on: unit names and reasons come from configuration files and from
people, and are shown as text whatever they contain. The page needs no JavaScript: it reloads
itself every 5 minutes on the unattended screen (a meta refresh a reader can switch off with a
link, WCAG 2.2.1), prints on A4 and carries an inline SVG QR code of the calendar feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import qrcode
import qrcode.constants
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from notifiers.views import BoardView, SessionView
from notifiers.wording import change_note, describe_pattern, receiver, register_deadline, roll_rule
from rules.vietnamese import WEEKDAYS, dmy, long_date

REFRESH_SECONDS = 300


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("notifiers", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@lru_cache(maxsize=16384)
def qr_svg(data: str, *, label: str) -> Markup:
    """An accessible inline SVG of the QR code of ``data``: one path, modules merged into runs.

    ``qrcode`` does the encoding; the markup is ours so that it carries a title for screen
    readers and scales with CSS (no fixed size in millimetres). Encoding (trying the eight masks)
    is most of a board's rendering time, and a unit's feed address never changes: kept per address.
    """
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    path: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                path.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    title = Markup.escape(label)
    return Markup(
        f'<svg class="qr" role="img" aria-labelledby="qr-title" viewBox="0 0 {size} {size}" '
        f'xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">'
        f'<title id="qr-title">{title}</title>'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(path)}"/></svg>'
    )


@dataclass(frozen=True, slots=True)
class _Row:
    """A session as a table row of the board."""

    session: SessionView
    weekday: str
    day: str
    time: str
    deadline: str
    badge: str
    badge_class: str
    note: str
    today: bool
    past: bool


def _badge(s: SessionView) -> tuple[str, str]:
    if s.status == "cancelled":
        return "Hoãn", "cancelled"
    if s.status == "not_held":
        return "Không tổ chức", "cancelled"
    if s.kind == "makeup":
        return "Tiếp bù", "makeup"
    if s.kind == "adhoc":
        return "Đột xuất", "adhoc"
    if s.moved_from is not None:
        return "Dời lịch", "moved"
    if s.moved:
        return "Chuyển ngày", "moved"
    if s.status == "held":
        return "Đã tiếp", "held"
    return "", ""


def _row(s: SessionView, view: BoardView) -> _Row:
    unit = view.schedule.unit
    badge, badge_class = _badge(s)
    deadline = ""
    if unit.register_by is not None and s.active:
        deadline = dmy(register_deadline(unit.register_by, s.date))
    note = change_note(s)
    if s.venue and s.venue != unit.venue:
        note = f"{note}; tại {s.venue}" if note else f"Tại {s.venue}"
    return _Row(
        session=s,
        weekday=WEEKDAYS[s.date.weekday()],
        day=dmy(s.date),
        time=s.time_text,
        deadline=deadline,
        badge=badge,
        badge_class=badge_class,
        note=note,
        today=s.date == view.today,
        past=s.date < view.today,
    )


def _next_session(view: BoardView) -> SessionView | None:
    upcoming = [s for m in view.months for s in m.sessions if s.active and s.date >= view.today]
    return min(upcoming, key=lambda s: (s.date, s.id)) if upcoming else None


def render_board(view: BoardView) -> str:
    unit = view.schedule.unit
    today_sessions = [s for m in view.months for s in m.sessions if s.date == view.today]
    upcoming = _next_session(view)
    deadline_text = ""
    if unit.register_by is not None:
        deadline_text = f"Đăng ký trước ngày {unit.register_by} hằng tháng."
        if upcoming is not None:
            last = register_deadline(unit.register_by, upcoming.date)
            deadline_text += f" Buổi tiếp ngày {dmy(upcoming.date)} nhận đăng ký trước ngày {dmy(last)}" + (
                " (đã hết hạn; đăng ký cho buổi tiếp sau)." if last <= view.today else "."
            )
    toggle_href = view.path + ("?tu-lam-moi=0" if view.refresh else "")
    return (
        _env()
        .get_template("board.html.j2")
        .render(
            unit=unit,
            view=view,
            today_text=long_date(view.today),
            today_sessions=today_sessions,
            upcoming=upcoming,
            upcoming_text=long_date(upcoming.date) if upcoming else "",
            months=[(m, [_row(s, view) for s in m.sessions]) for m in view.months],
            receiver=receiver(unit),
            pattern=describe_pattern(unit.pattern),
            mandate=view.schedule.mandate,
            roll=roll_rule(view.schedule.roll, view.schedule.period),
            time_text=unit.time_text.replace(":", "h").replace("-", " - "),
            deadline_text=deadline_text,
            qr=qr_svg(view.feed_url, label=f"Mã QR của lịch tiếp công dân dạng iCalendar: {view.feed_url}"),
            refresh_seconds=REFRESH_SECONDS,
            toggle_href=toggle_href,
            children=list(view.children),
            parent=view.parent,
        )
    )


def render_not_found(unit_id: str) -> str:
    return _env().get_template("not_found.html.j2").render(unit_id=unit_id)
