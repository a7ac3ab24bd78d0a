"""Helpers for the service tests (tests/test_service_*.py).

A small configuration (two party committees and two People's Committees of Cao Bằng, and three
communes on days 10 and 25), the ``tiepdan`` CLI run in a subprocess, a snapshot of every row of
every table (to prove that a refused request changed nothing), and concurrent workers for
``multiprocessing``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path
from typing import Any

import cli_runner
from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2027
NOW = "2026-12-01T08:00"  # before 2027: every session of the year is still ahead
TODAY = date(2026, 12, 1)

TOP = """\
timezone = "Asia/Ho_Chi_Minh"
database = {database}
outbox_dir = "outbox"

[calendar]
country  = "VN"
roll     = "modified-following"
days_off = [
{days_off}]
workdays = []

[levels.province]
name     = "Bí thư Tỉnh ủy"
min_days = 1
per      = "month"
basis    = "Quy định 11-QĐi/TW"

[levels.commune]
name     = "Bí thư Đảng ủy xã"
min_days = 2
per      = "month"
basis    = "Quy định 11-QĐi/TW"

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
earlier  = [ {{ until = "2026-06-30", min_days = 1, per = "week", basis = "Luật Tiếp công dân 2013" }} ]
"""

UNITS = {
    "cao-bang": """\
[[units]]
id    = "cao-bang"
name  = "Tỉnh ủy Cao Bằng"
level = "province"
days  = [25]
time  = "07:30-11:30"
venue = "Trụ sở Tiếp công dân tỉnh"
head  = { name = "Nguyễn Văn A", title = "Bí thư Tỉnh ủy", email = "bithu@caobang.example.vn" }
""",
    "ubnd-cao-bang": """\
[[units]]
id    = "ubnd-cao-bang"
name  = "Ủy ban nhân dân tỉnh Cao Bằng"
level = "chair-province"
body  = "state"
days  = [15]
time  = "07:30-11:30"
venue = "Trụ sở Tiếp công dân tỉnh"
""",
    "thuc-phan": """\
[[units]]
id     = "thuc-phan"
name   = "Đảng ủy phường Thục Phán"
level  = "commune"
parent = "cao-bang"
rrule  = "FREQ=MONTHLY;BYDAY=+2TH,+4TH"
time   = "07:30-11:00"
venue  = "Trụ sở Đảng ủy phường Thục Phán"
""",
    "ubnd-thuc-phan": """\
[[units]]
id     = "ubnd-thuc-phan"
name   = "Ủy ban nhân dân phường Thục Phán"
level  = "chair-commune"
parent = "ubnd-cao-bang"
body   = "state"
days   = [5, 20]
roll   = "nearest"
time   = "13:30-17:00"
venue  = "Bộ phận Tiếp công dân phường Thục Phán"
""",
}
for _id, _name in (("hoa-chung", "Hòa Chung"), ("de-tham", "Đề Thám"), ("tra-linh", "Trà Lĩnh")):
    UNITS[_id] = f"""\
[[units]]
id     = "{_id}"
name   = "Đảng ủy xã {_name}"
level  = "commune"
parent = "cao-bang"
days   = [10, 25]
time   = "07:30-11:00"
venue  = "Trụ sở Đảng ủy xã {_name}"
"""


def write_config(
    directory: Path,
    db_url: str,
    *,
    days_off: Iterable[tuple[str, str]] = (),
    without: Iterable[str] = (),
    name: str = "config.toml",
) -> Path:
    """Write the test configuration with ``database = db_url``; return its path."""
    skip = set(without)
    offs = "".join(
        f'  {{ date = "{d}", name = {json.dumps(n, ensure_ascii=False)}, source = "công văn VPCP" }},\n'
        for d, n in days_off
    )
    text = TOP.format(database=json.dumps(db_url), days_off=offs)
    text += "".join("\n" + body for uid, body in UNITS.items() if uid not in skip)
    path = Path(directory) / name
    path.write_text(text, encoding="utf-8")
    return path


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k != "TIEPDAN_DEBUG"}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.setdefault("LANG", "C.UTF-8")
    return e


def argv(config: Path, command: str, *args: str, now: str | None = NOW, by: str | None = None) -> list[str]:
    out = [sys.executable, "-m", "scheduler", command, *args, "--config", str(config)]
    if now is not None:
        out += ["--now", now]
    if by is not None:
        out += ["--by", by]
    return out


def tiepdan(
    config: Path,
    command: str,
    *args: str,
    now: str | None = NOW,
    by: str | None = None,
    check: bool = True,
    process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run ``tiepdan COMMAND ARGS --config CONFIG [--now] [--by]`` from the configuration's folder
    (its ``main`` in this process; ``process``: in a real process, see ``cli_runner``)."""
    args_ = argv(config, command, *args, now=now, by=by)[3:]  # without "python -m scheduler"
    proc = cli_runner.run(args_, cwd=config.parent, process=process)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"tiepdan {command} {' '.join(args)} exited {proc.returncode}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}"
        )
    return proc


def sessions_json(config: Path, *args: str) -> list[dict[str, Any]]:
    return json.loads(tiepdan(config, "sessions", *args, "--format", "json").stdout)


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """Assert the command failed with exactly one line on standard error; return that line."""
    assert proc.returncode != 0, f"expected a failure, got exit 0: {proc.stdout}"
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{proc.stderr}"
    assert "Traceback" not in proc.stderr and lines[0].strip(), proc.stderr
    return lines[0]


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the Alembic version too), each table in primary-key order."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        md = MetaData()
        md.reflect(engine)
        with engine.connect() as conn:
            return {
                name: [
                    tuple(r) for r in conn.execute(select(t).order_by(*(t.primary_key.columns or t.columns)))
                ]
                for name, t in sorted(md.tables.items())
            }
    finally:
        engine.dispose()


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def session_rows(engine: Engine, **where: Any) -> list[Any]:
    from scheduler.infra.db.models import SessionRow

    t = SessionRow.__table__
    q = select(t).order_by(t.c.id)
    for k, v in where.items():
        q = q.where(t.c[k] == v)
    with engine.connect() as conn:
        return list(conn.execute(q))


def audit_rows(engine: Engine, **where: Any) -> list[Any]:
    from scheduler.infra.db.models import AuditRow

    t = AuditRow.__table__
    q = select(t).order_by(t.c.id)
    for k, v in where.items():
        q = q.where(t.c[k] == v)
    with engine.connect() as conn:
        return list(conn.execute(q))


# --- concurrent workers (run in child processes by multiprocessing) ----------------------------


def cli_worker(
    args: list[str], barrier: Any, results: Any, *, inside_version_check: bool = False, pause: float = 0.0
) -> None:
    """Run ``tiepdan`` (its ``main``) in this process, starting together with the others.

    Without ``inside_version_check`` all workers leave the barrier together and race from the
    start. With it, each worker reads the session first and waits at the barrier just before its
    guarded UPDATE (``sessions.bump``, patched where each use case module holds it): every worker
    has then read the same version, and all but one must lose the optimistic check. ``pause``
    holds the winner's transaction open a little so the losers' UPDATEs really wait on its row
    lock.
    """
    import time

    from scheduler import cli
    from scheduler.usecases import cancel_makeup, move_adhoc, record_outcome, sessions

    if inside_version_check:
        real_bump = sessions.bump

        def bump_after_everyone_read(*a: Any, **kw: Any) -> None:
            barrier.wait(timeout=60)
            real_bump(*a, **kw)
            time.sleep(pause)

        for module in (cancel_makeup, move_adhoc, record_outcome):
            module.bump = bump_after_everyone_read
    else:
        barrier.wait(timeout=60)
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(args)
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 1
    results.put((code, out.getvalue(), err.getvalue()))


def stalled_cli_worker(args: list[str], reached: Any) -> None:
    """Run ``tiepdan`` and stall for good inside its transaction, just before the audit row.

    The parent kills this process there: a crash in the middle of a change.
    """
    import time

    from scheduler import cli
    from scheduler.usecases import cancel_makeup, move_adhoc, record_outcome

    def stall(*a: Any, **kw: Any) -> None:
        reached.set()
        time.sleep(600)

    for module in (cancel_makeup, move_adhoc, record_outcome):
        module.write_audit = stall
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        cli.main(args)
