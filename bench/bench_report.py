"""Benchmark of ``tiepdan report`` on a national registry (bench/registry.py).

Plans 2026 into a fresh SQLite database, records a year of outcomes in bulk SQL (held with
counts, some received by a deputy, cancelled and not held, half of those made up, ad hoc sessions,
some left unrecorded), then times, as of 20/12/2026 (an open year: the risk part runs too):

- the national annual report as JSON, HTML and XLSX;
- one province's quarter (the province with the most units under it), JSON;
- beside them, ``tiepdan sessions --format json`` of the same data.

Each command is timed in this process (``scheduler.cli.main``, output to a file: the command's own
work) and, for JSON, also as a fresh ``tiepdan`` process (what a person waits for, interpreter
start and imports included). Goals: national annual JSON < 5 s, a province's quarter < 1 s.

    .venv/bin/python bench/bench_report.py [--shape pre2025|post2025] [--chairs] [--out DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from registry import SHAPES, write_registry
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.cli import main as tiepdan_main  # noqa: E402
from scheduler.infra.clock import parse_now  # noqa: E402
from scheduler.infra.config import Config, load_config  # noqa: E402
from scheduler.infra.db import open_database  # noqa: E402
from scheduler.usecases.planning import plan_year  # noqa: E402

YEAR = 2026
NOW = "2026-12-20T09:00"
GOALS = {"national annual JSON": 5.0, "province quarter JSON": 1.0}

# Outcomes by a hash of the id (deterministic): 2% left unrecorded, 4% cancelled, 2% not held,
# the rest held; 1 held in 20 received by a deputy; half of the lost ones made up 3 days later.
OUTCOMES = """
UPDATE sessions SET
  status = CASE
    WHEN (id * 7919) % 100 < 2 THEN 'planned'
    WHEN (id * 7919) % 100 < 6 THEN 'cancelled'
    WHEN (id * 7919) % 100 < 8 THEN 'not_held'
    ELSE 'held' END,
  needs_makeup = CASE WHEN (id * 7919) % 100 BETWEEN 2 AND 7 THEN 1 ELSE 0 END,
  reason = CASE WHEN (id * 7919) % 100 BETWEEN 2 AND 7 THEN 'Bí thư đi công tác' ELSE reason END,
  visits = CASE WHEN (id * 7919) % 100 >= 8 THEN (id * 13) % 9 END,
  people = CASE WHEN (id * 7919) % 100 >= 8 THEN (id * 13) % 9 + id % 4 END,
  cases = CASE WHEN (id * 7919) % 100 >= 8 THEN (id * 11) % 5 END,
  petitions = CASE WHEN (id * 7919) % 100 >= 8 THEN (id * 17) % 6 END,
  groups = CASE WHEN (id * 7919) % 100 >= 8 AND id % 53 = 0 THEN 1 END,
  received_by = CASE WHEN (id * 7919) % 100 >= 8 AND id % 20 = 0 THEN 'Phó Bí thư' END,
  version = version + 1
WHERE kind = 'periodic' AND date < :today
"""
MAKEUPS = """
INSERT INTO sessions (unit_id, kind, status, date, start, "end", venue, online_url, reason, pinned,
                      needs_makeup, replaces_id, version, visits, people, cases, petitions, groups,
                      created_at, updated_at)
SELECT unit_id, 'makeup', CASE WHEN date(date, '+3 days') < :today THEN 'held' ELSE 'planned' END,
       date(date, '+3 days'), start, "end", venue, '', 'Tiếp bù', 1, 0, id, 1, 3, 4, 2, 2, NULL,
       created_at, updated_at
FROM sessions WHERE status IN ('cancelled', 'not_held') AND id % 2 = 0
"""
MADE_UP = """
UPDATE sessions SET needs_makeup = 0
WHERE id IN (SELECT replaces_id FROM sessions WHERE replaces_id IS NOT NULL)
"""
ADHOC = """
INSERT INTO sessions (unit_id, kind, status, date, start, "end", venue, online_url, reason, pinned,
                      needs_makeup, version, visits, people, cases, petitions, groups, created_at, updated_at)
SELECT unit_id, 'adhoc', 'held', date(date, '+1 days'), start, "end", venue, '', 'Đoàn đông người', 1, 0, 1,
       1, 20, 1, 1, 1, created_at, updated_at
FROM sessions WHERE kind = 'periodic' AND status = 'held' AND id % 97 = 0
"""


def prepare(out: Path, shape: str, chairs: bool) -> Config:
    config_path = write_registry(out, shape, chairs=chairs)
    for suffix in ("", "-wal", "-shm"):
        (out / f"bench.db{suffix}").unlink(missing_ok=True)
    config = load_config(config_path)
    engine = open_database(config.database_url)
    t0 = time.perf_counter()
    result = plan_year(engine, config, YEAR, now=parse_now("2025-12-01T09:00"), today=date(2025, 12, 1),
                       actor="bench")  # fmt: skip
    print(f"registry: {shape}{' + chairs' if chairs else ''}, {len(config.units):,} units")
    print(f"plan {YEAR}: {result.created:,} sessions in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    today = {"today": parse_now(NOW).date().isoformat()}
    with engine.begin() as conn:
        conn.execute(text(OUTCOMES), today)
        conn.execute(text(MAKEUPS), today)
        conn.execute(text(MADE_UP))
        conn.execute(text(ADHOC), today)
        counts = Counter(
            {
                f"{k} {s}": n
                for k, s, n in conn.execute(text("SELECT kind, status, count(*) FROM sessions GROUP BY 1, 2"))
            }
        )
    engine.dispose()
    print(f"outcomes recorded in bulk in {time.perf_counter() - t0:.1f} s: "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))  # fmt: skip
    return config


@contextlib.contextmanager
def stdout_to(path: Path) -> Iterator[None]:
    with (
        path.open("w", encoding="utf-8") as f,
        contextlib.redirect_stdout(f),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        yield


def timed(label: str, args: list[str], out: Path) -> float:
    """Wall and CPU time of one command in this process; on a busy machine the CPU time is the
    steadier figure (wall time then includes waiting for a processor)."""
    t0, c0 = time.perf_counter(), time.process_time()
    with stdout_to(out):
        code = tiepdan_main(args)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    if code != 0:
        raise SystemExit(f"{label}: exit {code}")
    size = out.stat().st_size if out.exists() else 0
    goal = GOALS.get(label)
    verdict = "" if goal is None else f"  goal < {goal:g} s: {'met' if elapsed < goal else 'NOT MET'}"
    print(f"{label:<30} {elapsed:7.2f} s wall {cpu:7.2f} s cpu {size / 1e6:7.1f} MB{verdict}")
    return elapsed


def timed_process(label: str, args: list[str], out: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    with out.open("wb") as f:
        subprocess.run([sys.executable, "-m", "scheduler", *args], stdout=f, stderr=subprocess.DEVNULL,
                       env=env, check=True)  # fmt: skip
    elapsed = time.perf_counter() - t0
    print(f"{label:<30} {elapsed:7.2f} s wall (a fresh process: interpreter start and imports included)")
    return elapsed


def biggest_province(config: Config) -> tuple[str, int]:
    roots = [u for u in config.units if u.parent is None and u.level == "province"]
    sizes = {u.id: len(config.subtree(u.id)) for u in roots}
    uid = max(sizes, key=lambda k: sizes[k])
    return uid, sizes[uid]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shape", choices=SHAPES, default="pre2025")
    ap.add_argument("--chairs", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "report")
    ap.add_argument("--reuse", action="store_true", help="time the database already in --out")
    args = ap.parse_args(argv)
    out: Path = args.out
    config = load_config(out / "config.toml") if args.reuse else prepare(out, args.shape, args.chairs)
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    cfg = ["--config", str(config.path), "--now", NOW]
    province, size = biggest_province(config)
    print(f"as of {NOW}; province: {province} ({size:,} units)\n")
    year = ["--period", "2026"]
    quarter = ["--period", "2026-Q3", "--unit", province]
    all_year = ["--from", "2026-01-01", "--to", "2026-12-31"]
    q3 = ["--unit", province, "--from", "2026-07-01", "--to", "2026-09-30"]
    runs: list[tuple[str, list[str], str]] = [
        ("sessions JSON, national year", ["sessions", *all_year], "sessions.json"),
        ("national annual JSON", ["report", *year], "report.json"),
        ("national annual HTML", ["report", *year, "--format", "html"], "report.html"),
        ("national annual XLSX", ["report", *year, "--out", str(out / "report.xlsx")], "xlsx.log"),
        ("sessions JSON, province Q3", ["sessions", *q3], "sessions-q3.json"),
        ("province quarter JSON", ["report", *quarter], "report-q3.json"),
        ("province quarter JSON, tt02", ["report", *quarter, "--cutoff", "tt02"], "report-q3-tt02.json"),
    ]  # fmt: skip
    for label, args_, name in runs:
        fmt = [] if "--format" in args_ or "--out" in args_ else ["--format", "json"]
        timed(label, [*args_, *cfg, *fmt], out / name)
        if label == "national annual XLSX":
            print(f"{'':<30} {'':>30} {(out / 'report.xlsx').stat().st_size / 1e6:7.1f} MB (the workbook)")
    print()
    timed_process(
        "national annual JSON, CLI", ["report", *year, *cfg, "--format", "json"], out / "report-cli.json"
    )
    timed_process(
        "province quarter JSON, CLI", ["report", *quarter, *cfg, "--format", "json"], out / "q3-cli.json"
    )
    timed_process("startup only (tiepdan --help)", ["--help"], out / "help.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
