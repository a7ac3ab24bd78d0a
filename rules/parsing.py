"""Strict parsers for what people type: a time range, a row id, a count.

Every edge (the configuration, the command line, the desk, the API) reads these through here, so
that one typed value means one thing everywhere. ASCII digits only: Python's ``\\d`` and ``int()``
also take Arabic-Indic (``٠٧``) and full-width (``０７``) digits and underscores (``8_3``), which
once stored "07:٣٠" as a time and stopped every reminder. Each returns the value or raises
``ValueError`` with a Vietnamese reason; the edge adds which field it was.
"""

from __future__ import annotations

import re
from datetime import date, time
from functools import lru_cache
from urllib.parse import urlsplit

# 07:30-11:30, 7h30 - 11h30, 07H30-11H30: hours of one or two digits, minutes of two.
_TIME_RANGE = re.compile(r"([0-9]{1,2})[:hH]([0-9]{2})\s*-\s*([0-9]{1,2})[:hH]([0-9]{2})", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)

ID_MAX = 2**63 - 1  # the largest id a database column can hold (BIGINT)
COUNT_MAX = 1_000_000  # more citizens than any session receives: a typing error


def _clock(hours: str, minutes: str) -> time:
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        raise ValueError(f"{hours}:{minutes} không phải giờ trong ngày")
    return time(h, m)


@lru_cache(maxsize=1024)
def parse_time_range(text: str) -> tuple[time, time]:
    """ "07:30-11:30" or "7h30-11h30" -> (07:30, 11:30); start before end."""
    m = _TIME_RANGE.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"khung giờ phải có dạng HH:MM-HH:MM (ví dụ 07:30-11:30), không phải {text[:30]!r}")
    start, end = _clock(m[1], m[2]), _clock(m[3], m[4])
    if start >= end:
        raise ValueError(f"khung giờ {text[:30]!r}: giờ bắt đầu phải trước giờ kết thúc")
    return start, end


def hhmm(t: time | None) -> str | None:
    """The stored and JSON form of a time of day: "07:30"."""
    return None if t is None else f"{t.hour:02d}:{t.minute:02d}"


def parse_hhmm(text: str | None) -> time | None:
    """A stored "07:30" back to a time; None for nothing (or anything that is not HH:MM)."""
    if not text:
        return None
    m = re.fullmatch(r"([0-9]{2}):([0-9]{2})", text, re.ASCII)
    if m is None:
        return None
    try:
        return _clock(m[1], m[2])
    except ValueError:
        return None


def parse_id(text: str) -> int:
    """A row id: ASCII digits, 1 .. 2^63-1 (no sign, no underscore, no other script's digits)."""
    value = text.strip()
    if not _DIGITS.fullmatch(value) or len(value) > 19 or not 0 < int(value) <= ID_MAX:
        raise ValueError(f"mã phải là số nguyên dương, không phải {text[:30]!r}")
    return int(value)


def parse_count(text: str, *, high: int = COUNT_MAX) -> int:
    """A count of people, visits, petitions ...: ASCII digits, 0 .. ``high``."""
    value = text.strip()
    if value.startswith("-") and _DIGITS.fullmatch(value[1:]):
        raise ValueError(f"không được âm ({value[:30]})")
    if not _DIGITS.fullmatch(value):
        raise ValueError(f"phải là số nguyên không âm, không phải {text[:30]!r}")
    if len(value) > len(str(high)) or int(value) > high:
        raise ValueError(f"không được quá {high:,}".replace(",", "."))
    return int(value)


def check_count(value: int, *, high: int = COUNT_MAX) -> int:
    """A count that arrived as a number (JSON): the same bounds as ``parse_count``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("phải là số nguyên không âm")
    if value < 0:
        raise ValueError(f"không được âm ({value})")
    if value > high:
        raise ValueError(f"không được quá {high:,}".replace(",", "."))
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_date(text: str) -> date:
    """A day as YYYY-MM-DD (only that form: not 20270101, not 2027-W01-1), years 1901-2199."""
    value = text.strip()
    if not _ISO_DATE.fullmatch(value):
        raise ValueError(f"ngày phải có dạng YYYY-MM-DD, không phải {text[:30]!r}")
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"ngày {value} không có trong lịch (YYYY-MM-DD)") from None
    if not 1900 < d.year < 2200:
        raise ValueError(f"năm {d.year} không hợp lệ")
    return d


def parse_web_url(text: str) -> str:
    """An address people open (a unit's online meeting, the public base_url): http or https with
    a host, and no space or control character, which could split a header (the feed, an e-mail)
    or turn into a script link (``javascript:``) on the board."""
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in text):
        raise ValueError(f"địa chỉ {text[:60]!r} không được chứa khoảng trắng hay ký tự điều khiển (CR/LF)")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a bad port raises here, not later in a link
    except ValueError:
        raise ValueError(f"địa chỉ {text[:60]!r} không đọc được") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"địa chỉ phải bắt đầu bằng http:// hoặc https://, không phải {text[:60]!r}")
    return text
