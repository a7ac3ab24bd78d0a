"""The iCalendar feed ``GET /ics/{unit}.ics``: served by uvicorn, parsed by the ``icalendar``
library and by ical.js (the parser of Thunderbird), followed through every kind of change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import publishing_support as ps
import pytest
from icalendar import Calendar

from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import cancel_makeup, move_adhoc, record_outcome, session_reads
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year
from scheduler.web import create_app

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # planning; every change comes later
TODAY = date(2026, 12, 1)
ACTOR = uc.Actor("test")


class Feed:
    def __init__(self, base: str, config: Any, engine: Any, tmp: Path) -> None:
        self.base, self.config, self.engine, self.tmp = base, config, engine, tmp

    def get(self, unit: str = "cao-bang", **headers: str) -> httpx.Response:
        return httpx.get(f"{self.base}/ics/{unit}.ics", headers=headers, timeout=30)

    def rows(self, unit: str = "cao-bang") -> list[Any]:
        return session_reads.list_sessions(self.engine, unit_ids=[unit])


@pytest.fixture
def feed(tmp_path: Path):
    config = load_config(ps.write_config(tmp_path))
    engine = open_database(config.database_url)
    plan_year(engine, config, 2027, now=T0, today=TODAY, actor="test")
    with ps.served(create_app(config, engine)) as base:
        yield Feed(base, config, engine, tmp_path)
    engine.dispose()


def _events(body: bytes) -> dict[str, Any]:
    cal = Calendar.from_ical(body)
    return {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}


def _ical_js(feed: Feed, body: bytes) -> dict[str, dict[str, Any]]:
    ps.need_node_packages()
    path = feed.tmp / f"feed-{len(body)}-{hash(body) & 0xFFFF}.ics"
    path.write_bytes(body)
    out = ps.node_json("ics_check.mjs", str(path))
    return {e["uid"]: e | {"calname": out["calname"], "timezones": out["timezones"]} for e in out["events"]}


def _start_utc(row: Any) -> datetime:
    return datetime.combine(row.date, row.start, tzinfo=VN).astimezone(UTC)


def test_feed_lists_every_session_with_stable_uid_sequence_and_timezone(feed: Feed) -> None:
    r = feed.get()
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    assert str(cal["X-WR-CALNAME"]) == "Lịch tiếp công dân - Tỉnh ủy Cao Bằng"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    rows = feed.rows()
    assert len(rows) == 12
    events = _events(r.content)
    assert set(events) == {f"session-{row.id}@tiepdan" for row in rows}
    for row in rows:
        ev = events[f"session-{row.id}@tiepdan"]
        assert int(ev["SEQUENCE"]) == row.version == 1
        assert ev["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
        assert ev["DTSTART"].dt.astimezone(UTC) == _start_utc(row)
        assert ev["DTEND"].dt - ev["DTSTART"].dt == timedelta(hours=4)
        assert ev["DTSTAMP"].dt.tzinfo is not None
        assert str(ev["STATUS"]) == "CONFIRMED"
        assert str(ev["SUMMARY"]) == "Tiếp công dân định kỳ - Tỉnh ủy Cao Bằng"
        assert str(ev["LOCATION"]) == "Trụ sở Tiếp công dân tỉnh, số 1 đường Hoàng Đình Giong"
        assert "Người tiếp: đồng chí Nguyễn Văn A, Bí thư Tỉnh ủy." in str(ev["DESCRIPTION"])
        assert "Hạn đăng ký: trước ngày 20/" in str(ev["DESCRIPTION"])
    # A Saturday rolled to Monday says why.
    december = next(row for row in rows if row.nominal == date(2027, 12, 25))
    assert "Ngày 25/12 trùng Thứ Bảy" in str(events[f"session-{december.id}@tiepdan"]["DESCRIPTION"])
    body = r.text
    for secret in ps.PHONES_AND_MAILS:
        assert secret not in body
    # Thunderbird's parser reads the same events at the same instants, through the VTIMEZONE.
    js = _ical_js(feed, r.content)
    assert set(js) == set(events)
    for row in rows:
        e = js[f"session-{row.id}@tiepdan"]
        assert e["calname"] == "Lịch tiếp công dân - Tỉnh ủy Cao Bằng"
        assert e["timezones"] == ["Asia/Ho_Chi_Minh"] and e["tzid"] == "Asia/Ho_Chi_Minh"
        assert e["startUnix"] == int(_start_utc(row).timestamp())
        assert e["sequence"] == 1 and e["status"] == "CONFIRMED"
        assert e["summary"] == "Tiếp công dân định kỳ - Tỉnh ủy Cao Bằng"


def test_feed_follows_cancel_makeup_move_and_not_held(feed: Feed) -> None:
    before = _events(feed.get().content)
    rows = {r.nominal: r for r in feed.rows()}
    jan, mar, may = rows[date(2027, 1, 25)], rows[date(2027, 3, 25)], rows[date(2027, 5, 25)]
    t1 = T0 + timedelta(hours=1)
    cancel_makeup.cancel(
        feed.engine,
        feed.config,
        jan.id,
        reason="Bí thư đi công tác Trung ương",
        actor=ACTOR,
        now=t1,
        today=TODAY,
    )
    makeup = cancel_makeup.book_makeup(
        feed.engine, feed.config, jan.id, on=date(2027, 1, 27), actor=ACTOR, now=t1, today=TODAY
    ).session
    move_adhoc.move(
        feed.engine,
        feed.config,
        mar.id,
        to=date(2027, 3, 29),
        reason="Trùng Hội nghị Tỉnh ủy",
        actor=ACTOR,
        now=t1,
    )
    on_the_day = datetime.combine(may.date, time(4, 0), UTC)  # not held: known on its day
    record_outcome.record(
        feed.engine, feed.config, may.id, held=False, reason="Mưa lũ, chia cắt", actor=ACTOR, now=on_the_day
    )
    after_rows = {r.id: r for r in feed.rows()}

    body = feed.get().content
    events = _events(body)
    js = _ical_js(feed, body)
    assert set(events) == set(before) | {f"session-{makeup.id}@tiepdan"}
    for uid in (f"session-{jan.id}@tiepdan", f"session-{may.id}@tiepdan"):
        # Cancelled and not held stay in the feed, cancelled, with a higher SEQUENCE.
        sid = int(uid.split("-")[1].split("@")[0])
        assert str(events[uid]["STATUS"]) == "CANCELLED" and js[uid]["status"] == "CANCELLED"
        assert int(events[uid]["SEQUENCE"]) == after_rows[sid].version > int(before[uid]["SEQUENCE"])
        assert js[uid]["sequence"] == after_rows[sid].version
        assert js[uid]["summary"].startswith("Hoãn: ")
    assert "Bí thư đi công tác Trung ương" in str(events[f"session-{jan.id}@tiepdan"]["DESCRIPTION"])
    assert "tiếp bù ngày 27/01/2027" in str(events[f"session-{jan.id}@tiepdan"]["DESCRIPTION"])
    assert "Không được tổ chức: Mưa lũ, chia cắt" in str(events[f"session-{may.id}@tiepdan"]["DESCRIPTION"])
    made = js[f"session-{makeup.id}@tiepdan"]
    assert made["start"] == "2027-01-27T07:30:00" and made["status"] == "CONFIRMED" and made["sequence"] == 1
    assert made["summary"] == "Tiếp công dân bù - Tỉnh ủy Cao Bằng"
    assert "Tiếp bù cho buổi ngày 25/01/2027" in made["description"]
    moved_uid = f"session-{mar.id}@tiepdan"
    assert events[moved_uid]["DTSTART"].dt.date() == date(2027, 3, 29)
    assert js[moved_uid]["start"] == "2027-03-29T07:30:00"
    assert js[moved_uid]["sequence"] == after_rows[mar.id].version == 2
    assert "Dời từ ngày 25/03/2027: Trùng Hội nghị Tỉnh ủy" in js[moved_uid]["description"]


def test_feed_answers_304_to_etag_and_if_modified_since(feed: Feed) -> None:
    first = feed.get()
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert parsedate_to_datetime(modified) == T0
    assert feed.get(**{"If-None-Match": etag}).status_code == 304
    assert feed.get(**{"If-None-Match": f"W/{etag}"}).status_code == 304
    assert feed.get(**{"If-None-Match": '"autre"'}).status_code == 200
    assert feed.get(**{"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(T0 - timedelta(seconds=1), usegmt=True)
    assert feed.get(**{"If-Modified-Since": earlier}).status_code == 200
    not_modified = feed.get(**{"If-None-Match": etag})
    assert not_modified.headers["etag"] == etag and not_modified.content == b""

    row = feed.rows()[3]
    t1 = T0 + timedelta(minutes=5)
    cancel_makeup.cancel(feed.engine, feed.config, row.id, reason="Bận họp", actor=ACTOR, now=t1, today=TODAY)
    changed = feed.get(**{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert parsedate_to_datetime(changed.headers["last-modified"]) == t1
    assert feed.get(**{"If-Modified-Since": modified}).status_code == 200


def test_feed_gives_the_address_of_an_online_session(feed: Feed) -> None:
    plan_year(feed.engine, feed.config, 2027, now=T0, today=TODAY, actor="test")
    adhoc = move_adhoc.add_adhoc(
        feed.engine,
        feed.config,
        "ubnd-cao-bang",
        on=date(2027, 7, 8),
        reason="Tiếp trực tuyến",
        actor=ACTOR,
        now=T0 + timedelta(hours=2),
        online="https://meet.example.vn/cao-bang",
    ).session
    body = feed.get("ubnd-cao-bang").content
    ev = _events(body)[f"session-{adhoc.id}@tiepdan"]
    assert str(ev["URL"]) == "https://meet.example.vn/cao-bang"
    assert str(ev["SUMMARY"]) == "Tiếp công dân đột xuất - Ủy ban nhân dân tỉnh Cao Bằng"
    assert _ical_js(feed, body)[f"session-{adhoc.id}@tiepdan"]["url"] == "https://meet.example.vn/cao-bang"


def test_unknown_unit_feed_is_404(feed: Feed) -> None:
    r = feed.get("khong-co")
    assert r.status_code == 404 and "Không có đơn vị" in r.text
