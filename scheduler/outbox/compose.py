"""E-mails composed when they are queued (soạn thư): each e-mail row gets its MIME (``wire``),
and its payload keeps only what the MIME does not say for the outbox (the subject, the person's
name, the unit's sender), so that the delivery only claims, sends the bytes and records, as a mail
server's queue holds each message as it will go. A retry then sends the same bytes. Its Date is
the moment it is due to go (RFC 5322 dates a message when it is ready to go): an alert held for
the next working morning is dated that morning, not the evening it was queued, so that it does
not arrive looking three days old.

Only where an [email] server is configured: without one the file channel writes what the
``email`` package builds, at sending. A sender changed in the configuration applies to what is
queued after the change.

Composing is a fifth of an e-mail's CPU. A large tick (the inserter's chunks: more than
``Inserter.CHUNK`` rows) composes in a process of its own, beside the rendering, on the other
core; the inserting thread waits for a chunk's MIME and inserts it while the process composes
the next. Anything smaller composes where it is inserted. Should the process not start or die,
the chunk is composed in the thread: a row is never inserted without the attempt to compose it,
and a row without its MIME is still sent (built at sending).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from notifiers.channels import building
from notifiers.stored import compose_rows
from scheduler.infra.config import Config

log = logging.getLogger(__name__)

Rows = list[dict[str, Any]]


class Composer:
    """The e-mails of one tick's rows, composed from ``config``'s sender."""

    def __init__(self, config: Config) -> None:
        self.sender = config.email.sender if config.email is not None else None
        self.timezone = config.timezone  # a Date in the office's own time
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False

    @staticmethod
    def _mails(rows: Rows) -> list[dict[str, Any]]:
        """The e-mail rows: what is composed, and in the order the answers come back."""
        return [r for r in rows if r["channel"] == "email"]

    def _todo(self, rows: Rows) -> list[tuple[str, str, str, datetime]]:
        # Dated when it is due to go (``next_attempt_at``: now, or the morning it waits for).
        return [
            (r["recipient"], r["message_id"], r["payload"], r["next_attempt_at"].astimezone(self.timezone))
            for r in self._mails(rows)
        ]

    def here(self, rows: Rows) -> None:
        """Compose ``rows``' e-mails in this thread (in place)."""
        if self.sender is not None:
            self._fill(rows, compose_rows(self.sender, self._todo(rows)))

    def start(self, rows: Rows) -> Future[list[tuple[str, str] | None]] | None:
        """Compose ``rows``' e-mails in the process (started at the first chunk); ``fill`` takes
        the answer. None: nothing to compose, or no process (``fill`` composes in the thread)."""
        if self.sender is None or self._broken:
            return None
        todo = self._todo(rows)  # the chunk's e-mails read once, for the check and the process
        if not todo:
            return None  # (a chunk of SMS alone starts no process)
        if self._pool is None:
            try:
                self._pool = ProcessPoolExecutor(
                    1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=building.start,
                    initargs=({}, os.getpid()),
                )
            except (OSError, RuntimeError) as exc:
                log.warning("composing process not started: %s", exc)
                self._broken = True
                return None
        try:
            return self._pool.submit(compose_rows, self.sender, todo)
        except (BrokenProcessPool, RuntimeError):
            self._broken = True
            return None

    def fill(self, rows: Rows, started: Future[list[tuple[str, str] | None]] | None) -> None:
        """``rows`` with their MIME: the process's answer, or composed here without one."""
        if started is None:
            self.here(rows)
            return
        try:
            wires = started.result()
        except BrokenProcessPool:
            log.warning("composing process ended; composing in the thread")
            self._broken = True
            self.here(rows)
            return
        self._fill(rows, wires)

    @staticmethod
    def _fill(rows: Rows, wires: list[tuple[str, str] | None]) -> None:
        for row, done in zip(Composer._mails(rows), wires, strict=True):
            if done is not None:
                row["wire"], row["payload"] = done

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
