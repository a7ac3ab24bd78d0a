"""Benchmark of the office desk and the JSON API under load, with ``wrk`` on loopback.

On a national registry (bench/registry.py, pre2025: 11,367 units) with this year planned
(~263,000 sessions) in SQLite, the app of ``tiepdan serve`` (``scheduler.web.create_app``) is
served by uvicorn in its own process, and ``wrk`` (50 connections, 2 threads) asks, one after
the other:

- the desk calendar page of a commune (``/desk/units/{commune}?year=YYYY``), signed in with the
  desk cookie of that commune's staff account;
- the API read of a month (``/api/sessions?unit={commune}&from=...&to=...``) with the staff
  account's bearer token;
- beside them, the public board of the same commune (``/board/{commune}``), when the app has it.

Prints req/s, p50 and p99 per URL. Goal: p99 < 100 ms.

    .venv/bin/python bench/bench_desk.py [--shape pre2025|post2025] [--workers 1] [--duration 10]
                                         [--connections 50] [--out DIR]

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
from datetime import date
from pathlib import Path

import httpx
from registry import SHAPES, write_registry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.infra.clock import local_today, now_utc  # noqa: E402
from scheduler.infra.config import Config, load_config  # noqa: E402
from scheduler.infra.db import open_database  # noqa: E402
from scheduler.usecases import accounts  # noqa: E402
from scheduler.usecases.planning import plan_year  # noqa: E402
from scheduler.usecases.sessions import Actor  # noqa: E402

GOAL_P99_MS = 100.0
PASSWORD = "mat-khau-do-tai-2026"

APP = """\
import os
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.web import create_app


def app():
    config = load_config(os.environ["TIEPDAN_CONFIG"])
    return create_app(config, open_database(config.database_url))
"""


def prepare(out: Path, shape: str) -> tuple[Config, int]:
    """The registry, its database with this year planned (kept between runs), a staff account."""
    config_path = write_registry(out, shape)
    config = load_config(config_path)
    engine = open_database(config.database_url)
    now = now_utc()
    today = local_today(now, config.timezone)
    t0 = time.perf_counter()
    result = plan_year(engine, config, today.year, now=now, today=today, actor="bench")
    took = time.perf_counter() - t0
    print(f"plan {today.year}: {result.created + result.unchanged:,} sessions ({took:.1f} s)")
    return config, today.year


def busiest_commune(config: Config) -> str:
    # Any commune does the same work; take a fixed one so that runs compare.
    return sorted(u.id for u in config.units if u.level == "commune")[len(config.units) // 3 % 1000]


def account(config: Config, unit_id: str) -> tuple[str, str]:
    engine = open_database(config.database_url)
    login = "bench-" + unit_id[:80].lower()
    login = re.sub(r"[^a-z0-9._@-]", "-", login)
    if login not in {a.login for a in accounts.list_users(engine)}:
        accounts.add_user(
            engine,
            config,
            login,
            role="staff",
            unit_id=unit_id,
            password=PASSWORD,
            now=now_utc(),
            actor=Actor("bench"),
        )
    token = accounts.create_token(engine, login, now=now_utc(), actor=Actor("bench"))
    return login, token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(config: Config, out: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    (out / "desk_bench_app.py").write_text(APP, encoding="utf-8")
    port = free_port()
    env = os.environ | {"TIEPDAN_CONFIG": str(config.path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "desk_bench_app:app",
            "--app-dir",
            str(out),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
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


def desk_cookie(base: str, login: str) -> str:
    with httpx.Client(base_url=base) as c:
        page = c.get("/desk/")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = c.post("/desk/login", data={"csrf": csrf, "login": login, "password": PASSWORD})
        if r.status_code != 303:
            raise SystemExit(f"sign-in failed: {r.status_code}")
        return f"tiepdan_desk={c.cookies['tiepdan_desk']}"


@dataclass
class Result:
    name: str
    url: str
    rps: float
    p50: float
    p99: float
    errors: str


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        return float("nan")
    return float(m[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m[2]]


def run_wrk(name: str, url: str, headers: list[str], connections: int, duration: int) -> Result:
    # A warm-up pass fills the caches the way a working day would.
    cmd = ["wrk", "-t2", f"-c{connections}", "--latency", "--timeout", "10s"]
    for h in headers:
        cmd += ["-H", h]
    subprocess.run([*cmd, "-d2s", url], capture_output=True, check=True)
    text = subprocess.run([*cmd, f"-d{duration}s", url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", text).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", text).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors:.*", text)
    found = (f"{bad.group(1)} non-2xx" if bad else "", sock.group(0) if sock else "")
    errors = ", ".join(x for x in found if x)
    return Result(name, url, rps, p50, p99, errors)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shape", choices=SHAPES, default="pre2025")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (tiepdan serve: 1)")
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--duration", type=int, default=10, help="seconds per URL")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "desk")
    args = p.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 2
    out = args.out / args.shape
    config, year = prepare(out, args.shape)
    commune = busiest_commune(config)
    login, token = account(config, commune)
    proc, base = serve(config, out, args.workers)
    try:
        cookie = desk_cookie(base, login)
        today = local_today(now_utc(), config.timezone)
        first = date(year, today.month, 1)
        last = date(year + (today.month == 12), today.month % 12 + 1, 1).toordinal() - 1
        month = f"from={first.isoformat()}&to={date.fromordinal(last).isoformat()}"
        # Check each URL once: a benchmark of error pages would be worthless.
        bearer = f"Authorization: Bearer {token}"
        targets = [
            ("desk calendar (cookie)", f"{base}/desk/units/{commune}?year={year}", [f"Cookie: {cookie}"]),
            ("API month (bearer)", f"{base}/api/sessions?unit={commune}&{month}", [bearer]),
            ("public board", f"{base}/board/{commune}", []),
        ]
        checked = []
        for name, url, headers in targets:
            r = httpx.get(url, headers=dict(h.split(": ", 1) for h in headers), timeout=30)
            if r.status_code == 404 and name == "public board":
                print("public board: /board not served by this app, left out")
                continue
            if r.status_code != 200:
                raise SystemExit(f"{name}: {url} gave {r.status_code}")
            checked.append((name, url, headers))
        print(
            f"{args.shape}: {len(config.units):,} units, year {year}; commune {commune}; "
            f"uvicorn workers {args.workers}; wrk -t2 -c{args.connections} -d{args.duration}s on loopback; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        print(f"{'':24} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  goal p99 < {GOAL_P99_MS:.0f} ms")
        worst = 0.0
        for name, url, headers in checked:
            res = run_wrk(name, url, headers, args.connections, args.duration)
            worst = max(worst, res.p99)
            ok = "ok" if res.p99 < GOAL_P99_MS else "MISSED"
            extra = f"  ({res.errors})" if res.errors else ""
            print(f"{res.name:24} {res.rps:9.0f} {res.p50:8.1f} {res.p99:8.1f}  {ok}{extra}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0 if worst < GOAL_P99_MS else 1


if __name__ == "__main__":
    sys.exit(main())
