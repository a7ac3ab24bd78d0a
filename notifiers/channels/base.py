"""The one interface every delivery channel implements.

    concurrency                                           messages it may have in flight at once
    prepare(message) -> message                           the CPU work done before sending (the
                                                          MIME bytes); thread-safe, run off the loop
    builds                                                True when ``prepare`` does real work (the
                                                          channel is picklable: a large delivery
                                                          runs it in a process of its own)
    open() -> async context of a Sender                   connections for a run of messages
        Sender.send(message) -> None | DeliveryError      one message's result as soon as it is
                                                          known; up to ``concurrency`` at once
    send_batch(messages) -> [None | DeliveryError, ...]   one result per message, in order
    aclose()                                              release what the channel holds

``None`` means delivered (handed to the server, gateway or disk). A ``DeliveryError`` says
whether retrying can help (``permanent``); the outbox retries only what is not permanent, with
backoff, in one place. One message failing never stops the batch: a channel returns errors,
it does not raise them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol, runtime_checkable

from notifiers.message import ChannelName, OutgoingMessage
from rules.errors import DeliveryError

log = logging.getLogger("notifiers.channels")

Results = list[DeliveryError | None]


class Sender(Protocol):
    """A channel opened for a run of messages (its connections, its HTTP client)."""

    async def send(self, msg: OutgoingMessage) -> DeliveryError | None: ...


@runtime_checkable
class Channel(Protocol):
    concurrency: int
    builds: bool

    def prepare(self, msg: OutgoingMessage) -> OutgoingMessage: ...

    def open(self) -> AbstractAsyncContextManager[Sender]: ...

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> Results: ...

    async def aclose(self) -> None: ...


async def send_all(sender: Sender, messages: Sequence[OutgoingMessage], concurrency: int) -> Results:
    """Every message through ``sender``, ``concurrency`` at a time; results in the messages' order."""
    results: Results = [None] * len(messages)
    queue = list(enumerate(messages))
    queue.reverse()

    async def worker() -> None:
        while queue:
            i, msg = queue.pop()
            try:
                results[i] = await sender.send(msg)
            except Exception as exc:
                results[i] = unexpected(msg, exc)

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(messages))))))
    return results


def wrong_channel(msg: OutgoingMessage, expected: ChannelName) -> DeliveryError | None:
    """A permanent error for a message routed to the wrong channel (a bug upstream), else None."""
    if msg.channel == expected:
        return None
    return DeliveryError(
        f"tin {msg.message_id} thuộc kênh {msg.channel}, không gửi được qua kênh {expected}",
        permanent=True,
    )


def unexpected(msg: OutgoingMessage, exc: Exception) -> DeliveryError:
    """A bug or an error nobody mapped: logged with its traceback, retried later (transient),
    so that the rest of the batch still goes and a fix lets the message through."""
    log.exception("unexpected error delivering %s", msg.message_id)
    return DeliveryError(f"lỗi không lường trước khi gửi tin {msg.message_id}: {type(exc).__name__}: {exc}")


async def each(
    messages: Sequence[OutgoingMessage],
    send_one: Callable[[OutgoingMessage], Awaitable[None]],
) -> Results:
    """Call ``send_one`` for every message in order, turning what it raises into that message's
    result, so that one failure never stops the batch."""
    results: Results = []
    for msg in messages:
        try:
            await send_one(msg)
        except DeliveryError as exc:
            results.append(exc)
        except Exception as exc:
            results.append(unexpected(msg, exc))
        else:
            results.append(None)
    return results
