"""``tiepdan tick``, ``tiepdan serve`` and ``tiepdan outbox``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

from notifiers.alerts import CHANNEL_VI
from notifiers.safe import terminal
from rules.parsing import parse_count
from rules.vietnamese import dmy
from rules.vocabulary import MESSAGE_VI
from scheduler.cli.common import Subparsers, add_config, add_now, config_from, now_from
from scheduler.cli.tick_report import tick_lines
from scheduler.infra.clock import as_utc, local_today, start_clock_at
from scheduler.infra.db import open_database
from scheduler.infra.decisions import tet_warning
from scheduler.jobs import start_scheduler, tick, years_ahead
from scheduler.outbox import build_channels, outbox_rows, refused_addresses

STATUS_VI = {"pending": "chờ gửi", "sent": "đã gửi", "failed": "lỗi", "dropped": "bỏ"}


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit() and 0 < int(text) < 65536):
        raise argparse.ArgumentTypeError(f"cổng phải là số từ 1 đến 65535, không phải {text[:20]!r}")
    return int(text)


def _limit(text: str) -> int:
    """``outbox --limit``: how many rows to show, strictly parsed (int() took 2^63, which SQLite
    cannot bind, and "٥٠")."""
    try:
        value = parse_count(text, high=100_000)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"số dòng: {exc}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("số dòng: phải từ 1 trở lên")
    return value


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("tick", help="chạy mọi việc định kỳ một lần: lập lịch, xếp tin, gửi tin")
    add_config(p)
    add_now(p)
    p.set_defaults(func=run_tick)

    p = sub.add_parser("serve", help="chạy dịch vụ: việc định kỳ và máy chủ HTTP")
    add_config(p)
    p.add_argument("--host")
    p.add_argument("--port", type=_port)
    add_now(p)  # the service runs as if started at that instant, its clock going on from there
    p.set_defaults(func=run_serve)

    p = sub.add_parser("outbox", help="các tin đã xếp, đã gửi, lỗi")
    add_config(p)
    p.add_argument("--status", choices=("pending", "sent", "failed", "dropped"))
    p.add_argument("--limit", type=_limit, default=50)
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_now(p)
    p.set_defaults(func=run_outbox)


def run_tick(args: argparse.Namespace) -> int:
    config = config_from(args)
    now = now_from(args, config)
    channels = build_channels(config)
    engine = open_database(config.database_url)
    result = asyncio.run(tick(engine, config, channels, now))
    for p in result.planned:
        warning = tet_warning(config.calendar, p.year)
        if warning:
            print(f"cảnh báo: {warning}", file=sys.stderr)
    just_planned = {p.year for p in result.planned}
    years = years_ahead(config, local_today(now, config.timezone))
    d = result.delivery
    lines = tick_lines(
        engine,
        config,
        now,
        planned={y: y in just_planned for y in years},
        queued=result.queued,
        sent=d.sent,
        retried=d.retried,
        failed=d.failed,
        dropped=d.dropped,
    )
    print("\n".join(lines))
    return 0


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from scheduler.web import create_app
    from scheduler.web.auth import load_secret
    from scheduler.web.edge import bind, uvicorn_config

    config = config_from(args)
    if args.now:
        start_clock_at(now_from(args, config))
    channels = build_channels(config)
    engine = open_database(config.database_url)
    # Found now, as one line, rather than by the first desk request (a 500).
    load_secret(config)
    host = args.host or config.http_host
    port = args.port or config.http_port
    sock = bind(host, port)
    app = create_app(config, engine)
    # The jobs run on the server's event loop, from start-up to shut-down (Starlette 1 has no
    # on_event: the app's lifespan is wrapped instead).
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            scheduler = start_scheduler(engine, config, channels)
            app.state.scheduler = scheduler
            try:
                yield state
            finally:
                scheduler.shutdown(wait=False)

    app.router.lifespan_context = lifespan

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"tiepdan đang chạy: http://{host}:{port}/desk/  (bảng tin: /board/<mã đơn vị>)", flush=True)
    uvicorn.Server(uvicorn_config(app, config, host=host, port=port)).run(sockets=[sock])
    return 0


def run_outbox(args: argparse.Namespace) -> int:
    config = config_from(args)
    now_from(args, config)  # checked: the listing is what is stored, whatever the instant
    engine = open_database(config.database_url)
    rows = outbox_rows(engine, status=args.status, limit=args.limit)
    refused = refused_addresses(engine, config)
    marked = {(r.channel, r.address) for r in refused}
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "subject": r.subject,
                        "purpose": r.purpose,
                        "lead": r.lead,
                        "day": r.day or None,
                        "state": r.state or None,
                        "channel": r.channel,
                        "recipient": r.recipient,
                        "recipient_refused": (r.channel, r.recipient) in marked,
                        "status": r.status,
                        "attempts": r.attempts,
                        "error": r.last_error,
                        "message_id": r.message_id,
                        "unit": r.unit_id,
                        "sent_at": as_utc(r.sent_at).isoformat() if r.sent_at else None,
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    if not rows:
        print("Hộp thư đi trống.")
    for r in rows:
        local = as_utc(r.next_attempt_at).astimezone(config.timezone)
        what, channel = MESSAGE_VI.get(r.purpose, r.purpose), CHANNEL_VI.get(r.channel, r.channel)
        line = f"#{r.id} [{STATUS_VI[r.status]}] {what}, {channel} → {r.recipient}"
        line += f" ({r.unit_id}, {dmy(local.date())})"
        if (r.channel, r.recipient) in marked:
            line += " [địa chỉ bị từ chối]"
        if r.last_error:
            line += f" — {r.last_error}"
        print(terminal(line))  # stored text cannot drive the terminal
    if refused:
        print("Địa chỉ bị máy chủ từ chối (không gửi nữa cho đến khi sửa trong cấu hình):")
        for a in refused:
            when = dmy(a.refused_at.astimezone(config.timezone).date())
            print(f"  {CHANNEL_VI.get(a.channel, a.channel)} {a.address} ({a.unit_id}, từ {when}): {a.error}")
    return 0
