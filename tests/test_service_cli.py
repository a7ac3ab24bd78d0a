"""The service end to end through ``tiepdan`` (its ``main``, see ``cli_runner``), on SQLite and
on PostgreSQL; the last tests run the same commands in a real process and compare.

Each test gets a fresh database (``db_url``) and the small configuration of service_support.
Where the state a command acts on is not itself under test it is prepared in-process through the
same use cases the CLI calls (faster than a subprocess per step).
"""

from __future__ import annotations

import getpass
import json
from datetime import date, time
from pathlib import Path

import pytest
from service_support import (
    NOW,
    TODAY,
    YEAR,
    audit_rows,
    one_line_error,
    session_rows,
    sessions_json,
    snapshot,
    tiepdan,
    write_config,
)
from sqlalchemy import func, select

from scheduler.infra.clock import parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.infra.db.models import AuditRow, SessionRow
from scheduler.usecases import cancel_makeup, record_outcome
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year

CLERK = uc.Actor("Trần Thị B")
TET_SWAP = ("2027-02-11", "Nghỉ Tết Nguyên đán (hoán đổi)")


class Service:
    """A configuration on a fresh database, planned for 2027 in-process."""

    def __init__(self, tmp_path: Path, db_url: str, *, plan: bool = True) -> None:
        self.url = db_url
        self.config_path = write_config(tmp_path, db_url)
        self.config = load_config(self.config_path)
        self.engine = open_database(self.config.database_url)
        self.now = parse_now(NOW)
        if plan:
            plan_year(self.engine, self.config, YEAR, now=self.now, today=TODAY, actor="test")

    def id_of(self, unit: str, on: str) -> int:
        rows = [r for r in session_rows(self.engine, unit_id=unit) if r.date == date.fromisoformat(on)]
        assert len(rows) == 1, (unit, on, rows)
        return rows[0].id

    def row(self, session_id: int):
        return uc.get_session(self.engine, session_id)

    def cancel(self, session_id: int) -> None:
        cancel_makeup.cancel(self.engine, self.config, session_id, reason="Bí thư đi công tác", actor=CLERK,
                  now=self.now, today=TODAY)  # fmt: skip

    def held(self, session_id: int) -> None:
        on_the_day = parse_now(f"{self.row(session_id).date}T11:30")  # a fact once it is true
        record_outcome.record(self.engine, self.config, session_id, held=True, actor=CLERK, now=on_the_day,
                  counts={"visits": 3})  # fmt: skip


@pytest.fixture
def service(tmp_path, db_url):
    s = Service(tmp_path, db_url)
    yield s
    s.engine.dispose()


# --- plan ------------------------------------------------------------------------------------


def test_plan_stores_the_sessions_the_calendar_gives(tmp_path, db_url):
    cfg = write_config(tmp_path, db_url, days_off=[TET_SWAP])
    out = tiepdan(cfg, "plan", "--year", str(YEAR)).stdout
    assert "thêm 144 buổi" in out

    cal = json.loads(
        tiepdan(
            cfg, "calendar", "--from", "2027-01-01", "--to", "2027-12-31", "--format", "json", now=None
        ).stdout
    )
    fields = ("unit", "date", "nominal", "moved", "start", "end", "venue")
    expected = sorted(tuple(s[k] for k in fields) for s in cal["sessions"])
    stored = sessions_json(cfg)
    assert sorted(tuple(s[k] for k in fields) for s in stored) == expected
    assert len(stored) == 144
    assert {(s["kind"], s["status"], s["replaces"]) for s in stored} == {("periodic", "planned", None)}
    assert len({s["id"] for s in stored}) == len(stored)
    # the Tết swap moved Thục Phán's second Thursday of February, with the reason
    (feb,) = [s for s in stored if s["unit"] == "thuc-phan" and s["nominal"] == "2027-02-11"]
    assert feb["date"] == "2027-02-12" and "Nghỉ Tết Nguyên đán (hoán đổi)" in feb["moved"]


def test_plan_again_with_nothing_changed_writes_no_row(tmp_path, db_url):
    cfg = write_config(tmp_path, db_url, days_off=[TET_SWAP])
    tiepdan(cfg, "plan", "--year", str(YEAR))
    engine = open_database(db_url)
    try:

        def marks():
            with engine.connect() as conn:
                return (
                    conn.execute(select(func.max(SessionRow.updated_at))).scalar(),
                    conn.execute(select(func.count()).select_from(SessionRow)).scalar(),
                    conn.execute(select(func.count()).select_from(AuditRow)).scalar(),
                )

        before, rows_before = marks(), snapshot(db_url)
        out = tiepdan(cfg, "plan", "--year", str(YEAR), now="2026-12-15T09:00", by="someone-else").stdout
        assert "không thay đổi" in out
        assert marks() == before
        assert snapshot(db_url) == rows_before
    finally:
        engine.dispose()


# --- sessions --------------------------------------------------------------------------------


def test_sessions_json_has_the_contract_fields_and_filters_by_unit_and_dates(service):
    march = sessions_json(
        service.config_path, "--unit", "thuc-phan", "--from", "2027-03-01", "--to", "2027-03-31"
    )
    assert [(s["unit"], s["date"]) for s in march] == [
        ("thuc-phan", "2027-03-11"),
        ("thuc-phan", "2027-03-25"),
    ]
    for s in march:
        assert {"id", "unit", "date", "status", "kind", "replaces"} <= s.keys()
        assert (s["status"], s["kind"], s["replaces"]) == ("planned", "periodic", None)
        assert isinstance(s["id"], int)
    everything = sessions_json(service.config_path)
    assert len(everything) == 144
    assert [s["date"] for s in everything] == sorted(s["date"] for s in everything)


# --- cancel, make-up, move, ad hoc, record ----------------------------------------------------


def test_cancel_marks_the_session_cancelled_and_proposes_makeup_days(service):
    sid = service.id_of("cao-bang", "2027-03-25")
    proc = tiepdan(service.config_path, "cancel", str(sid), "--reason", "Bí thư đi công tác Trung ương")
    assert "Đề xuất ngày tiếp bù" in proc.stdout
    assert f"tiepdan makeup {sid}" in proc.stdout
    row = service.row(sid)
    assert (row.status, row.needs_makeup, row.reason, row.version) == (
        "cancelled", True, "Bí thư đi công tác Trung ương", 2,
    )  # fmt: skip
    (listed,) = sessions_json(
        service.config_path, "--unit", "cao-bang", "--from", "2027-03-25", "--to", "2027-03-25"
    )
    assert listed["status"] == "cancelled" and listed["needs_makeup"] is True


def test_cancel_proposes_nearest_working_days_in_the_month_never_the_cancelled_day(service):
    sid = service.id_of("cao-bang", "2027-03-25")  # a Thursday
    proc = tiepdan(
        service.config_path, "cancel", str(sid), "--reason", "Bí thư đi công tác", "--format", "json"
    )
    proposals = json.loads(proc.stdout)["proposals"]
    # nearest first, the later of two ties; 27-28/3 are a weekend; never 25/3 itself (the head is away)
    assert proposals == ["2027-03-26", "2027-03-24", "2027-03-23"]


def test_makeup_books_the_first_proposal_as_a_makeup_session(service):
    sid = service.id_of("cao-bang", "2027-03-25")
    proposals = json.loads(
        tiepdan(
            service.config_path, "cancel", str(sid), "--reason", "Họp Trung ương", "--format", "json"
        ).stdout
    )["proposals"]
    out = tiepdan(service.config_path, "makeup", str(sid)).stdout
    assert "tiếp bù" in out
    made = [s for s in sessions_json(service.config_path, "--unit", "cao-bang") if s["kind"] == "makeup"]
    assert len(made) == 1
    assert (made[0]["date"], made[0]["status"], made[0]["replaces"]) == (proposals[0], "planned", sid)
    original = service.row(sid)
    assert original.status == "cancelled" and not original.needs_makeup
    (listed,) = [s for s in sessions_json(service.config_path, "--unit", "cao-bang") if s["id"] == sid]
    assert listed["made_up_by"] == made[0]["id"]


def test_makeup_on_the_date_given(service):
    sid = service.id_of("de-tham", "2027-05-10")
    service.cancel(sid)
    tiepdan(service.config_path, "makeup", str(sid), "--date", "2027-05-19")
    (made,) = [r for r in session_rows(service.engine, replaces_id=sid)]
    assert (made.kind, made.date, made.unit_id, made.status) == (
        "makeup",
        date(2027, 5, 19),
        "de-tham",
        "planned",
    )
    assert [a.action for a in audit_rows(service.engine, session_id=made.id)] == ["makeup"]


def test_move_puts_a_planned_session_on_another_day_by_decision(service):
    sid = service.id_of("ubnd-cao-bang", "2027-06-15")
    tiepdan(
        service.config_path, "move", str(sid), "--date", "2027-06-17", "--reason", "Trùng kỳ họp HĐND tỉnh"
    )
    row = service.row(sid)
    assert (row.date, row.status, row.reason, row.pinned, row.version) == (
        date(2027, 6, 17), "planned", "Trùng kỳ họp HĐND tỉnh", True, 2,
    )  # fmt: skip
    (a,) = audit_rows(service.engine, session_id=sid)
    assert a.action == "move" and json.loads(a.details) == {"from": "2027-06-15", "to": "2027-06-17"}


def test_adhoc_prints_the_id_of_the_new_session(service):
    proc = tiepdan(service.config_path, "adhoc", "--unit", "thuc-phan", "--date", "2027-04-06",
                   "--time", "08:00-10:30", "--reason", "Đoàn đông người về đất đai")  # fmt: skip
    new_id = int(proc.stdout.strip())
    row = service.row(new_id)
    assert (row.kind, row.unit_id, row.date, row.start, row.end, row.status, row.replaces_id) == (
        "adhoc", "thuc-phan", date(2027, 4, 6), time(8, 0), time(10, 30), "planned", None,
    )  # fmt: skip
    assert row.reason == "Đoàn đông người về đất đai"
    (listed,) = [s for s in sessions_json(service.config_path, "--unit", "thuc-phan") if s["id"] == new_id]
    assert listed["kind"] == "adhoc"


def test_record_held_stores_the_counts(service):
    sid = service.id_of("cao-bang", "2027-01-25")
    counts = {"visits": 12, "people": 15, "cases": 9, "petitions": 7, "groups": 1}
    received_by, conclusion = "Phó Bí thư Thường trực", "Thông báo kết luận số 45-TB/TU ngày 27/01/2027"
    args = [f"--{k}={v}" for k, v in counts.items()]
    tiepdan(service.config_path, "record", str(sid), "--held", *args, "--received-by", received_by,
            "--conclusion", conclusion, now="2027-01-25T11:30")  # fmt: skip
    (s,) = [s for s in sessions_json(service.config_path, "--unit", "cao-bang") if s["id"] == sid]
    assert s["status"] == "held"
    assert s["outcome"] == counts | {"received_by": received_by, "conclusion": conclusion}


def test_record_not_held_needs_a_makeup_and_the_makeup_can_be_booked(service):
    sid = service.id_of("tra-linh", "2027-05-10")
    tiepdan(service.config_path, "record", str(sid), "--not-held", "--reason", "Mưa lũ, chia cắt đường",
            now="2027-05-10T11:30")  # fmt: skip
    row = service.row(sid)
    assert (row.status, row.needs_makeup, row.reason) == ("not_held", True, "Mưa lũ, chia cắt đường")
    tiepdan(service.config_path, "makeup", str(sid))
    (made,) = session_rows(service.engine, replaces_id=sid)
    assert made.kind == "makeup" and made.date.month == 5 and made.date != row.date
    assert not service.row(sid).needs_makeup


def test_history_lists_who_changed_what_when_and_why(service):
    sid = service.id_of("cao-bang", "2027-03-25")
    cfg = service.config_path
    tiepdan(cfg, "cancel", str(sid), "--reason", "Bí thư đi công tác Trung ương", by="Trần Thị B")
    tiepdan(cfg, "makeup", str(sid), "--date", "2027-03-30", by="Lê Văn C", now="2026-12-02T09:15")
    made = session_rows(service.engine, replaces_id=sid)[0].id
    tiepdan(cfg, "record", str(made), "--held", "--visits", "4", now="2027-03-30T12:00")

    entries = json.loads(tiepdan(cfg, "history", str(sid), "--format", "json").stdout)
    assert [(e["actor"], e["action"], e["session"]) for e in entries] == [
        ("Trần Thị B", "cancel", sid), ("Lê Văn C", "makeup", made), (getpass.getuser(), "record_held", made),
    ]  # fmt: skip
    assert entries[0]["reason"] == "Bí thư đi công tác Trung ương"
    assert entries[1]["details"]["replaces"] == sid and entries[1]["details"]["date"] == "2027-03-30"
    # when it was done (08:00 in Hà Nội is 01:00 UTC), the same text on both backends
    assert [e["at"] for e in entries] == [
        "2026-12-01T01:00:00+00:00", "2026-12-02T02:15:00+00:00", "2027-03-30T05:00:00+00:00",
    ]  # fmt: skip

    text = tiepdan(cfg, "history", str(made)).stdout.splitlines()
    assert len(text) == 3
    assert (
        text[0].startswith("01/12/2026 08:00 Trần Thị B: cancel")
        and "Bí thư đi công tác Trung ương" in text[0]
    )
    assert text[1].startswith("02/12/2026 09:15 Lê Văn C: makeup")


# --- bad input: one line on stderr, non-zero exit, and not one row changed --------------------


def _other_date(s: Service, unit: str, not_on: str) -> str:
    return next(
        r.date.isoformat() for r in session_rows(s.engine, unit_id=unit) if r.date.isoformat() != not_on
    )


BAD = {
    "unknown session id": lambda s: "cancel 999999 --reason x",
    "session id not a number": lambda s: "cancel abc --reason x",
    "cancelling a held session": lambda s: f"cancel {s.held_id} --reason x",
    "cancelling a cancelled session": lambda s: f"cancel {s.cancelled_id} --reason x",
    "cancelling without a reason": lambda s: ["cancel", str(s.planned_id), "--reason", "   "],
    "make-up on a Saturday": lambda s: f"makeup {s.cancelled_id} --date 2027-03-27",
    "make-up on a public holiday": lambda s: f"makeup {s.cancelled_id} --date 2027-09-02",
    "make-up on a day the unit already receives": lambda s: (
        f"makeup {s.cancelled_id} --date {_other_date(s, 'cao-bang', '2027-03-25')}"
    ),
    "make-up of a session that is not cancelled": lambda s: f"makeup {s.planned_id}",
    "make-up outside any planned year": lambda s: f"makeup {s.cancelled_id} --date 2029-03-05",
    "make-up on an impossible date": lambda s: f"makeup {s.cancelled_id} --date 2027-02-30",
    "negative count": lambda s: f"record {s.planned_id} --held --visits -3",
    "counts for a session not held": lambda s: f"record {s.planned_id} --not-held --reason x --people 2",
    "not held without a reason": lambda s: f"record {s.planned_id} --not-held",
    "recording a cancelled session": lambda s: f"record {s.cancelled_id} --held",
    "move outside any planned year": lambda s: f"move {s.planned_id} --date 2028-01-05 --reason x",
    "move to a Sunday": lambda s: f"move {s.planned_id} --date 2027-06-27 --reason x",
    "move onto a day the unit already receives": lambda s: (
        f"move {s.planned_id} --date {_other_date(s, 'ubnd-thuc-phan', '2027-06-21')} --reason x"
    ),
    "ad hoc outside any planned year": lambda s: "adhoc --unit cao-bang --date 2028-01-05 --reason x",
    "ad hoc for an unknown unit": lambda s: "adhoc --unit khong-co --date 2027-03-03 --reason x",
    "sessions of an unknown unit": lambda s: "sessions --unit khong-co --format json",
    "history of an unknown session": lambda s: "history 424242",
    "bad time range": lambda s: "adhoc --unit cao-bang --date 2027-03-03 --reason x --time 11:00-08:00",
    "planning a year out of range": lambda s: "plan --year 1800",
    "planning an unknown unit": lambda s: "plan --year 2028 --unit khong-co",
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gives_one_line_and_changes_nothing(service, case):
    service.held_id = service.id_of("thuc-phan", "2027-01-14")
    service.held(service.held_id)
    service.cancelled_id = service.id_of("cao-bang", "2027-03-25")
    service.cancel(service.cancelled_id)
    service.planned_id = service.id_of("ubnd-thuc-phan", "2027-06-21")
    args = BAD[case](service)
    args = args.split() if isinstance(args, str) else args
    before = snapshot(service.url)
    proc = tiepdan(service.config_path, args[0], *args[1:], check=False)
    one_line_error(proc)
    assert snapshot(service.url) == before


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(
            lambda t: t.replace("days  = [25]", "days  = [32]", 1), id="a day of month out of range"
        ),
        pytest.param(lambda t: t.replace('level = "province"', 'level = "khong-co"', 1), id="unknown level"),
        pytest.param(lambda t: t.replace("[calendar]", "[calendar", 1), id="not TOML"),
    ],
)
def test_bad_config_gives_one_line_and_changes_nothing(service, breakage):
    sid = service.id_of("cao-bang", "2027-03-25")
    bad = service.config_path.with_name("bad.toml")
    bad.write_text(breakage(service.config_path.read_text(encoding="utf-8")), encoding="utf-8")
    before = snapshot(service.url)
    for args in (["cancel", str(sid), "--reason", "x"], ["plan", "--year", "2027"]):
        one_line_error(tiepdan(bad, *args, check=False))
    assert snapshot(service.url) == before


def test_unreachable_database_gives_one_line(tmp_path):
    cfg = write_config(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    line = one_line_error(tiepdan(cfg, "sessions", check=False))
    assert "cơ sở dữ liệu" in line


# --- the same commands in a real process -------------------------------------------------------


def test_a_real_process_answers_as_main_does(tmp_path, db_url):
    """``python -m scheduler`` prints and exits as ``main`` does in the tests above: a plan, a
    listing, a refusal (one line, exit 1) and a usage error (exit 2)."""
    cfg = write_config(tmp_path, db_url)
    commands = [
        ("plan", "--year", str(YEAR)),
        ("sessions", "--unit", "cao-bang", "--from", "2027-03-01", "--to", "2027-03-31"),
        ("cancel", "999999", "--reason", "x"),
        ("record", "1", "--held", "--visits", "-3"),
        ("move",),
    ]
    for command, *args in commands:
        real = tiepdan(cfg, command, *args, check=False, process=True)
        if command == "plan":  # the second plan finds nothing to do: compare the first's words
            assert real.returncode == 0 and "thêm 144 buổi" in real.stdout, real.stderr
            continue
        here = tiepdan(cfg, command, *args, check=False)
        assert (real.returncode, real.stdout, real.stderr) == (here.returncode, here.stdout, here.stderr)
        assert "Traceback" not in real.stderr
    assert tiepdan(cfg, "cancel", "999999", "--reason", "x", check=False, process=True).returncode == 1
    assert tiepdan(cfg, "move", check=False, process=True).returncode == 2
