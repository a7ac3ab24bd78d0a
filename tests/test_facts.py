"""Facts only after the fact (issue 11, point 4), on SQLite and PostgreSQL.

A record before the session's day, counts that cannot be (fewer people than visits, negative,
absurd), a cancel or a move of a day gone by, a make-up, move or ad hoc session onto a past day,
a day off or a day the unit already receives: each is refused by the use case itself (so by every
door) with one Vietnamese line, a non-zero exit, and not one row changed. One active session per
unit and day is the database's own rule: two clerks booking make-ups of different sessions onto
one day at once, one wins and the other hears one line. A mistaken record can be undone, with its
reason in the history. Who received is a choice (the head in person / someone else), and the
report counts as delegated only the sessions someone else received.
"""

from __future__ import annotations

import io
import json
import multiprocessing
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from typing import Any

import pytest
from service_support import (
    NOW,
    TODAY,
    YEAR,
    audit_rows,
    cli_worker,
    is_postgres,
    session_rows,
    snapshot,
    write_config,
)
from sqlalchemy.engine import Engine

from scheduler import cli
from scheduler.infra.clock import parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.usecases import cancel_makeup, move_adhoc, record_outcome, session_reads
from scheduler.usecases import reception_log as book
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year
from scheduler.usecases.reports import make_report, resolve_range

CLERK = uc.Actor("Trần Thị B")
MID_MARCH = "2027-03-15T09:00"  # "today" of these tests: January and February are past


@pytest.fixture
def svc(tmp_path, db_url):
    path = write_config(tmp_path, db_url)
    config = load_config(path)
    engine = open_database(db_url)
    plan_year(engine, config, YEAR, now=parse_now(NOW), today=TODAY, actor="test")
    ids = {(r.unit_id, r.date.isoformat()): r.id for r in session_reads.list_sessions(engine)}
    yield {"engine": engine, "config": config, "path": path, "url": db_url, "ids": ids}
    engine.dispose()


def run(svc, *args: str, now: str = MID_MARCH) -> tuple[int, str, str]:
    """``tiepdan ARGS --config ... --now ...`` in this process: (exit code, stdout, stderr)."""
    from scheduler.infra import db as commands  # where CommandContext opens the database

    out, err = io.StringIO(), io.StringIO()
    opened: list[Engine] = []
    real_open = commands.open_database

    def open_and_keep(*a: Any, **kw: Any) -> Engine:
        opened.append(real_open(*a, **kw))
        return opened[-1]

    commands.open_database = open_and_keep  # type: ignore[assignment]
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main([*args, "--config", str(svc["path"]), "--now", now])
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        commands.open_database = real_open  # type: ignore[assignment]
        for engine in opened:  # the process lives on: close what the command opened
            engine.dispose()
    return code, out.getvalue(), err.getvalue()


def refused(svc, *args: str, now: str = MID_MARCH) -> str:
    """Run a command that must be refused: non-zero, one line on stderr, nothing changed."""
    before = snapshot(svc["url"])
    code, _, err = run(svc, *args, now=now)
    lines = err.splitlines()
    assert code != 0 and len(lines) == 1 and "Traceback" not in err, (code, err)
    assert snapshot(svc["url"]) == before
    return lines[0]


def sid(svc, unit: str, on: str) -> int:
    return svc["ids"][(unit, on)]


# --- the refusals, through the command line (the desk and the API call the same use cases) ---

ADHOC_31 = ["adhoc", "--unit", "cao-bang", "--date", "2027-03-31", "--reason", "x"]
# (command, the words the one line must say); "today" is 15/3/2027.
REFUSALS = {
    "record held before the day": (
        lambda s: ["record", str(sid(s, "cao-bang", "2027-03-25")), "--held", "--visits", "2"],
        "chưa diễn ra",
    ),
    "record not held before the day": (
        lambda s: ["record", str(sid(s, "cao-bang", "2027-03-25")), "--not-held", "--reason", "Ốm"],
        "chưa diễn ra",
    ),
    "fewer people than visits": (
        lambda s: ["record", str(sid(s, "cao-bang", "2027-01-25")), "--held", "--visits=5", "--people=3"],
        "không được ít hơn số lượt",
    ),
    "a negative count": (
        lambda s: ["record", str(sid(s, "cao-bang", "2027-01-25")), "--held", "--visits=-1"],
        "không được âm",
    ),
    "a count beyond any session": (
        lambda s: ["record", str(sid(s, "cao-bang", "2027-01-25")), "--held", "--visits", str(10**20)],
        "không được quá",
    ),
    "a count in other digits": (
        lambda s: ["record", str(sid(s, "cao-bang", "2027-01-25")), "--held", "--visits", "٣"],
        "số nguyên",
    ),
    "cancel a day gone by": (
        lambda s: ["cancel", str(sid(s, "cao-bang", "2027-02-25")), "--reason", "Đi công tác"],
        "đã qua",
    ),
    "move a day gone by": (
        lambda s: ["move", str(sid(s, "cao-bang", "2027-02-25")), "--date", "2027-03-30", "--reason", "Họp"],
        "đã qua",
    ),
    "move onto a past day": (
        lambda s: ["move", str(sid(s, "cao-bang", "2027-03-25")), "--date", "2027-03-12", "--reason", "Họp"],
        "đã qua",
    ),
    "move onto a day the unit receives": (
        lambda s: ["move", str(sid(s, "tra-linh", "2027-03-25")), "--date", "2027-04-12", "--reason", "Họp"],
        "đã có buổi tiếp ngày 12/04/2027",
    ),
    "ad hoc onto a past day": (
        lambda s: ["adhoc", "--unit", "cao-bang", "--date", "2027-03-12", "--reason", "Đoàn đông người"],
        "đã qua",
    ),
    "ad hoc onto a Saturday": (
        lambda s: ["adhoc", "--unit", "cao-bang", "--date", "2027-03-27", "--reason", "Đoàn đông người"],
        "không phải ngày làm việc",
    ),
    "ad hoc onto a day the unit receives": (
        lambda s: ["adhoc", "--unit", "cao-bang", "--date", "2027-03-25", "--reason", "Đoàn đông người"],
        "đã có buổi tiếp ngày 25/03/2027",
    ),
    "ad hoc at a time in Arabic-Indic digits": (
        lambda s: [*ADHOC_31, "--time", "٠٧:٣٠-١١:٠٠"],
        "khung giờ",
    ),
    "ad hoc at a time in full-width digits": (
        lambda s: [*ADHOC_31, "--time", "０７:３０-１１:００"],
        "khung giờ",
    ),
    "ad hoc at 25h": (
        lambda s: [*ADHOC_31, "--time", "7h30-25h00"],
        "không phải giờ",
    ),
    "an id with an underscore": (lambda s: ["cancel", "8_3", "--reason", "x"], "mã buổi tiếp"),
    "an id in Arabic-Indic digits": (lambda s: ["cancel", "٨٣", "--reason", "x"], "mã buổi tiếp"),
    "an id beyond the database": (lambda s: ["cancel", str(2**63), "--reason", "x"], "mã buổi tiếp"),
    "a date in other digits": (
        lambda s: ["adhoc", "--unit", "cao-bang", "--date", "２０２７-03-31", "--reason", "x"],
        "YYYY-MM-DD",
    ),
    "undo a record never made": (
        lambda s: ["record", str(sid(s, "cao-bang", "2027-01-25")), "--undo", "--reason", "Ghi nhầm"],
        "chưa có kết quả",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_fact_that_cannot_be_true_is_refused_in_one_line_and_changes_nothing(svc, case):
    args, words = REFUSALS[case]
    line = refused(svc, *args(svc))
    assert words in line, line


def test_make_up_onto_a_past_day_or_a_taken_day_is_refused(svc):
    cancelled = sid(svc, "cao-bang", "2027-03-25")
    assert run(svc, "cancel", str(cancelled), "--reason", "Bí thư đi công tác")[0] == 0
    assert "đã qua" in refused(svc, "makeup", str(cancelled), "--date", "2027-03-12")
    taken = sid(svc, "tra-linh", "2027-03-25")  # another unit's day is free for cao-bang ...
    assert (
        taken and run(svc, "adhoc", "--unit", "cao-bang", "--date", "2027-03-30", "--reason", "Đoàn")[0] == 0
    )
    assert "đã có buổi tiếp ngày 30/03/2027" in refused(svc, "makeup", str(cancelled), "--date", "2027-03-30")
    assert "không phải ngày làm việc" in refused(svc, "makeup", str(cancelled), "--date", "2027-03-28")


def test_hand_counts_that_contradict_the_reception_log_are_refused_from_the_command_line(svc):
    on = sid(svc, "cao-bang", "2027-01-25")
    for name, people in (("Hoàng Thị Lan", 1), ("Đoàn thôn Bản Giới", 3)):
        book.add_entry(svc["engine"], svc["config"], on, {"full_name": name, "people": people,
                       "is_group": people > 1}, actor=CLERK, now=parse_now(MID_MARCH))  # fmt: skip
    line = refused(svc, "record", str(on), "--held", "--visits", "99", "--people", "99")
    assert "sổ tiếp công dân" in line
    # The log's own counts given by hand agree, and are taken; none given: the log's.
    assert run(svc, "record", str(on), "--held", "--visits", "2")[0] == 0
    row = uc.get_session(svc["engine"], on)
    assert (row.status, row.visits, row.people, row.groups) == ("held", 2, 4, 1)


def test_a_held_session_with_no_visitor_is_fine_and_a_time_in_vietnamese_form_is_taken(svc):
    on = sid(svc, "thuc-phan", "2027-01-14")
    assert run(svc, "record", str(on), "--held", "--visits", "0", "--people", "0")[0] == 0
    assert uc.get_session(svc["engine"], on).visits == 0
    code, out, _ = run(svc, "adhoc", "--unit", "cao-bang", "--date", "2027-03-31", "--reason", "Đoàn",
                       "--time", "7h30-11h00")  # fmt: skip
    assert code == 0
    made = uc.get_session(svc["engine"], int(out))
    assert (f"{made.start:%H:%M}", f"{made.end:%H:%M}") == ("07:30", "11:00")


def test_a_session_of_today_may_be_recorded_and_postponed(svc):
    today = sid(svc, "cao-bang", "2027-03-25")
    assert run(svc, "cancel", str(today), "--reason", "Bí thư ốm", now="2027-03-25T07:00")[0] == 0
    jan = sid(svc, "cao-bang", "2027-01-25")
    assert run(svc, "record", str(jan), "--held", "--visits", "1", now="2027-01-25T11:30")[0] == 0


# --- the database's own rule, under concurrency ------------------------------------------------


def test_two_clerks_making_up_different_sessions_onto_one_day_at_once_one_wins(svc):
    first, second = sid(svc, "cao-bang", "2027-03-25"), sid(svc, "cao-bang", "2027-04-26")
    now = parse_now(NOW)
    for s in (first, second):
        cancel_makeup.cancel(
            svc["engine"], svc["config"], s, reason="Đi công tác", actor=CLERK, now=now, today=TODAY
        )
    ctx = multiprocessing.get_context("spawn")
    commands = [["makeup", str(s), "--date", "2027-03-30"] for s in (first, second)]
    barrier, results = ctx.Barrier(2), ctx.Queue()
    # PostgreSQL: both read and check the day while it is free, then write together; the unique
    # index makes the second insert wait for the first and fail. SQLite queues the writers.
    inside = is_postgres(svc["url"])
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
    assert sorted(code for code, _, _ in out) == [0, 1], out
    (err,) = [e for code, _, e in out if code]
    assert err.splitlines() == ["lỗi: đơn vị cao-bang đã có buổi tiếp ngày 30/03/2027"] or (
        len(err.splitlines()) == 1 and "đã có buổi tiếp ngày 30/03/2027" in err
    ), err
    on_the_day = [r for r in session_rows(svc["engine"], unit_id="cao-bang") if r.date == date(2027, 3, 30)]
    assert len(on_the_day) == 1 and on_the_day[0].kind == "makeup"
    loser = second if on_the_day[0].replaces_id == first else first
    assert uc.get_session(svc["engine"], loser).needs_makeup  # nothing half-done for the loser
    assert [a.action for a in audit_rows(svc["engine"], session_id=loser)] == ["cancel"]


def test_a_replan_leaves_a_day_taken_by_an_ad_hoc_session_alone(svc, tmp_path):
    # tra-linh receives on Monday 12/4 (its 10th is a Saturday) and has an ad hoc session on 13/4;
    # a new day off on 12/4 would roll its session onto the 13th: it stays where it was, and the
    # plan does not break (the other units on 12/4 move).
    now = parse_now(NOW)
    move_adhoc.add_adhoc(
        svc["engine"], svc["config"], "tra-linh", on=date(2027, 4, 13), reason="Đoàn", actor=CLERK, now=now
    )
    path = write_config(tmp_path, svc["url"], days_off=[("2027-04-12", "Nghỉ hoán đổi")])
    config = load_config(path)
    result = plan_year(svc["engine"], config, YEAR, now=now, today=TODAY, actor="test")
    assert result.moved == 2  # hoa-chung and de-tham, also on 12/4, go to 13/4
    for unit in ("hoa-chung", "de-tham"):
        assert uc.get_session(svc["engine"], sid(svc, unit, "2027-04-12")).date == date(2027, 4, 13)
    assert uc.get_session(svc["engine"], sid(svc, "tra-linh", "2027-04-12")).date == date(2027, 4, 12)
    days = [
        r.date for r in session_rows(svc["engine"], unit_id="tra-linh") if r.status in ("planned", "held")
    ]
    assert len(days) == len(set(days))


# --- undo a record ------------------------------------------------------------------------------


def test_a_mistaken_record_is_undone_with_its_reason_in_the_history(svc):
    held = sid(svc, "cao-bang", "2027-01-25")
    assert run(svc, "record", str(held), "--held", "--visits", "3", "--people", "4",
               "--received-by", "Phó Bí thư Thường trực", "--form", "online")[0] == 0  # fmt: skip
    assert "cần ghi lý do" in refused(svc, "record", str(held), "--undo")
    code, out, _ = run(svc, "record", str(held), "--undo", "--reason", "Ghi nhầm buổi")
    assert code == 0 and "Đã bỏ kết quả" in out
    row = uc.get_session(svc["engine"], held)
    assert (row.status, row.visits, row.people, row.received_by, row.form, row.recorded_at) == (
        "planned", None, None, None, None, None,
    )  # fmt: skip
    undo = audit_rows(svc["engine"], session_id=held)[-1]
    assert (undo.action, undo.reason) == ("record_undo", "Ghi nhầm buổi")
    assert json.loads(undo.details)["was"]["visits"] == 3
    # Recorded again, rightly this time.
    assert run(svc, "record", str(held), "--held", "--visits", "2", "--head-in-person")[0] == 0

    not_held = sid(svc, "cao-bang", "2027-02-25")
    assert run(svc, "record", str(not_held), "--not-held", "--reason", "Mưa lũ")[0] == 0
    assert run(svc, "record", str(not_held), "--undo", "--reason", "Buổi vẫn được tổ chức")[0] == 0
    row = uc.get_session(svc["engine"], not_held)
    assert (row.status, row.needs_makeup, row.reason) == ("planned", False, None)


def test_a_not_held_session_whose_make_up_is_booked_keeps_its_record(svc):
    lost = sid(svc, "cao-bang", "2027-02-25")
    assert run(svc, "record", str(lost), "--not-held", "--reason", "Mưa lũ")[0] == 0
    assert run(svc, "makeup", str(lost), "--date", "2027-03-30")[0] == 0
    assert "đã có buổi tiếp bù" in refused(svc, "record", str(lost), "--undo", "--reason", "Nhầm")


# --- who received: a choice, counted right ------------------------------------------------------


def test_the_delegated_count_is_the_sessions_someone_else_received(svc):
    ids = {on: sid(svc, "cao-bang", on) for on in ("2027-01-25", "2027-02-25")}
    thuc = sid(svc, "thuc-phan", "2027-01-14")
    # The head's own name typed as free text (as the desk's old field let clerks do): in person.
    record_outcome.record(svc["engine"], svc["config"], ids["2027-01-25"], held=True, actor=CLERK,
              now=parse_now("2027-01-25T11:30"), received_by="Nguyễn Văn A")  # fmt: skip
    # Someone else received, chosen as such, with name and title.
    code, _, err = run(svc, "record", str(ids["2027-02-25"]), "--held", "--received-by", "Trần Văn C",
                       "--received-title", "Phó Bí thư Thường trực Tỉnh ủy", "--form", "both")  # fmt: skip
    assert code == 0, err
    # The head in person, by the choice.
    assert run(svc, "record", str(thuc), "--held", "--head-in-person")[0] == 0
    rows = {r.id: r for r in session_rows(svc["engine"])}
    assert rows[ids["2027-01-25"]].received_in_person is True
    assert rows[ids["2027-01-25"]].received_by is None
    other = rows[ids["2027-02-25"]]
    assert (other.received_in_person, other.received_by, other.received_title, other.form) == (
        False, "Trần Văn C", "Phó Bí thư Thường trực Tỉnh ủy", "both",
    )  # fmt: skip
    assert rows[thuc].received_in_person is True

    rng = resolve_range(
        svc["config"], period=None, first=date(2027, 1, 1), last=date(2027, 2, 28), cutoff=None
    )
    report = make_report(svc["engine"], svc["config"], rng, today=date(2027, 3, 15))
    delegated = {u.unit.id: u.totals.delegated for u in report.units}
    assert (delegated["cao-bang"], delegated["thuc-phan"]) == (1, 0), delegated


def test_a_legacy_free_text_naming_the_head_counts_as_in_person(svc):
    from sqlalchemy import update

    from scheduler.infra.db.models import SessionRow

    on = sid(svc, "cao-bang", "2027-01-25")
    record_outcome.record(
        svc["engine"], svc["config"], on, held=True, actor=CLERK, now=parse_now("2027-01-25T11:30")
    )
    # As recorded before the choice existed: free text, no choice stored.
    t = SessionRow.__table__
    with svc["engine"].begin() as conn:
        conn.execute(update(t).where(t.c.id == on).values(received_by="Bí thư Tỉnh ủy Nguyễn Văn A"))
    rng = resolve_range(
        svc["config"], period=None, first=date(2027, 1, 1), last=date(2027, 1, 31), cutoff=None
    )
    report = make_report(svc["engine"], svc["config"], rng, today=date(2027, 3, 15))
    (unit,) = [u for u in report.units if u.unit.id == "cao-bang"]
    assert unit.totals.delegated == 0
    with svc["engine"].begin() as conn:
        conn.execute(update(t).where(t.c.id == on).values(received_by="Phó Bí thư Thường trực"))
    report = make_report(svc["engine"], svc["config"], rng, today=date(2027, 3, 15))
    (unit,) = [u for u in report.units if u.unit.id == "cao-bang"]
    assert unit.totals.delegated == 1
