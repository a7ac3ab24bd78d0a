"""A session right after Tết: its reminders fall on days off, so they go on the last working day
before Tết (a week early), on that morning, and not late on a day of Tết itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from service_support import tiepdan

CONFIG = """
timezone = "Asia/Ho_Chi_Minh"
database = "sqlite:///t.db"
since = "2026-12-01"
[calendar]
country = "VN"
[levels.commune]
name = "Xã"
min_days = 1
per = "month"
[[units]]
id = "xa-a"
name = "Đảng ủy xã A"
level = "commune"
days = [11]
time = "07:30-11:30"
venue = "Trụ sở"
staff = [ { name = "Trần Thị B", email = "b@example.vn" } ]
"""


def test_reminders_of_the_first_session_after_tet_go_before_tet_on_time(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    tiepdan(config, "plan", "--year", "2027", now="2027-01-20T08:00")
    # Thursday 11/02/2027 is the first working day after Tết (04/02-10/02 off): its 1- and 7-day
    # reminders fall on 10/02 and 04/02, both days off, so both go on Wednesday 03/02.
    for day in ("2027-02-02", "2027-02-03", "2027-02-04", "2027-02-10"):
        tiepdan(config, "tick", now=f"{day}T07:30")
    with sqlite3.connect(tmp_path / "t.db") as db:
        rows = db.execute(
            "SELECT lead, due_at, sent_at FROM outbox WHERE purpose = 'reminder' ORDER BY id"
        ).fetchall()
    # One reminder (the nearer lead: both were due the same morning), queued and sent on 03/02.
    assert [(lead, due[:10], sent[:10]) for lead, due, sent in rows] == [(1, "2027-02-03", "2027-02-03")]
