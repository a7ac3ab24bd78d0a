"""A unit of ``config.toml`` (``[[units]]``) or of its CSV registry, validated into a
``rules.Unit`` (its id, level, days or RRULE, time of day, head and staff, addresses), and the
tree of units (no id twice, every parent known, no cycle)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from unicodedata import normalize as _normalize

from rules import (
    ROLLS,
    ConfigError,
    Level,
    Pattern,
    Person,
    RuleError,
    Unit,
)
from rules.parsing import parse_time_range
from rules.patterns import parse_rrule
from rules.vietnamese import nfc
from scheduler.infra.config.addresses import web_url
from scheduler.infra.config.fields import EMAIL, Fail, read_lines, read_remind

PHONE = re.compile(r"^(\+84|0)\d{9,10}$")


PHONE_JUNK = re.compile(r"[\s.-]")


# A unit id goes into URLs (/board/<id>), file names and database keys: ASCII letters, digits and
# . _ - only, starting with a letter or digit, no "..", at most 100 characters.
UNIT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


MAX_UNIT_ID = 100


UNIT_KEYS = {
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
    "head",
    "staff",
    "online",
    "register_by",
    "address",
    "place",
    "superior",
    "remind",
    "notice_basis",
    "sender",
    "brandname",
    "co_organisers",
}


def parse_unit(fail: Fail, raw: dict[str, Any], levels: Mapping[str, Level]) -> tuple[Unit, tuple[int, ...]]:
    def text(k: str, default: str = "") -> str:
        v = raw.get(k, default)
        if not isinstance(v, str):
            raise fail(k, "phải là chuỗi")
        return _normalize("NFC", v.strip())  # rules.vietnamese.nfc

    uid = raw.get("id")
    if not isinstance(uid, str) or not uid.strip():
        raise fail("id", "thiếu mã đơn vị")
    if not UNIT_ID.match(uid) or ".." in uid:
        raise fail(
            "id",
            f"mã đơn vị {uid[:40]!r}{'…' if len(uid) > 40 else ''} chỉ gồm chữ không dấu, số và . _ -"
            f" (không có khoảng trắng, '/', '..'), tối đa {MAX_UNIT_ID} ký tự",
        )
    level = text("level")
    if not level:
        raise fail("level", "thiếu cấp (level)")
    if level not in levels:
        known = ", ".join(sorted(levels)) or "chưa khai báo cấp nào"
        raise fail("level", f"cấp {level!r} không có trong [levels] ({known})")
    has_days, has_rule = raw.get("days") not in (None, ""), raw.get("rrule") not in (None, "")
    if has_days == has_rule:
        raise fail("days", "cần đúng một trong hai: days hoặc rrule" + (" (có cả hai)" if has_days else ""))
    if has_days:
        days = raw["days"]
        if not isinstance(days, list) or not days:
            raise fail("days", "phải là danh sách ngày trong tháng, ví dụ [10, 25]")
        for d in days:
            if not isinstance(d, int) or isinstance(d, bool) or not 1 <= d <= 31:
                raise fail("days", f"ngày {d!r} nằm ngoài 1-31")
        pattern = Pattern(days=tuple(sorted(days)))
    else:
        rule = raw["rrule"]
        if not isinstance(rule, str):
            raise fail("rrule", "phải là chuỗi RRULE")
        problem = rrule_problem(rule)
        if problem is not None:
            raise fail("rrule", problem)
        pattern = Pattern(rrule=rule.strip())
    roll = raw.get("roll")
    if roll is not None and roll != "" and roll not in ROLLS:
        raise fail("roll", f"phải là một trong {', '.join(ROLLS)}, không phải {roll!r}")
    start = end = None
    time_text = text("time")
    if time_text:
        try:
            start, end = parse_time_range(time_text)
        except ValueError as exc:
            raise fail("time", str(exc)) from None
    body = text("body", "party") or "party"
    if body not in ("party", "state"):
        raise fail("body", f"phải là 'party' hoặc 'state', không phải {body!r}")
    head = raw.get("head", {})
    if not isinstance(head, dict):
        raise fail("head", "phải là bảng {name, title, email, phone}")
    staff = raw.get("staff", [])
    if not isinstance(staff, list):
        raise fail("staff", "phải là danh sách các bảng {name, email, phone}")
    register_by = raw.get("register_by")
    if register_by in ("", None):
        register_by = None
    elif not isinstance(register_by, int) or isinstance(register_by, bool) or not 1 <= register_by <= 28:
        raise fail("register_by", "hạn đăng ký phải là một ngày trong tháng từ 1 đến 28")
    remind = raw.get("remind")
    parent = text("parent") or None
    brandname = text("brandname")
    if len(brandname) > 11 or not brandname.isascii():
        raise fail("brandname", "brandname tối đa 11 ký tự, không dấu")
    sender = text("sender")
    if sender and "@" not in sender.rsplit("<", 1)[-1]:
        raise fail("sender", f"địa chỉ người gửi không hợp lệ: {sender!r}")
    co_organisers = raw.get("co_organisers", [])
    if not isinstance(co_organisers, list):
        raise fail("co_organisers", "phải là danh sách các bảng {name, email, phone}")
    co = tuple(parse_person(fail, c, f"co_organisers[{i}]") for i, c in enumerate(co_organisers))
    for i, c in enumerate(co):
        if not c.name:
            raise fail(f"co_organisers[{i}].name", "cần tên cơ quan phối hợp tổ chức")
    if parent == uid:
        raise fail("parent", "đơn vị không thể là cấp trên của chính nó")
    unit = Unit(
        id=uid,
        name=text("name") or uid,
        level=level,
        pattern=pattern,
        parent=parent,
        roll=roll or None,
        start=start,
        end=end,
        venue=text("venue"),
        body=body,  # type: ignore[arg-type]
        head=parse_person(fail, head, "head"),
        staff=tuple(parse_person(fail, s, f"staff[{i}]") for i, s in enumerate(staff)),
        online=web_url(fail, text("online"), "online"),
        register_by=register_by,
        address=text("address"),
        place=text("place"),
        superior=text("superior"),
        notice_basis=read_lines(fail, raw.get("notice_basis"), "notice_basis"),
        sender=sender,
        brandname=brandname,
        co_organisers=co,
    )
    if remind is None:
        return unit, ()
    try:
        return unit, read_remind(None, remind, "remind")
    except ConfigError as exc:
        raise fail("remind", str(exc).split(": ", 2)[-1]) from None


@lru_cache(maxsize=1024)
def rrule_problem(rule: str) -> str | None:
    """Why an RRULE is not accepted, or None; a registry has thousands of units and a handful of
    distinct rules."""
    try:
        parsed = parse_rrule(rule, date(2000, 1, 1))
    except RuleError as exc:
        return str(exc)
    if parsed.after(datetime(2000, 1, 1), inc=True) is None:
        return f"RRULE {rule!r} không bao giờ có ngày nào"
    return None


def parse_person(fail: Fail, raw: object, key: str) -> Person:
    if not isinstance(raw, dict):
        raise fail(key, "phải là bảng {name, title, email, phone}")
    values = {}
    for k in ("name", "title", "email", "phone"):
        v = raw.get(k, "")
        if not isinstance(v, str):
            raise fail(f"{key}.{k}", "phải là chuỗi")
        values[k] = nfc(v.strip())
    if values["email"] and not EMAIL.match(values["email"]):
        raise fail(f"{key}.email", f"địa chỉ e-mail không hợp lệ: {values['email']!r}")
    phone = PHONE_JUNK.sub("", values["phone"])
    if phone and not PHONE.match(phone):
        raise fail(f"{key}.phone", f"số điện thoại không hợp lệ: {values['phone']!r} (dạng +84912345678)")
    if phone.startswith("0"):
        phone = "+84" + phone[1:]
    values["phone"] = phone
    return Person(**values)


def add_unit(
    units: list[Unit], origins: dict[str, str], unit: Unit, origin: str, err: Callable[[], ConfigError]
) -> None:
    if unit.id in origins:
        raise ConfigError(f"{err()}mã đơn vị {unit.id!r} trùng với {origins[unit.id]}")
    origins[unit.id] = origin
    units.append(unit)


def key_of(origin: str, key: str) -> str:
    """``units[3]`` -> ``units[3].parent``; a CSV line ``units.csv:7`` -> ``units.csv:7: cột parent``."""
    return f"{origin}.{key}" if origin.endswith("]") else f"{origin}: cột {key}"


def check_cycles(by_id: Mapping[str, Unit], origins: Mapping[str, str]) -> None:
    done: set[str] = set()
    for start in by_id:
        seen: list[str] = []
        u: str | None = start
        while u is not None and u not in done:
            if u in seen:
                raise ConfigError(
                    f"{key_of(origins[u], 'parent')}: vòng lặp cấp trên {' -> '.join([*seen, u])}"
                )
            seen.append(u)
            u = by_id[u].parent
        done.update(seen)
