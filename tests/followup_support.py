"""Helpers for the follow-up tests: a configuration, a held session with three log rows.

Units: ``tinh`` (party, the 25th: Monday 25/01/2027), ``ubnd`` (state, the 22nd: Friday
22/01/2027) and ``xa`` under ``tinh`` (the 10th and 22nd). Every session is planned in 2027 and
the ones used are recorded held through the use cases, as a clerk would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from scheduler.infra.config import Config, load_config
from scheduler.infra.db import open_database
from scheduler.usecases import reception_log as book
from scheduler.usecases import record_outcome, session_reads
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year

CLERK = uc.Actor("lan")
CONFIG = """\
timezone = "Asia/Ho_Chi_Minh"
database = {database}
outbox_dir = "outbox"

[calendar]
country = "VN"
roll    = "modified-following"

[http]
base_url = "https://tiepdan.example.vn"

[levels.province]
name     = "Bí thư Tỉnh ủy"
min_days = 1
per      = "month"
basis    = "Quy định 11-QĐi/TW"

[levels.chair]
name     = "Chủ tịch UBND tỉnh"
min_days = 1
per      = "month"
basis    = "Luật Tiếp công dân 42/2013/QH13"

[levels.commune]
name     = "Bí thư Đảng ủy xã"
min_days = 2
per      = "month"
basis    = "Quy định 11-QĐi/TW"

[followup]
conclusion_within = 5
agencies = [ {{ name = "Sở Tài nguyên và Môi trường", email = "stnmt@example.vn" }} ]

[[units]]
id       = "tinh"
name     = "Tỉnh ủy Cao Bằng"
level    = "province"
body     = "party"
superior = "Đảng bộ tỉnh Cao Bằng"
place    = "Cao Bằng"
days     = [25]
time     = "07:30-11:30"
venue    = "Trụ sở Tiếp công dân tỉnh"
head     = {{ name = "Nguyễn Văn A", title = "Bí thư Tỉnh ủy" }}
staff    = [ {{ name = "Trần Thị B", email = "vanphong@tinh.example.vn" }} ]

[[units]]
id       = "ubnd"
name     = "Ủy ban nhân dân tỉnh Cao Bằng"
level    = "chair"
body     = "state"
place    = "Cao Bằng"
days     = [22]
time     = "07:30-11:30"
venue    = "Trụ sở Tiếp công dân tỉnh"
head     = {{ name = "Lê Văn C", title = "Chủ tịch UBND tỉnh" }}
staff    = [ {{ name = "Phạm Thị D", email = "tcd@ubnd.example.vn" }} ]

[[units]]
id       = "xa"
name     = "Đảng ủy xã Hưng Đạo"
level    = "commune"
parent   = "tinh"
days     = [10, 22]
time     = "07:30-11:00"
venue    = "Trụ sở Đảng ủy xã Hưng Đạo"
head     = {{ name = "Hoàng Văn E", title = "Bí thư Đảng ủy xã" }}
staff    = [ {{ name = "Nông Thị G", email = "vanphong@xa.example.vn" }} ]
"""

CITIZENS = (
    {
        "full_name": "Nguyễn Văn Bình",
        "address": "xóm Nà Rụa, xã Hưng Đạo",
        "id_number": "004087001234",
        "content": "Đề nghị giải quyết tranh chấp đất đai với hộ liền kề",
        "petitions": 1,
    },
    {
        "full_name": "Hoàng Thị Cúc",
        "address": "tổ 3, phường Thục Phán",
        "id_number": "004190005678",
        "content": "Khiếu nại việc bồi thường khi thu hồi đất làm đường",
        "petitions": 1,
    },
    {
        "full_name": "Lục Văn Dũng",
        "address": "tổ 5, phường Tân Giang",
        "content": "Phản ánh tiếng ồn của xưởng gỗ",
        "people": 12,
        "is_group": True,
    },
)


def at(text: str) -> datetime:
    """Local "2027-01-25T10:00" as UTC."""
    return datetime.fromisoformat(text + "+07:00").astimezone(UTC)


@dataclass
class World:
    path: Path
    config: Config
    engine: Engine

    def session(self, unit: str, day: date) -> Any:
        rows = session_reads.list_sessions(self.engine, unit_ids=[unit], first=day, last=day)
        assert len(rows) == 1, rows
        return rows[0]

    def hold(
        self, unit: str, day: date, citizens: tuple[dict[str, Any], ...] = CITIZENS
    ) -> tuple[int, list[int]]:
        """Log the citizens at the unit's session of ``day`` and record it held; (session, rows)."""
        s = self.session(unit, day)
        now = at(f"{day.isoformat()}T11:00")
        entries = [book.add_entry(self.engine, self.config, s.id, c, actor=CLERK, now=now) for c in citizens]
        record_outcome.record(self.engine, self.config, s.id, held=True, actor=CLERK, now=now)
        return s.id, entries


def write_config(directory: Path, db_url: str) -> Path:
    path = directory / "config.toml"
    path.write_text(CONFIG.format(database=json.dumps(db_url)), encoding="utf-8")
    return path


def world(directory: Path, db_url: str) -> World:
    path = write_config(directory, db_url)
    config = load_config(path)
    engine = open_database(config.database_url)
    plan_year(engine, config, 2027, now=at("2026-12-01T08:00"), today=date(2026, 12, 1), actor="test")
    return World(path, config, engine)
