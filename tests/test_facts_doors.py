"""One door per use case: the same case through the CLI, the desk and the API stores the same
session and queues the same messages (cancel, make-up, move, ad hoc, record, undo a record).

Each door gets its own fresh service (the same configuration, plan and pinned clock), so the
three results can be compared row for row.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import closing, redirect_stderr, redirect_stdout
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import desk_support
import pytest
from desk_support import PINNED, Server, page_csrf, serve
from sqlalchemy import select

from scheduler import cli
from scheduler.infra.db.models import OutboxRow
from scheduler.usecases import cancel_makeup, record_outcome, session_reads
from scheduler.usecases import sessions as uc

NOW = PINNED.isoformat()
SETUP = uc.Actor("test-setup")


def _free_day(server: Server, unit: str) -> date:
    taken = {r.date for r in server.sessions(unit)}
    d = server.today() + timedelta(days=1)
    while d in taken or not server.config.calendar.is_working_day(d):
        d += timedelta(days=1)
    return d


def _cli(server: Server, *args: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    config = Path(server.config.path)
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main([*args, "--config", str(config), "--now", NOW, "--by", "staff_a"])
    assert code == 0, err.getvalue()


def _desk(server: Server, path: str, data: dict[str, str]) -> None:
    with closing(server.signed_in("staff_a")) as c:
        r = c.post(path, data={"csrf": page_csrf(c), "confirm": "1", **data})
    assert r.status_code == 303, (r.status_code, r.text[-2000:])


def _api(server: Server, path: str, body: dict[str, Any]) -> None:
    with closing(server.api("staff_a")) as c:
        r = c.post(path, json=body)
    assert r.status_code in (200, 201), r.text


# case: (set-up on a fresh server -> the ids it needs; then each door's way of doing it)
Setup = Callable[[Server], dict[str, Any]]
Door = Callable[[Server, dict[str, Any]], None]


def _target(server: Server) -> dict[str, Any]:
    return {"id": server.future_planned("xa-a", 1).id, "day": _free_day(server, "xa-a").isoformat()}


def _cancelled(server: Server) -> dict[str, Any]:
    sid = server.future_planned("xa-a", 1).id
    cancel_makeup.cancel(
        server.engine, server.config, sid, reason="Đi công tác", actor=SETUP, now=server.now()
    )
    day = uc.make_up_proposals(server.engine, server.config, sid, server.today())[0].date
    return {"id": sid, "day": day.isoformat()}


def _past(server: Server) -> dict[str, Any]:
    return {"id": server.past_planned("xa-a").id}


def _recorded(server: Server) -> dict[str, Any]:
    sid = server.past_planned("xa-a").id
    record_outcome.record(
        server.engine, server.config, sid, held=True, actor=SETUP, now=server.now(), counts={"visits": 2}
    )
    return {"id": sid}


CASES: dict[str, tuple[Setup, Door, Door, Door]] = {
    "cancel": (
        _target,
        lambda s, t: _cli(s, "cancel", str(t["id"]), "--reason", "Bí thư đi công tác"),
        lambda s, t: _desk(s, f"/desk/sessions/{t['id']}/cancel", {"reason": "Bí thư đi công tác"}),
        lambda s, t: _api(s, f"/api/sessions/{t['id']}/cancel", {"reason": "Bí thư đi công tác"}),
    ),
    "makeup": (
        _cancelled,
        lambda s, t: _cli(s, "makeup", str(t["id"]), "--date", t["day"]),
        lambda s, t: _desk(s, f"/desk/sessions/{t['id']}/makeup", {"date": t["day"]}),
        lambda s, t: _api(s, f"/api/sessions/{t['id']}/makeup", {"date": t["day"]}),
    ),
    "move": (
        _target,
        lambda s, t: _cli(s, "move", str(t["id"]), "--date", t["day"], "--reason", "Trùng họp"),
        lambda s, t: _desk(s, f"/desk/sessions/{t['id']}/move", {"date": t["day"], "reason": "Trùng họp"}),
        lambda s, t: _api(s, f"/api/sessions/{t['id']}/move", {"date": t["day"], "reason": "Trùng họp"}),
    ),
    "adhoc": (
        _target,
        lambda s, t: _cli(s, "adhoc", "--unit", "xa-a", "--date", t["day"], "--reason", "Đoàn đông người"),
        lambda s, t: _desk(s, "/desk/units/xa-a/adhoc", {"date": t["day"], "reason": "Đoàn đông người"}),
        lambda s, t: _api(s, "/api/units/xa-a/adhoc", {"date": t["day"], "reason": "Đoàn đông người"}),
    ),
    "record": (
        _past,
        lambda s, t: _cli(s, "record", str(t["id"]), "--held", "--visits", "2", "--people", "3",
                          "--received-by", "Trần Văn C", "--received-title", "P.Bí thư", "--form", "online"),
        lambda s, t: _desk(s, f"/desk/sessions/{t['id']}/record", {
            "outcome": "held", "visits": "2", "people": "3", "received": "other", "received_by": "Trần Văn C",
            "received_title": "P.Bí thư", "form": "online"}),
        lambda s, t: _api(s, f"/api/sessions/{t['id']}/record", {
            "held": True, "visits": 2, "people": 3, "in_person": False, "received_by": "Trần Văn C",
            "received_title": "P.Bí thư", "form": "online"}),
    ),
    "undo a record": (
        _recorded,
        lambda s, t: _cli(s, "record", str(t["id"]), "--undo", "--reason", "Ghi nhầm buổi"),
        lambda s, t: _desk(s, f"/desk/sessions/{t['id']}/undo", {"reason": "Ghi nhầm buổi"}),
        lambda s, t: _api(s, f"/api/sessions/{t['id']}/undo", {"reason": "Ghi nhầm buổi"}),
    ),
}  # fmt: skip


def _state(server: Server) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    sessions = [session_reads.session_dict(r) for r in server.sessions("xa-a")]
    t = OutboxRow.__table__
    with server.engine.connect() as conn:
        queued = sorted(
            tuple(r)
            for r in conn.execute(select(t.c.subject, t.c.version, t.c.purpose, t.c.channel, t.c.recipient))
        )
    return sessions, queued


# xa-a with a head and staff to be told (e-mail to files: no [email] section).
WITH_PEOPLE = desk_support.CONFIG.replace(
    'venue  = "Trụ sở Đảng ủy xã An Khánh"\n',
    'venue  = "Trụ sở Đảng ủy xã An Khánh"\n'
    'head   = { name = "Lò Văn Hùng", title = "Bí thư Đảng ủy xã", email = "bithu@ankhanh.example.vn" }\n'
    'staff  = [ { name = "Nông Thị Mai", email = "vanphong@ankhanh.example.vn" } ]\n',
)


@pytest.mark.parametrize("case", list(CASES))
def test_the_same_case_through_every_door_stores_the_same_and_queues_the_same(case, tmp_path, monkeypatch):
    assert WITH_PEOPLE != desk_support.CONFIG
    monkeypatch.setattr(desk_support, "CONFIG", WITH_PEOPLE)
    setup, *doors = CASES[case]
    results = []
    for name, door in zip(("cli", "desk", "api"), doors, strict=True):
        directory = tmp_path / name
        directory.mkdir()
        with serve(directory) as server:
            ids = setup(server)
            before = _state(server)
            door(server, ids)
            after = _state(server)
            assert after != before, name  # the case did something
            results.append(after)
    cli_result, desk_result, api_result = results
    if case in ("cancel", "makeup", "move", "adhoc"):
        assert cli_result[1], "a change is told at once: messages queued"
    assert desk_result == cli_result
    assert api_result == cli_result
