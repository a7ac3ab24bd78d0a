"""A year of alerts as an office lives it: ``tiepdan tick`` three times a working day (and at
night after a late decision) through 2027 on a fixture, messages to the file channel, and the
figures issue 14 asks for.

The fixture: the provincial party committee (``cao-bang``, 1 session a month) and ``N`` commune
committees under it (2 a month, the 15th and 29th), one office's behaviour each:

- every session recorded held on its day, or the next morning (within the grace);
- ``thuc-phan``: the session of 29/01 postponed at 22:30 and never made up;
- ``cao-bang``: June's session recorded late, after the grace (a correction is due);
- ``cao-bang``: 25/03 moved to 26/03 by decision; one commune: 15/09 recorded not held and made up.

Run: ``.venv/bin/python bench/bench_alerts_year.py [--communes 6]``. It prints the figures and
exits non-zero when one of issue 14's "done means" does not hold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import select  # noqa: E402
from test_outbox_support import STAFF_EMAIL, STAFF_PHONE, UNITS, cli, write_config  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ALERTS = ("makeup_alert", "at_risk", "ended_short", "period_update", "outcome_missing", "outcome_missing_sup")


def communes(n: int) -> str:
    out = []
    for i in range(1, n):
        out.append(
            UNITS["thuc-phan"]
            .replace('id       = "thuc-phan"', f'id       = "xa-{i}"')
            .replace("Đảng ủy phường Thục Phán", f"Đảng ủy xã Số {i}")
            .replace("vp@thucphan.example.vn", f"vp@xa{i}.example.vn")
            .replace("bithu@thucphan.example.vn", f"bithu@xa{i}.example.vn")
            .replace("+84911222444", f"+8491100{i:04d}")
        )
    return "".join(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--communes", type=int, default=6)
    args = ap.parse_args()
    from scheduler.infra.config import load_config
    from scheduler.infra.db import open_database
    from scheduler.infra.db.models import OutboxRow, SessionRow
    from scheduler.jobs import tick
    from scheduler.outbox import build_channels

    tmp = Path(tempfile.mkdtemp(prefix="tiepdan-year-"))
    config_path = write_config(tmp, extra_units=communes(args.communes))
    cli(config_path, "plan", "--year", "2027", now="2026-12-20T08:00")
    config = load_config(config_path)
    engine = open_database(config.database_url)
    channels = build_channels(config)
    S, OB = SessionRow.__table__, OutboxRow.__table__

    def session_on(unit: str, d: date) -> int:
        with engine.connect() as conn:
            sid = conn.execute(
                select(S.c.id).where(S.c.unit_id == unit, S.c.date == d, S.c.status == "planned")
            ).scalar()
        assert sid is not None, (unit, d)
        return int(sid)

    ticks = 0
    started = time.perf_counter()

    def run_tick(at: datetime) -> None:
        nonlocal ticks
        asyncio.run(tick(engine, config, channels, at.astimezone(VN)))
        ticks += 1

    never_made_up = session_on("thuc-phan", date(2027, 1, 29))
    late_june = session_on("cao-bang", date(2027, 6, 25))
    not_held = session_on("xa-1", date(2027, 9, 15)) if args.communes > 1 else None
    moved = session_on("cao-bang", date(2027, 3, 25))
    d = date(2027, 1, 1)
    while d <= date(2028, 1, 10):

        def at(h: int, m: int = 0, d: date = d) -> datetime:
            return datetime(d.year, d.month, d.day, h, m, tzinfo=VN)

        if d == date(2027, 1, 20):
            cli(config_path, "cancel", str(never_made_up), "--reason", "Mưa lũ", now=at(22, 30).isoformat())
            run_tick(at(22, 35))
        if d == date(2027, 3, 10):
            cli(
                config_path,
                "move",
                str(moved),
                "--date",
                "2027-03-26",
                "--reason",
                "Trùng Hội nghị Ban Chấp hành Đảng bộ tỉnh",
                now=at(9).isoformat(),
            )
        for h in (7, 12, 17):
            run_tick(at(h, 5))
            if h == 12:
                _record_the_day(
                    engine,
                    S,
                    config_path,
                    d,
                    skip={never_made_up, late_june, not_held},
                    next_morning="thuc-phan",
                )
        if not_held is not None and d == date(2027, 9, 15):
            cli(
                config_path,
                "record",
                str(not_held),
                "--not-held",
                "--reason",
                "Bí thư đi họp đột xuất",
                now=at(16).isoformat(),
            )
            cli(config_path, "makeup", str(not_held), "--date", "2027-09-24", now=at(16, 10).isoformat())
        if d == date(2027, 7, 8):
            cli(config_path, "record", str(late_june), "--held", "--visits", "3", now=at(9).isoformat())
        d += timedelta(days=1)
    elapsed = time.perf_counter() - started

    with engine.connect() as conn:
        rows = conn.execute(select(OB).where(OB.c.status == "sent")).all()
    print(
        f"{ticks} ticks over 2027 (+10 days of 2028), {args.communes} communes + the province, "
        f"{len(rows)} messages sent, {elapsed:.0f} s"
    )
    ok = True

    def check(label: str, good: bool, detail: str = "") -> None:
        nonlocal ok
        ok &= good
        print(f"  [{'ok' if good else 'KHÔNG ĐẠT'}] {label}{': ' + detail if detail else ''}")

    def local(r: object) -> datetime:
        sent = r.sent_at  # type: ignore[attr-defined]
        return (
            sent.replace(tzinfo=ZoneInfo("UTC")).astimezone(VN)
            if sent.tzinfo is None
            else sent.astimezone(VN)
        )

    waiting = [r for r in rows if r.purpose == "makeup_alert" and r.session_id == never_made_up]
    per = Counter(r.recipient for r in waiting)
    check(
        "make-up alerts for the never-made-up session, per recipient <= 8",
        max(per.values(), default=0) <= 8,
        ", ".join(f"{k} {v}" for k, v in sorted(per.items())),
    )
    weekend = [r for r in rows if r.purpose in ALERTS and not config.calendar.is_working_day(local(r).date())]
    check("alerts delivered on a weekend or day off", not weekend, str(len(weekend)))
    last = [r for r in waiting if "lần cuối" in json.loads(r.payload).get("text", "lần cuối")]
    check("the last make-up alert says it is the last", bool(last))
    seen: Counter[tuple[str, str, str]] = Counter()
    for r in rows:
        p = json.loads(r.payload)
        seen[(r.recipient, p.get("subject", ""), p.get("text") or p.get("sms", ""))] += 1
    purpose_of = {}
    for r in rows:
        p = json.loads(r.payload)
        purpose_of[(r.recipient, p.get("subject", ""), p.get("text") or p.get("sms", ""))] = r.purpose
    dup_by: Counter[str] = Counter()
    for key, n in seen.items():
        if n > 1:
            dup_by[purpose_of[key]] += n - 1
    mine = sum(n for p, n in dup_by.items() if p in (*ALERTS, "reminder", "changed", "cancelled"))
    check(
        "duplicate reminders, alerts and change messages (same recipient, same words)",
        mine == 0,
        ", ".join(f"{k} {v}" for k, v in sorted(dup_by.items())) or "0",
    )
    ended = [r for r in rows if r.purpose == "ended_short"]
    ended_subjects = {r.subject for r in ended}
    expected_short = {"period:thuc-phan:2027-01", "period:cao-bang:2027-06"}
    check(
        "'ended short' only for the months really short",
        ended_subjects <= expected_short,
        ", ".join(sorted(ended_subjects)),
    )
    corrections = [r for r in rows if r.purpose == "period_update"]
    words = {json.loads(r.payload).get("subject", "") for r in corrections if r.channel == "email"}
    check("a correction when a late record changes a verdict", bool(corrections), "; ".join(sorted(words)))
    changes = [r for r in rows if r.purpose == "changed" and r.channel == "email"]
    without_old = [
        r
        for r in changes
        if "Ngày cũ" not in json.loads(r.payload)["text"]
        and "Thay cho buổi" not in json.loads(r.payload)["text"]
    ]
    check(
        "every change message names the old and the new date",
        not without_old,
        f"{len(changes)} change e-mails, {len(without_old)} without the old date",
    )
    province = [r for r in rows if r.recipient in (STAFF_EMAIL, STAFF_PHONE)]
    by_purpose = Counter(r.purpose for r in province)
    by_month: dict[str, int] = defaultdict(int)
    for r in province:
        by_month[local(r).strftime("%Y-%m")] += 1
    print(
        f"  provincial office ({STAFF_EMAIL}, {STAFF_PHONE}): {len(province)} messages in the year, "
        f"at most {max(by_month.values(), default=0)} in a month; by purpose: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_purpose.items()))
    )
    total = Counter(r.purpose for r in rows)
    print("  all messages by purpose: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))
    return 0 if ok else 1


def _record_the_day(engine, S, config_path: Path, d: date, *, skip: set, next_morning: str) -> None:  # type: ignore[no-untyped-def]
    """Record today's sessions held at noon; ``next_morning``'s unit records yesterday's instead."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(S.c.id, S.c.unit_id, S.c.date).where(
                S.c.status == "planned", S.c.date.between(d - timedelta(days=1), d)
            )
        ).all()
    for sid, unit_id, on in rows:
        if sid in skip:
            continue
        if (unit_id == next_morning) != (on < d):
            continue
        cli(
            config_path,
            "record",
            str(sid),
            "--held",
            "--visits",
            "2",
            "--people",
            "2",
            now=datetime(d.year, d.month, d.day, 12, 0, tzinfo=VN).isoformat(),
        )


if __name__ == "__main__":
    raise SystemExit(main())
