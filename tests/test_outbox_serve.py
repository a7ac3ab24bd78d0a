"""``tiepdan serve`` runs the scheduled jobs beside the HTTP server, and stops cleanly."""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from test_outbox_support import argv, child_env, free_port, plan, write_config


def test_serve_starts_the_jobs_and_the_http_server_then_stops_cleanly(tmp_path: Path) -> None:
    config = write_config(tmp_path, units=["cao-bang"])
    plan(config)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as stderr:
        proc = subprocess.Popen(
            [*argv(config, "serve"), "--port", str(port)],
            cwd=tmp_path,
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline, body = time.monotonic() + 120, ""
        while time.monotonic() < deadline and proc.poll() is None and not body:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read().decode()
            except OSError:
                time.sleep(0.2)
        assert body == "ok", log.read_text(encoding="utf-8")
        # The queue job runs at start-up (then on the clock's fifth minutes), planning at once too.
        while time.monotonic() < deadline and "ServiceJobs.queue (trigger" not in _executed(log):
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    err = log.read_text(encoding="utf-8")
    assert "Scheduler started" in err, err
    assert "ServiceJobs.queue (trigger" in _executed(log), err
    assert "Scheduler has been shut down" in err, err
    assert "Traceback" not in err, err


def _executed(log: Path) -> str:
    lines = log.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if "executed successfully" in line)
