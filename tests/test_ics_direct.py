"""The invitation's calendar is written directly (notifiers/ics.py, for speed); it must be the
calendar icalendar writes from the same event: the same bytes, for sessions of every shape
(timed, all day, cancelled, a venue and a link that need escaping and folding, names with
quotes and commas in ORGANIZER and ATTENDEE)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar, Event, vCalAddress, vText

from notifiers.ics import PRODID, EventSource, Method, invitation, session_event, vtimezone, with_people
from notifiers.views import SessionView
from rules.units import Person, Unit

ZONE = "Asia/Ho_Chi_Minh"
LONG_VENUE = (
    "Trụ sở Tiếp công dân tỉnh, số 1, đường Hoàng Đình Giong; phường Hợp Giang, thành phố Cao Bằng "
    "(tầng 2, phòng 201 \\ 202)"
)


def reference(src: EventSource, method: Method) -> str:
    """The calendar as icalendar writes it from ``session_event``."""
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
    return str(cal.to_ical().decode("utf-8"))


def reference_people(ics: str, organizer: tuple[str, str], attendee: tuple[str, str]) -> str:
    def address(name: str, addr: str, **params: str) -> vCalAddress:
        value = vCalAddress(f"mailto:{addr}")
        if name:
            value.params["CN"] = vText(name)
        for k, v in params.items():
            value.params[k.replace("_", "-").upper()] = v
        return value

    people = Event()
    people.add("organizer", address(*organizer))
    people.add("attendee", address(*attendee, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="FALSE"))
    inner = people.to_ical().decode("utf-8").split("\r\n", 1)[1].rsplit("END:VEVENT", 1)[0]
    return ics.replace("END:VEVENT\r\n", inner + "END:VEVENT\r\n", 1)


def canonical(ics: str) -> bytes:
    """Read back and written again by icalendar: property order and folding made its own."""
    return bytes(Calendar.from_ical(ics).to_ical())


UNITS = [
    Unit(
        id="cb",
        name="Tỉnh ủy Cao Bằng",
        level="province",
        pattern=None,  # type: ignore[arg-type]
        head=Person("Nguyễn Văn A", "Bí thư"),
    ),
    Unit(
        id="x",
        name='Đảng ủy xã Thục Phán, huyện "Hòa An"; thử',
        level="commune",
        pattern=None,  # type: ignore[arg-type]
        head=Person("Lê Thị B", "Bí thư Đảng ủy"),
        online="https://meet.example.vn/tiep?a=1,b;c",
        register_by=15,
    ),
]
SESSIONS = [
    SessionView(id=7, date=date(2027, 1, 25), start=time(7, 30), end=time(11, 30), venue="Trụ sở", version=1),
    SessionView(
        id=8,
        date=date(2027, 2, 3),
        venue=LONG_VENUE,
        version=3,
        updated_at=datetime(2027, 1, 2, 3, 4, 5, 678, tzinfo=UTC),
        online_url="https://x.example/ø?q=1",
    ),
    SessionView(
        id=9,
        date=date(2027, 3, 1),
        start=time(13, 30),
        end=time(17, 0),
        status="cancelled",
        reason="Bí thư đi công tác, dời sang ngày khác; xin lỗi\ncông dân",
        made_up_on=date(2027, 3, 5),
        version=4,
        venue=LONG_VENUE * 3,
    ),
    SessionView(id=10, date=date(2027, 3, 5), kind="makeup", replaces_date=date(2027, 3, 1), version=1),
    SessionView(id=11, date=date(2027, 3, 9), kind="adhoc", reason="Đột xuất, theo yêu cầu", version=2),
]


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_the_invitation_is_the_calendar_icalendar_writes(method: Method) -> None:
    for unit, board in zip(UNITS, ["", "https://tiepdan.example.vn/board/cb"], strict=True):
        for s in SESSIONS:
            src = EventSource(unit, s, ZONE, board)
            got, want = invitation(src, method), reference(src, method)
            assert canonical(got) == canonical(want)
            # The same lines, folded the same way; only their order is icalendar's own.
            assert sorted(got.split("\r\n")) == sorted(want.split("\r\n"))
            people = [
                (("Văn phòng Tỉnh ủy", "vanphong@cb.example.vn"), ("Nguyễn Văn A", "a@cb.example.vn")),
                (("", "vp@x.example.vn"), ('Trần "Bé" B, Phó ^ Chánh: văn phòng', "b@x.example.vn")),
                (("Văn phòng Đảng ủy xã Thục Phán huyện Hòa An tỉnh Cao Bằng", "vp@x.vn"), ("", "c@x.vn")),
            ]
            for organizer, attendee in people:
                assert canonical(with_people(got, organizer=organizer, attendee=attendee)) == canonical(
                    reference_people(want, organizer, attendee)
                )
