"""Helpers for the reminder and outbox tests (tests/test_reminders_*.py, tests/test_outbox_*.py).

No tests here. What the tests share:

- ``write_config``: a small configuration (a province party committee, ``cao-bang``, and one of
  its communes, ``thuc-phan``) with heads and staff that have e-mail addresses and phone numbers,
  optionally an ``[email]`` section pointing at a local SMTP server and an ``[sms]`` section
  pointing at a local HTTP gateway;
- ``cli``: ``tiepdan ...`` run in this process (``scheduler.cli.main``), and ``tiepdan_proc``:
  the same in a subprocess;
- ``SmtpSink``: an aiosmtpd server on 127.0.0.1 that records every message and answers 421, 550
  or slowly on cue, and can be stopped and started again on the same port;
- ``SmsGateway``: a real HTTP server (http.server in a thread) that answers from a script of
  status codes, or sleeps past the client's timeout;
- ``outbox`` / ``sessions``: the rows, read straight from the database.

Dates: the year 2027 is planned. ``cao-bang`` meets on the 25th (25/01/2027 is a Monday),
``thuc-phan`` on the 15th and 29th (Fridays in January 2027).
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2027
SENDER = "Văn phòng Tỉnh ủy Cao Bằng <vanphong@caobang.example.vn>"

HEAD_EMAIL = "bithu@caobang.example.vn"
HEAD_PHONE = "+84912345678"
STAFF_EMAIL = "vanphong@caobang.example.vn"
STAFF_PHONE = "+84987654321"
TP_HEAD_EMAIL = "bithu@thucphan.example.vn"
TP_STAFF_EMAIL = "vp@thucphan.example.vn"
TP_STAFF_PHONE = "+84911222444"

CB_HEAD = (
    f'{{ name = "Nguyễn Văn A", title = "Bí thư Tỉnh ủy", email = "{HEAD_EMAIL}", phone = "{HEAD_PHONE}" }}'
)
UNITS = {
    "cao-bang": f"""
[[units]]
id       = "cao-bang"
name     = "Tỉnh ủy Cao Bằng"
level    = "province"
body     = "party"
days     = [25]
time     = "07:30-11:30"
venue    = "Trụ sở Tiếp công dân tỉnh, số 1 đường Hoàng Đình Giong, phường Thục Phán"
head     = {CB_HEAD}
staff    = [ {{ name = "Trần Thị B", email = "{STAFF_EMAIL}", phone = "{STAFF_PHONE}" }} ]
""",
    "thuc-phan": f"""
[[units]]
id       = "thuc-phan"
name     = "Đảng ủy phường Thục Phán"
level    = "commune"
parent   = "cao-bang"
days     = [15, 29]
time     = "07:30-11:00"
venue    = "Trụ sở Đảng ủy phường Thục Phán"
head     = {{ name = "Hoàng Văn E", title = "Bí thư Đảng ủy phường", email = "{TP_HEAD_EMAIL}" }}
staff    = [ {{ name = "Đinh Thị G", email = "{TP_STAFF_EMAIL}", phone = "{TP_STAFF_PHONE}" }} ]
""",
}

TOP = """\
timezone   = "Asia/Ho_Chi_Minh"
database   = {database}
outbox_dir = "outbox"

[calendar]
country  = "VN"
roll     = "modified-following"
days_off = []
workdays = []

[reminders]
days_before = {days_before}
hour        = 7

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
"""


def write_config(
    directory: Path,
    *,
    database: str | None = None,
    units: Iterable[str] = ("cao-bang", "thuc-phan"),
    smtp_port: int | None = None,
    smtp_username: str = "",
    sms_url: str | None = None,
    sms_unicode: bool = False,
    sms_timeout: float = 5.0,
    days_before: Iterable[int] = (7, 1),
    extra_units: str = "",
) -> Path:
    """Write ``directory/config.toml``; the database defaults to ``directory/t.db``."""
    database = database or f"sqlite:///{directory / 't.db'}"
    text = TOP.format(database=json.dumps(database), days_before=json.dumps(list(days_before)))
    if smtp_port is not None:
        text += f"""
[email]
host     = "127.0.0.1"
port     = {smtp_port}
security = "none"
username = "{smtp_username}"
password_env = "TIEPDAN_TEST_SMTP_PASSWORD"
sender   = "{SENDER}"
"""
    if sms_url is not None:
        text += f"""
[sms]
url       = "{sms_url}"
token_env = "TIEPDAN_TEST_SMS_TOKEN"
unicode   = {"true" if sms_unicode else "false"}
timeout   = {sms_timeout}
"""
    text += "".join(UNITS[u] for u in units) + extra_units
    path = Path(directory) / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- running tiepdan ----------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str


def cli(config: Path, command: str, *args: str, now: str | None = None, check: bool = True) -> Run:
    """``tiepdan COMMAND ARGS --config CONFIG [--now NOW]`` in this process."""
    from scheduler import cli as tiepdan_cli

    argv = [command, *args, "--config", str(config)]
    if now is not None:
        argv += ["--now", now]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = tiepdan_cli.main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 1
    run = Run(code, out.getvalue(), err.getvalue())
    if check and code != 0:
        raise AssertionError(f"tiepdan {' '.join(argv)} exited {code}\nstdout: {run.out}\nstderr: {run.err}")
    return run


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TIEPDAN_DEBUG"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("LANG", "C.UTF-8")
    env.update(extra)
    return env


def argv(config: Path, command: str, *args: str, now: str | None = None) -> list[str]:
    out = [sys.executable, "-m", "scheduler", command, *args, "--config", str(config)]
    return out + (["--now", now] if now is not None else [])


def tiepdan_proc(
    config: Path, command: str, *args: str, now: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``tiepdan ...`` in a subprocess (not checked: the caller looks at the exit code)."""
    return subprocess.run(
        argv(config, command, *args, now=now),
        cwd=config.parent,
        env=env or child_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


# --- the database -------------------------------------------------------------------------------


def database_of(config: Path) -> str:
    from scheduler.infra.config import load_config

    return load_config(config).database_url


def outbox(config: Path, **where: Any) -> list[Any]:
    """Outbox rows in id order, filtered by column values (``purpose="reminder"``...)."""
    from scheduler.infra.db.models import OutboxRow

    t = OutboxRow.__table__
    q = select(t).order_by(t.c.id)
    for k, v in where.items():
        q = q.where(t.c[k].in_(v) if isinstance(v, list | tuple | set) else t.c[k] == v)
    engine = create_engine(database_of(config), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.execute(q))
    finally:
        engine.dispose()


def attempts(config: Path, outbox_id: int) -> list[Any]:
    from scheduler.infra.db.models import DeliveryAttemptRow

    t = DeliveryAttemptRow.__table__
    engine = create_engine(database_of(config), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(t).where(t.c.outbox_id == outbox_id).order_by(t.c.id)))
    finally:
        engine.dispose()


def sessions(config: Path, unit: str) -> list[dict[str, Any]]:
    return json.loads(cli(config, "sessions", "--unit", unit, "--format", "json").out)


def session_on(config: Path, unit: str, day: str) -> dict[str, Any]:
    (found,) = [s for s in sessions(config, unit) if s["date"] == day and s["status"] == "planned"]
    return found


def plan(config_path: Path, year: int = YEAR) -> None:
    """``tiepdan plan --year YEAR`` (the use case, on an engine that is closed afterwards)."""
    from datetime import date

    from scheduler.infra.clock import parse_now
    from scheduler.infra.config import load_config
    from scheduler.infra.db import open_database
    from scheduler.usecases.planning import plan_year

    config = load_config(config_path)
    engine = open_database(config.database_url)
    try:
        now = parse_now(f"{year - 1}-12-01T08:00", config.timezone)
        plan_year(engine, config, year, now=now, today=date(year - 1, 12, 1), actor="test")
    finally:
        engine.dispose()


# --- files written by the file channel ------------------------------------------------------------


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def emails_in(directory: Path) -> dict[str, EmailMessage]:
    """``outbox/email/*.eml`` by file name."""
    folder = directory / "outbox" / "email"
    return {p.name: parse(p.read_bytes()) for p in sorted(folder.glob("*.eml"))} if folder.exists() else {}


def sms_in(directory: Path) -> dict[str, tuple[str, str]]:
    """``outbox/sms/*.txt`` by file name: (phone, text)."""
    folder = directory / "outbox" / "sms"
    out = {}
    for p in sorted(folder.glob("*.txt")) if folder.exists() else []:
        phone, text = p.read_text(encoding="utf-8").split("\n", 1)
        out[p.name] = (phone, text.rstrip("\n"))
    return out


def calendar_part(msg: EmailMessage) -> str:
    (part,) = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    return part.get_content()


def ics_value(ics: str, name: str) -> str:
    """The value of ``NAME:`` or ``NAME;...:`` in the calendar, or else in its VEVENT."""
    unfolded = ics.replace("\r\n ", "").replace("\n ", "")
    lines = unfolded.splitlines()
    if name not in ("METHOD", "PRODID", "VERSION"):
        lines = lines[lines.index("BEGIN:VEVENT") :]
    for line in lines:
        key = line.split(":", 1)[0].split(";", 1)[0]
        if key == name:
            return line.split(":", 1)[1]
    raise AssertionError(f"{name} not in {ics}")


# --- an SMTP server that records, and misbehaves on cue ------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    message_id: str
    rcpt: list[str]
    msg: EmailMessage
    raw: bytes = b""  # the bytes as they arrived


@dataclass
class SinkHandler:
    """Records each message when its data has arrived (before answering, so a client killed
    while waiting for the answer still leaves the message here, as with a real server).

    ``busy``: answer 421 to every RCPT; ``refuse``: addresses answered 550; ``delay``: seconds
    before answering the data.
    """

    received: list[Received] = field(default_factory=list)
    busy: bool = False
    refuse: set[str] = field(default_factory=set)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.busy:
            return "421 4.3.2 Service not available, closing channel"
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        msg = parse(envelope.content)
        with self.lock:
            received = Received(str(msg["Message-ID"]), list(envelope.rcpt_tos), msg, envelope.content)
            self.received.append(received)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 2.0.0 Accepted"


class SmtpSink:
    """aiosmtpd on 127.0.0.1; ``stop()`` and ``start()`` again keep the port and the records."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = SinkHandler()
        self.controller: Controller | None = None

    def start(self) -> SmtpSink:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def ids(self) -> Counter[str]:
        return Counter(r.message_id for r in self.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt]


# --- an SMS gateway -------------------------------------------------------------------------------


class SmsGateway(ThreadingHTTPServer):
    """A JSON-over-HTTP gateway on 127.0.0.1. ``script``: the status codes of the next answers
    (then 200); a code of 0 means sleep ``sleep`` seconds (past the client's timeout), then 200."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _GatewayHandler)
        self.requests: list[dict[str, Any]] = []
        self.answers: list[int] = []
        self.script: list[int] = []
        self.echo = False  # echo the Authorization header (the token) in an error answer
        self.sleep = 2.0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms/send"

    def __enter__(self) -> SmsGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join()

    def delivered(self) -> list[dict[str, Any]]:
        """The requests answered 200, in order."""
        with self.lock:
            return [r for r, a in zip(self.requests, self.answers, strict=True) if a == 200]


class _GatewayHandler(BaseHTTPRequestHandler):
    server: SmsGateway

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body["_authorization"] = self.headers.get("Authorization")
        with self.server.lock:
            status = self.server.script.pop(0) if self.server.script else 200
            self.server.requests.append(body)
            self.server.answers.append(status if status else -1)  # -1: timed out
        if status == 0:
            time.sleep(self.server.sleep)
            status = 200
        answer: dict[str, Any] = {"code": 0 if status == 200 else status}
        if self.server.echo and status != 200:  # a gateway that echoes the request in its error
            answer["error"] = f"bad request: Authorization: {body['_authorization']}"
        payload = json.dumps(answer).encode()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


# --- many units, for the concurrency, fault and load tests ---------------------------------------


def many_units(count: int, *, staff: int = 2, day: int = 25) -> str:
    """``count`` province-level units meeting on ``day``, each with a head and ``staff`` staff,
    all with e-mail addresses only (so every message goes to the SMTP server)."""
    out = []
    for i in range(count):
        people = ", ".join(
            f'{{ name = "Cán bộ {j}", email = "canbo{j}@dv{i:03d}.example.vn" }}' for j in range(staff)
        )
        out.append(
            f"""
[[units]]
id    = "dv{i:03d}"
name  = "Đơn vị thử {i:03d}"
level = "province"
days  = [{day}]
time  = "07:30-11:30"
venue = "Trụ sở đơn vị {i:03d}"
head  = {{ name = "Thủ trưởng {i:03d}", title = "Bí thư", email = "bithu@dv{i:03d}.example.vn" }}
staff = [ {people} ]
"""
        )
    return "".join(out)


def queue_only(config_path: Path, now: str) -> int:
    """Queue what is due as of ``now`` without delivering (a tick that stopped after queueing)."""
    from scheduler.infra.clock import parse_now
    from scheduler.infra.config import load_config
    from scheduler.infra.db import open_database
    from scheduler.outbox import queue_due

    config = load_config(config_path)
    engine = open_database(config.database_url)
    try:
        return queue_due(engine, config, parse_now(now, config.timezone))
    finally:
        engine.dispose()


def deliver_worker(config_path: str, now: str, batch: int, barrier: Any, results: Any) -> None:
    """``deliver_due`` in a child process, started together with the others at ``barrier``."""
    from scheduler.infra.clock import parse_now
    from scheduler.infra.config import load_config
    from scheduler.infra.db import open_database
    from scheduler.outbox import build_channels, deliver_due

    config = load_config(config_path)
    engine = open_database(config.database_url)
    channels = build_channels(config)
    barrier.wait(timeout=120)
    stats = asyncio.run(deliver_due(engine, config, channels, parse_now(now, config.timezone), batch=batch))
    engine.dispose()
    results.put((os.getpid(), stats.sent, stats.retried, stats.failed, stats.dropped))
