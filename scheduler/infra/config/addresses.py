"""The addresses in ``config.toml``: the database URL (SQLite or PostgreSQL, a relative SQLite
file resolved beside the configuration), the web addresses people open (``[http] base_url``, a
unit's online meeting) and the trusted proxies of ``[http]``."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from rules import (
    ConfigError,
)
from rules.parsing import parse_web_url
from scheduler.infra.config.fields import Where

DATABASE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg", "postgresql+psycopg2")


def database_url(w: Where, url: str) -> str:
    """A database URL ``plan`` and ``serve`` can open: SQLite or PostgreSQL, a valid port."""
    if any(ord(ch) < 32 for ch in url) or not url.strip():
        raise w.error("database", "địa chỉ cơ sở dữ liệu trống hoặc có ký tự điều khiển")
    scheme, sep, _ = url.partition("://")
    if not sep:
        raise w.error(
            "database",
            f"{url[:60]!r} không phải địa chỉ cơ sở dữ liệu; ví dụ sqlite:///tiepdan.db "
            "hoặc postgresql+psycopg://người-dùng@máy-chủ/tên",
        )
    if scheme.lower() not in DATABASE_SCHEMES:
        what = "chỉ dùng được SQLite hoặc PostgreSQL (sqlite:///..., postgresql+psycopg://...)"
        raise w.error("database", f"{what}, không phải {scheme[:30]}://")
    if scheme.startswith("postgresql"):
        parts = urlsplit(url)
        try:
            _ = parts.port
        except ValueError:
            raise w.error("database", "cổng trong địa chỉ PostgreSQL phải là số từ 1 đến 65535") from None
        if not parts.hostname and "host=" not in parts.query:
            what = "địa chỉ PostgreSQL thiếu máy chủ (postgresql+psycopg://người-dùng@máy-chủ/tên)"
            raise w.error("database", what)
        if not parts.path.strip("/"):
            raise w.error("database", "địa chỉ PostgreSQL thiếu tên cơ sở dữ liệu (.../tên)")
    return url


def resolve_sqlite(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rest = url[len(prefix) :]
        if rest and rest != ":memory:":
            return prefix + str((base / rest).resolve())
    return url


def web_url(fail: Callable[[str, str], ConfigError], url: str, key: str) -> str:
    """An address people open (base_url, a unit's online meeting): rules.parsing.parse_web_url."""
    if not url:
        return url
    try:
        return parse_web_url(url)
    except ValueError as exc:
        raise fail(key, str(exc)) from None


def trusted_proxies(w: Where, raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise w.error("http.trusted_proxies", 'phải là danh sách địa chỉ IP hoặc mạng, ví dụ ["10.0.0.5"]')
    out: list[str] = []
    for i, p in enumerate(raw):
        try:
            out.append(str(ipaddress.ip_network(p.strip(), strict=False)))
        except ValueError:
            what = f"{p[:60]!r} không phải địa chỉ IP hay mạng"
            raise w.error(f"http.trusted_proxies[{i}]", what) from None
    return tuple(out)
