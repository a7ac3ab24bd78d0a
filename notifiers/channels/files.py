"""The embedded default: messages written to a directory instead of sent.

    <dir>/email/<id>.eml    the full MIME message, as it would go to the SMTP server
    <dir>/sms/<id>.txt      the phone number on the first line, then the text

Each file is written to a temporary name in the same directory, flushed to disk, then renamed
over the final name (``os.replace`` is atomic on one file system): a crash leaves the old file or
the new one, never half of one, and writing the same message id again replaces the file, so a
retry leaves exactly one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path

from notifiers.channels.base import Results, Sender, each
from notifiers.message import POLICY, OutgoingMessage, build_email
from rules.errors import DeliveryError

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+=-]")


def safe_name(message_id: str) -> str:
    """A file name for ``message_id``: itself when it is already safe, else a cleaned form plus
    a short hash of the original, so that two different ids never share a file."""
    cleaned = _UNSAFE.sub("_", message_id).lstrip(".") or "_"
    if cleaned == message_id and len(cleaned) <= 120:
        return cleaned
    digest = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:12]
    return f"{cleaned[:100]}-{digest}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` at ``path`` so that ``path`` is always whole (old or new), never partial."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself survive a power cut; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileChannel:
    """Writes e-mails as ``.eml`` and SMS as ``.txt`` under ``directory``.

    ``sender`` is the From of the written e-mails; ``date`` fixes their Date header (tests,
    reproducible output), else it is the moment of writing.
    """

    builds = False  # prepare does nothing

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        sender: str = "tiepdan@localhost",
        date: datetime | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.sender = sender
        self.date = date

    def __repr__(self) -> str:
        return f"FileChannel({str(self.directory)!r})"

    def path_for(self, msg: OutgoingMessage) -> Path:
        folder, suffix = ("email", ".eml") if msg.channel == "email" else ("sms", ".txt")
        return self.directory / folder / (safe_name(msg.message_id) + suffix)

    def render(self, msg: OutgoingMessage) -> bytes:
        if msg.channel == "email" and msg.wire is not None:
            return msg.wire  # composed when queued, with an [email] server configured then
        if msg.channel == "email":
            mime = build_email(msg, self.sender, date=self.date)
            return mime.as_bytes(policy=POLICY)
        return f"{msg.recipient}\n{msg.text}\n".encode()

    concurrency = 1  # one file at a time: each is fsynced, the disk does not go faster in parallel

    def prepare(self, msg: OutgoingMessage) -> OutgoingMessage:
        return msg

    @contextlib.asynccontextmanager
    async def open(self) -> AsyncIterator[Sender]:
        yield self

    async def send(self, msg: OutgoingMessage) -> DeliveryError | None:
        (result,) = await self.send_batch([msg])
        return result

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> Results:
        async def send_one(msg: OutgoingMessage) -> None:
            try:
                data = self.render(msg)
            except ValueError as exc:
                what = f"tin {msg.message_id}: không tạo được tệp ({exc})"
                raise DeliveryError(what, permanent=True) from None
            try:
                # Disk I/O (with fsync) off the event loop, so the scheduler's loop stays responsive.
                await asyncio.to_thread(write_atomic, self.path_for(msg), data)
            except OSError as exc:
                # A full disk or a permission a person can fix: retry later.
                raise DeliveryError(
                    f"tin {msg.message_id}: không ghi được tệp {self.path_for(msg)} ({exc.strerror or exc})"
                ) from None

        return await each(messages, send_one)

    async def aclose(self) -> None:
        return None
