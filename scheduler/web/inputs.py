"""Reading request bodies and parameters: size limits, NFC, and one error type for bad input.

Every text a person sends is normalised to NFC here, once: Vietnamese typed on a phone often
arrives decomposed ("ê" + combining acute), and must compare and sort like the same word typed
on a PC.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from rules import ServiceError
from rules.vietnamese import nfc

MAX_BODY = 256 * 1024  # a log row's longest content is 5,000 characters; this is plenty


class BadInput(ServiceError):
    """The request itself is malformed (400), before any use case is asked."""


class TooLarge(BadInput):
    """The body is over ``MAX_BODY`` (413)."""


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not (declared.isascii() and declared.isdigit()) or int(declared) > limit):
        raise TooLarge(f"nội dung gửi lên quá {limit // 1024} KB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"nội dung gửi lên quá {limit // 1024} KB")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("nội dung gửi lên phải là UTF-8") from None


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form as {name: NFC text}; a repeated name keeps its last value."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await read_body(request)
    if ctype != "application/x-www-form-urlencoded" and body:
        raise BadInput("biểu mẫu phải gửi dạng application/x-www-form-urlencoded")
    try:
        pairs = parse_qsl(_decode(body), keep_blank_values=True, max_num_fields=200, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise BadInput("biểu mẫu không đọc được") from None
    return {nfc(k): nfc(v) for k, v in pairs}


def _nfc_deep(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc_deep(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k) if isinstance(k, str) else k: _nfc_deep(v) for k, v in value.items()}
    return value


async def read_json(request: Request) -> dict[str, Any]:
    body = await read_body(request)
    if not body.strip():
        return {}
    try:
        data = json.loads(_decode(body))
    except (ValueError, RecursionError):
        raise BadInput("nội dung gửi lên không phải JSON hợp lệ") from None
    if not isinstance(data, dict):
        raise BadInput("nội dung gửi lên phải là một đối tượng JSON")
    return _nfc_deep(data)


def parse_date(value: object, what: str, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise BadInput(f"cần {what} (YYYY-MM-DD)")
        return None
    if not isinstance(value, str):
        raise BadInput(f"{what} phải là ngày dạng YYYY-MM-DD")
    try:
        d = date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"{what} phải là ngày dạng YYYY-MM-DD, không phải {value[:30]!r}") from None
    if not 1900 < d.year < 2200:
        raise BadInput(f"{what}: năm {d.year} không hợp lệ")
    return d


def parse_count(value: object, what: str) -> int | None:
    """A non-negative count from a form (text) or JSON (int); empty means not given."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise BadInput(f"{what} phải là số nguyên")
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 7:
            raise BadInput(f"{what} phải là số nguyên không âm, không phải {text[:20]!r}")
        return int(text)
    if isinstance(value, int) and 0 <= value < 10_000_000:
        return value
    raise BadInput(f"{what} phải là số nguyên không âm")


def parse_id(value: object) -> int | None:
    """A row id from a path or form; None for anything a database could not hold."""
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        n = int(value)
    else:
        return None
    return n if 0 < n < 2**63 else None


def text_field(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f"{what} phải là chữ")
    return value


_TIME_RANGE = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")


def parse_time_range(value: str | None) -> tuple[str, str] | None:
    """ "07:30-11:30" as ("07:30", "11:30"); None when not given."""
    if not value:
        return None
    m = _TIME_RANGE.fullmatch(value.strip())
    if not m or not (int(m[1]) < 24 and int(m[3]) < 24 and int(m[2]) < 60 and int(m[4]) < 60):
        raise BadInput(f"khung giờ phải có dạng HH:MM-HH:MM, không phải {value[:30]!r}")
    start, end = f"{int(m[1]):02d}:{m[2]}", f"{int(m[3]):02d}:{m[4]}"
    if start >= end:
        raise BadInput(f"khung giờ {value!r}: giờ bắt đầu phải trước giờ kết thúc")
    return start, end
