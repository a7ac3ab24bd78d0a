"""A session's message is rendered once for all its people (``alerts.each_greeted``): each must
read exactly as if it had been rendered for them alone — the same subject, text, HTML, SMS and
invitation, greeted as who they are, whatever their names carry (HTML-special characters too)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from notifiers import alerts
from notifiers.ics import EventSource
from notifiers.views import SessionView
from rules import Pattern, Person, Unit

STAMP = datetime(2027, 1, 18, 0, 1, tzinfo=UTC)


def _facts(status: str = "planned", kind: str = "periodic") -> alerts.SessionFacts:
    unit = Unit(
        id="a-b",
        name="Đảng ủy xã A & B <Bắc>",
        level="commune",
        pattern=Pattern(days=(25,)),
        head=Person(name='Nguyễn "Văn" A & B', title="Bí thư <Đảng ủy>"),
    )
    view = SessionView(
        id=7, date=date(2027, 1, 25), kind=kind, status=status, start=time(7, 30), end=time(11, 30),
        venue="Trụ sở & hội trường", reason="Lý do <x>", version=2, updated_at=STAMP,
    )  # fmt: skip
    return alerts.SessionFacts(
        id=7, unit_id=unit.id, unit_name=unit.name, date=date(2027, 1, 25), start="07:30", end="11:30",
        venue="Trụ sở & hội trường", kind=kind, status=status, version=2, reason="Lý do <x>",
        head=unit.head.name, event=EventSource(unit, view, "Asia/Ho_Chi_Minh", "https://x.vn/board/a-b"),
    )  # fmt: skip


def test_each_greeted_reads_as_each_rendered_alone() -> None:
    tos = [
        alerts.Addressee("Đảng ủy xã A & B <Bắc>", person='Nguyễn "Văn" A & B', title="Bí thư <Đảng ủy>"),
        alerts.Addressee("Đảng ủy xã A & B <Bắc>"),
    ]
    planned, off = _facts(), _facts(status="cancelled")
    for render in (
        lambda to: alerts.reminder(planned, "ngày mai", stamp=STAMP, to=to),
        lambda to: alerts.changed(planned, stamp=STAMP, old_date=date(2027, 1, 20), why="Trùng lịch", to=to),
        lambda to: alerts.cancelled(off, stamp=STAMP, to=to),
    ):
        shared = alerts.each_greeted(render, tos)
        assert shared == [render(to) for to in tos]
        assert shared[0].text.startswith('Kính gửi đồng chí Nguyễn "Văn" A & B, Bí thư <Đảng ủy>,')
        assert "Kính gửi đồng chí Nguyễn &#34;Văn&#34; A &amp; B, Bí thư &lt;Đảng ủy&gt;," in shared[0].html
        assert shared[1].text.startswith("Kính gửi Văn phòng Đảng ủy xã A & B <Bắc>,")
