"""The building process of a large delivery (``scheduler/outbox/builder.py``): the e-mails it
builds are the bytes the thread builds, a row that cannot be read still fails alone, it imports
the channels and not the outbox, and the process goes when its deliverer goes, even one killed
with SIGKILL."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from notifiers.channels import FileChannel, SmtpChannel
from scheduler.outbox.builder import Builder, build_here

SENDER = "Văn phòng Tỉnh ủy Cao Bằng <vanphong@caobang.example.vn>"
NOW = datetime(2027, 1, 18, 0, 1, tzinfo=UTC)


def row(n: int, payload: str | None = None) -> Any:
    body = {
        "subject": f"[Nhắc lịch] Tiếp công dân thứ Hai, ngày 25/01/2027 ({n})",
        "text": f"Kính gửi đồng chí Nguyễn Văn {n},\n\nNgày mai đồng chí tiếp công dân.",
        "html": f"<p>Kính gửi đồng chí Nguyễn Văn {n},</p>",
        "to_name": f"Nguyễn Văn {n}",
    }
    return SimpleNamespace(
        channel="email",
        recipient=f"nguoi{n}@caobang.example.vn",
        message_id=f"reminder.session-{n}.v1.l1.email.{n:04x}",
        payload=payload if payload is not None else json.dumps(body, ensure_ascii=False),
        wire=None,  # not composed when queued: built here
    )


def smtp() -> SmtpChannel:
    return SmtpChannel(host="127.0.0.1", port=25, sender=SENDER)


async def _built_by_the_process(builder: Builder, channel: SmtpChannel, rows: list[Any]) -> list[Any]:
    for _ in range(Builder.FULL_CLAIMS):
        builder.backlog("email", [row(1)])
    assert builder.ready is not None
    await asyncio.wrap_future(builder.ready)
    return await builder.build("email", rows, NOW)


def test_the_process_builds_the_bytes_the_thread_builds() -> None:
    channel = smtp()
    rows = [row(n) for n in range(12)] + [row(99, payload="{not json")]
    builder = Builder({"email": channel, "files": FileChannel(directory="/nonexistent")})
    try:
        built = asyncio.run(_built_by_the_process(builder, channel, rows))
        assert builder.pool is not None  # it was the process that answered
    finally:
        builder.close()
    here = build_here(channel, rows, NOW)
    assert [i.row for i in built] == rows
    for a, b in zip(built[:-1], here[:-1], strict=True):
        assert a.msg is not None and b.msg is not None
        assert a.msg.wire is not None and a.msg.wire == b.msg.wire
        assert a.error is None
    # The row that cannot be read fails for good, alone, the same way in both.
    assert built[-1].msg is None and built[-1].error is not None and built[-1].error.permanent
    assert str(built[-1].error) == str(here[-1].error)


# Asked of the process by a builtin: a function of this module would import it there.
IMPORTED = "sorted(m for m in ('sqlalchemy', 'scheduler', 'jinja2') if m in __import__('sys').modules)"


def test_the_building_process_imports_the_channels_not_the_outbox() -> None:
    # A spawned interpreter that imported the outbox (SQLAlchemy, the configuration, the use
    # cases) spent over a second of CPU on it, on the morning the mail server needs that CPU.
    builder = Builder({"email": smtp()})
    try:

        async def ask() -> list[str]:
            for _ in range(Builder.FULL_CLAIMS):
                builder.backlog("email", [row(1)])
            assert builder.ready is not None and builder.pool is not None
            await asyncio.wrap_future(builder.ready)
            await builder.build("email", [row(1)], NOW)  # the channel's own imports done too
            return await asyncio.wrap_future(builder.pool.submit(eval, IMPORTED))

        assert asyncio.run(ask()) == []
    finally:
        builder.close()


def test_a_backlog_of_a_channel_that_does_not_build_starts_no_process() -> None:
    builder = Builder({"email": smtp(), "files": FileChannel(directory="/nonexistent")})
    for _ in range(Builder.FULL_CLAIMS):
        builder.backlog("files", [row(1)])
    assert builder.pool is None
    builder.backlog("email", [row(1)])  # one full batch of e-mails: a thread is enough
    assert builder.pool is None


def _deliverer(queue: Any) -> None:
    async def hold() -> None:
        builder = Builder({"email": smtp()})
        for _ in range(Builder.FULL_CLAIMS):
            builder.backlog("email", [row(1)])
        assert builder.ready is not None
        await asyncio.wrap_future(builder.ready)
        assert builder.pool is not None
        queue.put([p.pid for p in multiprocessing.active_children()])
        await asyncio.sleep(60)

    asyncio.run(hold())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_the_building_process_ends_when_its_deliverer_is_killed() -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    deliverer = ctx.Process(target=_deliverer, args=(queue,))
    deliverer.start()
    try:
        children = queue.get(timeout=60)
        assert children  # the building process (and the pool's own helpers)
        assert deliverer.pid is not None
        os.kill(deliverer.pid, signal.SIGKILL)
        deliverer.join(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in children if _alive(pid)]
    finally:
        if deliverer.is_alive():
            deliverer.kill()
