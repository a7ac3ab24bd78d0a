"""The dialogue of 20/06/2027 chased through the outbox: its notice (due 13/06) and its results
(due 30/06) reminded on working days on the policy's steps, each once, to the head and the staff,
the last step to the superior too; nothing once the fact is recorded; a year at risk told in its
last quarter. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

from dialogue_support import CLERK, at, dialogue_config
from sqlalchemy import select

from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.infra.db.models import OutboxRow
from scheduler.outbox.due_dialogue import queue_dialogues
from scheduler.usecases import dialogues as dg

D = date.fromisoformat


class Told:
    def __init__(self, row):
        self.subject, self.purpose, self.lead = row.subject, row.purpose, row.lead
        self.payload_text = json.dumps(json.loads(row.payload), ensure_ascii=False)


def told(engine, subject_prefix="dialogue:"):
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxRow).order_by(OutboxRow.id)).all()
    return [Told(r) for r in rows if r.subject.startswith(subject_prefix)]


def test_the_notice_and_the_results_of_20_june_2027_are_chased(tmp_path, db_url):
    path = dialogue_config(tmp_path, db_url)
    text = path.read_text(encoding="utf-8").replace(
        'venue  = "Bộ phận Tiếp công dân phường Thục Phán"',
        'venue  = "Bộ phận Tiếp công dân phường Thục Phán"\n'
        'head   = { name = "Lê Văn H", title = "Chủ tịch UBND phường", email = "ct@thucphan.example.vn" }\n'
        'staff  = [ { name = "Vũ Thị S", email = "vp@thucphan.example.vn" } ]\n'
        'co_organisers = [ { name = "Ủy ban Mặt trận Tổ quốc Việt Nam phường Thục Phán", '
        'email = "mttq@thucphan.example.vn" } ]',
    )
    path.write_text(text, encoding="utf-8")
    config, engine = load_config(path), open_database(db_url)
    try:
        row = dg.plan_dialogue(
            engine, config, "ubnd-thuc-phan", held_on=D("2027-06-20"), topic="Quy hoạch",
            actor=CLERK, now=at("2027-01-05T08:00"), today=D("2027-01-05"),
        )  # fmt: skip
        assert queue_dialogues(engine, config, at("2027-06-08T08:00")) == 0  # before the first step
        # Wednesday 09/06: 3 working days before Sunday 13/06.
        assert queue_dialogues(engine, config, at("2027-06-09T08:00")) == 2  # head and staff, by e-mail
        assert queue_dialogues(engine, config, at("2027-06-09T15:00")) == 0  # never twice
        first = told(engine)
        assert {r.purpose for r in first} == {"dlg_notice_due"} and {r.lead for r in first} == {-3}
        assert "13/06/2027" in first[0].payload_text and "/desk/dialogues/" in first[0].payload_text
        assert queue_dialogues(engine, config, at("2027-06-12T08:00")) == 0  # a Saturday: no alert
        # Monday 14/06: one working day late, the last word (no superior staff here: same two).
        assert queue_dialogues(engine, config, at("2027-06-14T08:00")) == 2
        late = [r for r in told(engine) if r.purpose == "dlg_notice_late"]
        assert {r.lead for r in late} == {1} and "Đây là lần nhắc cuối" in late[0].payload_text
        dg.announce_dialogue(engine, row.id, actor=CLERK, now=at("2027-06-14T09:00"), today=D("2027-06-14"))
        # Announced: the co-organiser (the MTTQ, with a contact) is told, once; the head and the
        # staff, who announced it, are not. Friday 18/06: everyone is reminded of Sunday's.
        assert queue_dialogues(engine, config, at("2027-06-14T10:00")) == 1
        assert queue_dialogues(engine, config, at("2027-06-17T08:00")) == 0
        assert queue_dialogues(engine, config, at("2027-06-18T08:00")) == 3
        news = [r for r in told(engine) if r.purpose in ("dlg_announced", "dlg_reminder")]
        assert [(r.purpose, r.lead) for r in news] == [("dlg_announced", 0)] + [("dlg_reminder", 1)] * 3
        assert "Kính gửi Ủy ban Mặt trận Tổ quốc Việt Nam phường Thục Phán," in news[0].payload_text
        last = news[-1].payload_text
        assert "(2 ngày nữa)" in last and "chủ nhật, ngày 20/06/2027" in last
        dg.record_dialogue(engine, row.id, actor=CLERK, now=at("2027-06-20T16:00"), today=D("2027-06-20"))
        # Results due Wednesday 30/06: told on Friday 25/06 (3 before), 29/06 (1), 01/07 (1 after).
        assert queue_dialogues(engine, config, at("2027-06-25T08:00")) == 2
        assert queue_dialogues(engine, config, at("2027-07-01T08:00")) == 2
        results = [r for r in told(engine) if r.purpose.startswith("dlg_results")]
        assert [r.lead for r in results][::2] == [-3, 1] and "30/06/2027" in results[-1].payload_text
        dg.conclude_dialogue(engine, row.id, actor=CLERK, now=at("2027-07-01T09:00"), today=D("2027-07-01"))
        assert queue_dialogues(engine, config, at("2027-07-05T08:00")) == 0  # told it is done: stops
    finally:
        engine.dispose()


def test_a_year_without_a_dialogue_is_at_risk_in_its_last_quarter(tmp_path, db_url):
    path = dialogue_config(tmp_path, db_url)
    config, engine = load_config(path), open_database(db_url)
    try:
        assert queue_dialogues(engine, config, at("2027-09-01T08:00")) == 0  # 121 days left
        queue_dialogues(engine, config, at("2027-10-01T08:00"))  # 91 days left: the first stage
        year = told(engine, "dialogue-year:")
        assert {r.subject for r in year} == {"dialogue-year:cao-bang:2027"}  # the only one with a head
        assert "0/1" in year[0].payload_text and "31/12/2027" in year[0].payload_text
        assert queue_dialogues(engine, config, at("2027-10-04T08:00")) == 0  # the same stage: once
    finally:
        engine.dispose()


def test_a_year_the_office_began_in_is_not_alerted_on_what_it_held_before(tmp_path, db_url):
    # Began to use tiepdan on 01/03/2027: a dialogue held in January or February is not on record,
    # so a year with nothing recorded for the unit is not told "at risk".
    path = dialogue_config(tmp_path, db_url)
    path.write_text('since = "2027-03-01"\n' + path.read_text(encoding="utf-8"), encoding="utf-8")
    config, engine = load_config(path), open_database(db_url)
    try:
        assert queue_dialogues(engine, config, at("2027-10-01T08:00")) == 0
        assert told(engine, "dialogue-year:") == []
    finally:
        engine.dispose()


def test_a_reminder_of_the_old_day_is_not_sent_once_the_dialogue_is_postponed(tmp_path):
    # Queued on Friday 18/06 at 07:30 for Sunday 20/06, not yet sent when the dialogue is moved to
    # 27/06 at 08:00: the postponement goes, the reminder of the old day is dropped at delivery.
    db_url = f"sqlite:///{tmp_path / 't.db'}"
    path = dialogue_config(tmp_path, db_url)
    text = path.read_text(encoding="utf-8").replace(
        'venue  = "Bộ phận Tiếp công dân phường Thục Phán"',
        'venue  = "Bộ phận Tiếp công dân phường Thục Phán"\n'
        'staff  = [ { name = "Vũ Thị S", email = "vp@thucphan.example.vn" } ]',
    )
    path.write_text(text, encoding="utf-8")
    config, engine = load_config(path), open_database(db_url)
    try:
        row = dg.plan_dialogue(
            engine, config, "ubnd-thuc-phan", held_on=D("2027-06-20"), topic="Quy hoạch",
            actor=CLERK, now=at("2027-01-05T08:00"), today=D("2027-01-05"),
        )  # fmt: skip
        dg.announce_dialogue(engine, row.id, actor=CLERK, now=at("2027-06-10T09:00"), today=D("2027-06-10"))
        assert queue_dialogues(engine, config, at("2027-06-18T07:30")) == 1
        dg.postpone_dialogue(
            engine, config, row.id, reason="Trùng kỳ họp", new_date=D("2027-06-27"),
            actor=CLERK, now=at("2027-06-18T08:00"), today=D("2027-06-18"),
        )  # fmt: skip
        with engine.connect() as conn:
            rows = conn.execute(select(OutboxRow).order_by(OutboxRow.id)).all()
        told = [(r.purpose, r.status) for r in rows]
        assert told == [("dlg_reminder", "dropped"), ("dlg_postponed", "sent")]
        assert "đổi ngày" in rows[0].last_error
    finally:
        engine.dispose()
