"""Delivery channels against real servers on 127.0.0.1: aiosmtpd for SMTP (plain, STARTTLS,
implicit TLS, AUTH), a threaded http.server for the SMS gateway, a temporary directory for files.

No pytest-asyncio: each test drives its coroutine with ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from notifiers.channels import Channel, FileChannel, SmsChannel, SmtpChannel
from notifiers.message import OutgoingMessage, build_email
from notifiers.sms_text import Part, fit_one_segment, is_gsm7, segments, sms_text
from rules.errors import DeliveryError

SENDER = "Văn phòng Đảng ủy xã Hòa An <vanphong@hoaan.gov.vn>"
SUBJECT = "Nhắc lịch tiếp công dân: Thứ Tư, ngày 25/11/2026 tại Trụ sở Đảng ủy xã Hòa An"
TEXT = (
    "Kính gửi đồng chí Bí thư Đảng ủy xã,\n"
    "Lịch tiếp công dân định kỳ: Thứ Tư, ngày 25/11/2026, 07:30-11:30, tại Trụ sở Đảng ủy.\n"
)
HTML = "<p>Kính gửi đồng chí Bí thư Đảng ủy xã,</p><p>Thứ Tư, ngày 25/11/2026</p>"


def ics(method: str = "REQUEST") -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//tiepdan//vi",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        "UID:hoa-an-2026-11-25@tiepdan",
        "DTSTART:20261125T003000Z",
        "DTEND:20261125T043000Z",
        "SUMMARY:Tiếp công dân định kỳ",
        "LOCATION:Trụ sở Đảng ủy xã Hòa An",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


SENT_AT = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # the moment of sending, passed in


def mail(n: int | str, to: str = "bithu@hoaan.gov.vn", **kw: Any) -> OutgoingMessage:
    fields: dict[str, Any] = {"subject": SUBJECT, "text": TEXT, "html": HTML, "ics": ics()}
    fields.update(kw)
    fields.setdefault("date", SENT_AT)
    return OutgoingMessage(channel="email", recipient=to, message_id=f"outbox-{n}", **fields)


def sms(n: int | str, phone: str = "+84912345678", text: str = "", **kw: Any) -> OutgoingMessage:
    text = text or "Nhắc lịch: Thứ Tư, ngày 25/11/2026 tiếp công dân tại Trụ sở Đảng ủy"
    return OutgoingMessage(channel="sms", recipient=phone, text=text, message_id=f"sms-{n}", **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def assert_one_result_each(results: list[DeliveryError | None], n: int) -> None:
    assert len(results) == n
    assert all(r is None or isinstance(r, DeliveryError) for r in results)


# --- an SMTP server that records, counts connections, and misbehaves on cue ------------------


class Recorder:
    """aiosmtpd handler. Recipients cue the answers: busy@ → 421 (and the server closes),
    full@ → 452, nouser@ → 550, drop@ → the server hangs up once, mid-transaction; after the
    data: spam@ → 554, later@ → 451, slow@ → an answer 2 s late."""

    def __init__(self) -> None:
        self.connections = 0
        self.messages: list[bytes] = []
        self.envelopes: list[tuple[str | None, list[str]]] = []
        self.tls: list[bool] = []
        self.dropped: set[str] = set()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        local = address.split("@")[0]
        if local.startswith("busy"):
            return "421 4.3.2 Service not available, closing channel"
        if local.startswith("full"):
            return "452 4.2.2 Mailbox full"
        if local.startswith("nouser"):
            return "550 5.1.1 No such user"
        if local.startswith("drop") and address not in self.dropped:
            self.dropped.add(address)
            assert server.transport is not None
            server.transport.close()
            return "250 OK"  # never reaches the client
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        local = envelope.rcpt_tos[0].split("@")[0]
        if local.startswith("spam"):
            return "554 5.7.1 Message rejected as spam"
        if local.startswith("later"):
            return "451 4.3.0 Try again later"
        if local.startswith("slow"):
            await asyncio.sleep(2)  # past the client's timeout
        self.messages.append(envelope.content)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        # session.ssl is set by STARTTLS only; implicit TLS shows on the transport.
        assert server.transport is not None
        self.tls.append(session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None)
        return "250 2.0.0 Accepted"


class CountingSMTP(SMTP):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._original_transport is None:  # not the second call that STARTTLS makes
            self.event_handler.connections += 1
        super().connection_made(transport)


class CountingController(Controller):
    def factory(self) -> SMTP:
        return CountingSMTP(self.handler, **self.SMTP_kwargs)


def start_smtp(port: int | None = None, **kw: Any) -> tuple[CountingController, Recorder]:
    handler = Recorder()
    controller = CountingController(handler, hostname="127.0.0.1", port=port or free_port(), **kw)
    controller.start()
    handler.connections = 0  # start() opens one connection itself to check the server is up
    return controller, handler


@pytest.fixture
def smtp_server() -> Iterator[tuple[CountingController, Recorder]]:
    controller, handler = start_smtp()
    yield controller, handler
    controller.stop()


def plain_channel(port: int, **kw: Any) -> SmtpChannel:
    return SmtpChannel(host="127.0.0.1", port=port, sender=SENDER, timeout=5, **kw)


# --- SMTP: the happy path -----------------------------------------------------------------------


def test_smtp_batch_uses_one_connection(smtp_server: tuple[CountingController, Recorder]) -> None:
    controller, handler = smtp_server
    messages = [mail(i, to=f"nguoi{i}@hoaan.gov.vn") for i in range(5)]
    results = asyncio.run(plain_channel(controller.port).send_batch(messages))
    assert results == [None] * 5
    assert handler.connections == 1
    assert len(handler.messages) == 5
    assert [rcpts for _, rcpts in handler.envelopes] == [[f"nguoi{i}@hoaan.gov.vn"] for i in range(5)]
    assert {sender for sender, _ in handler.envelopes} == {"vanphong@hoaan.gov.vn"}


def test_smtp_message_keeps_id_vietnamese_and_invitation(
    smtp_server: tuple[CountingController, Recorder],
) -> None:
    controller, handler = smtp_server
    assert asyncio.run(plain_channel(controller.port).send_batch([mail(42)])) == [None]
    got = parse(handler.messages[0])
    assert got["Message-ID"] == "<outbox-42@hoaan.gov.vn>"
    assert got["Subject"] == SUBJECT
    assert got["From"].addresses[0].addr_spec == "vanphong@hoaan.gov.vn"
    assert got["Date"].datetime.tzinfo is not None
    assert got["Auto-Submitted"] == "auto-generated"
    assert got.get_content_type() == "multipart/alternative"  # text, HTML, calendar: nothing else
    plain = got.get_body(("plain",))
    html = got.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    assert "Thứ Tư, ngày 25/11/2026" in html.get_content()
    calendar = [p for p in got.walk() if p.get_content_type() == "text/calendar"]
    assert len(calendar) == 1
    assert calendar[0].get_param("method") == "REQUEST"
    assert calendar[0].get_content_charset() == "utf-8"
    assert "METHOD:REQUEST" in calendar[0].get_content()
    assert "SUMMARY:Tiếp công dân định kỳ" in calendar[0].get_content()
    assert calendar[0].get_content_disposition() is None  # inline, inside the alternative
    assert list(got.iter_attachments()) == []  # the calendar once, not again as an attachment
    unfolded = calendar[0].get_content().replace("\r\n ", "")
    assert "ORGANIZER;CN=" in unfolded and ":mailto:vanphong@hoaan.gov.vn" in unfolded
    assert "ROLE=REQ-PARTICIPANT" in unfolded and "RSVP=FALSE" in unfolded


def test_smtp_wire_format_is_7bit(smtp_server: tuple[CountingController, Recorder]) -> None:
    controller, handler = smtp_server
    assert asyncio.run(plain_channel(controller.port).send_batch([mail(1)])) == [None]
    assert handler.messages[0].isascii()  # safe through any relay, with or without 8BITMIME


# --- SMTP: failures, one message at a time -------------------------------------------------------


def test_smtp_550_is_permanent_and_batch_goes_on(smtp_server: tuple[CountingController, Recorder]) -> None:
    controller, handler = smtp_server
    batch = [mail(1), mail(2, to="nouser@hoaan.gov.vn"), mail(3)]
    results = asyncio.run(plain_channel(controller.port).send_batch(batch))
    assert_one_result_each(results, 3)
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], DeliveryError) and results[1].permanent
    assert "550" in str(results[1])
    assert handler.connections == 1
    assert len(handler.messages) == 2


def test_smtp_4xx_is_transient(smtp_server: tuple[CountingController, Recorder]) -> None:
    controller, _ = smtp_server
    results = asyncio.run(plain_channel(controller.port).send_batch([mail(1, to="full@hoaan.gov.vn")]))
    assert isinstance(results[0], DeliveryError) and not results[0].permanent
    assert "452" in str(results[0])


def test_smtp_421_is_transient_and_the_rest_goes_on_a_new_connection(
    smtp_server: tuple[CountingController, Recorder],
) -> None:
    controller, handler = smtp_server
    batch = [mail(1), mail(2, to="busy@hoaan.gov.vn"), mail(3), mail(4)]
    results = asyncio.run(plain_channel(controller.port).send_batch(batch))
    assert results[0] is None and results[2] is None and results[3] is None
    assert isinstance(results[1], DeliveryError) and not results[1].permanent
    assert "421" in str(results[1])
    assert handler.connections == 2
    assert len(handler.messages) == 3


def test_smtp_reconnects_once_when_the_server_drops_mid_batch(
    smtp_server: tuple[CountingController, Recorder],
) -> None:
    controller, handler = smtp_server
    batch = [mail(1), mail(2, to="drop@hoaan.gov.vn"), mail(3)]
    results = asyncio.run(plain_channel(controller.port).send_batch(batch))
    assert results == [None, None, None]  # the cut-off message was tried again and went
    assert handler.connections == 2
    assert [rcpts for _, rcpts in handler.envelopes] == [
        ["bithu@hoaan.gov.vn"],
        ["drop@hoaan.gov.vn"],
        ["bithu@hoaan.gov.vn"],
    ]


def test_smtp_gives_up_on_the_batch_after_the_reconnect_budget(
    smtp_server: tuple[CountingController, Recorder],
) -> None:
    controller, handler = smtp_server
    batch = [mail(1, to="busy1@hoaan.gov.vn"), mail(2, to="busy2@hoaan.gov.vn"), mail(3), mail(4)]
    results = asyncio.run(plain_channel(controller.port).send_batch(batch))
    assert_one_result_each(results, 4)
    assert all(isinstance(r, DeliveryError) and not r.permanent for r in results)
    assert handler.connections == 2  # one connection and one reconnect, not one per message
    assert handler.messages == []
    assert results[2] is not results[3]  # one error object per message


def test_smtp_server_down_is_transient_then_it_comes_back() -> None:
    port = free_port()  # nothing listens here: connection refused
    channel = plain_channel(port)
    results = asyncio.run(channel.send_batch([mail(1), mail(2), mail(3)]))
    assert_one_result_each(results, 3)
    assert all(isinstance(r, DeliveryError) and not r.permanent for r in results)

    controller, handler = start_smtp(port)
    try:
        assert asyncio.run(channel.send_batch([mail(1), mail(2), mail(3)])) == [None, None, None]
        assert handler.connections == 1
    finally:
        controller.stop()


def test_smtp_silent_server_times_out_transient() -> None:
    with socket.socket() as listener:  # accepts TCP (backlog) but never says 220
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        channel = SmtpChannel(host="127.0.0.1", port=listener.getsockname()[1], sender=SENDER, timeout=0.3)
        started = time.monotonic()
        results = asyncio.run(channel.send_batch([mail(1), mail(2)]))
        assert time.monotonic() - started < 3  # one timeout for the batch, not one per message
    assert all(isinstance(r, DeliveryError) and not r.permanent for r in results)
    assert "thời gian" in str(results[0])


def test_smtp_answers_to_the_data_are_mapped_as_every_other_answer(
    smtp_server: tuple[CountingController, Recorder],
) -> None:
    """The data goes in DATA's form written by the channel (notifiers.wire.data_form): a 554
    after it is permanent, a 451 transient, and the batch goes on on the same connection."""
    controller, handler = smtp_server
    batch = [mail(1), mail(2, to="spam@hoaan.gov.vn"), mail(3, to="later@hoaan.gov.vn"), mail(4)]
    results = asyncio.run(plain_channel(controller.port).send_batch(batch))
    assert results[0] is None and results[3] is None
    assert isinstance(results[1], DeliveryError) and results[1].permanent and "554" in str(results[1])
    assert isinstance(results[2], DeliveryError) and not results[2].permanent and "451" in str(results[2])
    assert handler.connections == 1 and len(handler.messages) == 2


def test_smtp_lines_that_begin_with_a_dot_arrive_whole(
    smtp_server: tuple[CountingController, Recorder],
) -> None:
    controller, handler = smtp_server
    text = ".\n.. hai chấm\n. Dòng mở đầu bằng dấu chấm\nHết.\n"
    batch = [mail(1), mail(2, text=text, html=None, ics=None)]
    assert asyncio.run(plain_channel(controller.port).send_batch(batch)) == [None, None]
    body = parse(handler.messages[1]).get_body(("plain",))
    assert body is not None and body.get_content().replace("\r\n", "\n") == text


def test_smtp_an_answer_to_the_data_past_the_timeout_is_transient_and_the_next_reconnects(
    smtp_server: tuple[CountingController, Recorder],
) -> None:
    controller, handler = smtp_server
    channel = SmtpChannel(host="127.0.0.1", port=controller.port, sender=SENDER, timeout=0.5)
    results = asyncio.run(channel.send_batch([mail(1), mail(2, to="slow@hoaan.gov.vn"), mail(3)]))
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], DeliveryError) and not results[1].permanent
    assert handler.connections == 2  # the timed-out connection closed, a new one for the rest


def test_smtp_wrong_channel_is_permanent(smtp_server: tuple[CountingController, Recorder]) -> None:
    controller, _ = smtp_server
    results = asyncio.run(plain_channel(controller.port).send_batch([sms(1), mail(2)]))
    assert isinstance(results[0], DeliveryError) and results[0].permanent
    assert results[1] is None


# --- SMTP: TLS and AUTH --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_tls(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A self-signed certificate made with the openssl command (no extra Python dependency)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


PASSWORD = "mật-khẩu-bí-mật-123"


def authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"vanphong", PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


def test_smtp_starttls_with_auth(server_tls: ssl.SSLContext) -> None:
    controller, handler = start_smtp(
        tls_context=server_tls, require_starttls=True, authenticator=authenticator, auth_required=True
    )
    try:
        channel = plain_channel(
            controller.port, security="starttls", validate_certs=False, username="vanphong", password=PASSWORD
        )
        assert asyncio.run(channel.send_batch([mail(1), mail(2)])) == [None, None]
        assert handler.tls == [True, True]
        assert handler.connections == 1
    finally:
        controller.stop()


def test_smtp_implicit_tls(server_tls: ssl.SSLContext) -> None:
    controller, handler = start_smtp(ssl_context=server_tls)
    try:
        channel = plain_channel(controller.port, security="tls", validate_certs=False)
        assert asyncio.run(channel.send_batch([mail(1)])) == [None]
        assert handler.tls == [True]
        assert parse(handler.messages[0])["Subject"] == SUBJECT
    finally:
        controller.stop()


def test_smtp_untrusted_certificate_is_refused_when_validating(server_tls: ssl.SSLContext) -> None:
    controller, handler = start_smtp(ssl_context=server_tls)
    try:
        channel = plain_channel(controller.port, security="tls")  # validate_certs defaults to True
        results = asyncio.run(channel.send_batch([mail(1)]))
        assert isinstance(results[0], DeliveryError) and not results[0].permanent
        assert handler.messages == []
    finally:
        controller.stop()


def test_smtp_plain_to_a_server_that_requires_starttls_is_permanent(server_tls: ssl.SSLContext) -> None:
    controller, _ = start_smtp(tls_context=server_tls, require_starttls=True)
    try:
        results = asyncio.run(plain_channel(controller.port, security="none").send_batch([mail(1)]))
        assert isinstance(results[0], DeliveryError) and results[0].permanent
        assert "530" in str(results[0])
    finally:
        controller.stop()


def test_smtp_auth_plain_connection_and_wrong_password(caplog: pytest.LogCaptureFixture) -> None:
    controller, handler = start_smtp(authenticator=authenticator, auth_require_tls=False)
    try:
        good = plain_channel(controller.port, username="vanphong", password=PASSWORD)
        assert asyncio.run(good.send_batch([mail(1)])) == [None]

        caplog.set_level("DEBUG")
        bad = plain_channel(controller.port, username="vanphong", password="sai-" + PASSWORD)
        results = asyncio.run(bad.send_batch([mail(2), mail(3)]))
        assert all(isinstance(r, DeliveryError) and r.permanent for r in results)
        assert "535" in str(results[0])
        assert handler.connections == 2  # a refused login is not retried for each message
        for text in (str(results[0]), str(results[1]), caplog.text, repr(bad)):
            assert PASSWORD not in text
    finally:
        controller.stop()


# --- SMS: a real HTTP gateway in a thread ----------------------------------------------------


class Gateway(ThreadingHTTPServer):
    """Records each request; the phone number's last digits cue the answer (500, 503, 429, 400,
    401), and a number ending in 999 sleeps past the client's timeout."""

    daemon_threads = False
    block_on_close = True  # server_close() waits for the sleeping handler: no thread outlives a test

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms/send"


class GatewayHandler(BaseHTTPRequestHandler):
    server: Gateway

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.requests.append((self.path, dict(self.headers), body))
        phone = str(body.get("phone", ""))
        if phone.endswith("999"):
            time.sleep(1.0)
        status = next(
            (int(phone[-3:]) for code in ("500", "503", "429", "400", "401") if phone.endswith(code)), 200
        )
        payload = json.dumps({"code": 0 if status == 200 else status, "message": "ok"}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout case)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_sms_posts_json_with_bearer_token_and_no_diacritics(gateway: Gateway) -> None:
    channel = SmsChannel(url=gateway.url, token="tok-123", brandname="UBND HOA AN", timeout=5)
    assert asyncio.run(channel.send_batch([sms(7)])) == [None]
    path, headers, body = gateway.requests[0]
    assert path == "/sms/send"
    assert headers["Authorization"] == "Bearer tok-123"
    assert headers["Content-Type"] == "application/json"
    assert body == {
        "phone": "+84912345678",
        "content": "Nhac lich: Thu Tu, ngay 25/11/2026 tiep cong dan tai Tru so Dang uy",
        "brandname": "UBND HOA AN",
        "is_unicode": 0,
        "request_id": "sms-7",
    }


def test_sms_unicode_keeps_diacritics(gateway: Gateway) -> None:
    channel = SmsChannel(url=gateway.url, token="t", unicode=True, timeout=5)
    assert asyncio.run(channel.send_batch([sms(1), sms(2, text="Lich tiep dan 25/11")])) == [None, None]
    first, second = (body for _, _, body in gateway.requests)
    assert first["content"] == "Nhắc lịch: Thứ Tư, ngày 25/11/2026 tiếp công dân tại Trụ sở Đảng ủy"
    assert first["is_unicode"] == 1
    assert second["is_unicode"] == 0  # no need to pay Unicode rates for a plain text


def test_sms_request_id_can_be_given(gateway: Gateway) -> None:
    channel = SmsChannel(url=gateway.url, token="t", timeout=5)
    assert asyncio.run(channel.send_batch([sms(1, request_id="req-abc")])) == [None]
    assert gateway.requests[0][2]["request_id"] == "req-abc"


def test_sms_status_mapping_in_one_batch(gateway: Gateway) -> None:
    channel = SmsChannel(url=gateway.url, token="t", timeout=0.3)
    phones = ["+84900000200", "+84900000500", "+84900000503", "+84900000429", "+84900000400",
              "+84900000401", "+84900000999", "+84900000201"]  # fmt: skip
    results = asyncio.run(channel.send_batch([sms(i, phone=p) for i, p in enumerate(phones)]))
    assert_one_result_each(results, len(phones))
    kinds = ["ok" if r is None else "permanent" if r.permanent else "transient" for r in results]
    assert kinds == ["ok", "transient", "transient", "transient", "permanent", "permanent", "transient", "ok"]
    assert "500" in str(results[1]) and "thời gian" in str(results[6])
    assert len(gateway.requests) == len(phones)  # every message was tried


def test_sms_gateway_down_is_transient() -> None:
    channel = SmsChannel(url=f"http://127.0.0.1:{free_port()}/send", token="t", timeout=2)
    results = asyncio.run(channel.send_batch([sms(1), sms(2)]))
    assert all(isinstance(r, DeliveryError) and not r.permanent for r in results)


def test_sms_wrong_channel_and_token_never_shown(gateway: Gateway) -> None:
    channel = SmsChannel(url=gateway.url, token="secret-token", timeout=5)
    results = asyncio.run(channel.send_batch([mail(1), sms(2)]))
    assert isinstance(results[0], DeliveryError) and results[0].permanent
    assert results[1] is None
    assert "secret-token" not in repr(channel)


class BodyCodeGateway(SmsChannel):
    """A provider that answers 200 with its own error code: one hook, a few lines."""

    def raise_for_response(self, response: httpx.Response, msg: OutgoingMessage) -> None:
        super().raise_for_response(response, msg)
        code = response.json().get("code")
        if code != 0:
            raise DeliveryError(f"provider code {code}", permanent=True)


class KeepAliveHandler(BaseHTTPRequestHandler):
    """An HTTP/1.1 gateway as real ones are: keep-alive, and its answers chunked (``/chunked``)
    or with a Content-Length, closing after every third answer (``/closing``) as a gateway whose
    keep-alive runs out does."""

    protocol_version = "HTTP/1.1"
    server: KeepAliveGateway

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.requests.append((self.path, dict(self.headers), body))
            n = len(self.server.requests)
        payload = json.dumps({"code": 0, "id": body["request_id"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.path.endswith("/chunked"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (payload[:5], payload[5:]):
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        close = self.path.endswith("/closing") and n % 3 == 0
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class KeepAliveGateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), KeepAliveHandler)
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.connections = 0
        self.lock = threading.Lock()


@pytest.mark.parametrize("path", ["/sms", "/sms/chunked", "/sms/closing"])
def test_sms_over_a_keep_alive_gateway(path: str) -> None:
    server = KeepAliveGateway()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}{path}"
        channel = BodyCodeGateway(url=url, token="tok", timeout=5, concurrency=3)

        async def run() -> list[DeliveryError | None]:
            async with channel.open() as sender:
                return list(await asyncio.gather(*(sender.send(sms(i)) for i in range(12))))

        assert asyncio.run(run()) == [None] * 12
        ids = sorted(body["request_id"] for _, _, body in server.requests)
        assert ids == sorted(f"sms-{i}" for i in range(12))  # each once
        assert all(h["Authorization"] == "Bearer tok" for _, h, _ in server.requests)
        # Connections kept: at most the concurrency, more only where the gateway closed them.
        assert server.connections <= (3 if path != "/sms/closing" else 3 + 4)
    finally:
        server.shutdown()
        server.server_close()


def test_sms_provider_subclass_maps_body_codes(gateway: Gateway) -> None:
    channel = BodyCodeGateway(url=gateway.url, token="t", timeout=5)
    assert asyncio.run(channel.send_batch([sms(1)])) == [None]


def test_channels_implement_the_protocol(tmp_path: Path) -> None:
    for channel in (
        SmtpChannel(host="127.0.0.1", port=25, sender=SENDER),
        SmsChannel(url="http://127.0.0.1/x", token="t"),
        FileChannel(tmp_path),
    ):
        assert isinstance(channel, Channel)
        asyncio.run(channel.aclose())


# --- files ------------------------------------------------------------------------------------


def test_file_channel_writes_eml_and_sms(tmp_path: Path) -> None:
    when = datetime(2026, 11, 18, 0, 0, tzinfo=UTC)
    channel = FileChannel(tmp_path, sender=SENDER, date=when)
    results = asyncio.run(channel.send_batch([mail(1), sms(2, text="Thứ Tư, ngày 25/11/2026")]))
    assert results == [None, None]
    eml = tmp_path / "email" / "outbox-1.eml"
    got = parse(eml.read_bytes())
    assert got["Message-ID"] == "<outbox-1@hoaan.gov.vn>"
    assert got["Subject"] == SUBJECT
    assert got["Date"].datetime == when
    assert [p.get_param("method") for p in got.walk() if p.get_content_type() == "text/calendar"] == [
        "REQUEST"
    ]
    txt = (tmp_path / "sms" / "sms-2.txt").read_text(encoding="utf-8")
    assert txt == "+84912345678\nThứ Tư, ngày 25/11/2026\n"


def test_file_channel_same_id_twice_leaves_one_file(tmp_path: Path) -> None:
    channel = FileChannel(tmp_path, sender=SENDER)
    asyncio.run(channel.send_batch([mail(1, subject="Lần một")]))
    asyncio.run(channel.send_batch([mail(1, subject="Lần hai"), mail(1, subject="Lần ba")]))
    files = sorted(p.name for p in (tmp_path / "email").iterdir())
    assert files == ["outbox-1.eml"]  # and no temporary file left behind
    assert parse((tmp_path / "email" / "outbox-1.eml").read_bytes())["Subject"] == "Lần ba"


def test_file_channel_crash_never_leaves_half_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    channel = FileChannel(tmp_path, sender=SENDER)
    asyncio.run(channel.send_batch([mail(1, subject="Bản cũ")]))
    before = (tmp_path / "email" / "outbox-1.eml").read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    results = asyncio.run(channel.send_batch([mail(1, subject="Bản mới"), sms(2)]))
    monkeypatch.undo()
    assert all(isinstance(r, DeliveryError) and not r.permanent for r in results)
    assert (tmp_path / "email" / "outbox-1.eml").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "email").iterdir()) == ["outbox-1.eml"]
    assert list((tmp_path / "sms").iterdir()) == []


def test_file_channel_unsafe_ids_stay_inside_and_distinct(tmp_path: Path) -> None:
    channel = FileChannel(tmp_path)
    ids = ["../../etc/passwd", "a/b", "a_b", ".hidden"]
    messages = [OutgoingMessage(channel="sms", recipient="+84912345678", text="x", message_id=i) for i in ids]
    assert asyncio.run(channel.send_batch(messages)) == [None] * 4
    written = sorted((tmp_path / "sms").iterdir())
    assert len(written) == 4
    assert all(p.parent == tmp_path / "sms" and not p.name.startswith(".") for p in written)
    assert (tmp_path / "sms" / "a_b.txt").exists()


# --- the message itself -----------------------------------------------------------------------


def test_build_email_cancel_and_plain_only() -> None:
    got = parse(bytes(build_email(mail(1, html=None, ics=ics("CANCEL")), SENDER)))
    assert [p.get_content_type() for p in got.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/calendar",
    ]
    assert (
        next(p for p in got.walk() if p.get_content_type() == "text/calendar").get_param("method") == "CANCEL"
    )
    simple = parse(bytes(build_email(mail(2, html=None, ics=None), "vp@hoaan.gov.vn")))
    assert simple.get_content_type() == "text/plain"
    assert simple["Message-ID"] == "<outbox-2@hoaan.gov.vn>"


def test_build_email_keeps_an_id_that_has_a_domain() -> None:
    msg = OutgoingMessage(
        channel="email", recipient="a@b.vn", text="x", message_id="r-1@tiepdan.example", date=SENT_AT
    )
    assert build_email(msg, SENDER)["Message-ID"] == "<r-1@tiepdan.example>"


def test_long_unquoted_sender_with_commas() -> None:
    sender = "Văn phòng Đảng ủy xã Hòa An, huyện Hòa An, tỉnh Cao Bằng <vp@hoaan.gov.vn>"
    raw = bytes(build_email(mail(1), sender))
    assert raw.isascii()
    got = parse(raw)
    assert got["From"].addresses[0].addr_spec == "vp@hoaan.gov.vn"
    assert got["Subject"] == SUBJECT


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"channel": "fax"}, "channel"),
        ({"recipient": " "}, "recipient"),
        ({"message_id": "has space"}, "message_id"),
        ({"message_id": ""}, "message_id"),
        ({"ics": "BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"}, "METHOD"),
        ({"request_id": "a<b>"}, "request_id"),
    ],
)
def test_outgoing_message_refuses_malformed(fields: dict[str, Any], error: str) -> None:
    base: dict[str, Any] = {"channel": "email", "recipient": "a@b.vn", "text": "x", "message_id": "m-1"}
    with pytest.raises(ValueError, match=error):
        OutgoingMessage(**{**base, **fields})


# --- SMS text -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Thứ Tư, ngày 25/11/2026 tại Trụ sở Đảng ủy", "Thu Tu, ngay 25/11/2026 tai Tru so Dang uy"),
        ("ĐẢNG ỦY XÃ HÒA AN", "DANG UY XA HOA AN"),
        ("Chủ tịch UBND xã Hưng Đạo", "Chu tich UBND xa Hung Dao"),
        ("Tiếp bù: Thứ Năm, 07:30–11:30", "Tiep bu: Thu Nam, 07:30-11:30"),
        ("“Tiếp công dân”… ‘đột xuất’", "\"Tiep cong dan\"... 'dot xuat'"),
        ("Phòng\u00a0họp 2", "Phong hop 2"),
        ("Giá 10€ {x} [y]", "Gia 10€ {x} [y]"),
        ("Gọi 😀 ngay", "Goi ? ngay"),
        ("Thu Tu", "Thu Tu"),
    ],
)
def test_sms_text_without_unicode(text: str, plain: str) -> None:
    assert sms_text(text, unicode=False) == plain
    assert is_gsm7(plain)


def test_sms_text_unicode_keeps_and_composes() -> None:
    decomposed = "Thu\u031b\u0301 Tu\u031b"  # "Thứ Tư" typed with combining marks
    assert sms_text(decomposed, unicode=True) == "Thứ Tư"
    assert sms_text("Đảng ủy", unicode=True) == "Đảng ủy"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),  # extension characters count twice
        ("{" * 81, 2),
        ("ư" * 70, 1),
        ("ư" * 71, 2),
        ("ư" * 134, 2),
        ("ư" * 135, 3),
        ("a" * 69 + "ư", 1),
        ("a" * 70 + "ư", 2),  # one Vietnamese letter turns 71 characters into two segments
        ("😀" * 35, 1),  # UTF-16 surrogate pairs count twice
        ("😀" * 36, 2),
    ],
)
def test_segments(text: str, count: int) -> None:
    assert segments(text) == count


VENUE = "Trụ sở Đảng ủy xã Hòa An, số 12 đường Hoàng Đình Giong, thôn Nà Lẹng, xã Hòa An, tỉnh Cao Bằng"


def reminder() -> list[Part | str]:
    return [
        "UBND xa Hoa An: nhac lich tiep cong dan Thu Tu, ngay 25/11/2026, 07:30-11:30,",
        Part(f"tai {VENUE}.", shorten=True),
        Part("Dang ky truoc: 0206 3852 123.", optional=True),
        Part("Chi tiet: https://tiepdan.example/hoa-an", optional=True),
    ]


def test_fit_one_segment_keeps_what_fits() -> None:
    short = ["Nhắc lịch: Thứ Tư, ngày 25/11/2026", Part("tại Trụ sở", shorten=True)]
    assert fit_one_segment(short, unicode=False) == "Nhac lich: Thu Tu, ngay 25/11/2026 tai Tru so"


def test_fit_one_segment_drops_optional_parts_then_cuts_the_venue() -> None:
    text = fit_one_segment(reminder(), unicode=False)
    assert segments(text) == 1
    assert "Chi tiet" not in text and "Dang ky" not in text
    assert text.startswith(
        "UBND xa Hoa An: nhac lich tiep cong dan Thu Tu, ngay 25/11/2026, 07:30-11:30, tai Tru so"
    )
    assert text.endswith("...")
    assert len(text) > 150  # cut just enough, not more


def test_fit_one_segment_drops_only_as_much_as_needed() -> None:
    parts: list[Part | str] = [
        "Thu Tu 25/11/2026 07:30",
        Part("tai Tru so Dang uy xa.", shorten=True),
        Part("Dang ky truoc: 0206 3852 123.", optional=True),
        Part("x" * 120, optional=True),
    ]
    assert fit_one_segment(parts, unicode=False) == (
        "Thu Tu 25/11/2026 07:30 tai Tru so Dang uy xa. Dang ky truoc: 0206 3852 123."
    )


def test_fit_one_segment_unicode_uses_70() -> None:
    text = fit_one_segment(
        ["Thứ Tư, ngày 25/11/2026, 07:30", Part("tại " + VENUE, shorten=True)], unicode=True
    )
    assert segments(text) == 1 and len(text) <= 70
    assert text.startswith("Thứ Tư, ngày 25/11/2026, 07:30 tại Trụ sở") and text.endswith("...")


def test_fit_one_segment_never_cuts_the_required_parts() -> None:
    text = fit_one_segment(["a" * 200, Part("venue", shorten=True)], unicode=False)
    assert text.startswith("a" * 200)
    assert segments(text) == 2
