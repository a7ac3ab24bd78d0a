"""Reading one value of ``config.toml``: the readers every section uses (a table, a string, a
whole number in a range, a date, a list of days, a list of lines, the reminder days), each failing
with one line that names the file and the key (``units[3].days``) and what is wrong."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeAlias
from unicodedata import normalize as _normalize

from rules import (
    ROLLS,
    ConfigError,
    DayNote,
    Roll,
)
from rules.periods import PeriodKind
from rules.vietnamese import nfc

# How a section's reader says what is wrong with one of its keys: ``fail(key, what)``.
Fail: TypeAlias = Callable[[str, str], ConfigError]
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class Where:
    """Builds the one-line error for a key of a file."""

    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, key: str, what: str) -> ConfigError:
        return ConfigError(f"{self.file}: {key}: {what}")


def read_table(w: Where, data: Mapping[str, Any], key: str) -> dict[str, Any]:
    v = data.get(key, {})
    if not isinstance(v, dict):
        raise w.error(key, f"phải là một bảng [{key}]")
    return v


def read_str(w: Where, data: Mapping[str, object], key: str, default: str, full: str | None = None) -> str:
    v = data.get(key, default)
    if not isinstance(v, str):
        raise w.error(full or key, "phải là chuỗi")
    return v


def read_int(
    w: Where, data: Mapping[str, object], key: str, default: int | None, full: str, lo: int, hi: int
) -> int:
    v = data.get(key, default)
    if v is None:
        raise w.error(full, "thiếu giá trị")
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise w.error(full, f"phải là số nguyên từ {lo} đến {hi}, không phải {v!r}")
    return v


def read_per(w: Where, v: object, key: str) -> PeriodKind:
    if v == "month" or v == "week":
        return v
    raise w.error(key, f"phải là 'month' hoặc 'week', không phải {v!r}")


def read_roll(w: Where, v: object, key: str) -> Roll:
    for roll in ROLLS:
        if v == roll:
            return roll
    raise w.error(key, f"phải là một trong {', '.join(ROLLS)}, không phải {v!r}")


def read_date(w: Where, v: object, key: str) -> date:
    if isinstance(v, date) and not hasattr(v, "hour"):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise w.error(key, f"ngày phải có dạng YYYY-MM-DD, không phải {v!r}")


def read_day_notes(w: Where, raw: object, key: str) -> list[DayNote]:
    if not isinstance(raw, list):
        raise w.error(key, "phải là danh sách ngày")
    out: list[DayNote] = []
    seen: set[date] = set()
    for i, entry in enumerate(raw):
        k = f"{key}[{i}]"
        if isinstance(entry, dict):
            d = read_date(w, entry.get("date"), f"{k}.date")
            note = DayNote(
                d,
                nfc(read_str(w, entry, "name", "", f"{k}.name")),
                nfc(read_str(w, entry, "source", "", f"{k}.source")),
            )
        else:
            note = DayNote(read_date(w, entry, k))
        if note.date in seen:
            raise w.error(k, f"ngày {note.date.isoformat()} đã có trong {key}")
        seen.add(note.date)
        out.append(note)
    return out


def read_remind(w: Where | None, raw: object, key: str) -> tuple[int, ...]:
    if not isinstance(raw, list) or not all(
        isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 60 for x in raw
    ):
        what = "phải là danh sách số ngày báo trước từ 0 đến 60, ví dụ [7, 1]"
        raise w.error(key, what) if w else ConfigError(f"{key}: {what}")
    return tuple(sorted(set(raw), reverse=True))


def read_lines(error: Fail, raw: object, key: str) -> tuple[str, ...]:
    """``notice_basis``: a list of lines, each one act ("Căn cứ Luật Tiếp công dân ngày ...")."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise error(
            key, 'phải là danh sách các dòng, ví dụ ["Căn cứ Luật Tiếp công dân ngày 25 tháng 11 năm 2013"]'
        )
    lines = tuple(_normalize("NFC", x.strip()) for x in raw if x.strip())
    if raw and not lines:
        raise error(key, "các dòng căn cứ đều trống")
    return lines
