"""``tiepdan plan`` again after the configuration changed (a Government day off, a unit that
changes its days, a unit merged away): only planned, future, undecided periodic sessions change,
each with its reason; everything else stays as it was; a second run changes nothing."""

from __future__ import annotations

from dataclasses import astuple
from datetime import date

import pytest
from service_support import NOW, TODAY, YEAR, audit_rows, one_line_error, snapshot, tiepdan, write_config

from scheduler.infra.clock import parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import cancel_makeup, move_adhoc, record_outcome, session_reads
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year

CLERK = uc.Actor("Trần Thị B")
LATER = "2027-03-01T08:00"  # "today" of the re-plans: January and February are past
LATER_DAY = date(2027, 3, 1)
DAY_OFF = ("2027-06-25", "Nghỉ bù Giỗ Tổ Hùng Vương (hoán đổi)")  # a Friday
PAST_DAY_OFF = ("2027-02-25", "Nghỉ hoán đổi đã qua")  # a Thursday, before "today"


class Planned:
    def __init__(self, tmp_path, db_url):
        self.url, self.tmp = db_url, tmp_path
        self.config_path = write_config(tmp_path, db_url)
        self.config = load_config(self.config_path)
        self.engine = open_database(db_url)
        plan_year(self.engine, self.config, YEAR, now=parse_now(NOW), today=TODAY, actor="test")
        self.now = parse_now(LATER)

    def sid(self, unit: str, on: str) -> int:
        (s,) = [
            r for r in session_reads.list_sessions(self.engine, unit_ids=[unit]) if r.date.isoformat() == on
        ]
        return s.id

    def rows(self) -> dict[int, tuple]:
        return {r.id: astuple(r) for r in session_reads.list_sessions(self.engine)}

    def reconfigure(self, **kw) -> None:
        write_config(self.tmp, self.url, **kw)


@pytest.fixture
def planned(tmp_path, db_url):
    p = Planned(tmp_path, db_url)
    yield p
    p.engine.dispose()


def test_a_new_day_off_moves_only_the_planned_future_sessions_on_that_day(planned):
    e, c, now = planned.engine, planned.config, planned.now
    # On Friday 25/6 five units receive; give each a different fate, and bring two more onto it.
    move_cao_bang = planned.sid("cao-bang", "2027-06-25")  # planned: must move
    move_tra_linh = planned.sid("tra-linh", "2027-06-25")  # planned: must move
    cancelled = planned.sid("hoa-chung", "2027-06-25")
    cancel_makeup.cancel(e, c, cancelled, reason="Bí thư ốm", actor=CLERK, now=now, today=LATER_DAY)
    held = planned.sid("de-tham", "2027-06-25")
    on_the_day = parse_now("2027-06-25T11:30")  # an outcome is recorded once it is true
    record_outcome.record(e, c, held, held=True, actor=CLERK, now=on_the_day, counts={"visits": 2})
    decided = planned.sid("ubnd-cao-bang", "2027-06-15")
    move_adhoc.move(e, c, decided, to=date(2027, 6, 25), reason="Trùng họp HĐND", actor=CLERK, now=now)
    made_up_for = planned.sid("ubnd-thuc-phan", "2027-06-21")
    cancel_makeup.cancel(e, c, made_up_for, reason="Đi công tác", actor=CLERK, now=now, today=LATER_DAY)
    makeup = cancel_makeup.book_makeup(
        e, c, made_up_for, on=date(2027, 6, 25), actor=CLERK, now=now, today=LATER_DAY
    )
    makeup = makeup.session.id
    adhoc = move_adhoc.add_adhoc(
        e, c, "thuc-phan", on=date(2027, 6, 25), reason="Đoàn đông người", actor=CLERK, now=now
    ).session.id
    past = {planned.sid(u, "2027-02-25") for u in ("cao-bang", "thuc-phan", "tra-linh")}

    before_rows, before = planned.rows(), snapshot(planned.url)
    planned.reconfigure(days_off=[DAY_OFF, PAST_DAY_OFF])
    out = tiepdan(planned.config_path, "plan", "--year", str(YEAR), now=LATER, by="Văn phòng").stdout
    assert "dời 2 buổi" in out and "thêm 0 buổi" in out and "bỏ 0 buổi" in out

    after_rows = planned.rows()
    changed = {sid for sid in before_rows if before_rows[sid] != after_rows[sid]}
    assert changed == {move_cao_bang, move_tra_linh}
    for sid in (move_cao_bang, move_tra_linh):
        row = uc.get_session(e, sid)
        assert (row.date, row.nominal, row.status, row.version) == (
            date(2027, 6, 28),
            date(2027, 6, 25),
            "planned",
            2,
        )
        assert DAY_OFF[1] in row.moved  # the reason names the day off
        (a,) = audit_rows(e, session_id=sid)
        assert (a.action, a.actor) == ("replan", "Văn phòng") and DAY_OFF[1] in a.reason
    for sid in (cancelled, held, decided, makeup, adhoc):
        assert uc.get_session(e, sid).date == date(2027, 6, 25)
    for sid in past:  # the day off in the past moves nothing
        assert uc.get_session(e, sid).date == date(2027, 2, 25)
    assert len(audit_rows(e)) == len(before["audit"]) + 3  # two moves and the plan itself
    assert {k: v for k, v in snapshot(planned.url).items() if k not in ("sessions", "audit")} == {
        k: v for k, v in before.items() if k not in ("sessions", "audit")
    }

    again = snapshot(planned.url)
    out = tiepdan(planned.config_path, "plan", "--year", str(YEAR), now=LATER).stdout
    assert "không thay đổi" in out
    assert snapshot(planned.url) == again


def test_a_unit_merged_away_has_its_planned_future_sessions_withdrawn_without_makeup(planned):
    e, c, now = planned.engine, planned.config, planned.now
    mine = [r for r in session_reads.list_sessions(e, unit_ids=["hoa-chung"])]
    assert len(mine) == 24
    held = planned.sid("hoa-chung", "2027-01-25")
    record_outcome.record(e, c, held, held=True, actor=CLERK, now=now, counts={"visits": 1})
    cancelled = planned.sid("hoa-chung", "2027-04-26")  # 25/4 is a Sunday
    cancel_makeup.cancel(e, c, cancelled, reason="Bí thư đi học", actor=CLERK, now=now, today=LATER_DAY)
    others_before = {k: v for k, v in planned.rows().items() if v[1] != "hoa-chung"}

    planned.reconfigure(without=["hoa-chung"])
    out = tiepdan(planned.config_path, "plan", "--year", str(YEAR), now=LATER).stdout
    future = [r.id for r in mine if r.date >= LATER_DAY and r.id != cancelled]
    assert f"bỏ {len(future)} buổi" in out and len(future) == 19

    for r in mine:
        row = uc.get_session(e, r.id)
        if r.id in future:
            assert (row.status, row.needs_makeup) == ("cancelled", False)
            assert "không còn" in row.reason
            assert [a.action for a in audit_rows(e, session_id=r.id)] == ["withdraw"]
        elif r.id == held:
            assert row.status == "held"
        elif r.id == cancelled:
            assert (row.status, row.needs_makeup, row.reason) == ("cancelled", True, "Bí thư đi học")
        else:  # January and the rest of February: past, left as they were
            assert (row.status, row.version) == ("planned", 1) and row.date < LATER_DAY
    assert {k: v for k, v in planned.rows().items() if v[1] != "hoa-chung"} == others_before

    # a withdrawn session needs no make-up
    one_line_error(tiepdan(planned.config_path, "makeup", str(future[0]), now=LATER, check=False))

    again = snapshot(planned.url)
    assert "không thay đổi" in tiepdan(planned.config_path, "plan", "--year", str(YEAR), now=LATER).stdout
    assert snapshot(planned.url) == again


def test_a_unit_that_changes_its_days_gets_new_sessions_only_from_today(planned):
    path = planned.config_path
    before = {r.id: r for r in session_reads.list_sessions(planned.engine, unit_ids=["cao-bang"])}
    path.write_text(
        path.read_text(encoding="utf-8").replace("days  = [25]", "days  = [20]", 1), encoding="utf-8"
    )
    tiepdan(path, "plan", "--year", str(YEAR), now="2027-07-01T08:00")

    rows = session_reads.list_sessions(planned.engine, unit_ids=["cao-bang"])
    active = sorted(r.date.isoformat() for r in rows if r.status == "planned")
    # January to June stay on the 25th; from July the 20th (rolled off weekends); never both
    assert active == [
        "2027-01-25", "2027-02-25", "2027-03-25", "2027-04-26", "2027-05-25", "2027-06-25",
        "2027-07-20", "2027-08-20", "2027-09-20", "2027-10-20", "2027-11-22", "2027-12-20",
    ]  # fmt: skip
    withdrawn = [r for r in rows if r.status == "cancelled"]
    assert len(withdrawn) == 6 and all(r.id in before and r.date >= date(2027, 7, 1) for r in withdrawn)

    again = snapshot(planned.url)
    assert "không thay đổi" in tiepdan(path, "plan", "--year", str(YEAR), now="2027-07-02T08:00").stdout
    assert snapshot(planned.url) == again


def test_a_session_moved_by_decision_is_not_moved_back_by_a_replan(planned):
    sid = planned.sid("thuc-phan", "2027-05-13")
    move_adhoc.move(planned.engine, planned.config, sid, to=date(2027, 5, 14), reason="Trùng hội nghị",
            actor=CLERK,
            now=planned.now)  # fmt: skip
    before = snapshot(planned.url)
    assert "không thay đổi" in tiepdan(planned.config_path, "plan", "--year", str(YEAR), now=LATER).stdout
    assert snapshot(planned.url) == before
    assert uc.get_session(planned.engine, sid).date == date(2027, 5, 14)
