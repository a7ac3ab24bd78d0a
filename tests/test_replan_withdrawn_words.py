"""A session the re-planned year no longer has (a unit that changed its days) is told as what it
is: "[Điều chỉnh lịch] Không còn buổi tiếp ...", nothing to make up, with the calendar's CANCEL;
never "[Hoãn lịch]", which promises a make-up (issue 14: changes say what changed)."""

from __future__ import annotations

import json
from pathlib import Path

from test_outbox_support import TP_STAFF_EMAIL, cli, outbox, plan, write_config


def test_a_withdrawn_session_is_told_as_withdrawn_not_postponed(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    plan(config)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("days     = [15, 29]", "days     = [15]"), encoding="utf-8")
    out = cli(config, "plan", "--year", "2027", "--yes", now="2027-03-01T09:00").out
    assert "29/03/2027" in out
    cli(config, "tick", now="2027-03-01T09:05")
    rows = outbox(config, purpose="cancelled", unit_id="thuc-phan")
    told = [r for r in rows if r.recipient == TP_STAFF_EMAIL]
    assert told, "the ward's office was not told"
    payload = json.loads(told[0].payload)
    assert payload["subject"].startswith("[Điều chỉnh lịch] Không còn buổi tiếp công dân")
    assert "Hoãn" not in payload["subject"] and "được hoãn" not in payload["text"]
    assert "không phải tiếp bù" in payload["text"]
    assert "METHOD:CANCEL" in (payload.get("ics") or "")
