"""The one-stop-center notice board (bảng thông báo tại Bộ phận một cửa) as one HTML page.

Jinja2 with autoescaping on: unit names and reasons come from configuration files and from
people, and are shown as text whatever they contain. The page needs no JavaScript: it reloads
itself every 5 minutes on the unattended screen (the HTTP Refresh header, which a reader can switch
off with a link, WCAG 2.2.1), prints on A4 ("Cập nhật ngày ...") and carries an inline SVG QR code
of the subscription page (``render_subscribe``: ``webcal://`` and the schedule).

The screen is laid out for landscape (1920x1080) and portrait (1080x1920) alike: everything fits
one screen, the text is sized from the screen's width and height (CSS ``min(vw, vh)``), and a
month with many sessions is set tighter (``_density``) rather than pushed below the screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import qrcode
import qrcode.constants
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from notifiers.views import BoardView, DialogueView, MonthView, SessionView
from notifiers.wording import (
    change_note,
    describe_pattern,
    receiver,
    register_deadline,
    register_rule,
    roll_rule,
)
from rules import Unit
from rules.dialogues import FORM_VI, KIND_VI
from rules.vietnamese import WEEKDAYS, dm, dmy, long_date
from rules.vocabulary import LOST_TITLE_VI

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


_DATE = re.compile(r"\b\d{2}/\d{2}(?:/\d{4})?\b")


def nobr_dates(text: str) -> Markup:
    """Text escaped, its dates held on one line ("26/02/2027" never breaks as "26/02/2 027")."""
    out, last = [], 0
    for m in _DATE.finditer(text):
        out.append(Markup.escape(text[last : m.start()]))
        out.append(Markup('<span class="nw">{}</span>').format(m.group(0)))
        last = m.end()
    out.append(Markup.escape(text[last:]))
    return Markup("").join(out)


@dataclass(frozen=True, slots=True)
class _Row:
    """A session or an announced dialogue conference as a table row of the board."""

    active: bool
    weekday: str
    day: str
    time: str
    deadline: str
    badge: str
    badge_class: str
    note: Markup
    online: str
    today: bool
    past: bool
    title: str = ""  # a dialogue conference: "Hội nghị đối thoại định kỳ", set in bold before the note


def _badge(s: SessionView) -> tuple[str, str]:
    if s.status == "cancelled":
        return LOST_TITLE_VI["cancelled"], "cancelled"
    if s.status == "not_held":
        return LOST_TITLE_VI["not_held"], "cancelled"
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
        deadline = dm(register_deadline(unit.register_by, s.date))
    note = change_note(s)
    if badge and note.startswith(f"{badge}: "):
        note = note[len(badge) + 2 :]  # the badge says it already ("Hoãn" Hoãn: ...)
    if s.venue and s.venue != unit.venue:
        note = f"{note}; tại {s.venue}" if note else f"Tại {s.venue}"
    return _Row(
        active=s.active,
        weekday=WEEKDAYS[s.date.weekday()],
        day=dmy(s.date),
        time=s.time_text,
        deadline=deadline,
        badge=badge,
        badge_class=badge_class,
        note=nobr_dates(note),
        online=(s.online_url or unit.online) if s.active else "",
        today=s.date == view.today,
        past=s.date < view.today,
    )


def dialogue_title(d: DialogueView) -> str:
    """ "Hội nghị đối thoại định kỳ", "Hội nghị đối thoại với doanh nghiệp"."""
    return f"Hội nghị đối thoại {KIND_VI.get(d.kind, '')}".rstrip()


def dialogue_note(d: DialogueView) -> str:
    """After its title, the dialogue in one phrase for a table: about what, in what form, where,
    and why it was not held."""
    note = d.topic
    if d.form != "in_person":
        note += f" (hình thức {FORM_VI.get(d.form, d.form)})"
    if d.place and d.form != "online":
        note += f"; tại {d.place}"
    if d.status == "not_held" and d.reason:
        note += f"; lý do: {d.reason}"
    return note


def _dialogue_badge(d: DialogueView) -> tuple[str, str]:
    if d.status == "postponed":
        return "Hoãn", "cancelled"
    if d.status == "not_held":
        return "Không tổ chức", "cancelled"
    return "", ""


def _dialogue_row(d: DialogueView, view: BoardView) -> _Row:
    badge, badge_class = _dialogue_badge(d)
    online = d.online_url if d.active and d.form != "in_person" else ""
    return _Row(
        active=d.active,
        weekday=WEEKDAYS[d.date.weekday()],
        day=dmy(d.date),
        time=d.time_text,
        deadline="",
        badge=badge,
        badge_class=badge_class,
        note=nobr_dates(dialogue_note(d)),
        online=online,
        today=d.date == view.today,
        past=d.date < view.today,
        title=dialogue_title(d),
    )


def _month_rows(month: MonthView, view: BoardView) -> list[_Row]:
    """The month's sessions and announced dialogues by day (a day's sessions first)."""
    keyed = [((s.date, 0, s.id), _row(s, view)) for s in month.sessions]
    keyed += [((d.date, 1, d.id), _dialogue_row(d, view)) for d in month.dialogues]
    return [r for _, r in sorted(keyed, key=lambda t: t[0])]


def _next_session(view: BoardView) -> SessionView | None:
    upcoming = [s for m in view.months for s in m.sessions if s.active and s.date >= view.today]
    return min(upcoming, key=lambda s: (s.date, s.id)) if upcoming else None


def _venue(unit_venue: str, address: str) -> str:
    if address and address not in unit_venue:
        return f"{unit_venue}, {address}" if unit_venue else address
    return unit_venue


def _density(rows: int) -> str:
    """How tightly the month tables are set so that the page fits one screen: the screen shows
    everything at once, unattended, so a busy month gets smaller row spacing, then smaller text."""
    if rows <= 12:
        return "roomy"
    if rows <= 22:
        return "compact"
    return "dense"


def _display_url(url: str) -> str:
    """ "meet.example.vn/thuc-phan": an address read off a screen, without its scheme."""
    return url.split("://", 1)[-1].rstrip("/")


def render_board(view: BoardView) -> str:
    unit = view.schedule.unit
    today_sessions = [s for m in view.months for s in m.sessions if s.date == view.today]
    upcoming = _next_session(view)
    deadline_text = ""
    if unit.register_by is not None:
        deadline_text = f"Đăng ký trước ngày {unit.register_by} hằng tháng tại nơi tiếp công dân."
        if upcoming is not None:
            last = register_deadline(unit.register_by, upcoming.date)
            deadline_text += f" Buổi tiếp ngày {dmy(upcoming.date)} nhận đăng ký trước ngày {dmy(last)}" + (
                " (đã hết hạn; đăng ký cho buổi tiếp sau)." if last <= view.today else "."
            )
    venue = _venue(unit.venue, unit.address)
    months = [(m, _month_rows(m, view)) for m in view.months]
    # A dialogue's row holds its title and a topic of two lines (a long one is cut on the screen):
    # it weighs as three rows of a reception day, so that the month still fits one screen.
    rows = sum(len(r) for _, r in months) + 2 * sum(len(m.dialogues) for m in view.months)
    toggle_href = view.path + ("?tu-lam-moi=0" if view.refresh else "")
    return (
        _env()
        .get_template("board.html.j2")
        .render(
            unit=unit,
            view=view,
            today_text=long_date(view.today),
            today_date=dmy(view.today),
            today_sessions=today_sessions,
            upcoming=upcoming,
            upcoming_text=long_date(upcoming.date) if upcoming else "",
            upcoming_venue=(upcoming.venue or venue) if upcoming else "",
            upcoming_online=(upcoming.online_url or unit.online) if upcoming else "",
            months=months,
            density=_density(rows),
            receiver=receiver(unit),
            pattern=describe_pattern(unit.pattern),
            mandate=view.schedule.mandate,
            roll=roll_rule(view.schedule.roll, view.schedule.period),
            time_text=unit_time_text(unit),
            venue=venue,
            deadline_text=deadline_text,
            register_text=register_rule(unit) if unit.register_by is None else "",
            display_url=_display_url,
            qr=qr_svg(
                view.subscribe_url, label=f"Mã QR của trang theo dõi lịch tiếp công dân: {view.subscribe_url}"
            ),
            refresh_seconds=REFRESH_SECONDS,
            toggle_href=toggle_href,
            children=list(view.children),
            parent=view.parent,
        )
    )


def unit_time_text(unit: Unit) -> str:
    """ "07h30 - 11h30", as everywhere people read a time of day."""
    if unit.start is None or unit.end is None:
        return ""
    return f"{unit.start:%H}h{unit.start:%M} - {unit.end:%H}h{unit.end:%M}"


def render_subscribe(view: BoardView) -> str:
    """The small public page the board's QR code opens: subscribe to the calendar (``webcal://``,
    which phones hand to their calendar app instead of downloading the file) and the schedule."""
    unit = view.schedule.unit
    webcal = "webcal://" + view.feed_url.split("://", 1)[-1]
    upcoming = _next_session(view)
    return (
        _env()
        .get_template("subscribe.html.j2")
        .render(
            unit=unit,
            view=view,
            webcal=webcal,
            months=[(m, _month_rows(m, view)) for m in view.months],
            upcoming=upcoming,
            upcoming_text=long_date(upcoming.date) if upcoming else "",
            venue=_venue(unit.venue, unit.address),
            time_text=unit_time_text(unit),
            receiver=receiver(unit),
            pattern=describe_pattern(unit.pattern),
            register_text=register_rule(unit),
            display_url=_display_url,
        )
    )


def render_not_found(unit_id: str) -> str:
    return _env().get_template("not_found.html.j2").render(unit_id=unit_id)
