"""Benchmark of reminder delivery: the outbox against a bare aiosmtplib loop, and the national
peak day.

1. **Outbox vs bare loop.** ``--messages`` reminder e-mails (one a recipient, from units that all
   meet on the same day) are queued by ``queue_due``. Then, in alternating rounds against the
   same aiosmtpd sink (running in its own process, so it does not share our interpreter):

   - the bare loop: for each of the same ``OutgoingMessage``s, ``email_bytes`` (the same MIME
     bytes the channel makes) and ``aiosmtplib.SMTP.sendmail``, over as many connections at once as
     the outbox has, each sending its share one message after the other;
   - the outbox: ``deliver_due`` with every row pending again: claiming, checking the sessions,
     sending through ``SmtpChannel``, an attempt row before each message and its result after,
     written in groups as it goes.

   Each round runs in two placements, both loops alike: ``shared`` (the kernel places every
   process) and ``apart`` (the sink alone on the last CPU: a mail server on a machine of its own).

   E-mails per second for both, each round and the median, and their ratio (goal: the outbox
   at least 90 % of the bare loop on the same number of connections at once). Where the time
   went (Linux's schedstat): the share of each run the sink ran, and how long the sending
   thread waited runnable for a CPU. For reference, the wire alone (MIME built beforehand).

2. **National peak day.** The pre2025 national registry of ``bench/registry.py`` (11,367
   units), each unit given an office e-mail as staff (the registry has none), planned for 2027.
   The busiest reminder day is the morning with the most 1- and 7-day reminders as the alert
   policy sends them (a day off moves a reminder to the working day before it); sessions
   before it are recorded as held (an office that keeps up, so no missing-outcome flood). Then
   ``queue_due`` and ``deliver_due`` as of 07:01 that day, e-mail to the aiosmtpd sink and SMS
   to a local HTTP gateway (both in their own processes): counts and times, a second
   ``queue_due`` at the same instant (a second tick), and the counts at the sink and gateway.

SQLite by default; ``--pg`` also runs both parts on a throwaway PostgreSQL (tests/pg.py).

Run (from the repository root)::

    .venv/bin/python bench/bench_delivery.py
    .venv/bin/python bench/bench_delivery.py --messages 900 --rounds 3 --pg
    .venv/bin/python bench/bench_delivery.py --skip-national
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry import write_registry

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2027
SENDER = "Văn phòng Tỉnh ủy <vanphong@example.vn>"
SENT_AT = datetime(2027, 1, 18, 0, 0, tzinfo=UTC)  # the Date of the bare loop's e-mails
TOKEN_ENV = "TIEPDAN_BENCH_SMS_TOKEN"


def load() -> str:
    try:
        return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "load average n/a"


# --- the sink and the gateway, each in its own process ---------------------------------------------

_MID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


def _sink_main(conn: Any) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    lock = threading.Lock()
    state: dict[str, Any] = {"messages": 0, "connections": 0, "ids": Counter()}

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            m = _MID.search(envelope.content)
            with lock:
                state["messages"] += 1
                state["ids"][m.group(1) if m else b"?"] += 1
            return "250 2.0.0 Accepted"

    class CountingSMTP(SMTP):
        def connection_made(self, transport: Any) -> None:
            if self._original_transport is None:
                with lock:
                    state["connections"] += 1
            super().connection_made(transport)

    class CountingController(Controller):
        def factory(self) -> SMTP:
            return CountingSMTP(self.handler, **self.SMTP_kwargs)

    controller = CountingController(Handler(), hostname="127.0.0.1", port=0 or _free_port())
    controller.start()
    conn.send(controller.port)
    _serve_commands(conn, lock, state)
    controller.stop()


def _gateway_main(conn: Any) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    lock = threading.Lock()
    state: dict[str, Any] = {"messages": 0, "connections": 0, "ids": Counter()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway
        # Headers and body go out in two writes: without this, Nagle's algorithm holds the body
        # until the client's delayed ACK (40 ms), and that stall would be the whole measure.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                state["messages"] += 1
                state["ids"][body["request_id"]] += 1
            payload = b'{"code": 0}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    conn.send(server.server_address[1])
    _serve_commands(conn, lock, state)
    server.shutdown()


def _serve_commands(conn: Any, lock: threading.Lock, state: dict[str, Any]) -> None:
    while True:
        command = conn.recv()
        with lock:
            if command == "stats":
                ids: Counter[Any] = state["ids"]
                conn.send((state["messages"], len(ids), state["connections"]))
            elif command == "reset":
                state.update(messages=0, connections=0, ids=Counter())
                conn.send(None)
            else:
                conn.send(None)
                return


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A sink or gateway process: ``port``, ``stats()`` -> (messages, distinct ids, connections)."""

    def __init__(self, target: Callable[[Any], None]) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=target, args=(child,), daemon=True)
        self.process.start()
        self.port: int = self.conn.recv()

    def stats(self) -> tuple[int, int, int]:
        self.conn.send("stats")
        return self.conn.recv()

    def reset(self) -> None:
        self.conn.send("reset")
        self.conn.recv()

    def stop(self) -> None:
        self.conn.send("stop")
        self.conn.recv()
        self.process.join(timeout=30)


# --- configurations -----------------------------------------------------------------------------


def email_section(port: int) -> str:
    return f"""
[email]
host     = "127.0.0.1"
port     = {port}
security = "none"
sender   = "{SENDER}"
"""


def sms_section(port: int) -> str:
    return f"""
[sms]
url       = "http://127.0.0.1:{port}/send"
token_env = "{TOKEN_ENV}"
"""


def small_config(directory: Path, database: str, units: int, smtp_port: int) -> Path:
    """``units`` units meeting on 25/01/2027, each with a head and two staff, e-mail only."""
    text = f"""\
timezone   = "Asia/Ho_Chi_Minh"
database   = {json.dumps(database)}
outbox_dir = "outbox"

[calendar]
country  = "VN"
roll     = "modified-following"
days_off = []
workdays = []

[reminders]
days_before = [1]
hour        = 7

[levels.province]
name     = "Bí thư Tỉnh ủy"
min_days = 1
per      = "month"
basis    = "Quy định 11-QĐi/TW"
{email_section(smtp_port)}
"""
    for i in range(units):
        text += f"""
[[units]]
id    = "dv{i:04d}"
name  = "Tỉnh ủy thử {i:04d}"
level = "province"
days  = [25]
time  = "07:30-11:30"
venue = "Trụ sở Tiếp công dân tỉnh thử {i:04d}, số {i} đường Hoàng Đình Giong"
head  = {{ name = "Nguyễn Văn {i:04d}", title = "Bí thư Tỉnh ủy", email = "bithu@dv{i:04d}.example.vn" }}
staff = [ {{ name = "Trần Thị B", email = "vanphong@dv{i:04d}.example.vn" }},
          {{ name = "Lê Văn C", email = "tcd@dv{i:04d}.example.vn" }} ]
"""
    path = directory / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def national_config(
    directory: Path, database: str, smtp_port: int, gateway_port: int, provinces: int | None = None
) -> Path:
    """The pre2025 registry, each unit given an office e-mail as staff, e-mail and SMS configured;
    ``provinces``: only the first so many provinces and the units under them (a smaller peak day,
    e.g. to profile)."""
    config = write_registry(directory, "pre2025")
    units_csv = directory / "units.csv"
    with units_csv.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    if provinces is not None:
        id_col, parent_col = header.index("id"), header.index("parent")
        kept = set([row[id_col] for row in body if not row[parent_col]][:provinces])
        for _ in range(3):  # province -> district -> commune
            kept |= {row[id_col] for row in body if row[parent_col] in kept}
        body = [row for row in body if row[id_col] in kept]
    if "staff" not in header:
        id_col = header.index("id")
        header.append("staff")
        for row in body:
            row.append(f"Văn phòng|vanphong@{row[id_col]}.example.vn|")
        with units_csv.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(body)
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"^database\s*=.*$", f"database  = {json.dumps(database)}", text, count=1, flags=re.M)
    text += email_section(smtp_port) + sms_section(gateway_port)
    config.write_text(text, encoding="utf-8")
    return config


# --- helpers --------------------------------------------------------------------------------------


@contextmanager
def timed() -> Any:
    """Wall seconds (``s``), this process's CPU seconds, all threads (``cpu``), and the CPU of
    the processes it started and ended meanwhile (``children``: the delivery's building process;
    the sink and the gateway live on and are not counted)."""
    import resource

    def children() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    box = {"s": 0.0, "cpu": 0.0, "children": 0.0}
    start, cpu, kids = time.perf_counter(), time.process_time(), children()
    try:
        yield box
    finally:
        box["s"], box["cpu"] = time.perf_counter() - start, time.process_time() - cpu
        box["children"] = children() - kids


# --- where the processes run -------------------------------------------------------------------------


def _tasks(pid: int) -> list[int]:
    try:
        return [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return []


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (PostgreSQL's backends are its postmaster's children)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry))
    return found


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:  # gone meanwhile
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ran_waited(pid: int, tid: int | None = None) -> tuple[float, float]:
    """Seconds ``pid``'s threads (or its one thread ``tid``) have run, and have waited runnable
    for a CPU, so far (Linux's schedstat); zeros where it cannot be read."""
    ran = waited = 0.0
    for t in [tid] if tid is not None else _tasks(pid):
        try:
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                r, w = f.read().split()[:2]
        except (OSError, ValueError):
            continue
        ran, waited = ran + int(r) / 1e9, waited + int(w) / 1e9
    return ran, waited


def server_cpu(postmaster: int | None) -> float:
    """CPU seconds of the PostgreSQL server so far (its postmaster and the processes alive under
    it: backends, WAL writer, autovacuum), 0 without one: what the outbox's bookkeeping costs the
    database, which the deliverer's own CPU does not show."""
    if postmaster is None:
        return 0.0
    return sum(_cpu_seconds(pid) for pid in [postmaster, *_children(postmaster)])


def _pin(pid: int, cpus: set[int]) -> None:
    for tid in _tasks(pid):
        with contextlib.suppress(OSError):  # gone meanwhile
            os.sched_setaffinity(tid, cpus)


class Placement:
    """Where part 1's processes run. ``shared``: wherever the kernel puts them, the sink competing
    with the code under test for this machine's cores. ``apart``: the sink alone on the last CPU,
    everything else (this process's threads, the building process, PostgreSQL) on the others: the
    mail server on a machine of its own, as it is in service, so that a design with more threads
    is not charged for the sink's CPU. Both loops get the same placement in a round."""

    def __init__(self, sink: Server, postmaster: int | None) -> None:
        self.sink, self.postmaster = sink, postmaster
        self.possible = hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) >= 2
        self.all = set(os.sched_getaffinity(0)) if self.possible else set()

    def use(self, mode: str) -> None:
        last = max(self.all)
        server, others = ({last}, self.all - {last}) if mode == "apart" else (self.all, self.all)
        _pin(self.sink.process.pid, server)
        _pin(os.getpid(), others)  # threads started later inherit it
        if self.postmaster is not None:  # new backends inherit the postmaster's
            for pid in [self.postmaster, *_children(self.postmaster)]:
                _pin(pid, others)


def open_all(config_path: Path) -> tuple[Any, Any]:
    from scheduler.infra.config import load_config
    from scheduler.infra.db import open_database

    config = load_config(config_path)
    return config, open_database(config.database_url)


def plan(engine: Any, config: Any) -> Any:
    from scheduler.infra.clock import parse_now
    from scheduler.usecases.planning import plan_year

    now = parse_now(f"{YEAR - 1}-12-01T08:00", config.timezone)
    return plan_year(engine, config, YEAR, now=now, today=date(YEAR - 1, 12, 1), actor="bench")


def reset_outbox(engine: Any, *, every_row: bool = False) -> None:
    """Every row delivered by a run (``sent_at`` set; ``every_row``: claimed or not) pending
    again, its attempts forgotten."""
    from sqlalchemy import delete, true, update

    from scheduler.infra.db.models import DeliveryAttemptRow, OutboxRow

    o = OutboxRow.__table__
    with engine.begin() as conn:
        conn.execute(delete(DeliveryAttemptRow.__table__))
        conn.execute(
            update(o)
            .where(true() if every_row else o.c.sent_at.is_not(None))
            .values(
                status="pending",
                attempts=0,
                claimed_until=None,
                claimed_by=None,
                sent_at=None,
                last_error=None,
            )
        )


def outbox_rows(engine: Any) -> list[Any]:
    from sqlalchemy import select

    from scheduler.infra.db.models import OutboxRow

    o = OutboxRow.__table__
    with engine.connect() as conn:
        return list(conn.execute(select(o).order_by(o.c.next_attempt_at, o.c.id)))


# --- part 1 ------------------------------------------------------------------------------------------


async def bare_loop(
    messages: list[Any], port: int, connections: int, *, wire: list[bytes] | None = None
) -> None:
    """The same messages over ``connections`` connections at once, each sending its share one
    after the other; ``wire``: the bytes already built (else ``email_bytes`` for each, as the
    channel does)."""
    import aiosmtplib

    from notifiers.message import sender_address
    from notifiers.wire import email_bytes

    sender = sender_address(SENDER)

    async def one(share: range) -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30)
        await smtp.connect()
        for i in share:
            m = messages[i]
            if wire is not None:
                await smtp.sendmail(sender, [m.recipient], wire[i])
            else:
                await smtp.sendmail(sender, [m.recipient], email_bytes(m, SENDER, date=SENT_AT))
        await smtp.quit()

    await asyncio.gather(*(one(range(c, len(messages), connections)) for c in range(connections)))


def rendered(engine: Any, config: Any, now: Any) -> list[Any]:
    """The messages of the tick at ``now`` as rendered, before the outbox composes them (it
    keeps an e-mail's MIME, not its words): the bare loop builds its e-mails from these, as the
    delivery did before composing moved to the queue. Queued once uncomposed, read, removed."""
    from unittest import mock

    from sqlalchemy import delete

    from scheduler.infra.db.models import OutboxRow
    from scheduler.outbox import _outgoing, queue_due
    from scheduler.outbox.compose import Composer

    with (
        mock.patch.object(Composer, "here", lambda self, rows: None),
        mock.patch.object(Composer, "start", lambda self, rows: None),
        mock.patch.object(Composer, "fill", lambda self, rows, started: None),
    ):
        queue_due(engine, config, now)
    messages = [_outgoing(r) for r in outbox_rows(engine)]
    with engine.begin() as conn:
        conn.execute(delete(OutboxRow.__table__))
    return messages


def part1(
    database: str,
    label: str,
    messages_wanted: int,
    rounds: int,
    batch: int,
    sink: Server,
    placement: Placement,
) -> None:
    from scheduler.infra.clock import parse_now
    from scheduler.outbox import build_channels, deliver_due, queue_due

    units = max(1, messages_wanted // 3)
    modes = ["shared", "apart"] if placement.possible else ["shared"]
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
        db = database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        config, engine = open_all(small_config(Path(tmp), db, units, sink.port))
        plan(engine, config)
        now = parse_now(f"{YEAR}-01-24T07:01", config.timezone)
        messages = rendered(engine, config, now)
        queued = queue_due(engine, config, now)
        assert len(messages) == queued == units * 3
        channels = build_channels(config)
        print(f"\n== 1. Outbox delivery vs a bare aiosmtplib loop ({label}; {load()}) ==")
        print(f"{queued} reminder e-mails, {units} units; aiosmtpd sink in its own process")
        if placement.possible:
            print(
                "each round in two placements: 'shared' (the sink and the code under test on the same "
                f"{len(placement.all)} CPUs) and 'apart' (the sink alone on CPU {max(placement.all)}, "
                "as a mail server on its own machine)"
            )
        bare_rates: dict[str, list[float]] = {m: [] for m in modes}
        outbox_rates: dict[str, list[float]] = {m: [] for m in modes}
        ratios: dict[str, list[float]] = {m: [] for m in modes}
        bare_cpu: dict[str, list[float]] = {m: [] for m in modes}
        outbox_cpu: dict[str, list[float]] = {m: [] for m in modes}
        database_cpu: dict[str, list[float]] = {m: [] for m in modes}  # PostgreSQL's server
        # Where a run's time went (schedstat): the share of it the sink ran, and how long the
        # sending thread (this one: asyncio.run) waited runnable for a CPU; by loop, then mode.
        kinds = ("bare", "outbox")
        sink_ran: dict[str, dict[str, list[float]]] = {k: {m: [] for m in modes} for k in kinds}
        loop_waited: dict[str, dict[str, list[float]]] = {k: {m: [] for m in modes} for k in kinds}
        conns = 0

        @contextmanager
        def watched(kind: str, mode: str) -> Iterator[None]:
            sink_pid, me, loop = sink.process.pid or 0, os.getpid(), threading.get_native_id()
            sink0, loop0 = ran_waited(sink_pid), ran_waited(me, loop)
            start = time.perf_counter()
            yield
            wall = time.perf_counter() - start
            sink1, loop1 = ran_waited(sink_pid), ran_waited(me, loop)
            sink_ran[kind][mode].append((sink1[0] - sink0[0]) / wall)
            loop_waited[kind][mode].append((loop1[1] - loop0[1]) * 1000)

        def run_outbox(mode: str) -> dict[str, float]:
            sink.reset()
            reset_outbox(engine)
            before = server_cpu(placement.postmaster)
            with watched("outbox", mode), timed() as t:
                stats = asyncio.run(deliver_due(engine, config, channels, now, batch=batch))
            t["server"] = server_cpu(placement.postmaster) - before
            got, distinct, connections = sink.stats()
            assert stats.sent == got == distinct == queued, (stats, got, distinct)
            t["connections"] = connections
            return t

        def run_bare(connections: int, mode: str) -> dict[str, float]:
            sink.reset()
            with watched("bare", mode), timed() as t:
                asyncio.run(bare_loop(messages, sink.port, connections))
            got, distinct, used = sink.stats()
            assert got == distinct == queued and used == connections, (got, distinct, used)
            return t

        try:
            for r in range(1, rounds + 1):
                for mode in modes if r % 2 else modes[::-1]:
                    placement.use(mode)
                    # Alternate which goes first: on a busy machine the order matters.
                    if r % 2:
                        t_out = run_outbox(mode)
                        conns = int(t_out["connections"])
                        t_bare = run_bare(conns, mode)
                    else:
                        t_bare = run_bare(conns, mode)
                        t_out = run_outbox(mode)
                    bare_rates[mode].append(queued / t_bare["s"])
                    outbox_rates[mode].append(queued / t_out["s"])
                    ratios[mode].append(outbox_rates[mode][-1] / bare_rates[mode][-1])
                    bare_cpu[mode].append(t_bare["cpu"] / queued * 1000)
                    outbox_cpu[mode].append((t_out["cpu"] + t_out["children"]) / queued * 1000)
                    database_cpu[mode].append(t_out["server"] / queued * 1000)
                    server = (
                        f"; PostgreSQL's server {database_cpu[mode][-1]:.2f} ms CPU each"
                        if placement.postmaster is not None
                        else ""
                    )
                    print(
                        f"round {r} {mode:6}: bare loop {bare_rates[mode][-1]:6.1f} e-mails/s "
                        f"({t_bare['s']:6.2f} s, {bare_cpu[mode][-1]:5.2f} ms CPU each)   outbox "
                        f"{outbox_rates[mode][-1]:6.1f} e-mails/s ({t_out['s']:6.2f} s, "
                        f"{outbox_cpu[mode][-1]:5.2f} ms CPU each, its building process included)   "
                        f"{ratios[mode][-1]:6.1%}   ({conns} connections each{server})"
                    )
        finally:
            placement.use("shared")
        from notifiers.wire import email_bytes

        wire = [email_bytes(m, SENDER, date=SENT_AT) for m in messages]
        sink.reset()
        with timed() as t_wire:
            asyncio.run(bare_loop(messages, sink.port, conns, wire=wire))
        for mode in modes:
            bare, out = statistics.median(bare_rates[mode]), statistics.median(outbox_rates[mode])
            cpu_b, cpu_o = statistics.median(bare_cpu[mode]), statistics.median(outbox_cpu[mode])
            print(
                f"median, {label}, {mode}: bare loop {bare:.1f} e-mails/s, outbox {out:.1f} e-mails/s -> "
                f"{out / bare:.1%} of the bare loop (median of the rounds' ratios "
                f"{statistics.median(ratios[mode]):.1%}; goal >= 90 %), bookkeeping included"
            )
            print(
                f"CPU a message, {label}, {mode} (robust to other load on the machine; the outbox's building "
                f"process included): bare loop {cpu_b:.2f} ms, outbox {cpu_o:.2f} ms -> by CPU the "
                f"outbox runs at {cpu_b / cpu_o:.1%} of the bare loop"
                + (
                    f"; PostgreSQL's server besides: {statistics.median(database_cpu[mode]):.2f} ms"
                    if placement.postmaster is not None
                    else ""
                )
            )
            if sink_ran["bare"][mode][0] > 0:  # schedstat readable (Linux)
                med = statistics.median
                print(
                    f"where the time went, {label}, {mode} (medians; Linux schedstat): the sink ran "
                    f"{med(sink_ran['bare'][mode]):.0%} of the bare loop's run and "
                    f"{med(sink_ran['outbox'][mode]):.0%} of the outbox's; the sending thread waited "
                    f"runnable for a CPU {med(loop_waited['bare'][mode]):.0f} ms a run with the bare "
                    f"loop, {med(loop_waited['outbox'][mode]):.0f} ms with the outbox"
                )
        print(
            f"for reference, the wire alone (MIME built beforehand, not timed): "
            f"{queued / t_wire['s']:.1f} e-mails/s; building the MIME is most of the cost of both"
        )
        print(bookkeeping())
        engine.dispose()


# --- part 2 ------------------------------------------------------------------------------------------


def busiest_day(engine: Any, config: Any) -> tuple[date, int, int]:
    """The morning with the most reminders: each session's 1- and 7-day reminders fall on the day
    the alert policy sends them (a day off moves them to the working day before, so the last
    working day before Tết collects a whole week's)."""
    from collections import Counter

    from sqlalchemy import func, select

    from rules.alert_policy import reminder_day
    from scheduler.infra.db.models import SessionRow

    s = SessionRow.__table__
    with engine.connect() as conn:
        by_day = dict(conn.execute(select(s.c.date, func.count()).group_by(s.c.date)).all())
    by_day = {d if isinstance(d, date) else date.fromisoformat(d): n for d, n in by_day.items()}
    send: Counter[date] = Counter()
    near: Counter[date] = Counter()
    far: Counter[date] = Counter()
    for d, n in by_day.items():
        for lead, tally in ((1, near), (7, far)):
            day = reminder_day(d, lead, config.calendar)
            send[day] += n
            tally[day] += n
    best = max((d for d in send if d.year == YEAR and d > date(YEAR, 1, 1)), key=lambda d: (send[d], d))
    return best, near[best], far[best]


def part2(
    database: str,
    label: str,
    out_dir: Path,
    sink: Server,
    gateway: Server,
    provinces: int | None = None,
    postmaster: int | None = None,
) -> None:
    from sqlalchemy import func, select, update

    from scheduler.infra.clock import parse_now
    from scheduler.infra.db.models import OutboxRow, SessionRow
    from scheduler.outbox import build_channels, deliver_due, queue_due

    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("bench.db*"):
        stale.unlink()
    db = database or f"sqlite:///{out_dir / 'bench.db'}"
    print(f"\n== 2. National peak day ({label}; {load()}) ==")
    with timed() as t_cfg:
        config, engine = open_all(national_config(out_dir, db, sink.port, gateway.port, provinces))
    part = f", the first {provinces} provinces" if provinces is not None else ""
    print(f"registry pre2025{part}: {len(config.units)} units (written and loaded in {t_cfg['s']:.1f} s)")
    with timed() as t_plan:
        result = plan(engine, config)
    print(f"plan {YEAR}: {result.created} sessions in {t_plan['s']:.1f} s")
    day, next_day, next_week = busiest_day(engine, config)
    s = SessionRow.__table__
    with engine.begin() as conn:
        conn.execute(update(s).where(s.c.date < day, s.c.status == "planned").values(status="held"))
    print(
        f"busiest reminder day: {day.isoformat()} ({next_day} sessions due a 1-day reminder, {next_week} "
        f"a 7-day one); sessions before it recorded as held (outcomes kept up to date)"
    )
    # The service ran the day before: what was due then is in the outbox and sent (else the
    # peak day would also catch up on every 7-day reminder of the week, as a first tick does).
    o = OutboxRow.__table__
    with timed() as t_before:
        before = queue_due(engine, config, parse_now(f"{day - timedelta(days=1)}T07:01", config.timezone))
    # Only what was due that day went out; rows queued ahead for the peak morning stay pending.
    peak_morning = parse_now(f"{day.isoformat()}T00:00", config.timezone)
    with engine.begin() as conn:
        conn.execute(update(o).where(o.c.due_at < peak_morning).values(status="sent"))
    print(
        f"the day before ({day - timedelta(days=1)}): {before} messages queued "
        f"in {t_before['s']:.1f} s, those due that day marked sent"
    )
    now = parse_now(f"{day.isoformat()}T07:01", config.timezone)
    before = server_cpu(postmaster)
    with timed() as t_queue:
        queued = queue_due(engine, config, now)
    queue_server = server_cpu(postmaster) - before
    with engine.connect() as conn:
        kind = (o.c.purpose, o.c.lead, o.c.channel)
        by_kind = conn.execute(
            select(*kind, func.count()).where(o.c.status == "pending").group_by(*kind)
        ).all()
    print(
        f"queue_due: {queued} messages queued in {t_queue['s']:.1f} s ({queued / t_queue['s']:.0f}/s; "
        f"CPU {t_queue['cpu']:.1f} s{_besides(postmaster, queue_server)}; {load()})"
    )
    for purpose, lead, channel, n in sorted(by_kind):
        print(f"    {purpose:<16} lead {lead:>2}  {channel:<5} {n:>6}")
    with timed() as t_again:
        again = queue_due(engine, config, now)
    print(
        f"queue_due again at the same instant (a second tick): {again} new, {t_again['s']:.1f} s "
        f"(CPU {t_again['cpu']:.1f} s; {load()})"
    )

    os.environ.setdefault(TOKEN_ENV, "bench-token")
    channels = build_channels(config)
    sink.reset()
    gateway.reset()
    before = server_cpu(postmaster)
    with timed() as t_deliver:
        stats = asyncio.run(deliver_due(engine, config, channels, now))
    deliver_server = server_cpu(postmaster) - before
    mails, mail_ids, conns = sink.stats()
    texts, text_ids, _ = gateway.stats()
    total = t_queue["s"] + t_deliver["s"]
    print(
        f"deliver_due: sent {stats.sent}, retried {stats.retried}, failed {stats.failed}, dropped "
        f"{stats.dropped} in {t_deliver['s']:.1f} s ({stats.sent / t_deliver['s']:.0f} messages/s; CPU "
        f"{t_deliver['cpu']:.1f} s + {t_deliver['children']:.1f} s in the building process, "
        f"{(t_deliver['cpu'] + t_deliver['children']) / max(1, stats.sent) * 1000:.2f} ms a message"
        f"{_besides(postmaster, deliver_server)}; {load()})"
    )
    print(f"    at the SMTP sink: {mails} e-mails ({mail_ids} distinct Message-IDs) over {conns} connections")
    print(f"    at the SMS gateway: {texts} SMS ({text_ids} distinct request ids)")
    print(f"peak day, queue and deliver: {total:.1f} s ({total / 60:.1f} min; goal <= 60 s); {bookkeeping()}")
    assert stats.sent == queued == mails + texts and mails == mail_ids and texts == text_ids
    if engine.dialect.name == "postgresql":
        two_instances(engine, config, db, out_dir, now, queued, sink, gateway)
    engine.dispose()


def bookkeeping() -> str:
    """How the delivery's bookkeeping threads ran so far in this process (``scheduler/outbox/books.py``):
    idle-only throughout, or moved to nice +10 once its calls waited for a CPU most of their time."""
    try:
        from scheduler.outbox import books
    except ImportError:  # a baseline from before it (compare_delivery.sh)
        return "bookkeeping at nice +10 (the code before books.py)"
    return {
        "nice": "bookkeeping at nice +10 (no idle-only scheduling here)",
        "idle-only": "bookkeeping idle-only throughout",
        "moved": "bookkeeping moved to nice +10: its calls waited for a CPU most of their time",
    }[books.how_it_ran()]


def _besides(postmaster: int | None, seconds: float) -> str:
    return f"; PostgreSQL's server {seconds:.1f} s CPU besides" if postmaster is not None else ""


def _instance(config_path: str, now_iso: str, barrier: Any, results: Any) -> None:
    from scheduler.infra.clock import parse_now
    from scheduler.infra.config import load_config
    from scheduler.infra.db import create
    from scheduler.outbox import build_channels, deliver_due

    os.environ.setdefault(TOKEN_ENV, "bench-token")
    config = load_config(Path(config_path))
    engine = create(config.database_url)
    channels = build_channels(config)
    barrier.wait(timeout=120)
    stats = asyncio.run(deliver_due(engine, config, channels, parse_now(now_iso, config.timezone)))
    results.put(stats.sent)


def two_instances(
    engine: Any, config: Any, db: str, out_dir: Path, now: Any, queued: int, sink: Server, gateway: Server
) -> None:
    """The same peak day again, every row pending, delivered by two processes at once."""
    reset_outbox(engine)
    sink.reset()
    gateway.reset()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=_instance, args=(str(config.path), now.isoformat(), barrier, results))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    with timed() as t:
        sent = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    mails, mail_ids, _ = sink.stats()
    texts, text_ids, _ = gateway.stats()
    duplicates = (mails - mail_ids) + (texts - text_ids)
    print(
        f"two instances on one PostgreSQL: sent {sent[0]} + {sent[1]} = {sum(sent)} of {queued} in "
        f"{t['s']:.1f} s; received {mails + texts}, distinct {mail_ids + text_ids}, duplicates {duplicates}"
    )
    assert duplicates == 0 and mail_ids + text_ids == queued


def _postmaster(server: Any) -> int | None:
    """The throwaway PostgreSQL's postmaster, from its pid file (None for an external server)."""
    try:
        return int((server.datadir / "postmaster.pid").read_text().split()[0])
    except (AttributeError, TypeError, OSError, ValueError, IndexError):
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=600, help="e-mails in part 1 (default 600)")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds in part 1 (default 5)")
    ap.add_argument("--batch", type=int, default=200, help="outbox claim size = messages a connection")
    ap.add_argument("--skip-national", action="store_true", help="part 1 only")
    ap.add_argument(
        "--provinces", type=int, default=None, help="peak day of the first N provinces only (to profile)"
    )
    ap.add_argument("--pg", action="store_true", help="also on a throwaway PostgreSQL (tests/pg.py)")
    ap.add_argument("--pg-only", action="store_true", help="on PostgreSQL only (to profile)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "delivery")
    args = ap.parse_args(argv)

    sink, gateway = Server(_sink_main), Server(_gateway_main)
    pg_server = None
    try:
        targets = [] if args.pg_only else [("", "SQLite")]
        if args.pg or args.pg_only:
            sys.path.insert(0, str(ROOT / "tests"))
            import pg  # the test suite's throwaway server

            pg_server = pg.obtain_server()
            targets.append(("pg", "PostgreSQL"))
        for kind, label in targets:
            url = pg_server.create_database() if kind == "pg" and pg_server else ""
            postmaster = _postmaster(pg_server) if kind == "pg" else None
            if args.rounds:
                part1(url, label, args.messages, args.rounds, args.batch, sink, Placement(sink, postmaster))
            if not args.skip_national:
                url2 = pg_server.create_database() if kind == "pg" and pg_server else ""
                part2(url2, label, args.out / (kind or "sqlite"), sink, gateway, args.provinces, postmaster)
    finally:
        sink.stop()
        gateway.stop()
        if pg_server is not None:
            pg_server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
