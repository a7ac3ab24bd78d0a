"""Benchmark of the service on the national registry (bench/registry.py, ``pre2025``: 63
provinces, 705 districts, 10,599 communes; 263,592 sessions a year).

In one run, for one year (2027):

1. ``tiepdan calendar --format json`` (the bare rules engine, end to end, output to /dev/null);
2. on SQLite and on PostgreSQL (a throwaway cluster started the way the tests start it,
   tests/pg.py; or ``TIEPDAN_TEST_PG_URL``):
   - ``tiepdan plan --year 2027`` into an empty database (goal: < 5 s SQLite, < 8 s PostgreSQL);
   - ``tiepdan plan --year 2027`` again with nothing changed (goal: < 3 s), and the proof that it
     wrote no row: the count, sum of versions, max(updated_at) of the sessions and the count and
     max(id) of the audit rows are the same before and after (on PostgreSQL also the server's
     own counters of inserted/updated/deleted tuples, pg_stat_user_tables);
   - ``tiepdan sessions --unit U --from --to --format json`` for one commune and one year: the
     whole command, and the query alone in process (``session_reads.list_sessions`` and
     ``session_views.replacements``, as the command calls them; goal: < 100 ms).

Every time is wall-clock, the best of ``--repeat`` runs (each plan run into a fresh database).
The machine's load average is printed beside: wall times on a shared machine are only as good
as the idle CPU they got.

Run (from the repository root)::

    .venv/bin/python bench/bench_plan.py
    .venv/bin/python bench/bench_plan.py --repeat 3 --no-postgres
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from registry import write_registry
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tests/pg.py: the throwaway PostgreSQL cluster

GOALS = {"plan sqlite": 5.0, "plan postgresql": 8.0, "replan": 3.0, "query": 0.100}


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} on {os.cpu_count()} CPUs"


def cli(config: Path, *args: str, stdout: Any = subprocess.PIPE) -> tuple[float, float, str]:
    """Run ``tiepdan ARGS --config CONFIG``: its wall time, its CPU time (user + system), its output."""
    cmd = [sys.executable, "-m", "scheduler", *args, "--config", str(config)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=config.parent, stdout=stdout, stderr=subprocess.PIPE, text=True, check=False
    )
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu, proc.stdout or ""


def with_database(template: Path, directory: Path, url: str) -> Path:
    """A copy of the registry's config.toml (and its units.csv) with ``database = url``."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(template.with_name("units.csv"), directory / "units.csv")
    lines = [
        f'database  = "{url}"' if line.startswith("database") else line
        for line in template.read_text(encoding="utf-8").splitlines()
    ]
    out = directory / "config.toml"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def fingerprint(url: str) -> tuple[Any, ...]:
    """What any write by plan would change."""
    from scheduler.infra.db.models import AuditRow, PlanYear, SessionRow

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            s, a = SessionRow.__table__, AuditRow.__table__
            return (
                *conn.execute(select(func.count(), func.sum(s.c.version), func.max(s.c.updated_at))).one(),
                *conn.execute(select(func.count(), func.max(a.c.id))).one(),
                conn.execute(select(func.count()).select_from(PlanYear)).scalar(),
            )
    finally:
        engine.dispose()


def pg_tuple_writes(url: str) -> int:
    """Tuples inserted, updated and deleted in this database, by the server's own counters."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_stat_force_next_flush()"))  # PostgreSQL 15+
            return conn.execute(
                text("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables")
            ).scalar_one()
    finally:
        engine.dispose()


def best(times: list[float]) -> float:
    return min(times)


def bench_backend(
    name: str,
    template: Path,
    workdir: Path,
    fresh_url: Callable[[], str],
    drop: Callable[[str], None],
    args: argparse.Namespace,
    unit: str,
) -> dict[str, float]:
    year = args.year
    now = f"{year - 1}-12-01T08:00"
    out: dict[str, float] = {}
    plans, replans, plan_cpu, replan_cpu = [], [], [], []
    url = ""
    for i in range(args.repeat):
        if url:
            drop(url)
        url = fresh_url()
        config = with_database(template, workdir / name, url)
        t, c, text_out = cli(config, "plan", "--year", str(year), "--now", now)
        plans.append(t)
        plan_cpu.append(c)
        print(
            f"  [{name}] plan into an empty database, run {i + 1}: {t:.2f} s ({c:.2f} s CPU; {load()}) — "
            f"{text_out.strip()}"
        )
    # The re-plans, on the last database.
    before = fingerprint(url)
    pg_before = pg_tuple_writes(url) if name == "postgresql" else None
    for i in range(args.repeat):
        t, c, text_out = cli(config, "plan", "--year", str(year), "--now", f"{year - 1}-12-02T08:00")
        replans.append(t)
        replan_cpu.append(c)
        print(
            f"  [{name}] plan again, nothing changed, run {i + 1}: {t:.2f} s ({c:.2f} s CPU; {load()}) — "
            f"{text_out.strip()}"
        )
    after = fingerprint(url)
    wrote = "wrote no row" if after == before else f"WROTE ROWS: {before} -> {after}"
    if pg_before is not None:
        time.sleep(1.0)
        pg_after = pg_tuple_writes(url)
        wrote += f"; pg_stat_user_tables tuples written: {pg_after - pg_before}"
    print(f"  [{name}] sessions {before[0]}, audit rows {before[3]}; the re-plans {wrote}")
    out["plan"], out["replan"], out["replan_clean"] = best(plans), best(replans), float(after == before)
    out["plan_cpu"], out["replan_cpu"] = best(plan_cpu), best(replan_cpu)

    first, last = date(year, 1, 1), date(year, 12, 31)
    cmd_times, cmd_cpu = [], []
    for _ in range(args.repeat):
        t, c, listed = cli(
            config, "sessions", "--unit", unit, "--from", str(first), "--to", str(last), "--format", "json"
        )
        cmd_times.append(t)
        cmd_cpu.append(c)
    out["sessions_cmd"], out["sessions_cmd_cpu"] = best(cmd_times), best(cmd_cpu)
    listed_count = len(json.loads(listed))

    from scheduler.infra.db import open_database
    from scheduler.reads.session_views import replacements
    from scheduler.usecases import session_reads

    engine = open_database(url)
    try:
        q_times = []
        for _ in range(max(5, args.repeat)):
            t = time.perf_counter()
            rows = session_reads.list_sessions(engine, unit_ids=[unit], first=first, last=last)
            replacements(engine, [r.id for r in rows if r.status in ("cancelled", "not_held")])
            q_times.append(time.perf_counter() - t)
    finally:
        engine.dispose()
    out["query"] = best(q_times)
    print(
        f"  [{name}] sessions --unit {unit} --from {first} --to {last}: {len(rows)} sessions "
        f"({listed_count} printed); "
        f"command {out['sessions_cmd']:.2f} s ({out['sessions_cmd_cpu']:.2f} s CPU), "
        f"query in process {out['query'] * 1000:.1f} ms ({load()})"
    )
    drop(url)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shape", default="pre2025", choices=("pre2025", "post2025"))
    ap.add_argument("--year", type=int, default=2027)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each timing; the best is reported")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "plan")
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args(argv)

    template = write_registry(args.out / "registry", args.shape)
    units = [
        line.split(",", 1)[0] for line in template.with_name("units.csv").read_text("utf-8").splitlines()[1:]
    ]
    unit = units[len(units) // 2]
    print(f"Registry {args.shape}: {len(units)} units ({template}); year {args.year}; {load()}")

    cal, cal_cpu = [], []
    for _ in range(args.repeat):
        t, c, _ = cli(
            template,
            "calendar", "--from", f"{args.year}-01-01", "--to", f"{args.year}-12-31", "--format", "json",
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        cal.append(t)
        cal_cpu.append(c)
    print(
        f"tiepdan calendar --format json, {args.year} (bare): {best(cal):.2f} s "
        f"({best(cal_cpu):.2f} s CPU; {load()})"
    )

    results: dict[str, dict[str, float]] = {}
    sqlite_dir = args.out / "sqlite"

    def sqlite_url() -> str:
        for suffix in ("", "-wal", "-shm"):
            (sqlite_dir / f"plan.db{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{sqlite_dir / 'plan.db'}"

    sqlite_dir.mkdir(parents=True, exist_ok=True)
    results["sqlite"] = bench_backend("sqlite", template, args.out, sqlite_url, lambda u: None, args, unit)

    if not args.no_postgres:
        import pg

        server = pg.obtain_server()
        try:
            results["postgresql"] = bench_backend(
                "postgresql", template, args.out, server.create_database, server.drop_database, args, unit
            )
        finally:
            server.stop()

    print()
    print(f"Summary ({args.shape}, {args.year}, best of {args.repeat}; {load()}):")
    print(f"  {'':10} {'':32} {'wall':>8} {'CPU':>8}")
    print(f"  {'calendar':10} {'bare, --format json':32} {best(cal):7.2f}s {best(cal_cpu):7.2f}s")
    for name, r in results.items():
        goal = GOALS[f"plan {name}"]
        verdict = "ok" if r["plan"] < goal else "MISSED"
        print(f"  {name:10} {'plan, empty database':32} {r['plan']:7.2f}s {r['plan_cpu']:7.2f}s"
              f"  goal < {goal:.0f} s: {verdict}")  # fmt: skip
        clean = bool(r["replan_clean"])
        verdict = ("ok" if r["replan"] < GOALS["replan"] else "MISSED") + (
            ", no row" if clean else ", ROWS WRITTEN"
        )
        print(f"  {name:10} {'plan again, nothing changed':32} {r['replan']:7.2f}s {r['replan_cpu']:7.2f}s"
              f"  goal < 3 s, no row: {verdict}")  # fmt: skip
        what = "sessions --unit (command)"
        print(f"  {name:10} {what:32} {r['sessions_cmd']:7.2f}s {r['sessions_cmd_cpu']:7.2f}s")
        verdict = "ok" if r["query"] < GOALS["query"] else "MISSED"
        print(f"  {name:10} {'sessions --unit (query)':32} {r['query'] * 1000:6.1f}ms {'':8}"
              f"  goal < 100 ms: {verdict}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
