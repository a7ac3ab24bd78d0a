"""Two clerks acting on the same session at once, in real concurrent processes: one wins, the
other gets one clear line, and nothing is half-applied (one audit row, one make-up).

On PostgreSQL the workers are stopped together right before their guarded UPDATE, after each
has read the session: every one of them read the same version, so all but one must lose the
optimistic check. On SQLite BEGIN IMMEDIATE queues writers at the start of their transaction:
the later one reads what the earlier one wrote and is refused by the session's new state.
"""

from __future__ import annotations

import multiprocessing
import subprocess

import pytest
from service_support import (
    NOW,
    TODAY,
    YEAR,
    argv,
    audit_rows,
    cli_worker,
    env,
    is_postgres,
    session_rows,
    write_config,
)

from scheduler.infra.clock import parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import cancel_makeup, session_reads
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year

CONFLICT = "vừa được người khác thay đổi"


@pytest.fixture
def svc(tmp_path, db_url):
    config_path = write_config(tmp_path, db_url)
    config = load_config(config_path)
    engine = open_database(db_url)
    plan_year(engine, config, YEAR, now=parse_now(NOW), today=TODAY, actor="test")
    ids = {(r.unit_id, r.date.isoformat()): r.id for r in session_reads.list_sessions(engine)}
    yield {"engine": engine, "config": config, "path": config_path, "url": db_url, "ids": ids}
    engine.dispose()


def _context() -> multiprocessing.context.BaseContext:
    """Real processes, forked from a server that imported the CLI once (forkserver): a spawned
    process imported it again for each clerk, some 1.7 s of CPU each. Nothing of this process
    (its engines, its connections) is inherited, as with spawn."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["service_support", "scheduler.cli", "scheduler.cli.service"])
    return ctx


def race(svc, commands: list[list[str]], *, at_the_check: bool = True) -> list[tuple[int, str, str]]:
    """Run each command in its own process, all at once; their (exit code, stdout, stderr).

    ``at_the_check``: on PostgreSQL, line the processes up right before their guarded UPDATE.
    """
    ctx = _context()
    barrier, results = ctx.Barrier(len(commands)), ctx.Queue()
    inside = at_the_check and is_postgres(svc["url"])
    procs = [
        ctx.Process(
            target=cli_worker,
            args=([*cmd, "--config", str(svc["path"]), "--now", NOW, "--by", f"clerk-{i}"], barrier, results),
            kwargs={"inside_version_check": inside, "pause": 0.5},
        )
        for i, cmd in enumerate(commands)
    ]
    for p in procs:
        p.start()
    try:
        out = [results.get(timeout=300) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
    return out


def one_winner(results: list[tuple[int, str, str]], *messages: str) -> None:
    """Exactly one exit 0; every other process exits 1 with one line saying one of ``messages``."""
    codes = sorted(code for code, _, _ in results)
    assert codes == [0] + [1] * (len(results) - 1), results
    for code, _, err in results:
        if code:
            lines = err.splitlines()
            assert len(lines) == 1 and any(m in lines[0] for m in messages), err


def refused(svc, message: str) -> str:
    """What the loser hears: PostgreSQL, the version check; SQLite, the state it finds."""
    return CONFLICT if is_postgres(svc["url"]) else message


def test_two_clerks_cancelling_the_same_session_at_once_one_wins(svc):
    sid = svc["ids"][("cao-bang", "2027-03-25")]
    results = race(svc, [["cancel", str(sid), "--reason", f"Lý do {i}"] for i in range(2)])
    one_winner(results, refused(svc, "chỉ hoãn được buổi đã lên lịch"))
    row = uc.get_session(svc["engine"], sid)
    assert (row.status, row.version) == ("cancelled", 2)
    (audit,) = audit_rows(svc["engine"], session_id=sid)
    assert audit.action == "cancel" and audit.reason == row.reason


def test_a_clerk_cancelling_while_another_moves_the_same_session_one_wins(svc):
    sid = svc["ids"][("ubnd-cao-bang", "2027-06-15")]
    results = race(
        svc,
        [
            ["cancel", str(sid), "--reason", "Đi công tác"],
            ["move", str(sid), "--date", "2027-06-16", "--reason", "Họp"],
        ],
    )
    row = uc.get_session(svc["engine"], sid)
    audits = audit_rows(svc["engine"], session_id=sid)
    if is_postgres(svc["url"]):
        one_winner(results, CONFLICT)
        assert row.version == 2 and len(audits) == 1
        assert (audits[0].action, row.status, str(row.date)) in {
            ("cancel", "cancelled", "2027-06-15"),
            ("move", "planned", "2027-06-16"),
        }
    else:  # queued: a move after the cancel is refused, a cancel after the move is a fair change
        actions = [a.action for a in audits]
        assert actions in (["cancel"], ["move", "cancel"])
        assert row.status == "cancelled" and row.version == len(actions) + 1
        if actions == ["cancel"]:
            one_winner(results, "chỉ dời được buổi đã lên lịch")


def test_two_clerks_moving_the_same_session_at_once_apply_no_lost_update(svc):
    sid = svc["ids"][("ubnd-cao-bang", "2027-06-15")]
    targets = ["2027-06-16", "2027-06-17"]
    results = race(svc, [["move", str(sid), "--date", d, "--reason", f"Họp {d}"] for d in targets])
    row = uc.get_session(svc["engine"], sid)
    audits = audit_rows(svc["engine"], session_id=sid)
    assert all(a.action == "move" for a in audits)
    if is_postgres(svc["url"]):
        one_winner(results, CONFLICT)
        (audit,) = audits
        assert row.version == 2 and str(row.date) == audit.details.split('"to": "')[1][:10]
    else:  # queued one after the other: both moves happen, in a chain, each audited
        assert [code for code, _, _ in results] == [0, 0]
        assert len(audits) == 2 and row.version == 3
        first, second = (a.details for a in audits)
        assert first.split('"to": "')[1][:10] == second.split('"from": "')[1][:10]
        assert str(row.date) == second.split('"to": "')[1][:10]


def test_two_clerks_booking_the_makeup_of_the_same_session_book_one(svc):
    sid = svc["ids"][("cao-bang", "2027-03-25")]
    clerk, now = uc.Actor("x"), parse_now(NOW)
    cancel_makeup.cancel(
        svc["engine"], svc["config"], sid, reason="Đi công tác", actor=clerk, now=now, today=TODAY
    )
    results = race(svc, [["makeup", str(sid)], ["makeup", str(sid), "--date", "2027-03-29"]])
    one_winner(results, refused(svc, "đã có buổi tiếp bù"))
    made = session_rows(svc["engine"], replaces_id=sid)
    assert len(made) == 1 and made[0].kind == "makeup"
    assert [a.action for a in audit_rows(svc["engine"], session_id=made[0].id)] == ["makeup"]
    assert not uc.get_session(svc["engine"], sid).needs_makeup


def test_many_cancel_commands_started_at_once_cancel_once(svc):
    sid = svc["ids"][("thuc-phan", "2027-04-08")]
    procs = [
        subprocess.Popen(
            argv(svc["path"], "cancel", str(sid), "--reason", f"Lý do {i}", by=f"clerk-{i}"),
            cwd=svc["path"].parent,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for i in range(6)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    one_winner(results, CONFLICT, "chỉ hoãn được buổi đã lên lịch")
    assert uc.get_session(svc["engine"], sid).version == 2
    assert [a.action for a in audit_rows(svc["engine"], session_id=sid)] == ["cancel"]


def test_two_plans_of_the_same_year_at_once_store_it_once(svc):
    results = race(svc, [["plan", "--year", "2028"]] * 2, at_the_check=False)
    assert [code for code, _, _ in results] == [0, 0], results
    outs = sorted(out for _, out, _ in results)
    assert "không thay đổi" in outs[0] and "thêm 144 buổi" in outs[1], outs
    in_2028 = [r for r in session_rows(svc["engine"]) if r.nominal and r.nominal.year == 2028]
    assert len(in_2028) == 144
    plans = [a for a in audit_rows(svc["engine"], action="plan") if "2028" in a.reason]
    assert len(plans) == 1
