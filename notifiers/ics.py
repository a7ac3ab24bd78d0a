"""A session's calendar event, for the unit's iCalendar feed (RFC 5545) and for the e-mail
invitation (iTIP, RFC 5546), with the ``icalendar`` package: one builder (``session_event``), so
a calendar that has the session from both places sees the same event (times, title, DTSTAMP,
SEQUENCE, zone, description, link).

Calendar programs subscribe to it and poll it, so an event must be recognisable across polls:
its UID is the session's id (``session-<id>@tiepdan``), its SEQUENCE the session's version (it
grows with every change), and a cancelled or not-held session stays in the feed with
STATUS:CANCELLED, so the subscriber removes it rather than keeping a stale copy. DTSTAMP and
LAST-MODIFIED are the session's last change, not the time of the request: the same data gives
the same bytes, which is what lets the server answer 304 and cache the rendering.

An announced dialogue conference is an event of the same feed, built the same way, with a UID
of its own name space (``dialogue-<id>@tiepdan``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from notifiers.views import DialogueView, FeedView, SessionView
from notifiers.wording import change_note, receiver, register_deadline
from rules import Unit
from rules.dialogues import FORM_VI, KIND_VI
from rules.vietnamese import dmy
from rules.vocabulary import KIND_VI as SESSION_KIND_VI

PRODID = "-//tiepdan//Lịch tiếp công dân//VI"
UID_DOMAIN = "tiepdan"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def session_uid(session_id: int) -> str:
    return f"session-{session_id}@{UID_DOMAIN}"


def dialogue_uid(dialogue_id: int) -> str:
    """A dialogue's UID: its own name space, so that it never meets a session's of the same id."""
    return f"dialogue-{dialogue_id}@{UID_DOMAIN}"


def calendar_name(unit_name: str) -> str:
    return f"Lịch tiếp công dân - {unit_name}"


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of ``tzid`` over whole years. icalendar derives it by scanning the zone's
    offsets, which takes a good part of a second; the result only depends on these three values,
    so it is made once and shared (it is only read when a calendar is serialised)."""
    return Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31))


def _utc(dt: datetime | None) -> datetime:
    if dt is None:
        return _EPOCH
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class EventSource:
    """What a session's calendar event (sự kiện lịch) is made of."""

    unit: Unit
    session: SessionView
    timezone: str  # IANA name, e.g. "Asia/Ho_Chi_Minh"
    board_url: str = ""  # the unit's public board, named in the description


Value = str | int | date | datetime
# The URL is a URI (no TEXT escaping); every other text property of an event is TEXT.
_URI = frozenset({"url"})


def session_properties(src: EventSource) -> list[tuple[str, Value]]:
    """What the one VEVENT of a session says, in order: UID its id, SEQUENCE its version,
    DTSTAMP its last change; a session without a time of day is an all-day event; a cancelled
    one stays, CANCELLED. ``session_event`` (the feed, through icalendar) and ``invitation``
    (written directly) both write exactly these."""
    unit, s, tz = src.unit, src.session, ZoneInfo(src.timezone)
    props: list[tuple[str, Value]] = [("uid", session_uid(s.id)), ("sequence", s.version)]
    changed = _utc(s.updated_at).replace(microsecond=0)
    props += [("dtstamp", changed), ("last-modified", changed)]
    if s.start is not None and s.end is not None:
        props.append(("dtstart", datetime.combine(s.date, s.start, tzinfo=tz)))
        props.append(("dtend", datetime.combine(s.date, s.end, tzinfo=tz)))
    else:
        # No time of day configured: an all-day event on the day.
        props += [("dtstart", s.date), ("dtend", s.date + timedelta(days=1))]
    cancelled = not s.active
    title = f"Tiếp công dân {SESSION_KIND_VI[s.kind]} - {unit.name}"
    props.append(("summary", f"Hoãn: {title}" if cancelled else title))
    props.append(("status", "CANCELLED" if cancelled else "CONFIRMED"))
    if s.venue:
        props.append(("location", s.venue))
    lines = [f"Người tiếp: {receiver(unit)}."]
    note = change_note(s)
    if note:
        lines.append(f"{note}.")
    if unit.register_by is not None and not cancelled:
        lines.append(f"Hạn đăng ký: trước ngày {dmy(register_deadline(unit.register_by, s.date))}.")
    online = s.online_url or unit.online  # the session's own link, else the unit's (``online``)
    if online:
        lines.append(f"Tiếp trực tuyến: {online}")
        props.append(("url", online))
    if src.board_url:
        lines.append(f"Lịch công khai: {src.board_url}")
    props.append(("description", "\n".join(lines)))
    props.append(("transp", "OPAQUE"))
    return props


def session_event(src: EventSource) -> Event:
    """The one VEVENT of a session (``session_properties``), for the feed."""
    ev = Event()
    for name, value in session_properties(src):
        ev.add(name, value)
    return ev


def dialogue_event(unit: Unit, d: DialogueView, timezone: str, board_url: str = "") -> Event:
    """The VEVENT of an announced dialogue conference, built as a session's: UID its own
    (``dialogue-<id>@tiepdan``), SEQUENCE its version, DTSTAMP its last change; one postponed or
    not held stays, CANCELLED."""
    tz = ZoneInfo(timezone)
    ev = Event()
    ev.add("uid", dialogue_uid(d.id))
    ev.add("sequence", d.version)
    changed = _utc(d.updated_at).replace(microsecond=0)
    ev.add("dtstamp", changed)
    ev.add("last-modified", changed)
    if d.start is not None and d.end is not None:
        ev.add("dtstart", datetime.combine(d.date, d.start, tzinfo=tz))
        ev.add("dtend", datetime.combine(d.date, d.end, tzinfo=tz))
    else:
        ev.add("dtstart", d.date)
        ev.add("dtend", d.date + timedelta(days=1))
    title = f"Hội nghị đối thoại {KIND_VI.get(d.kind, '')} - {unit.name}".replace("  ", " ")
    prefix = {"postponed": "Hoãn: ", "not_held": "Không tổ chức: "}.get(d.status, "")
    ev.add("summary", prefix + title)
    ev.add("status", "CONFIRMED" if d.active else "CANCELLED")
    if d.place and d.form != "online":
        ev.add("location", d.place)
    lines = [f"Nội dung: {d.topic}", f"Hình thức: {FORM_VI.get(d.form, d.form)}."]
    if d.co_organisers:
        lines.append(f"Phối hợp tổ chức: {', '.join(d.co_organisers)}.")
    if d.status == "not_held" and d.reason:
        lines.append(f"Không tổ chức: {d.reason}.")
    if d.online_url and d.form != "in_person":
        lines.append(f"Tham gia trực tuyến: {d.online_url}")
        ev.add("url", d.online_url)
    if board_url:
        lines.append(f"Lịch công khai: {board_url}")
    ev.add("description", "\n".join(lines))
    ev.add("transp", "OPAQUE")
    return ev


def feed_ics(feed: FeedView) -> bytes:
    """The whole feed: every session of the unit, sorted by date then id, then its announced
    dialogue conferences, sorted the same way."""
    unit = feed.schedule.unit
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = calendar_name(unit.name)
    cal.add("x-wr-calname", name)
    cal.add("name", name)  # RFC 7986
    cal.add("x-wr-timezone", feed.timezone)
    desc = f"Các buổi tiếp công dân của {unit.name}, kể cả buổi hoãn và tiếp bù"
    # Said only when there are some: a feed without dialogues keeps its bytes (and its ETag).
    cal.add("x-wr-caldesc", desc + (", và các hội nghị đối thoại." if feed.dialogues else "."))
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    sessions = sorted(feed.sessions, key=lambda s: (s.date, s.id))
    dialogues = sorted(feed.dialogues, key=lambda d: (d.date, d.id))
    years = [s.date.year for s in sessions] + [d.date.year for d in dialogues]
    if years:
        # Before the events that refer to it; it only needs to cover the feed's own years.
        cal.add_component(vtimezone(feed.timezone, min(years) - 1, max(years) + 1))
    for s in sessions:
        cal.add_component(session_event(EventSource(unit, s, feed.timezone, feed.board_url)))
    for d in dialogues:
        cal.add_component(dialogue_event(unit, d, feed.timezone, feed.board_url))
    ical: bytes = cal.to_ical()
    return ical


Method = Literal["REQUEST", "CANCEL"]


def invitation(src: EventSource, method: Method) -> str:
    """An iTIP invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL): the feed's event
    (``session_properties``), its zone before it. ORGANIZER and ATTENDEE are the sender and the
    recipient, known when the e-mail is built (``with_people``).

    Written directly, as RFC 5545 spells it (TEXT escaping, folding under 75 octets): icalendar
    took some 5 ms a calendar, most of a reminder morning's ``queue_due``. The same lines as
    icalendar writes from the same event (tests/test_ics_direct.py)."""
    year = src.session.date.year
    out = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        _fold(f"PRODID:{_text(PRODID)}"),
        f"METHOD:{method}",
        _vtimezone_text(src.timezone, year - 1, year + 1),
        "BEGIN:VEVENT",
    ]
    for name, value in session_properties(src):
        if name == "status" and method == "CANCEL":
            value = "CANCELLED"
        out.append(_property(name, value))
    out += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(out)


@lru_cache(maxsize=64)
def _vtimezone_text(tzid: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE's lines, as icalendar writes them (made once: it depends on these only)."""
    text: str = vtimezone(tzid, first_year, last_year).to_ical().decode("utf-8")
    return text.rstrip("\r\n")


def _text(value: str) -> str:
    """RFC 5545 TEXT escaping (backslash, semicolon, comma, line breaks), as icalendar does it."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold(line: str, limit: int = 75) -> str:
    """A content line folded under ``limit`` octets (CRLF and a space), never inside a UTF-8
    character nor an escape: each part the longest that stays under ``limit``, cut on the octets
    (a character-by-character loop was a third of an invitation's cost)."""
    if len(line) * 4 < limit:
        return line
    raw = line.encode("utf-8")
    if len(raw) < limit:
        return line
    parts: list[bytes] = []
    pos, end = 0, len(raw)
    while end - pos >= limit:
        cut = pos + limit - 1
        while raw[cut] & 0xC0 == 0x80:  # not inside a character
            cut -= 1
        if cut - pos > 1 and raw[cut - 1] in b"\\^":  # nor between "\\" and what it escapes
            cut -= 1
        parts.append(raw[pos:cut])
        pos = cut
    parts.append(raw[pos:])
    return b"\r\n ".join(parts).decode("utf-8")


def _property(name: str, value: Value) -> str:
    key = name.upper()
    if isinstance(value, datetime):
        if value.tzinfo is UTC:
            line = f"{key}:{value:%Y%m%dT%H%M%S}Z"
        else:
            line = f"{key};TZID={value.tzinfo}:{value:%Y%m%dT%H%M%S}"
    elif isinstance(value, date):
        line = f"{key};VALUE=DATE:{value:%Y%m%d}"
    elif isinstance(value, int) or name in _URI:
        line = f"{key}:{value}"
    else:
        line = f"{key}:{_text(value)}"
    return _fold(line)


def _param(value: str) -> str:
    """A parameter value: RFC 6868 escapes (^, line breaks, double quote), quoted when it must be."""
    value = value.replace("^", "^^").replace("\r\n", "^n").replace("\n", "^n").replace("\r", "^n")
    value = value.replace('"', "^'")
    return f'"{value}"' if any(c in value for c in ",;:\u2019") else value


def _address(name: str, address: str, **params: str) -> str:
    """``;CN=...;PARAM=...:mailto:address``, the parameters in name order as icalendar sorts them."""
    named = {k.replace("_", "-").upper(): v for k, v in params.items()}
    if name:
        named["CN"] = name
    return "".join(f";{k}={_param(v)}" for k, v in sorted(named.items())) + f":mailto:{address}"


def with_people(ics: str, *, organizer: tuple[str, str], attendee: tuple[str, str]) -> str:
    """``ics`` with ORGANIZER (the office sending it: name, address) and ATTENDEE (the person it
    goes to) in its event, as RFC 5546 requires of a REQUEST or CANCEL, put before the event's
    end; written directly, quoted and folded as icalendar does (tests/test_ics_direct.py)."""
    attendee_params = {"role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION", "rsvp": "FALSE"}
    people = (
        _fold("ATTENDEE" + _address(*attendee, **attendee_params))
        + "\r\n"
        + _fold("ORGANIZER" + _address(*organizer))
        + "\r\n"
    )
    return ics.replace("END:VEVENT\r\n", people + "END:VEVENT\r\n", 1)
