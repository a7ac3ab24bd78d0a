"""Reading request bodies and parameters: size limits, NFC, and one error type for bad input.

Every text a person sends is normalised to NFC here, once: Vietnamese typed on a phone often
arrives decomposed ("ê" + combining acute), and must compare and sort like the same word typed
on a PC.
"""

from __future__ import annotations

import json
from datetime import date, time
from urllib.parse import parse_qsl

from starlette.requests import Request

from rules import ServiceError
from rules import parsing as strict
from rules.text import clean_text
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
    return {_clean(nfc(k), k): _clean(nfc(v), k) for k, v in pairs}


def _clean(value: str, field: str) -> str:
    try:
        return clean_text(value)
    except ValueError as exc:
        raise BadInput(f"{field[:40]}: {exc}") from None


def _nfc_deep(value: object, field: str = "") -> object:
    if isinstance(value, str):
        return _clean(nfc(value), field or "nội dung")
    if isinstance(value, list):
        return [_nfc_deep(v, field) for v in value]
    if isinstance(value, dict):
        return {
            _clean(nfc(k), "tên trường") if isinstance(k, str) else k: _nfc_deep(v, str(k))
            for k, v in value.items()
        }
    return value


async def read_json(request: Request) -> dict[str, object]:
    body = await read_body(request)
    if not body.strip():
        return {}
    try:
        data = json.loads(_decode(body))
    except (ValueError, RecursionError):
        raise BadInput("nội dung gửi lên không phải JSON hợp lệ") from None
    if not isinstance(data, dict):
        raise BadInput("nội dung gửi lên phải là một đối tượng JSON")
    # A JSON object's names are text: each cleaned as a name, each value as its field.
    return {_clean(nfc(k), "tên trường"): _nfc_deep(v, k) for k, v in data.items()}


def parse_date(value: object, what: str, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise BadInput(f"cần {what} (YYYY-MM-DD)")
        return None
    if not isinstance(value, str):
        raise BadInput(f"{what} phải là ngày dạng YYYY-MM-DD")
    try:
        return strict.parse_date(value)
    except ValueError as exc:
        raise BadInput(f"{what}: {exc}") from None


def parse_count(value: object, what: str) -> int | None:
    """A non-negative count from a form (text) or JSON (int); empty means not given."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, str):
            return strict.parse_count(value)
        return strict.check_count(value)  # type: ignore[arg-type]
    except ValueError as exc:
        raise BadInput(f"{what}: {exc}") from None


def parse_version(value: object) -> int | None:
    """The version a clerk last saw (a hidden field, or JSON); empty means not given."""
    if value in (None, ""):
        return None
    n = parse_id(value)
    if n is None:
        raise BadInput("phiên bản phải là số nguyên dương")
    return n


def parse_id(value: object) -> int | None:
    """A row id from a path or form; None for anything a database could not hold."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= strict.ID_MAX else None
    if not isinstance(value, str):
        return None
    try:
        return strict.parse_id(value)
    except ValueError:
        return None


def text_field(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f"{what} phải là chữ")
    return value


def parse_time_range(value: str | None) -> tuple[time, time] | None:
    """ "07:30-11:30" or "7h30-11h30" as (07:30, 11:30); None when not given."""
    if not value:
        return None
    try:
        return strict.parse_time_range(value)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
