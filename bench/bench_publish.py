"""Benchmark of the public pages, the notice board and the iCalendar feed, with ``wrk`` on loopback.

On a national registry (bench/registry.py, pre2025: 11,367 units) with this year planned
(~263,000 sessions, and next year too in December, for the board's next month) in SQLite, the app
of ``tiepdan serve`` (``scheduler.web.create_app``) is served by uvicorn in its own process, and
``wrk`` asks, one after the other, in the same run:

- a static file served by the same server (``/static/robots.txt``): the yardstick;
- the board of a province (with the links to its units) and of a commune, and a commune's feed;
- the board and the feed of 1,000 communes in turn (a wrk Lua script), after one pass that
  renders each of them once (its first-view times are printed too: a page renders on its first
  view of the day and after each change, and is served from the cache until then).

Prints req/s, p50 and p99 per URL. Goal: board and feed at least half the static rate, and
p99 < 50 ms. Latency is queueing as much as work (Little's law: connections / rate), so the
default load is 8 connections, a handful of screens and calendar programs polling at once.

    .venv/bin/python bench/bench_publish.py [--shape pre2025|post2025] [--duration 10]
                                            [--connections 8] [--threads 1] [--out DIR]

Needs ``wrk`` (Debian: ``apt-get install -y wrk``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from registry import SHAPES, write_registry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.infra.clock import local_today, now_utc  # noqa: E402
from scheduler.infra.config import Config, load_config  # noqa: E402
from scheduler.infra.db import open_database  # noqa: E402
from scheduler.usecases.planning import plan_year  # noqa: E402

GOAL_P99_MS = 50.0
GOAL_SHARE = 0.5  # of the static file's rate
SPREAD = 1000  # units visited in turn by the "spread" runs

APP = """\
import os
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.web import create_app


def app():
    config = load_config(os.environ["TIEPDAN_CONFIG"])
    return create_app(config, open_database(config.database_url))
"""

ROTATE_LUA = """\
-- Visits the paths of {file} in turn, each wrk thread from its own starting point.
local paths = {{}}
for line in io.lines("{file}") do paths[#paths + 1] = line end
local i = 0
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("start", counter * 317)
end
init = function(args)
  i = start or 0
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def prepare(out: Path, shape: str) -> Config:
    """The registry and its database with this year planned (kept between runs)."""
    config = load_config(write_registry(out, shape))
    engine = open_database(config.database_url)
    now = now_utc()
    today = local_today(now, config.timezone)
    years = [today.year] + ([today.year + 1] if today.month == 12 else [])
    for year in years:
        t0 = time.perf_counter()
        result = plan_year(engine, config, year, now=now, today=today, actor="bench")
        print(
            f"plan {year}: {result.created + result.unchanged:,} sessions ({time.perf_counter() - t0:.1f} s)"
        )
    engine.dispose()
    return config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(config: Config, out: Path) -> tuple[subprocess.Popen[bytes], str]:
    (out / "publish_bench_app.py").write_text(APP, encoding="utf-8")
    port = free_port()
    env = os.environ | {"TIEPDAN_CONFIG": str(config.path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "publish_bench_app:app",
            "--app-dir",
            str(out),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


@dataclass
class Result:
    name: str
    rps: float
    p50: float
    p99: float
    errors: str


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        return float("nan")
    return float(m[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m[2]]


def run_wrk(name: str, url: str, args: argparse.Namespace, script: Path | None = None) -> Result:
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", "--latency", "--timeout", "10s"]
    if script is not None:
        cmd += ["-s", str(script)]
    # A short warm-up first: the first view of each page renders it, later ones come from the cache.
    subprocess.run([*cmd, "-d2s", url], capture_output=True, check=True)
    text = subprocess.run(
        [*cmd, f"-d{args.duration}s", url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", text).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", text).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors:.*", text)
    errors = ", ".join(
        x for x in (f"{bad.group(1)} non-2xx" if bad else "", sock.group(0) if sock else "") if x
    )
    return Result(name, rps, p50, p99, errors)


def first_views(base: str, paths: list[str], kind: str) -> None:
    """Each page once, one after the other: what rendering costs (and the cache filled)."""
    times = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for path in paths:
            t0 = time.perf_counter()
            if client.get(path).status_code != 200:
                raise SystemExit(f"{path}: not 200")
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    mean = sum(times) / len(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"first view of {len(paths)} {kind} pages, one at a time: mean {mean:.1f} ms, p99 {p99:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--shape", choices=SHAPES, default="pre2025")
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--duration", type=int, default=10, help="seconds per URL")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "publish")
    args = p.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 2
    out = (args.out / args.shape).resolve()
    config = prepare(out, args.shape)
    provinces = sorted(u.id for u in config.units if u.level == "province")
    communes = sorted(u.id for u in config.units if u.level == "commune")
    province, commune = provinces[len(provinces) // 2], communes[len(communes) // 3]
    step = max(1, len(communes) // SPREAD)
    spread = communes[::step][:SPREAD]
    for kind, suffix in (("board", ""), ("ics", ".ics")):
        (out / f"{kind}-paths.txt").write_text(
            "".join(f"/{kind}/{u}{suffix}\n" for u in spread), encoding="utf-8"
        )
        (out / f"{kind}-rotate.lua").write_text(
            ROTATE_LUA.format(file=out / f"{kind}-paths.txt"), encoding="utf-8"
        )
    proc, base = serve(config, out)
    try:
        targets: list[tuple[str, str, Path | None]] = [
            ("static /static/robots.txt", f"{base}/static/robots.txt", None),
            ("board of a province", f"{base}/board/{province}", None),
            ("board of a commune", f"{base}/board/{commune}", None),
            ("feed of a commune", f"{base}/ics/{commune}.ics", None),
            (f"board, {len(spread)} communes in turn", base, out / "board-rotate.lua"),
            (f"feed, {len(spread)} communes in turn", base, out / "ics-rotate.lua"),
        ]
        # Check each URL once: a benchmark of error pages would be worthless.
        for name, url, script in targets:
            check = url if script is None else f"{base}/board/{spread[0]}"
            r = httpx.get(check, timeout=60)
            if r.status_code != 200:
                raise SystemExit(f"{name}: {check} gave {r.status_code}")
        for kind, suffix in (("board", ""), ("ics", ".ics")):
            first_views(base, [f"/{kind}/{u}{suffix}" for u in spread], kind)
        print(
            f"{args.shape}: {len(config.units):,} units; uvicorn 1 process; wrk -t{args.threads} "
            f"-c{args.connections} -d{args.duration}s on loopback; {os.cpu_count()} CPUs; "
            f"province {province}, commune {commune}"
        )
        print(
            f"{'':36} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}  goal: >= {GOAL_SHARE:.0%} of static, "
            f"p99 < {GOAL_P99_MS:.0f} ms"
        )
        static_rps = 0.0
        missed = 0
        for name, url, script in targets:
            res = run_wrk(name, url, args, script)
            if script is None and url.endswith("robots.txt"):
                static_rps = res.rps
                verdict = "(yardstick)"
            else:
                share = res.rps / static_rps if static_rps else float("nan")
                ok = share >= GOAL_SHARE and res.p99 < GOAL_P99_MS
                missed += not ok
                verdict = f"{share:4.0%} of static  {'ok' if ok else 'MISSED'}"
            extra = f"  ({res.errors})" if res.errors else ""
            print(f"{res.name:36} {res.rps:8.0f} {res.p50:7.1f} {res.p99:7.1f}  {verdict}{extra}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0 if missed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
