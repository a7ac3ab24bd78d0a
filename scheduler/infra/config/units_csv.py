"""The CSV registry of units (``units_csv``): its header checked, each line read into the same table
a ``[[units]]`` entry is (``a;b`` lists, ``head_*`` columns, ``staff`` as ``name|email|phone;...``),
every error naming the file, the line and the column."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rules import (
    ConfigError,
)
from scheduler.infra.config.fields import Fail

CSV_COLUMNS = {
    "id",
    "name",
    "level",
    "parent",
    "days",
    "rrule",
    "time",
    "venue",
    "roll",
    "body",
    "head_name",
    "head_title",
    "head_email",
    "head_phone",
    "staff",
    "online",
    "register_by",
    "address",
    "place",
    "superior",
    "remind",
    "sender",
    "brandname",
}


def read_csv(path: Path, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{name}: không tìm thấy tệp đơn vị (khóa units_csv)") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: tệp không phải UTF-8 (byte {exc.start})") from None
    reader = csv.reader(text.splitlines())
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ConfigError(f"{name}:1: tệp trống, thiếu dòng tiêu đề") from None
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise ConfigError(f"{name}:1: cột {unknown[0]!r} không được hỗ trợ")
    for col in ("id", "level"):
        if col not in header:
            raise ConfigError(f"{name}:1: thiếu cột {col}")
    try:
        for row in reader:
            line = reader.line_num
            if not "".join(row).strip():  # no cell has anything but whitespace
                continue
            if len(row) != len(header):
                raise ConfigError(f"{name}:{line}: có {len(row)} cột, tiêu đề có {len(header)}")
            yield line, dict(zip(header, row, strict=True))
    except csv.Error as exc:
        raise ConfigError(f"{name}:{reader.line_num}: dòng CSV lỗi ({exc})") from None


def csv_to_table(raw: dict[str, str], fail: Fail) -> dict[str, Any]:
    out: dict[str, Any] = {
        k: v.strip() for k, v in raw.items() if k not in ("days", "register_by", "staff", "remind")
    }
    if raw.get("days", "").strip():
        try:
            out["days"] = [int(x) for x in raw["days"].replace(",", ";").split(";") if x.strip()]
        except ValueError:
            raise fail("days", f"{raw['days']!r} phải là các ngày cách nhau bởi ';', ví dụ 10;25") from None
    if raw.get("register_by", "").strip():
        try:
            out["register_by"] = int(raw["register_by"])
        except ValueError:
            raise fail("register_by", f"{raw['register_by']!r} không phải là số") from None
    if raw.get("remind", "").strip():
        try:
            out["remind"] = [int(x) for x in raw["remind"].split(";") if x.strip()]
        except ValueError:
            raise fail("remind", f"{raw['remind']!r} phải là các số ngày cách nhau bởi ';'") from None
    out["head"] = {
        k[5:]: out.pop(k) for k in ("head_name", "head_title", "head_email", "head_phone") if k in out
    }
    staff = []
    for entry in raw.get("staff", "").split(";"):
        if entry.strip():
            parts = [p.strip() for p in entry.split("|")] + ["", ""]
            staff.append({"name": parts[0], "email": parts[1], "phone": parts[2]})
    out["staff"] = staff
    return out
