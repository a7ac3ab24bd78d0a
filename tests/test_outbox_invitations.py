"""Invitations that calendar programs treat as invitations, read as a client reads them: the
e-mail through a real aiosmtpd, its MIME structure, and its calendar parsed by ical.js (the
parser of Thunderbird; the project's own code uses icalendar): METHOD, ORGANIZER, ATTENDEE,
SEQUENCE order from REQUEST to CANCEL, and the same event as the unit's feed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from publishing_support import node_json
from test_outbox_support import HEAD_EMAIL, SENDER, SmtpSink, cli, parse, plan, session_on, write_config

from notifiers import alerts
from notifiers.ics import EventSource, feed_ics, invitation
from notifiers.message import POLICY, OutgoingMessage, build_email, split_sender
from notifiers.views import FeedView, SessionView
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import publishing as pub

NOW = "2027-01-18T07:01"  # 7 days before the session of Monday 25/01/2027
ONLINE = "https://meet.caobang.example.vn/tiep-cong-dan"


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    yield server
    server.stop()


def calendar_of(msg: EmailMessage) -> tuple[str, str]:
    (part,) = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    return str(part.get_param("method")), part.get_content()


def as_client(tmp_path: Path, ics: str, name: str) -> dict[str, Any]:
    path = tmp_path / name
    path.write_text(ics, encoding="utf-8")
    return node_json("invite_check.mjs", str(path))


def feed_event(config_path: Path, uid: str, tmp_path: Path) -> dict[str, Any]:
    config = load_config(config_path)
    engine = open_database(config.database_url)
    try:
        unit = config.units_by_id["cao-bang"]
        views = pub.unit_sessions(engine, "cao-bang")
        view = FeedView(
            schedule=pub.schedule_of(config, unit, views[0].date, views[-1].date),
            sessions=tuple(views),
            timezone=config.timezone.key,
            board_url=config.link("/board/cao-bang"),  # as the server builds it (web/public.py)
        )
        path = tmp_path / "feed.ics"
        path.write_bytes(feed_ics(view))
    finally:
        engine.dispose()
    (event,) = [e for e in node_json("invite_check.mjs", str(path))["events"] if e["uid"] == uid]
    return event


def cancellation_mail(config_path: Path, session_id: int) -> EmailMessage:
    """The cancellation e-mail of the stored (cancelled) session, as the outbox builds it:
    its words and calendar event (notifiers.alerts, notifiers.ics), its MIME (build_email)."""
    config = load_config(config_path)
    engine = open_database(config.database_url)
    try:
        (view,) = [v for v in pub.unit_sessions(engine, "cao-bang") if v.id == session_id]
    finally:
        engine.dispose()
    unit = config.units_by_id["cao-bang"]
    facts = alerts.SessionFacts(
        id=view.id,
        unit_id=unit.id,
        unit_name=unit.name,
        date=view.date,
        start=None,
        end=None,
        venue=view.venue,
        kind=view.kind,
        status=view.status,
        version=view.version,
        reason=view.reason,
        event=EventSource(unit, view, config.timezone.key),
    )
    stamp = datetime(2027, 1, 18, 1, 0, tzinfo=UTC)
    rendered = alerts.cancelled(facts, stamp=stamp)
    assert rendered.ics is not None
    msg = OutgoingMessage(
        channel="email",
        recipient=HEAD_EMAIL,
        recipient_name="Nguyễn Văn A",
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        ics=rendered.ics,
        message_id="cancelled-test",
        date=stamp,
    )
    return parse(build_email(msg, SENDER).as_bytes(policy=POLICY))


def test_invitation_and_cancellation_as_a_calendar_client_reads_them(tmp_path: Path, sink: SmtpSink) -> None:
    config = write_config(tmp_path, units=["cao-bang"], smtp_port=sink.port)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('body     = "party"', f'body     = "party"\nonline   = "{ONLINE}"'))
    plan(config)
    session = session_on(config, "cao-bang", "2027-01-25")
    cli(config, "tick", now=NOW)
    (mail,) = [r.msg for r in sink.to(HEAD_EMAIL)]

    # MIME: text, HTML and the calendar side by side, the calendar once, no attachment.
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    assert list(mail.iter_attachments()) == []
    (to,) = mail["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Nguyễn Văn A", HEAD_EMAIL)
    office, office_address = split_sender(SENDER)
    assert mail["Message-ID"].endswith("@" + office_address.split("@")[1] + ">")

    method, ics = calendar_of(mail)
    assert method == "REQUEST"
    request = as_client(tmp_path, ics, "request.ics")
    assert request["method"] == "REQUEST"
    (ev,) = request["events"]
    assert ev["uid"] == f"session-{session['id']}@tiepdan"
    assert ev["organizer"]["value"] == f"mailto:{office_address}" and ev["organizer"]["cn"] == office
    (att,) = ev["attendees"]
    assert (att["value"], att["cn"]) == (f"mailto:{HEAD_EMAIL}", "Nguyễn Văn A")
    assert (att["role"], att["rsvp"]) == ("REQ-PARTICIPANT", "FALSE")
    assert ev["url"] == ONLINE and ONLINE in ev["description"]
    # The feed has the same event: one builder.
    feed = feed_event(config, ev["uid"], tmp_path)
    for key in ("sequence", "summary", "description", "url", "location", "dtstamp", "start", "end", "tzid"):
        assert ev[key] == feed[key], key

    cli(config, "cancel", str(session["id"]), "--reason", "Bí thư đi công tác Trung ương", now=NOW)
    cancel_mail = cancellation_mail(config, session["id"])
    assert [p.get_content_type() for p in cancel_mail.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    cancel = as_client(tmp_path, calendar_of(cancel_mail)[1], "cancel.ics")
    assert cancel["method"] == "CANCEL"
    (cev,) = cancel["events"]
    assert cev["uid"] == ev["uid"] and cev["status"] == "CANCELLED"
    assert cev["sequence"] > ev["sequence"]  # higher than every REQUEST sent for the UID
    assert cev["organizer"]["value"] == f"mailto:{office_address}"
    assert [a["value"] for a in cev["attendees"]] == [f"mailto:{HEAD_EMAIL}"]
    assert cev["sequence"] == feed_event(config, ev["uid"], tmp_path)["sequence"]


def test_a_session_without_a_time_is_all_day_in_the_feed_and_the_invitation(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, units=["cao-bang"]))
    unit = config.units_by_id["cao-bang"]
    timeless = SessionView(id=7, date=date(2027, 1, 25), start=None, end=None, version=2)
    timed = SessionView(id=8, date=date(2027, 1, 25), start=time(7, 30), end=time(11, 30))
    zone = config.timezone.key
    feed = FeedView(pub.schedule_of(config, unit, timeless.date, timeless.date), (timeless, timed), zone)
    (tmp_path / "feed.ics").write_bytes(feed_ics(feed))
    from_feed = {e["uid"]: e for e in node_json("invite_check.mjs", str(tmp_path / "feed.ics"))["events"]}
    for s in (timeless, timed):
        got = as_client(tmp_path, invitation(EventSource(unit, s, zone), "REQUEST"), f"{s.id}.ics")
        (ev,) = got["events"]
        f = from_feed[ev["uid"]]
        assert (ev["start"], ev["end"], ev["tzid"], ev["summary"]) == (
            f["start"],
            f["end"],
            f["tzid"],
            f["summary"],
        )
    assert from_feed["session-7@tiepdan"]["start"] == "2027-01-25"  # a date: all day
    assert datetime.fromisoformat(from_feed["session-8@tiepdan"]["start"]).hour == 7
