"""SMS through a Vietnamese brandname gateway: an HTTP POST with JSON, ``concurrency`` at once.

``open()`` gives a sender over kept-alive connections, up to ``concurrency`` requests at once;
each message's result is known when its answer comes. A plain ``http://`` gateway is spoken to
by the small client of ``http1.py`` (httpx cost as much CPU an SMS as building an e-mail);
``https://``, or a transport of the provider's own (proxy, mTLS), goes through httpx.

The generic gateway (``SmsChannel``) posts::

    POST <url>
    Authorization: Bearer <token>
    {"phone": "+84912345678", "content": "...", "brandname": "UBND XA A",
     "is_unicode": 0, "request_id": "<message id>"}

A provider that differs is a small subclass: ``payload`` for the body, ``headers`` for the
authentication, ``raise_for_response`` for what its answers mean. ``request_id`` is the
message's stable id, so a retry after a timeout (the gateway may have sent it) is de-duplicated
by the gateway rather than paid twice.

    2xx                                   delivered to the gateway
    429, 5xx, timeout, connection error   transient
    other 4xx, 3xx                        permanent (bad number, bad token, wrong URL)
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import httpx

from notifiers.channels.base import Results, Sender, send_all, wrong_channel
from notifiers.channels.http1 import Http1Client, HttpError, HttpTimeout
from notifiers.message import OutgoingMessage
from notifiers.safe import redact
from notifiers.sms_text import is_gsm7, sms_text
from rules.errors import DeliveryError

log = logging.getLogger(__name__)


class SmsChannel:
    """SMS through an HTTP gateway. ``token`` comes from the environment; it is never logged
    and never shown by ``repr``. ``unicode=False`` (the default) sends without diacritics."""

    builds = False  # prepare does nothing

    def __init__(
        self,
        *,
        url: str,
        token: str,
        brandname: str = "",
        unicode: bool = False,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        concurrency: int = 16,
    ) -> None:
        self.url = url
        self._token = token
        self.brandname = brandname
        self.unicode = unicode
        self.timeout = timeout
        self._transport = transport  # for a provider's own transport (proxy, mTLS) or a test
        self.concurrency = max(1, concurrency)

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(url={self.url!r}, brandname={self.brandname!r}, unicode={self.unicode})"

    # Provider hooks ------------------------------------------------------------------------

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def payload(self, msg: OutgoingMessage) -> dict[str, Any]:
        content = sms_text(msg.text, unicode=self.unicode)
        return {
            "phone": msg.recipient,
            "content": content,
            "brandname": msg.brandname or self.brandname,
            # Unicode only when the text needs it: an all-GSM text flagged Unicode would be billed
            # at 70 characters a segment for nothing.
            "is_unicode": 0 if is_gsm7(content) else 1,
            "request_id": msg.idempotency_key,
        }

    def raise_for_response(self, response: httpx.Response, msg: OutgoingMessage) -> None:
        """Map the gateway's answer to nothing (sent) or a ``DeliveryError``.

        Many Vietnamese gateways answer 200 with an error code in the body; a provider subclass
        checks that here, after ``super().raise_for_response``.
        """
        code = response.status_code
        if 200 <= code < 300:
            return
        detail = f"cổng SMS trả lời {code}: {_excerpt(response)}"
        if code == 429 or code >= 500:
            raise DeliveryError(f"tin {msg.message_id}: {detail}")
        raise DeliveryError(f"tin {msg.message_id}: {detail}", permanent=True)

    # Sending -------------------------------------------------------------------------------

    def prepare(self, msg: OutgoingMessage) -> OutgoingMessage:
        return msg  # a JSON body is cheap to make when it is sent

    @contextlib.asynccontextmanager
    async def open(self) -> AsyncIterator[Sender]:
        if self._transport is None and self.url.startswith("http://"):
            light = Http1Client(
                self.url, headers=self.headers(), timeout=self.timeout, connections=self.concurrency
            )

            async def post_light(payload: dict[str, Any]) -> httpx.Response:
                body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                answer = await light.post(body)
                # The provider hook reads an httpx.Response, whichever client asked.
                return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

            try:
                yield _SmsSender(self, post_light)
            finally:
                await light.aclose()
            return
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        async with httpx.AsyncClient(
            timeout=self.timeout,
            headers=self.headers(),
            transport=self._transport,
            limits=limits,
            follow_redirects=False,  # a redirect means a wrong URL; never resend a POST blindly
        ) as client:

            async def post(payload: dict[str, Any]) -> httpx.Response:
                return await client.post(self.url, json=payload)

            yield _SmsSender(self, post)

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> Results:
        # One after the other, as a batch always went; the delivery loop uses ``open`` at once.
        async with self.open() as sender:
            return await send_all(sender, messages, 1)

    async def aclose(self) -> None:
        # One client per batch, closed with the batch; nothing is held in between.
        return None


class _SmsSender:
    def __init__(
        self, channel: SmsChannel, post: Callable[[dict[str, Any]], Awaitable[httpx.Response]]
    ) -> None:
        self.channel = channel
        self.post = post

    async def send(self, msg: OutgoingMessage) -> DeliveryError | None:
        try:
            await self._send(msg)
        except DeliveryError as exc:
            # A gateway may echo the request (the token) in its error body.
            exc = DeliveryError(
                redact(str(exc), [self.channel._token]),
                permanent=exc.permanent,
                timed_out=exc.timed_out,
                refused=exc.refused,
            )
            log.info("SMS delivery of %s failed: %s", msg.message_id, exc)
            return exc
        return None

    async def _send(self, msg: OutgoingMessage) -> None:
        if error := wrong_channel(msg, "sms"):
            raise error
        try:
            response = await self.post(self.channel.payload(msg))
        except (httpx.TimeoutException, HttpTimeout) as exc:
            raise DeliveryError(
                f"tin {msg.message_id}: hết thời gian chờ cổng SMS ({type(exc).__name__})", timed_out=True
            ) from None
        except (httpx.TransportError, HttpError) as exc:
            raise DeliveryError(
                f"tin {msg.message_id}: không kết nối được cổng SMS ({type(exc).__name__}: {exc})"
            ) from None
        self.channel.raise_for_response(response, msg)


def _excerpt(response: httpx.Response, limit: int = 200) -> str:
    text = " ".join(response.text.split())
    return text[:limit] + ("..." if len(text) > limit else "")
