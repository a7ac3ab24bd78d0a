"""Benchmark of the rules engine on a synthetic national registry (see bench/registry.py).

For each registry shape (pre2025: 63 provinces / 705 districts / 10,599 communes; post2025:
34 provinces / 3,321 communes) it prints, in one run:

1. the engine alone: ``rules.plan_calendar`` over the loaded configuration, then every session
   materialised through ``plan.sorted_pairs()``; cold (a fresh ``WorkCalendar`` and every
   ``functools`` cache in ``rules.*`` cleared before each repetition, both inside the timing);
   best of ``--repeat``; for 1 year (2027) and 10 years (2026-2035);
2. a plain baseline over the same units: for each unit, for each nominal date (computed the plain
   way: a loop over months, or ``dateutil.rrule`` parsed per unit), ``while not
   cal.is_working_day(d): d += 1`` with ONE fresh ``holidays.country_holidays("VN")`` per run
   (created inside the timing; no memo of our own across units), sessions appended to a list;
   the ratio engine/baseline (goal: at least 30x). When a full baseline run would take longer
   than ``--budget`` seconds it is timed on a deterministic sample of units (every k-th unit by
   id) and its rate scaled; the output says so;
3. ``tiepdan calendar --format json`` end to end as a subprocess, output to /dev/null: wall time
   for 1 year (goal < 1.5 s, best of ``--repeat``) and peak RSS of the child for 10 years (goal
   < 400 MB), both taken by ``os.wait4`` in a small launcher process (see ``_LAUNCHER``); then
   where the 1-year time goes (``import scheduler.cli`` alone, the same pipeline without the
   command line's imports, and load/plan/write in process), and an untimed check that the
   1-year JSON has as many sessions as the engine made.

The machine's load average is printed beside each section: wall times on a shared machine are
only as good as the idle CPU they got.

Run (from the repository root)::

    .venv/bin/python bench/bench_calendar.py
    .venv/bin/python bench/bench_calendar.py --shapes pre2025 --repeat 5 --out bench/out
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
from dateutil.rrule import rrulestr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry import SHAPES, write_registry

from notifiers.calendar_render import write_json
from rules import Pattern, Unit, WorkCalendar, plan_calendar
from scheduler.infra.config import Config, load_config

ONE_YEAR = (date(2027, 1, 1), date(2027, 12, 31))
TEN_YEARS = (date(2026, 1, 1), date(2035, 12, 31))
ENGINE_GOAL_RATIO = 30.0
CLI_WALL_GOAL_S = 1.5
CLI_RSS_GOAL_MB = 400.0


# --------------------------------------------------------------------------------------------
# The engine, cold


def _clear_rules_caches() -> None:
    """Clear every functools cache of the rules package, so each repetition starts cold."""
    for name, module in list(sys.modules.items()):
        if name == "rules" or name.startswith("rules."):
            for obj in vars(module).values():
                clear = getattr(obj, "cache_clear", None)
                if callable(clear):
                    clear()


def _now() -> tuple[float, float]:
    """(wall, CPU of this process) in seconds. CPU time is what a busy shared machine does not
    inflate by making us wait for a core; both are printed, ratios are taken on CPU time."""
    return time.perf_counter(), time.process_time()


@dataclass
class EngineFigures:
    sessions: int
    plan_s: float  # wall
    materialise_s: float  # wall
    cpu_s: float  # CPU, plan + materialise

    @property
    def total_s(self) -> float:
        return self.plan_s + self.materialise_s

    @property
    def rate(self) -> float:
        return self.sessions / self.total_s

    @property
    def cpu_rate(self) -> float:
        return self.sessions / self.cpu_s


def engine_once(config: Config, first: date, last: date, *, check: bool = False) -> EngineFigures:
    _clear_rules_caches()
    gc.collect()
    base = config.calendar
    t0, c0 = _now()
    calendar = WorkCalendar(
        base.country,
        days_off=base.days_off.values(),
        workdays=base.workdays.values(),
        government_off=base.government_off.values(),
        government_work=base.government_work.values(),
    )
    plan = plan_calendar(config.units, config.levels, calendar, first, last, default_roll=config.roll)
    t1, _ = _now()
    deque(plan.sorted_pairs(), maxlen=0)  # every (unit, planned date), in order
    t2, c2 = _now()
    n = plan.session_count
    if check:  # untimed: sorted_pairs gives session_count pairs
        counter = itertools.count()
        deque(zip(plan.sorted_pairs(), counter, strict=False), maxlen=0)
        if next(counter) != n:
            raise AssertionError(f"sorted_pairs does not give the {n} sessions of session_count")
    return EngineFigures(n, t1 - t0, t2 - t1, c2 - c0)


def engine_best(config: Config, first: date, last: date, repeat: int) -> EngineFigures:
    runs = [engine_once(config, first, last, check=i == 0) for i in range(repeat)]
    best = min(runs, key=lambda r: r.total_s)
    best.cpu_s = min(r.cpu_s for r in runs)
    return best


# --------------------------------------------------------------------------------------------
# The plain baseline


def naive_nominals(pattern: Pattern, first: date, last: date) -> list[date]:
    """Nominal dates the plain way: no cache, the RRULE parsed again for every unit."""
    out: list[date] = []
    if pattern.days is not None:
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
            month_len = (nxt - timedelta(days=1)).day
            for day in sorted(pattern.days):
                d = date(y, m, min(day, month_len))
                if first <= d <= last:
                    out.append(d)
            y, m = nxt.year, nxt.month
        return out
    assert pattern.rrule is not None
    rule = rrulestr(pattern.rrule, dtstart=datetime.combine(first, datetime.min.time()))
    hi = datetime.combine(last, datetime.max.time())
    return sorted(o.date() for o in rule.between(datetime.combine(first, datetime.min.time()), hi, inc=True))


def baseline_once(units: Sequence[Unit], first: date, last: date) -> tuple[int, float, float]:
    """(sessions, wall s, CPU s): next working day on or after each nominal date, no memo."""
    gc.collect()
    t0, c0 = _now()
    cal = holidays.country_holidays("VN")
    one = timedelta(days=1)
    sessions: list[tuple[str, date, date]] = []
    for unit in units:
        for nominal in naive_nominals(unit.pattern, first, last):
            d = nominal
            while not cal.is_working_day(d):
                d += one
            sessions.append((unit.id, nominal, d))
    t1, c1 = _now()
    return len(sessions), t1 - t0, c1 - c0


@dataclass
class BaselineFigures:
    sessions: int  # sessions actually made in the timed run
    seconds: float  # wall time of the timed run
    cpu_s: float  # CPU time of the timed run
    units_timed: int
    units_total: int
    every: int  # 1: all units; k: every k-th unit by id

    @property
    def rate(self) -> float:
        return self.sessions / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.sessions / self.cpu_s

    @property
    def sampled(self) -> bool:
        return self.every > 1


def baseline(units: Sequence[Unit], first: date, last: date, budget_s: float) -> BaselineFigures:
    ordered = sorted(units, key=lambda u: u.id)
    probe_every = max(1, len(ordered) // 200)
    _, probe_s, _ = baseline_once(ordered[::probe_every], first, last)
    estimate = probe_s * probe_every
    every = 1 if estimate <= budget_s else math.ceil(estimate / (budget_s / 2))
    chosen = ordered[::every]
    n, seconds, cpu = baseline_once(chosen, first, last)
    return BaselineFigures(n, seconds, cpu, len(chosen), len(ordered), every)


# --------------------------------------------------------------------------------------------
# The command, end to end


def tiepdan_command() -> list[str]:
    script = Path(sys.executable).parent / "tiepdan"
    return [str(script)] if script.exists() else [sys.executable, "-m", "scheduler"]


# The child is started by this small launcher, not by the benchmark itself: on Linux a child's
# ru_maxrss counts the memory of the process that forked it (the benchmark holds a loaded
# registry and plans: hundreds of MB), so it is only the child's own peak from a small parent.
_LAUNCHER = """
import json, os, subprocess, sys, time
result, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
child = subprocess.Popen(cmd)
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - t0
with open(result, "w") as f:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kib": usage.ru_maxrss,
               "rc": os.waitstatus_to_exitcode(status)}, f)
"""

# The same work as ``tiepdan calendar --format json`` without the command line's imports.
_PIPELINE = """
import sys
from datetime import date
from notifiers.calendar_render import write_json
from rules import plan_calendar
from scheduler.infra.config import load_config
sys.stdout.reconfigure(encoding="utf-8")
c = load_config(sys.argv[1])
first, last = date.fromisoformat(sys.argv[2]), date.fromisoformat(sys.argv[3])
write_json(plan_calendar(c.units, c.levels, c.calendar, first, last, default_roll=c.roll), sys.stdout)
"""


def calendar_command(config_toml: Path, first: date, last: date) -> list[str]:
    span = ["--from", first.isoformat(), "--to", last.isoformat()]
    return [*tiepdan_command(), "calendar", "--config", str(config_toml), *span, "--format", "json"]


def pipeline_command(config_toml: Path, first: date, last: date) -> list[str]:
    return [sys.executable, "-c", _PIPELINE, str(config_toml), first.isoformat(), last.isoformat()]


@dataclass
class Child:
    wall: float  # seconds
    cpu: float  # seconds, user + system, of the child
    rss_mb: float  # peak resident set size of the child


def run_child(cmd: list[str], stdout: Path | None = None) -> Child:
    """Run ``cmd``, its output to ``stdout`` or /dev/null, and measure it."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        open(stdout or os.devnull, "wb") as out,
        open(Path(tmp) / "stderr", "w+b") as err,
    ):
        result = Path(tmp) / "result.json"
        subprocess.run([sys.executable, "-c", _LAUNCHER, str(result), *cmd], stdout=out, stderr=err)
        if not result.exists():
            err.seek(0)
            raise RuntimeError(f"launcher failed: {err.read().decode(errors='replace')[-2000:]}")
        r = json.loads(result.read_text())
        if r["rc"] != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(cmd)} exited {r['rc']}: {tail}")
    return Child(r["wall"], r["cpu"], r["maxrss_kib"] / 1024)


def in_process_stages(config_toml: Path, first: date, last: date) -> tuple[float, float, float]:
    """(load_config, plan_calendar, write_json to /dev/null) seconds, in this process, warm."""
    t0 = time.perf_counter()
    config = load_config(config_toml)
    t1 = time.perf_counter()
    plan = plan_calendar(config.units, config.levels, config.calendar, first, last, default_roll=config.roll)
    t2 = time.perf_counter()
    with open(os.devnull, "w", encoding="utf-8") as out:
        write_json(plan, out)
    return t1 - t0, t2 - t1, time.perf_counter() - t2


# --------------------------------------------------------------------------------------------
# Report


def _years(first: date, last: date) -> str:
    n = last.year - first.year + 1
    return f"{n} year{'s' if n > 1 else ''} ({first.year}{'' if n == 1 else f'-{last.year}'})"


def _goal(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def bench_shape(shape: str, out_dir: Path, args: argparse.Namespace, say: Callable[[str], None]) -> None:
    config_toml = write_registry(out_dir / shape, shape, chairs=args.chairs)
    t0 = time.perf_counter()
    config = load_config(config_toml)
    load_s = time.perf_counter() - t0
    levels: dict[str, int] = {}
    for u in config.units:
        levels[u.level] = levels.get(u.level, 0) + 1
    say("")
    say(f"== {shape}: {len(config.units):,} units ({', '.join(f'{k} {v:,}' for k, v in levels.items())})")
    say(f"   registry: {config_toml}")
    say(f"   load_config (TOML + {len(config.units):,} CSV rows, in process): {load_s * 1000:.0f} ms")

    for first, last in (ONE_YEAR, TEN_YEARS):
        span = _years(first, last)
        eng = engine_best(config, first, last, args.repeat)
        say(f"-- {span} ({_load()})")
        say(
            f"   engine   : {eng.sessions:>10,} sessions in {eng.total_s * 1000:8.1f} ms wall "
            f"(plan {eng.plan_s * 1000:.1f} + sorted_pairs {eng.materialise_s * 1000:.1f}), "
            f"{eng.cpu_s * 1000:8.1f} ms CPU = {eng.rate:>10,.0f} sessions/s wall, "
            f"{eng.cpu_rate:>10,.0f} /s CPU  [best of {args.repeat}, cold]"
        )
        if args.skip_baseline:
            continue
        base = baseline(config.units, first, last, args.budget)
        how = (
            f"SAMPLED: every {base.every}th unit by id ({base.units_timed:,}/{base.units_total:,} units), "
            f"rate scaled; a full run would take about {eng.sessions / base.rate:.0f} s"
            if base.sampled
            else "all units"
        )
        say(
            f"   baseline : {base.sessions:>10,} sessions in {base.seconds * 1000:8.1f} ms wall, "
            f"{base.cpu_s * 1000:8.1f} ms CPU = {base.rate:>10,.0f} sessions/s wall, "
            f"{base.cpu_rate:>10,.0f} /s CPU  [{how}]"
        )
        ratio, ratio_wall = eng.cpu_rate / base.cpu_rate, eng.rate / base.rate
        ok = _goal(ratio >= ENGINE_GOAL_RATIO)
        say(
            f"   ratio engine/baseline: {ratio:.1f}x by CPU time (goal >= {ENGINE_GOAL_RATIO:.0f}x: {ok}); "
            f"{ratio_wall:.1f}x by wall time"
        )

    if args.skip_cli:
        return
    say(f"-- tiepdan calendar --format json > /dev/null (subprocess, end to end; {_load()})")
    runs = [run_child(calendar_command(config_toml, *ONE_YEAR)) for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r.wall)
    say(
        f"   1 year  : wall {best.wall:.2f} s best of {args.repeat} "
        f"({', '.join(f'{r.wall:.2f}' for r in runs)}) (goal < {CLI_WALL_GOAL_S} s: "
        f"{_goal(best.wall < CLI_WALL_GOAL_S)}); child CPU {min(r.cpu for r in runs):.2f} s, "
        f"peak RSS {best.rss_mb:.0f} MB"
    )
    ten = run_child(calendar_command(config_toml, *TEN_YEARS))
    say(
        f"   10 years: peak RSS {ten.rss_mb:.0f} MB (goal < {CLI_RSS_GOAL_MB:.0f} MB: "
        f"{_goal(ten.rss_mb < CLI_RSS_GOAL_MB)}); wall {ten.wall:.2f} s, child CPU {ten.cpu:.2f} s"
    )
    imports = [run_child([sys.executable, "-c", "import scheduler.cli"]) for _ in range(args.repeat)]
    pipe = [run_child(pipeline_command(config_toml, *ONE_YEAR)) for _ in range(args.repeat)]
    stages = min((in_process_stages(config_toml, *ONE_YEAR) for _ in range(args.repeat)), key=sum)
    say(
        "   where the 1-year time goes (best of each, wall / CPU):\n"
        f"     python + `import scheduler.cli` alone      {min(r.wall for r in imports):5.2f} s / "
        f"{min(r.cpu for r in imports):5.2f} s\n"
        f"     the same pipeline without the CLI imports  {min(r.wall for r in pipe):5.2f} s / "
        f"{min(r.cpu for r in pipe):5.2f} s\n"
        f"     in process: load_config {stages[0] * 1000:.0f} ms, plan_calendar {stages[1] * 1000:.0f} ms, "
        f"write_json {stages[2] * 1000:.0f} ms (wall)"
    )
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "calendar.json"
            run_child(calendar_command(config_toml, *ONE_YEAR), out)
            data = json.loads(out.read_text(encoding="utf-8"))
        n_json = len(data["sessions"])
        n_engine = engine_once(config, *ONE_YEAR, check=True).sessions
        say(
            f"   check   : 1-year JSON has {n_json:,} sessions, {len(data['findings']):,} findings; "
            f"engine {n_engine:,} ({'same' if n_json == n_engine else 'DIFFERENT'})"
        )


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f}/{five:.1f} on {os.cpu_count()} CPUs"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated: pre2025,post2025")
    ap.add_argument("--out", type=Path, help="where registries are written (default: a temporary dir)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions of the engine and 1-year CLI runs")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds a full baseline run may take")
    ap.add_argument("--chairs", action="store_true", help="add People's Committee chairs to the registry")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--no-check", dest="check", action="store_false", help="skip the JSON session count")
    args = ap.parse_args(argv)
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    for s in shapes:
        if s not in SHAPES:
            ap.error(f"unknown shape {s!r}")

    def say(line: str) -> None:
        print(line, flush=True)

    say(
        f"tiepdan calendar benchmark: python {sys.version.split()[0]}, holidays {holidays.__version__}, "
        f"{os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    if args.out is not None:
        for shape in shapes:
            bench_shape(shape, args.out, args, say)
    else:
        with tempfile.TemporaryDirectory(prefix="tiepdan-bench-") as tmp:
            for shape in shapes:
                bench_shape(shape, Path(tmp), args, say)
    return 0


if __name__ == "__main__":
    sys.exit(main())
