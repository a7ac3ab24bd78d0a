"""The delivery channels of ``config.toml``: ``[email]`` (SMTP) and ``[sms]`` (the SMS gateway),
read into their frozen settings; secrets only ever through the environment (``*_env``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rules.vietnamese import nfc
from scheduler.infra.config.fields import EMAIL, Where, read_int, read_str

SECURITY_MODES = ("none", "starttls", "tls")
# SMTP connections and SMS requests at once. A message waits on the server's answers (four of
# them for an e-mail), so more connections keep a server busy: on the PostgreSQL peak day
# (bench/bench_delivery.py) the delivery took 61.3 s on 8 and 54.0 s on 16. Sixteen stays under
# Exchange's default of 20 connections a sending host (Postfix allows 50); lower it for a
# stricter server.
EMAIL_CONNECTIONS = 16
SMS_CONCURRENCY = 16


@dataclass(frozen=True, slots=True)
class EmailSettings:
    host: str
    port: int
    security: str
    username: str
    password_env: str
    sender: str
    connections: int = EMAIL_CONNECTIONS


@dataclass(frozen=True, slots=True)
class SmsSettings:
    url: str
    token_env: str
    unicode: bool = False
    brandname: str = ""
    timeout: float = 10.0
    concurrency: int = SMS_CONCURRENCY


def parse_email(w: Where, raw: object) -> EmailSettings:
    if not isinstance(raw, dict):
        raise w.error("email", "phải là bảng [email]")
    security = read_str(w, raw, "security", "none", "email.security")
    if security not in SECURITY_MODES:
        raise w.error(
            "email.security", f"phải là một trong {', '.join(SECURITY_MODES)}, không phải {security!r}"
        )
    sender = read_str(w, raw, "sender", "", "email.sender")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in sender):
        # A CR/LF would end the From: header: every e-mail would then fail for good.
        raise w.error("email.sender", "không được chứa xuống dòng hay ký tự điều khiển")
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    if not EMAIL.match(address):
        raise w.error("email.sender", f"địa chỉ người gửi không hợp lệ: {sender!r}")
    if "password" in raw:
        raise w.error("email.password", "không ghi mật khẩu trong tệp cấu hình; dùng password_env")
    default_port = {"none": 25, "starttls": 587, "tls": 465}[security]
    return EmailSettings(
        host=read_str(w, raw, "host", "127.0.0.1", "email.host"),
        port=read_int(w, raw, "port", default_port, "email.port", 1, 65535),
        security=security,
        username=read_str(w, raw, "username", "", "email.username"),
        password_env=read_str(w, raw, "password_env", "TIEPDAN_SMTP_PASSWORD", "email.password_env"),
        sender=nfc(sender),
        connections=read_int(w, raw, "connections", EMAIL_CONNECTIONS, "email.connections", 1, 50),
    )


def parse_sms(w: Where, raw: object) -> SmsSettings:
    if not isinstance(raw, dict):
        raise w.error("sms", "phải là bảng [sms]")
    url = read_str(w, raw, "url", "", "sms.url")
    if not re.match(r"^https?://[^\s/]+", url):
        raise w.error("sms.url", f"địa chỉ cổng SMS không hợp lệ: {url!r}")
    if "token" in raw:
        raise w.error("sms.token", "không ghi khóa truy cập trong tệp cấu hình; dùng token_env")
    unicode = raw.get("unicode", False)
    if not isinstance(unicode, bool):
        raise w.error("sms.unicode", "phải là true hoặc false")
    brandname = read_str(w, raw, "brandname", "", "sms.brandname")
    if len(brandname) > 11 or not brandname.isascii():
        raise w.error("sms.brandname", "brandname tối đa 11 ký tự, không dấu")
    timeout = raw.get("timeout", 10.0)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise w.error("sms.timeout", "phải là số giây dương")
    return SmsSettings(
        url,
        read_str(w, raw, "token_env", "TIEPDAN_SMS_TOKEN", "sms.token_env"),
        unicode,
        brandname,
        float(timeout),
        read_int(w, raw, "concurrency", SMS_CONCURRENCY, "sms.concurrency", 1, 100),
    )
