"""``tiepdan`` for the tests: its ``main`` in this process, or a real process when asked.

What the tests drive is the CLI door itself (``scheduler.cli.main``: the parser, the command's
module, the one-line error, the exit code), exactly as ``python -m scheduler`` runs it; only the
interpreter's start is skipped. A command in a process costs some 1.7 s of CPU, most of it
importing SQLAlchemy, the models and the outbox again, and the suite runs several hundred: in
this process it costs what the command itself does. The process's own concerns (the entry point,
a C locale on a pipe, several processes at once, a kill) keep their own tests in a process
(``test_readme_first_command``, ``test_service_concurrency``, ``test_service_migrations``, the
``*_in_a_process`` tests).

``TIEPDAN_TEST_CLI=process`` runs every call in a process, as the suite did before.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def in_process() -> bool:
    return os.environ.get("TIEPDAN_TEST_CLI", "") != "process"


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TIEPDAN_DEBUG"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("LANG", "C.UTF-8")
    env.update(extra or {})
    return env


def run(
    args: Sequence[str],
    *,
    cwd: Path,
    stdin: str = "",
    env: Mapping[str, str] | None = None,
    process: bool = False,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """``tiepdan ARGS`` from ``cwd``, its exit code and what it printed; ``env`` adds variables.
    ``process``: in a real ``python -m scheduler`` process whatever ``TIEPDAN_TEST_CLI`` says."""
    argv = [sys.executable, "-m", "scheduler", *args]
    if process or not in_process():
        return subprocess.run(
            argv,
            cwd=cwd,
            env=child_env(env),
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )
    code, out, err = _main(list(args), cwd=cwd, stdin=stdin, env=env or {})
    return subprocess.CompletedProcess(argv, code, out, err)


@contextlib.contextmanager
def _environment(extra: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.pop("TIEPDAN_DEBUG", None)
    os.environ.update(extra)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _engines_disposed() -> Iterator[None]:
    """Dispose every engine the command opened, as its process's exit would close its
    connections (a pool left open would hold PostgreSQL connections until the GC runs)."""
    from scheduler.infra import db

    made: list[Any] = []
    real = db.create

    def create(url: str, **kw: Any) -> Any:
        engine = real(url, **kw)
        made.append(engine)
        return engine

    db.create = create  # type: ignore[assignment]
    try:
        yield
    finally:
        db.create = real  # type: ignore[assignment]
        for engine in made:
            engine.dispose()


def _main(args: list[str], *, cwd: Path, stdin: str, env: Mapping[str, str]) -> tuple[int, str, str]:
    from scheduler import cli

    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with (
            contextlib.chdir(cwd),
            _environment(env),
            _engines_disposed(),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                code = cli.main(args)
            except SystemExit as exc:  # argparse: --help, a usage error
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdin = saved_stdin
    return int(code or 0), out.getvalue(), err.getvalue()
