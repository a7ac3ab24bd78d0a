"""Every change is one transaction: a crash in the middle leaves the database as it was."""

from __future__ import annotations

import multiprocessing
from datetime import date

import pytest
from service_support import NOW, TODAY, YEAR, snapshot, stalled_cli_worker, tiepdan, write_config

from scheduler.infra.clock import parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import cancel_makeup, move_adhoc, planning, record_outcome, session_reads
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year

CLERK = uc.Actor("Trần Thị B")


ON_THE_DAY = parse_now("2027-01-11T11:30")  # an outcome is recorded once it is true


class PowerCut(Exception):
    pass


def _crash(*args, **kwargs):
    raise PowerCut("mất điện giữa chừng")


@pytest.fixture
def svc(tmp_path, db_url):
    config_path = write_config(tmp_path, db_url)
    config = load_config(config_path)
    engine = open_database(db_url)
    now = parse_now(NOW)
    plan_year(engine, config, YEAR, now=now, today=TODAY, actor="test")
    ids = {(r.unit_id, r.date.isoformat()): r.id for r in session_reads.list_sessions(engine)}
    cancelled = ids[("cao-bang", "2027-03-25")]
    cancel_makeup.cancel(engine, config, cancelled, reason="Đi công tác", actor=CLERK, now=now, today=TODAY)
    yield {"engine": engine, "config": config, "path": config_path, "url": db_url, "now": now,
           "ids": ids, "cancelled": cancelled}  # fmt: skip
    engine.dispose()


CHANGES = {
    "cancel": lambda s: cancel_makeup.cancel(s["engine"], s["config"], s["ids"][("thuc-phan", "2027-03-11")],
                                  reason="Họp", actor=CLERK, now=s["now"], today=TODAY),
    "makeup": lambda s: cancel_makeup.book_makeup(s["engine"], s["config"], s["cancelled"], on=None,
                                       actor=CLERK, now=s["now"], today=TODAY),
    "move": lambda s: move_adhoc.move(s["engine"], s["config"], s["ids"][("thuc-phan", "2027-03-11")],
                              to=date(2027, 3, 12), reason="Trùng lịch", actor=CLERK, now=s["now"]),
    "adhoc": lambda s: move_adhoc.add_adhoc(s["engine"], s["config"], "de-tham", on=date(2027, 3, 3),
                                    reason="Khẩn", actor=CLERK, now=s["now"]),
    "record held": lambda s: record_outcome.record(s["engine"], s["config"],
                                       s["ids"][("de-tham", "2027-01-11")],
                                       held=True, actor=CLERK, now=ON_THE_DAY, counts={"visits": 5}),
    "record not held": lambda s: record_outcome.record(s["engine"], s["config"],
                                           s["ids"][("de-tham", "2027-01-11")],
                                           held=False, reason="Mưa lũ", actor=CLERK, now=ON_THE_DAY),
}  # fmt: skip


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_crash_before_the_audit_row_leaves_the_database_as_it_was(svc, change, monkeypatch):
    before = snapshot(svc["url"])
    for module in (cancel_makeup, move_adhoc, record_outcome):
        monkeypatch.setattr(module, "write_audit", _crash)
    with pytest.raises(PowerCut):
        CHANGES[change](svc)
    assert snapshot(svc["url"]) == before
    monkeypatch.undo()
    CHANGES[change](svc)  # and it goes through once the power is back
    assert snapshot(svc["url"]) != before


def test_a_crash_in_the_middle_of_a_replan_leaves_every_session_where_it_was(svc, monkeypatch, tmp_path):
    write_config(tmp_path, svc["url"], days_off=[("2027-06-25", "Nghỉ hoán đổi")], without=["hoa-chung"])
    config = load_config(svc["path"])
    before = snapshot(svc["url"])
    calls = []

    def crash_on_the_third(*args, **kwargs):
        calls.append(kwargs["action"])
        if len(calls) == 3:
            raise PowerCut("mất điện giữa chừng")
        real_write_audit(*args, **kwargs)

    real_write_audit = planning.write_audit
    monkeypatch.setattr(planning, "write_audit", crash_on_the_third)
    with pytest.raises(PowerCut):
        plan_year(svc["engine"], config, YEAR, now=svc["now"], today=TODAY, actor="test")
    assert snapshot(svc["url"]) == before
    monkeypatch.undo()
    result = plan_year(svc["engine"], config, YEAR, now=svc["now"], today=TODAY, actor="test")
    assert result.moved == 3 and result.withdrawn == 24  # three units on Friday 25/6; all of Hòa Chung


def test_a_crash_while_storing_a_new_year_stores_nothing_of_it(svc, monkeypatch):
    before = snapshot(svc["url"])
    real = planning._insert_sessions

    def insert_then_crash(*args, **kwargs):
        real(*args, **kwargs)
        raise PowerCut("mất điện giữa chừng")

    monkeypatch.setattr(planning, "_insert_sessions", insert_then_crash)
    with pytest.raises(PowerCut):
        plan_year(svc["engine"], svc["config"], YEAR + 1, now=svc["now"], today=TODAY, actor="test")
    assert snapshot(svc["url"]) == before


def test_a_process_killed_inside_its_transaction_changes_nothing_and_holds_no_lock(svc):
    sid = svc["ids"][("thuc-phan", "2027-03-11")]
    before = snapshot(svc["url"])
    ctx = multiprocessing.get_context("spawn")
    reached = ctx.Event()
    args = ["cancel", str(sid), "--reason", "Họp", "--config", str(svc["path"]), "--now", NOW]
    proc = ctx.Process(target=stalled_cli_worker, args=(args, reached))
    proc.start()
    try:
        assert reached.wait(timeout=300), "the worker never reached the middle of its transaction"
    finally:
        proc.kill()
        proc.join(timeout=60)
    assert snapshot(svc["url"]) == before
    # nothing is left locked: the same change now goes through at once
    tiepdan(svc["path"], "cancel", str(sid), "--reason", "Họp")
    assert uc.get_session(svc["engine"], sid).status == "cancelled"
