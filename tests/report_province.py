"""A small province with a year of history, built through the real use cases, for the report tests.

Units (parents through ``parent``)::

    cao-bang        Tỉnh ủy Cao Bằng              province        1 day a month     days [25]
    ├── hoa-an      Đảng ủy xã Hòa An             commune         2 days a month    days [10, 25]
    └── ha-quang    Đảng ủy xã Hà Quảng           commune         2 days a month    days [5, 20]
    ubnd-cao-bang   UBND tỉnh Cao Bằng            chair-province  1 day a month     days [15]
    └── ubnd-hoa-an UBND xã Hòa An                chair-commune   1 day a week until 30/6/2026,
                                                                  2 days a month from 1/7/2026;
                                                                  every Thursday

2026 is planned on 1/12/2025. "Today" is Monday 23/11/2026. Every session dated before today is
recorded as held with the ordinary counts (2 visits, 3 people, 1 case, 1 petition, groups not
recorded), except for what ``EVENTS`` below says. Then, on 23/11/2026, Hà Quảng's days become
[5] only (a re-plan withdraws its 21/12 session) and Hòa An's 25/11 session is cancelled.

The dates each unit gets in 2026 (by the rules; asserted in the tests, so that every figure the
tests work out by hand stands on them):
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from scheduler.infra.clock import parse_now
from scheduler.infra.config import Config, load_config
from scheduler.infra.db import open_database
from scheduler.infra.db.models import SessionRow
from scheduler.usecases import cancel_makeup, move_adhoc, record_outcome
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year

TODAY = date(2026, 11, 23)
NOW = "2026-11-23T09:00"
CLERK = uc.Actor("Nông Thị Hạnh")
ORDINARY = {"visits": 2, "people": 3, "cases": 1, "petitions": 1}  # groups left unrecorded (null)

D = date.fromisoformat

# The rules' dates in 2026 (the chair-commune's first one, for Thursday 1/1/2026, rolls back to
# Wednesday 31/12/2025: 1/1 is a holiday and 2/1 a configured day off, in the same ISO week).
DATES = {
    "cao-bang": "01-26 02-25 03-25 04-28 05-25 06-25 07-27 08-25 09-25 10-26 11-25 12-25",
    "hoa-an": (
        "01-10 01-26 02-10 02-25 03-10 03-25 04-10 04-28 05-11 05-25 06-10 06-25 "
        "07-10 07-27 08-10 08-25 09-10 09-25 10-12 10-26 11-10 11-25 12-10 12-25"
    ),
    "ha-quang": (
        "01-05 01-20 02-05 02-23 03-05 03-20 04-06 04-20 05-05 05-20 06-05 06-22 "
        "07-06 07-20 08-05 08-20 09-07 09-21 10-05 10-20 11-05 11-20 12-07 12-21"
    ),
    "ubnd-cao-bang": "01-15 02-23 03-16 04-15 05-15 06-15 07-15 08-17 09-15 10-15 11-16 12-15",
    "ubnd-hoa-an": (
        "01-08 01-15 01-22 01-29 02-05 02-12 02-26 03-05 03-12 03-19 03-26 04-02 04-09 04-16 "
        "04-23 04-29 05-07 05-14 05-21 05-28 06-04 06-11 06-18 06-25 07-02 07-09 07-16 07-23 "
        "07-30 08-06 08-13 08-20 08-27 09-03 09-10 09-17 09-24 10-01 10-08 10-15 10-22 10-29 "
        "11-05 11-12 11-19 11-26 12-03 12-10 12-17 12-24 12-31"
    ),
}
PLANNED_2026 = {u: [D(f"2026-{md}") for md in text.split()] for u, text in DATES.items()}
PLANNED_2026["ubnd-hoa-an"].insert(0, D("2025-12-31"))

CONFIG = """\
timezone = "Asia/Ho_Chi_Minh"
database = {database}
outbox_dir = "outbox"

[calendar]
country  = "VN"
roll     = "modified-following"
days_off = [ {{ date = "2026-01-02", name = "Nghỉ Tết Dương lịch (hoán đổi)", source = "12729/VPCP-KGVX" }} ]
workdays = ["2026-01-10"]

[report]
cutoff = "{cutoff}"

[levels.province]
name     = "Bí thư Tỉnh ủy"
min_days = 1
per      = "month"
basis    = "Quy định 11-QĐi/TW"

[levels.commune]
name     = "Bí thư Đảng ủy xã"
min_days = 2
per      = "month"
basis    = "Quy định 11-QĐi/TW; Kết luận 215-KL/TW"

[levels.chair-province]
name     = "Chủ tịch UBND tỉnh"
min_days = 1
per      = "month"
basis    = "Luật Tiếp công dân 42/2013/QH13, Điều 12"

[levels.chair-commune]
name     = "Chủ tịch UBND xã"
min_days = 2
per      = "month"
basis    = "Luật Tiếp công dân, sửa đổi bởi Luật số 136/2025/QH15"
earlier  = [ {{ until = "2026-06-30", min_days = 1, per = "week", basis = "Luật 42/2013/QH13, Điều 15" }} ]

[[units]]
id    = "cao-bang"
name  = "Tỉnh ủy Cao Bằng"
level = "province"
days  = [25]
time  = "07:30-11:30"
venue = "Trụ sở Tiếp công dân tỉnh Cao Bằng"

[[units]]
id     = "hoa-an"
name   = "Đảng ủy xã Hòa An"
level  = "commune"
parent = "cao-bang"
days   = [10, 25]
time   = "07:30-11:00"
venue  = "Trụ sở Đảng ủy xã Hòa An"

[[units]]
id     = "ha-quang"
name   = "Đảng ủy xã Hà Quảng"
level  = "commune"
parent = "cao-bang"
days   = {ha_quang_days}
time   = "07:30-11:00"
venue  = "Trụ sở Đảng ủy xã Hà Quảng"

[[units]]
id    = "ubnd-cao-bang"
name  = "Ủy ban nhân dân tỉnh Cao Bằng"
level = "chair-province"
body  = "state"
days  = [15]
time  = "07:30-11:30"
venue = "Trụ sở Tiếp công dân tỉnh Cao Bằng"

[[units]]
id     = "ubnd-hoa-an"
name   = "Ủy ban nhân dân xã Hòa An"
level  = "chair-commune"
parent = "ubnd-cao-bang"
body   = "state"
rrule  = "FREQ=WEEKLY;BYDAY=TH"
time   = "13:30-17:00"
venue  = "Bộ phận Tiếp công dân xã Hòa An"
"""


def write_config(
    directory: Path, db_url: str, *, ha_quang_days: str = "[5, 20]", cutoff: str = "calendar"
) -> Path:
    path = directory / "config.toml"
    path.write_text(
        CONFIG.format(database=json.dumps(db_url), ha_quang_days=ha_quang_days, cutoff=cutoff),
        encoding="utf-8",
    )
    return path


@dataclass
class Province:
    config_path: Path
    config: Config
    engine: Engine
    ids: dict[tuple[str, date], int]  # (unit, date) -> session id, of every session made

    def sid(self, unit: str, on: str) -> int:
        return self.ids[(unit, D(on))]


def _at(day: str) -> tuple[datetime, date]:
    return parse_now(f"{day}T09:00"), D(day)


def build_province(directory: Path, db_url: str) -> Province:
    path = write_config(directory, db_url)
    config = load_config(path)
    engine = open_database(config.database_url)
    now, today = _at("2025-12-01")
    plan_year(engine, config, 2026, now=now, today=today, actor="test")
    with engine.connect() as conn:
        t = SessionRow.__table__
        ids = {(u, d): i for i, u, d in conn.execute(select(t.c.id, t.c.unit_id, t.c.date))}
    p = Province(path, config, engine, ids)

    def cancel(unit: str, on: str, when: str, reason: str) -> None:
        now, today = _at(when)
        cancel_makeup.cancel(
            engine, config, p.sid(unit, on), reason=reason, actor=CLERK, now=now, today=today
        )

    def not_held(unit: str, on: str, reason: str) -> None:
        now, _ = _at(on)
        record_outcome.record(
            engine, config, p.sid(unit, on), held=False, reason=reason, actor=CLERK, now=now
        )

    def makeup(unit: str, of: str, on: str, when: str) -> None:
        now, today = _at(when)
        change = cancel_makeup.book_makeup(
            engine, config, p.sid(unit, of), on=D(on), actor=CLERK, now=now, today=today
        )
        row = change.session
        p.ids[(unit, row.date)] = row.id

    def held(unit: str, on: str, counts: dict[str, int], received_by: str | None = None) -> None:
        now, _ = _at(on)
        record_outcome.record(engine, config, p.sid(unit, on), held=True, counts=counts,
                  received_by=received_by,
                  actor=CLERK, now=now)  # fmt: skip

    def adhoc(unit: str, on: str, reason: str, counts: dict[str, int]) -> None:
        now, _ = _at(on)
        row = move_adhoc.add_adhoc(
            engine, config, unit, on=D(on), reason=reason, actor=CLERK, now=now
        ).session
        p.ids[(unit, row.date)] = row.id
        held(unit, on, counts)

    # Tỉnh ủy: March cancelled and made up two days later; July received by the deputy; an ad hoc
    # session for a delegation in September; October not held, made up in November (so October
    # falls short).
    cancel("cao-bang", "2026-03-25", "2026-03-20", "Bí thư dự Hội nghị Trung ương")
    makeup("cao-bang", "2026-03-25", "2026-03-27", "2026-03-20")
    held("cao-bang", "2026-03-27", {"visits": 5, "people": 7, "cases": 3, "petitions": 4, "groups": 1})
    held("cao-bang", "2026-07-27", {"visits": 4, "people": 4, "cases": 2, "petitions": 3, "groups": 0},
         received_by="Phó Bí thư Thường trực Tỉnh ủy")  # fmt: skip
    adhoc("cao-bang", "2026-09-10", "Đoàn đông người xã Quảng Hòa khiếu nại về đất đai",
          {"visits": 1, "people": 25, "cases": 1, "petitions": 1, "groups": 1})  # fmt: skip
    not_held("cao-bang", "2026-10-26", "Bí thư ốm")
    makeup("cao-bang", "2026-10-26", "2026-11-04", "2026-10-27")
    held("cao-bang", "2026-11-04", {"visits": 3, "people": 3, "cases": 2, "petitions": 2, "groups": 0})

    # Hòa An: February cancelled, never made up; June not held, its make-up cancelled too, and the
    # make-up of the make-up held; 10/11 left with no outcome recorded.
    cancel("hoa-an", "2026-02-10", "2026-02-05", "Bí thư đi học lớp bồi dưỡng")
    not_held("hoa-an", "2026-06-10", "Mưa lũ, chia cắt giao thông")
    makeup("hoa-an", "2026-06-10", "2026-06-12", "2026-06-10")
    cancel("hoa-an", "2026-06-12", "2026-06-11", "Tiếp tục mưa lũ")
    makeup("hoa-an", "2026-06-12", "2026-06-16", "2026-06-11")
    held("hoa-an", "2026-06-16", {"visits": 6, "people": 8, "cases": 4, "petitions": 5, "groups": 0})

    # Hà Quảng: August not held and not made up; 20/11 cancelled the day before, make-up booked
    # for 26/11.
    not_held("ha-quang", "2026-08-20", "Trụ sở đang sửa chữa")
    cancel("ha-quang", "2026-11-20", "2026-11-19", "Bí thư đi công tác")
    makeup("ha-quang", "2026-11-20", "2026-11-26", "2026-11-19")

    # UBND tỉnh: May received by the vice-chair; an ad hoc session for a delegation.
    held("ubnd-cao-bang", "2026-05-15", {"visits": 10, "people": 12, "cases": 6, "petitions": 8, "groups": 2},
         received_by="Phó Chủ tịch UBND tỉnh")  # fmt: skip
    adhoc("ubnd-cao-bang", "2026-05-20", "Đoàn đông người phường Thục Phán",
          {"visits": 2, "people": 30, "cases": 1, "petitions": 1, "groups": 1})  # fmt: skip

    # UBND xã Hòa An: 16/4 cancelled, made up on Friday 17/4 (same week); 4/6 not held and 3/9
    # cancelled, neither made up; 19/11 received by the vice-chair.
    cancel("ubnd-hoa-an", "2026-04-16", "2026-04-14", "Chủ tịch đi tập huấn")
    makeup("ubnd-hoa-an", "2026-04-16", "2026-04-17", "2026-04-14")
    not_held("ubnd-hoa-an", "2026-06-04", "Chủ tịch ốm")
    cancel("ubnd-hoa-an", "2026-09-03", "2026-09-01", "Chủ tịch họp Huyện ủy")
    held("ubnd-hoa-an", "2026-11-19", ORDINARY, received_by="Phó Chủ tịch UBND xã")

    # Everything else before today: held, ordinary counts; but Hòa An's 10/11 stays unrecorded.
    with engine.connect() as conn:
        t = SessionRow.__table__
        rest = conn.execute(
            select(t.c.id, t.c.unit_id, t.c.date).where(t.c.status == "planned", t.c.date < TODAY)
        ).all()
    for sid, unit, on in rest:
        if (unit, on) != ("hoa-an", D("2026-11-10")):
            now, _ = _at(on.isoformat())
            record_outcome.record(engine, config, sid, held=True, counts=ORDINARY, actor=CLERK, now=now)

    # Today: Hà Quảng keeps only the 5th (the re-plan withdraws 21/12); Hòa An cancels 25/11.
    path = write_config(directory, db_url, ha_quang_days="[5]")
    config = load_config(path)
    p.config = config
    now, today = _at(TODAY.isoformat())
    plan_year(engine, config, 2026, now=now, today=today, actor="test")
    cancel("hoa-an", "2026-11-25", TODAY.isoformat(), "Bí thư đi công tác nước ngoài")
    return p
