"""E-mail over SMTP (aiosmtplib): ``connections`` connections at once, reused message after message.

``open()`` gives a sender that keeps up to ``connections`` connections, each sending message
after message; ``send_batch`` uses one. ``prepare`` builds the MIME bytes beforehand (off the
event loop, by the caller), so a connection only carries bytes.

A connection connects once and sends message after message. If the server drops
it mid-batch (a restart, an idle limit, a 421), the channel reconnects, at most
``max_reconnects`` times a batch, and a message cut off by the drop is tried once more on the new
connection; receivers collapse the rare duplicate by its Message-ID. If the server cannot be
reached at all, the rest of the batch gets the same error without trying again: the outbox
retries later with backoff.

What a failure means, mapped once in ``smtp_error``:

    refused, timed out, disconnected, 4xx        transient (the server may accept it later)
    5xx (550 no such user, 554 rejected)         permanent
    535 authentication failed                    permanent (the password is wrong until a person
                                                 changes it; retrying only risks a lock-out)
    no AUTH / no STARTTLS / no SMTPUTF8, bad address   permanent
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from collections.abc import AsyncIterator, Sequence
from typing import Literal

import aiosmtplib

from notifiers.channels.base import Results, Sender, unexpected, wrong_channel
from notifiers.message import OutgoingMessage, build_email, sender_address
from notifiers.stored import composed
from notifiers.wire import data_form, email_bytes
from rules.errors import DeliveryError

log = logging.getLogger(__name__)

# An address as the envelope carries it, nothing to quote: the common case, sent without
# aiosmtplib's parsing (``_Batch._transfer``); anything else goes through ``sendmail``.
_PLAIN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")

Security = Literal["none", "starttls", "tls"]
SECURITY_MODES: tuple[Security, ...] = ("none", "starttls", "tls")


def smtp_error(exc: Exception, what: str = "") -> DeliveryError:
    """The one mapping from aiosmtplib's errors to ``DeliveryError``; ``what`` names the message."""
    where = f"{what}: " if what else ""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        # One recipient per message here, so the first refusal is the answer.
        first = exc.recipients[0] if exc.recipients else None
        if first is None:
            return DeliveryError(f"{where}máy chủ SMTP từ chối người nhận")
        error = _coded(first.code, f"{where}máy chủ SMTP từ chối người nhận {first.recipient}", first.message)
        error.refused = error.permanent  # 5xx on RCPT: this address, not the message, is the problem
        return error
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return _coded(exc.code, f"{where}đăng nhập máy chủ SMTP thất bại", exc.message)
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return _coded(exc.code, f"{where}máy chủ SMTP từ chối địa chỉ gửi {exc.sender}", exc.message)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _coded(exc.code, f"{where}máy chủ SMTP trả lời lỗi", exc.message)
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected):
        return DeliveryError(f"{where}máy chủ SMTP ngắt kết nối ({exc})")
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return DeliveryError(f"{where}hết thời gian chờ máy chủ SMTP ({exc})", timed_out=True)
    if isinstance(exc, aiosmtplib.SMTPConnectError | OSError):
        return DeliveryError(f"{where}không kết nối được máy chủ SMTP ({exc})")
    if isinstance(exc, aiosmtplib.SMTPException | ValueError):
        # No AUTH, no STARTTLS, no SMTPUTF8, an address that cannot be sent: retrying the same
        # message to the same server cannot help; a person must change the configuration.
        return DeliveryError(f"{where}không gửi được qua máy chủ SMTP ({exc})", permanent=True)
    return DeliveryError(f"{where}lỗi SMTP ({type(exc).__name__}: {exc})")


def _coded(code: int, text: str, server_says: str) -> DeliveryError:
    return DeliveryError(f"{text}: {code} {server_says}".rstrip(), permanent=code >= 500)


class SmtpChannel:
    """E-mail through one SMTP server.

    ``security``: "none" (plain, no opportunistic upgrade: the setting means what it says),
    "starttls" (upgrade is required), "tls" (implicit TLS, port 465). ``username`` empty means no
    AUTH. ``password`` is given by the caller, read from the environment; it is never logged and
    never shown by ``repr``. ``validate_certs=False`` is for tests and for an internal relay with a
    self-signed certificate.
    """

    builds = True  # prepare builds the MIME bytes: CPU worth a process of its own on a large delivery

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str = "none",  # str, as the configuration holds it; checked here
        username: str = "",
        password: str = "",
        sender: str,
        timeout: float = 30.0,
        validate_certs: bool = True,
        max_reconnects: int = 1,
        local_hostname: str | None = None,
        connections: int = 16,
    ) -> None:
        if security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self._password = password
        self.sender = sender
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.max_reconnects = max_reconnects
        self.local_hostname = local_hostname
        self.concurrency = max(1, connections)
        address = sender_address(sender)
        # The envelope's sender, written once: every message of the channel carries it.
        self.mail_from = f"FROM:<{address}>".encode("ascii") if _PLAIN.fullmatch(address) else None

    def __repr__(self) -> str:
        return (
            f"SmtpChannel(host={self.host!r}, port={self.port}, security={self.security!r}, "
            f"username={self.username!r}, sender={self.sender!r})"
        )

    def _client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            use_tls=self.security == "tls",
            start_tls=self.security == "starttls",
            validate_certs=self.validate_certs,
            username=self.username or None,
            password=self._password if self.username else None,
            timeout=self.timeout,
            local_hostname=self.local_hostname,
        )

    def prepare(self, msg: OutgoingMessage) -> OutgoingMessage:
        """The message with its MIME bytes built (``wire``), so that sending only writes bytes;
        one composed when it was queued is left as it is. A message that cannot be built is left
        without: sending it reports why (or negotiates SMTPUTF8 for a non-ASCII address)."""
        if msg.channel != "email" or msg.wire is not None:
            return msg
        # Written directly (notifiers/wire.py): the same message as build_email's, at a tenth
        # of the CPU, which was most of a reminder morning's delivery.
        wire = composed(msg, self.sender)
        return msg if wire is None else dataclasses.replace(msg, wire=wire)

    @contextlib.asynccontextmanager
    async def open(self) -> AsyncIterator[Sender]:
        pool = _Pool(self)
        try:
            yield pool
        finally:
            await pool.close()

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> Results:
        batch = _Batch(self)
        try:
            return [await batch.send(msg) for msg in messages]
        finally:
            await batch.close()

    async def aclose(self) -> None:
        # Connections live only as long as a batch; there is nothing held between batches.
        return None


class _Pool:
    """Up to ``connections`` connections, each taken by one message at a time."""

    def __init__(self, channel: SmtpChannel) -> None:
        self.all = [_Batch(channel) for _ in range(channel.concurrency)]
        self.idle: asyncio.Queue[_Batch] = asyncio.Queue()
        for b in self.all:
            self.idle.put_nowait(b)

    async def send(self, msg: OutgoingMessage) -> DeliveryError | None:
        conn = await self.idle.get()
        try:
            return await conn.send(msg)
        finally:
            self.idle.put_nowait(conn)

    async def close(self) -> None:
        await asyncio.gather(*(b.close() for b in self.all))


class _Batch:
    """One connection's state (all of a ``send_batch``): the connection, the reconnect budget,
    a dead server."""

    def __init__(self, channel: SmtpChannel) -> None:
        self.channel = channel
        self.smtp: aiosmtplib.SMTP | None = None
        self.connects = 0
        self.down: DeliveryError | None = None  # once the server is unreachable, the rest waits

    async def send(self, msg: OutgoingMessage) -> DeliveryError | None:
        try:
            return await self._send(msg)
        except Exception as exc:
            return unexpected(msg, exc)

    async def _send(self, msg: OutgoingMessage) -> DeliveryError | None:
        what = f"tin {msg.message_id}"
        if error := wrong_channel(msg, "email"):
            return error
        wire = msg.wire
        mime = None
        if wire is None:
            try:
                if msg.recipient.isascii():
                    wire = email_bytes(msg, self.channel.sender)
                else:  # SMTPUTF8, which send_message negotiates
                    mime = build_email(msg, self.channel.sender)
            except (ValueError, TypeError) as exc:
                return DeliveryError(f"{what}: không tạo được e-mail ({exc})", permanent=True)
        for attempt in (1, 2):
            try:
                smtp = await self.connection()
            except DeliveryError as exc:
                return exc
            try:
                if mime is None:
                    assert wire is not None
                    await self._transfer(smtp, msg.recipient, wire)
                else:
                    await smtp.send_message(
                        mime,
                        sender=sender_address(self.channel.sender),
                        recipients=[msg.recipient],
                    )
            except aiosmtplib.SMTPServerDisconnected as exc:
                # Cut off mid-transaction: the server never said it took the message, so one more
                # try on a fresh connection is worth it (if the budget allows another connection).
                if attempt == 1 and self.connects <= self.channel.max_reconnects:
                    log.info("SMTP connection lost sending %s; reconnecting", msg.message_id)
                    continue
                return smtp_error(exc, what)
            except (aiosmtplib.SMTPException, OSError, ValueError) as exc:
                error = smtp_error(exc, what)
                log.info("SMTP delivery of %s failed: %s", msg.message_id, error)
                return error
            return None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _transfer(self, smtp: aiosmtplib.SMTP, recipient: str, wire: bytes) -> None:
        """``sendmail`` for one recipient and bytes already built: aiosmtplib's own commands and
        its errors, the envelope written directly. ``sendmail`` parses the sender and the
        recipient twice each for every message (a fifth of the client's CPU on a peak morning);
        here both were read and checked when the configuration was loaded."""
        mail_from = self.channel.mail_from
        if mail_from is None or smtp.is_ehlo_or_helo_needed or not _PLAIN.fullmatch(recipient):
            # The first message of a connection says EHLO (or HELO) as sendmail does.
            await smtp.sendmail(sender_address(self.channel.sender), [recipient], wire)
            return
        size = (b"SIZE=%d" % len(wire),) if smtp.supports_extension("size") else ()
        try:
            answer = await smtp.execute_command(b"MAIL", mail_from, *size)
            if answer.code != aiosmtplib.SMTPStatus.completed:
                raise aiosmtplib.SMTPSenderRefused(answer.code, answer.message, self.channel.sender)
            answer = await smtp.execute_command(b"RCPT", b"TO:<%s>" % recipient.encode("ascii"))
            if answer.code not in (aiosmtplib.SMTPStatus.completed, aiosmtplib.SMTPStatus.will_forward):
                refused = aiosmtplib.SMTPRecipientRefused(answer.code, answer.message, recipient)
                raise aiosmtplib.SMTPRecipientsRefused([refused])
            await self._data(smtp, wire)
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused):
            # As sendmail: the envelope is reset before the next message (a failed reset, or a
            # connection gone meanwhile, is not this message's error).
            with contextlib.suppress(ConnectionError, aiosmtplib.SMTPResponseException):
                await smtp.rset()
            raise

    @staticmethod
    async def _data(smtp: aiosmtplib.SMTP, wire: bytes) -> None:
        """``smtp.data(wire)`` with the bytes put in DATA's form by ``data_form`` (a few counts
        instead of aiosmtplib's two passes of regular expressions); the same commands, answers
        and errors. The batch is the connection's only user, one command at a time, so nothing
        else writes between DATA and the message."""
        form = data_form(wire)
        answer = await smtp.execute_command(b"DATA")
        if answer.code != aiosmtplib.SMTPStatus.start_input:
            raise aiosmtplib.SMTPDataError(answer.code, answer.message)
        protocol = smtp.protocol
        if protocol is None:
            raise aiosmtplib.SMTPServerDisconnected("Connection lost")
        try:
            protocol.write(form)
            answer = await protocol.read_response(timeout=smtp.timeout)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
            smtp.close()  # as data() does: the connection is unusable
            raise
        if answer.code != aiosmtplib.SMTPStatus.completed:
            raise aiosmtplib.SMTPDataError(answer.code, answer.message)

    async def connection(self) -> aiosmtplib.SMTP:
        """The open connection, opening one if the budget allows; raises ``DeliveryError``."""
        if self.smtp is not None and self.smtp.is_connected:
            return self.smtp
        if self.down is not None:
            # A fresh error per message: results are separate rows, never one shared object.
            raise DeliveryError(str(self.down), permanent=self.down.permanent)
        if self.connects > self.channel.max_reconnects:
            # The server keeps dropping us (or answering 421): leave the rest for the next round.
            self.down = DeliveryError("máy chủ SMTP liên tục ngắt kết nối; sẽ thử lại sau")
            raise self.down
        await self.close()
        self.connects += 1
        smtp = self.channel._client()
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            smtp.close()
            self.down = smtp_error(exc)
            log.warning("SMTP %s:%s unavailable: %s", self.channel.host, self.channel.port, self.down)
            raise self.down from None
        except BaseException:
            smtp.close()
            raise
        self.smtp = smtp
        return smtp

    async def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        if smtp.is_connected:
            # The messages are sent; a rude goodbye changes nothing.
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await smtp.quit()
        smtp.close()
