"""Issue 11's "done means" for the alerts, through ``tiepdan tick``: nothing judged before the
service was in use; a missing record is asked for, not alarmed on; "not held" is alerted; a late
record corrects a verdict already told."""

from __future__ import annotations

import json
from pathlib import Path

from test_outbox_support import (
    STAFF_EMAIL,
    TP_STAFF_EMAIL,
    cli,
    emails_in,
    outbox,
    plan,
    queue_only,
    session_on,
    sessions,
    write_config,
)

ALERTS = ("makeup_alert", "at_risk", "ended_short", "period_update", "outcome_missing", "outcome_missing_sup")


def body_of(tmp_path: Path, row) -> str:  # type: ignore[no-untyped-def]
    msg = emails_in(tmp_path)[f"{row.message_id}.eml"]
    return str(msg.get_body(("plain",)).get_content())


def test_a_first_install_mid_year_sends_no_alert_about_any_period_before_it(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    cli(config, "plan", "--year", "2027", now="2027-06-10T08:00")  # the first plan: since = 10/06/2027
    for now in ("2027-06-10T09:00", "2027-06-11T07:05", "2027-06-14T17:05", "2027-07-01T07:05"):
        cli(config, "tick", now=now)
    rows = [r for r in outbox(config) if r.purpose in ALERTS]
    periods = {r.subject.rsplit(":", 1)[1] for r in rows if r.subject.startswith("period:")}
    assert all(p >= "2027-06" for p in periods), periods
    # Sessions before the install were never to be recorded in tiepdan: nobody is chased for them;
    # those after it are.
    dates = {s["id"]: s["date"] for u in ("cao-bang", "thuc-phan") for s in sessions(config, u)}
    chased = {dates[r.session_id] for r in rows if r.purpose.startswith("outcome_missing")}
    assert chased and min(chased) >= "2027-06-10", chased


def test_an_unrecorded_last_session_is_asked_for_then_not_held_is_alerted(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    plan(config)
    jan15 = session_on(config, "thuc-phan", "2027-01-15")
    jan29 = session_on(config, "thuc-phan", "2027-01-29")
    cli(config, "record", str(jan15["id"]), "--held", "--visits", "2", now="2027-01-15T12:00")
    cao = session_on(config, "cao-bang", "2027-01-25")
    cli(config, "record", str(cao["id"]), "--held", "--visits", "2", now="2027-01-25T12:00")
    for now in ("2027-01-29T17:05", "2027-02-01T07:05", "2027-02-01T17:05"):
        cli(config, "tick", now=now)
    # On the 1st of the next month the last session is not recorded: the reminder, no alarm.
    asked = outbox(config, purpose="outcome_missing", session_id=jan29["id"])
    assert {r.recipient for r in asked} >= {TP_STAFF_EMAIL}
    assert outbox(config, purpose="ended_short") == []

    cli(config, "record", str(jan29["id"]), "--not-held", "--reason", "Bí thư đi họp", now="2027-02-02T09:00")
    cli(config, "tick", now="2027-02-02T09:05")
    short = outbox(config, purpose="ended_short", subject="period:thuc-phan:2027-01")
    assert {r.recipient for r in short if r.channel == "email"} == {TP_STAFF_EMAIL, STAFF_EMAIL}
    unit_mail = body_of(tmp_path, next(r for r in short if r.recipient == TP_STAFF_EMAIL))
    assert unit_mail.startswith("Kính gửi Văn phòng Đảng ủy phường Thục Phán,")
    assert "không được tổ chức (Bí thư đi họp)" in unit_mail and "chưa ghi kết quả" not in unit_mail
    sup_mail = body_of(tmp_path, next(r for r in short if r.recipient == STAFF_EMAIL))
    assert sup_mail.startswith("Kính gửi Văn phòng Tỉnh ủy Cao Bằng,")
    assert "Đề nghị Văn phòng đôn đốc Đảng ủy phường Thục Phán" in sup_mail
    # A link a mail client opens, not a bare path: no [http] base_url here, so the server's own
    # address (Config.link); `tiepdan` warns at start that it opens only on that machine.
    assert "Xem lịch của đơn vị: http://127.0.0.1:8080/desk/units/thuc-phan" in sup_mail
    # "Not held" is not a cancellation: no CANCEL invitation for a session in the past.
    told = outbox(config, purpose="cancelled", session_id=jan29["id"])
    assert told and all(json.loads(r.payload).get("ics") is None for r in told)
    mail = body_of(tmp_path, next(r for r in told if r.channel == "email"))
    assert "không được tổ chức" in mail and "hủy" not in mail


def test_an_unrecorded_session_counts_only_after_the_grace_and_a_late_record_corrects_it(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    plan(config)
    mar15 = session_on(config, "thuc-phan", "2027-03-15")
    mar29 = session_on(config, "thuc-phan", "2027-03-29")  # a Monday; its grace ends Thu 01/04
    cli(config, "record", str(mar15["id"]), "--held", "--visits", "2", now="2027-03-15T12:00")
    subject = "period:thuc-phan:2027-03"
    for now in ("2027-03-30T07:05", "2027-04-01T07:05", "2027-04-01T17:05"):
        cli(config, "tick", now=now)
        assert outbox(config, purpose="ended_short", subject=subject) == []
    cli(config, "tick", now="2027-04-02T07:05")  # the grace is over: 29/03 counts, as unrecorded
    short = outbox(config, purpose="ended_short", subject=subject)
    text = body_of(tmp_path, next(r for r in short if r.recipient == TP_STAFF_EMAIL))
    assert "chưa ghi kết quả (ngày 29/03)" in text and "không được tổ chức" not in text
    cli(config, "record", str(mar29["id"]), "--held", "--visits", "1", now="2027-04-02T09:00")
    cli(config, "tick", now="2027-04-02T09:05")
    fixed = outbox(config, purpose="period_update", subject=subject)
    assert {json.loads(r.payload)["subject"] for r in fixed if r.channel == "email"} == {
        "[Đã cập nhật] Đảng ủy phường Thục Phán: tháng 03/2027 đạt 2/2 ngày tiếp"
    }
    assert {r.recipient for r in fixed if r.channel == "email"} == {TP_STAFF_EMAIL, STAFF_EMAIL}
    cli(config, "tick", now="2027-04-05T09:05")
    assert len(outbox(config, purpose="period_update", subject=subject)) == len(fixed)  # once


def test_a_make_up_that_breaks_the_mandate_or_the_posting_rule_is_booked_with_one_line(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    plan(config)
    jan29 = session_on(config, "thuc-phan", "2027-01-29")
    jan15 = session_on(config, "thuc-phan", "2027-01-15")
    cli(config, "cancel", str(jan15["id"]), "--reason", "Đi họp", now="2027-01-14T09:00")
    out = cli(config, "makeup", str(jan15["id"]), "--date", "2027-01-18", now="2027-01-14T09:05")
    assert out.err.strip() == (
        "Lưu ý: ngày 18/01/2027 chưa đủ 05 ngày làm việc để niêm yết lịch trước "
        "(sớm nhất 21/01/2027; Luật Tiếp công dân, Điều 24)"
    )
    cli(config, "cancel", str(jan29["id"]), "--reason", "Mưa lũ", now="2027-01-20T09:00")
    out = cli(config, "makeup", str(jan29["id"]), "--date", "2027-02-01", now="2027-01-20T09:05")
    (line,) = out.err.strip().splitlines()
    assert line.startswith("Lưu ý: ngày 01/02/2027 ngoài tháng 01/2027, tháng 01/2027 sẽ thiếu ngày tiếp")
    assert "Điều 24" not in line  # 5 working days ahead: it can be posted in time
    assert session_on(config, "thuc-phan", "2027-02-01")["kind"] == "makeup"  # still booked


def test_an_ad_hoc_session_is_announced_to_its_people_when_it_is_created(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    out = cli(
        config, "adhoc", "--unit", "cao-bang", "--date", "2027-03-03", "--reason", "Vụ việc đông người",
        "--format", "json", now="2027-02-22T09:00",
    ).out  # fmt: skip
    adhoc = json.loads(out)
    told = outbox(config, purpose="changed", session_id=adhoc["id"])
    assert {r.status for r in told} == {"sent"} and len(told) == 4  # head and staff, e-mail and SMS
    mail = next(r for r in told if r.channel == "email")
    payload = json.loads(mail.payload)
    assert payload["subject"].startswith("[Lịch tiếp đột xuất] Tiếp công dân thứ Tư, ngày 03/03/2027")
    assert "Lý do: Vụ việc đông người" in payload["text"]


def test_a_change_is_told_at_once_from_inside_the_use_case_and_only_its_own_messages(tmp_path: Path) -> None:
    # What the desk and the API call: the use case itself, not the CLI.
    from scheduler.infra.clock import parse_now
    from scheduler.infra.config import load_config
    from scheduler.infra.db import open_database
    from scheduler.usecases import cancel_makeup
    from scheduler.usecases import sessions as uc

    config_path = write_config(tmp_path)
    plan(config_path)
    # A reminder of another session is queued and waiting (the process stopped before sending).
    assert queue_only(config_path, "2027-01-18T07:01") > 0
    waiting = {r.id for r in outbox(config_path) if r.status == "pending"}
    config = load_config(config_path)
    engine = open_database(config.database_url)
    jan29 = session_on(config_path, "thuc-phan", "2027-01-29")
    now = parse_now("2027-01-18T09:00", config.timezone)
    cancel_makeup.cancel(
        engine, config, jan29["id"], reason="Mưa lũ", actor=uc.Actor("lan"), now=now, today=now.date()
    )
    engine.dispose()
    told = outbox(config_path, session_id=jan29["id"], purpose="cancelled")
    assert told and {r.status for r in told} == {"sent"}
    # The other session's queued reminder is left to the delivery job: not pushed with this change.
    assert {r.status for r in outbox(config_path) if r.id in waiting} == {"pending"}


def test_one_bad_session_is_reported_and_skipped_never_stopping_the_others(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, update
    from sqlalchemy.pool import NullPool
    from test_outbox_support import database_of

    from scheduler.infra.db.models import SessionRow

    config = write_config(tmp_path)
    plan(config)
    bad = session_on(config, "thuc-phan", "2027-01-29")
    engine = create_engine(database_of(config), poolclass=NullPool)
    with engine.begin() as conn:  # a row damaged outside tiepdan: its time cannot be read
        conn.execute(
            update(SessionRow.__table__).where(SessionRow.__table__.c.id == bad["id"]).values(start="7h")
        )
    engine.dispose()
    run = cli(config, "tick", now="2027-01-22T07:05")
    assert f"bỏ qua buổi tiếp số {bad['id']}" in run.err
    good = session_on(config, "cao-bang", "2027-01-25")
    assert {r.status for r in outbox(config, purpose="reminder", session_id=good["id"])} == {"sent"}


def test_a_serving_process_judges_a_unit_again_once_its_sessions_change(tmp_path: Path) -> None:
    # ``serve`` keeps one configuration and judges a unit's periods again only when its inputs
    # changed (scheduler/outbox/memo.py): a record between two ticks must still be seen.
    from sqlalchemy import update

    from scheduler.infra.clock import parse_now
    from scheduler.infra.config import load_config
    from scheduler.infra.db import open_database
    from scheduler.infra.db.models import SessionRow
    from scheduler.outbox import queue_due

    config_path = write_config(tmp_path)
    plan(config_path)
    mar15 = session_on(config_path, "thuc-phan", "2027-03-15")
    mar29 = session_on(config_path, "thuc-phan", "2027-03-29")
    cli(config_path, "record", str(mar15["id"]), "--held", "--visits", "2", now="2027-03-15T12:00")
    config = load_config(config_path)
    engine = open_database(config.database_url)
    subject = "period:thuc-phan:2027-03"
    try:
        queue_due(engine, config, parse_now("2027-04-02T07:05", config.timezone))
        assert outbox(config_path, purpose="ended_short", subject=subject)
        # Recorded by another process (its own telling not run yet: ``tiepdan record`` would tell
        # at once, with its own configuration).
        s = SessionRow.__table__
        with engine.begin() as conn:
            conn.execute(update(s).where(s.c.id == mar29["id"]).values(status="held", visits=1))
        assert not outbox(config_path, purpose="period_update", subject=subject)
        later = parse_now("2027-04-02T09:05", config.timezone)
        assert queue_due(engine, config, later) > 0
        assert outbox(config_path, purpose="period_update", subject=subject)
        assert queue_due(engine, config, later) == 0  # and a tick with nothing new writes nothing
    finally:
        engine.dispose()
