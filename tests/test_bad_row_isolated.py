"""One bad row never stops the others (issue 13): an ad hoc time in odd digits is refused at
every door, and a row planted in the database with such a time (an old version, a hand edit)
costs only its own reminders: every other unit's are queued and sent, and ``tick`` exits 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update
from sqlalchemy.pool import NullPool
from test_outbox_support import HEAD_EMAIL, STAFF_EMAIL, cli, database_of, outbox, plan, write_config

from scheduler.infra.db.models import SessionRow

ODD_TIMES = ["٠٧:٣٠-١١:٠٠", "０７:３０-１１:００", "07:3٠-11:00", "7h٣٠-11h00"]


@pytest.mark.parametrize("odd", ODD_TIMES)
def test_an_ad_hoc_time_in_other_digits_is_refused_in_one_line(tmp_path: Path, odd: str) -> None:
    config = write_config(tmp_path)
    plan(config)
    run = cli(
        config, "adhoc", "--unit", "thuc-phan", "--date", "2027-01-25", "--time", odd,
        "--reason", "Vụ việc đông người", now="2027-01-10T09:00", check=False,
    )  # fmt: skip
    assert run.code != 0 and "Traceback" not in run.err and len(run.err.strip().splitlines()) == 1
    assert not [s for s in json.loads(cli(config, "sessions", "--unit", "thuc-phan", "--format", "json").out)
                if s["kind"] == "adhoc"]  # fmt: skip


def test_a_planted_bad_time_leaves_every_other_units_reminders_queued(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    plan(config)
    made = cli(
        config, "adhoc", "--unit", "thuc-phan", "--date", "2027-01-25", "--time", "07:30-11:00",
        "--reason", "Vụ việc đông người", "--format", "json", now="2027-01-10T09:00",
    ).out  # fmt: skip
    bad = json.loads(made)["id"]
    engine = create_engine(database_of(config), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(update(SessionRow).where(SessionRow.id == bad).values(start="07:٣٠"))
    finally:
        engine.dispose()
    # Monday 18/01: seven days before the province's 25/01 and the ward's bad ad hoc session.
    run = cli(config, "tick", now="2027-01-18T08:00", check=False)
    assert run.code == 0, run.err
    assert "Traceback" not in run.err + run.out
    # Said once, naming the session, and that the others went on.
    skipped = [line for line in run.err.splitlines() if f"bỏ qua buổi tiếp số {bad} " in line]
    assert len(skipped) == 1 and "thuc-phan, ngày 25/01/2027" in skipped[0]
    assert "các buổi khác vẫn được xếp" in skipped[0]
    province = outbox(config, purpose="reminder", unit_id="cao-bang", lead=7)
    assert {(r.recipient, r.status) for r in province if r.channel == "email"} == {
        (HEAD_EMAIL, "sent"),
        (STAFF_EMAIL, "sent"),
    }
    assert outbox(config, purpose="reminder", session_id=bad) == []
    # The next tick goes on the same way (no state left half-written).
    assert cli(config, "tick", now="2027-01-18T09:00", check=False).code == 0
