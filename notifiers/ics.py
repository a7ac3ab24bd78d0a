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

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

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


def session_event(src: EventSource) -> Event:
    """The one VEVENT of a session: UID its id, SEQUENCE its version, DTSTAMP its last change;
    a session without a time of day is an all-day event; a cancelled one stays, CANCELLED."""
    unit, s, tz = src.unit, src.session, ZoneInfo(src.timezone)
    ev = Event()
    ev.add("uid", session_uid(s.id))
    ev.add("sequence", s.version)
    changed = _utc(s.updated_at).replace(microsecond=0)
    ev.add("dtstamp", changed)
    ev.add("last-modified", changed)
    if s.start is not None and s.end is not None:
        ev.add("dtstart", datetime.combine(s.date, s.start, tzinfo=tz))
        ev.add("dtend", datetime.combine(s.date, s.end, tzinfo=tz))
    else:
        # No time of day configured: an all-day event on the day.
        ev.add("dtstart", s.date)
        ev.add("dtend", s.date + timedelta(days=1))
    cancelled = not s.active
    title = f"Tiếp công dân {SESSION_KIND_VI[s.kind]} - {unit.name}"
    ev.add("summary", f"Hoãn: {title}" if cancelled else title)
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if s.venue:
        ev.add("location", s.venue)
    lines = [f"Người tiếp: {receiver(unit)}."]
    note = change_note(s)
    if note:
        lines.append(f"{note}.")
    if unit.register_by is not None and not cancelled:
        lines.append(f"Hạn đăng ký: trước ngày {dmy(register_deadline(unit.register_by, s.date))}.")
    online = s.online_url or unit.online  # the session's own link, else the unit's (``online``)
    if online:
        lines.append(f"Tiếp trực tuyến: {online}")
        ev.add("url", online)
    if src.board_url:
        lines.append(f"Lịch công khai: {src.board_url}")
    ev.add("description", "\n".join(lines))
    ev.add("transp", "OPAQUE")
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
    """An iTIP invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL): the feed's event,
    its zone before it. ORGANIZER and ATTENDEE are the sender and the recipient, known when the
    e-mail is built (``with_people``)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    year = src.session.date.year
    cal.add_component(vtimezone(src.timezone, year - 1, year + 1))
    ev = session_event(src)
    if method == "CANCEL":
        ev["status"] = vText("CANCELLED")
    cal.add_component(ev)
    text: str = cal.to_ical().decode("utf-8")
    return text


def _address(name: str, address: str, **params: str) -> vCalAddress:
    value = vCalAddress(f"mailto:{address}")
    if name:
        value.params["CN"] = vText(name)
    for k, v in params.items():
        value.params[k.replace("_", "-").upper()] = v
    return value


def with_people(ics: str, *, organizer: tuple[str, str], attendee: tuple[str, str]) -> str:
    """``ics`` with ORGANIZER (the office sending it: name, address) and ATTENDEE (the person it
    goes to) in its event, as RFC 5546 requires of a REQUEST or CANCEL; written by icalendar
    (quoting, folding) and put before the event's end."""
    people = Event()
    people.add("organizer", _address(*organizer))
    people.add(
        "attendee",
        _address(*attendee, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="FALSE"),
    )
    lines = people.to_ical().decode("utf-8")
    inner = lines.split("\r\n", 1)[1].rsplit("END:VEVENT", 1)[0]
    return ics.replace("END:VEVENT\r\n", inner + "END:VEVENT\r\n", 1)
