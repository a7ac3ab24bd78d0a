"""Configuration: ``config.toml`` (and the ``units_csv`` registry) parsed once into frozen,
validated objects.

Every error names the file, the key (``units[3].days``) or the CSV line and column, and what
is wrong, in one line; nothing is half-loaded.
"""

from __future__ import annotations

import csv
import ipaddress
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from unicodedata import normalize as _normalize
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rules import (
    ROLLS,
    ConfigError,
    DayNote,
    Level,
    Pattern,
    Person,
    Roll,
    RuleError,
    Unit,
    WorkCalendar,
)
from rules.dialogues import PRESETS as DIALOGUE_PRESETS
from rules.dialogues import DialogueMandate
from rules.parsing import parse_time_range, parse_web_url
from rules.patterns import parse_rrule
from rules.vietnamese import nfc
from scheduler.infra.decisions import government_decisions
from scheduler.infra.followup_config import FollowupSettings, parse_followup

EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
PHONE = re.compile(r"^(\+84|0)\d{9,10}$")
PHONE_JUNK = re.compile(r"[\s.-]")
# A unit id goes into URLs (/board/<id>), file names and database keys: ASCII letters, digits and
# . _ - only, starting with a letter or digit, no "..", at most 100 characters.
UNIT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
MAX_UNIT_ID = 100
SECURITY_MODES = ("none", "starttls", "tls")
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
}
LEVEL_KEYS = {"name", "min_days", "per", "basis", "earlier", "remind", "notice_basis", "dialogue"}
TOP_KEYS = {
    "timezone",
    "calendar",
    "levels",
    "units",
    "units_csv",
    "database",
    "email",
    "sms",
    "http",
    "outbox_dir",
    "reminders",
    "plan_ahead",
    "report",
    "notice",
    "secret_env",
    "since",
    "followup",
}


@dataclass(frozen=True, slots=True)
class EmailSettings:
    host: str
    port: int
    security: str
    username: str
    password_env: str
    sender: str
    connections: int = 4


@dataclass(frozen=True, slots=True)
class SmsSettings:
    url: str
    token_env: str
    unicode: bool = False
    brandname: str = ""
    timeout: float = 10.0
    concurrency: int = 8


@dataclass(frozen=True, slots=True)
class Config:
    """A loaded configuration (cấu hình)."""

    path: Path
    timezone: ZoneInfo
    calendar: WorkCalendar
    roll: Roll
    levels: Mapping[str, Level]
    units: tuple[Unit, ...]
    database_url: str
    outbox_dir: Path
    email: EmailSettings | None = None
    sms: SmsSettings | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    base_url: str = ""
    # [http] trusted_proxies: addresses or networks whose X-Forwarded-For is believed.
    trusted_proxies: tuple[str, ...] = ()
    http_max_connections: int = 200
    http_request_timeout: float = 10.0
    remind_days: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # level or unit id
    default_remind_days: tuple[int, ...] = (7, 1)
    remind_hour: int = 7
    plan_ahead: tuple[int, int] = (12, 1)  # (month, day) from which next year is planned
    report_cutoff: str = "calendar"
    since: date | None = None  # the day the office began to use tiepdan; None: the first plan's day
    followup: FollowupSettings = field(default_factory=FollowupSettings)
    warnings: tuple[str, ...] = ()
    units_by_id: Mapping[str, Unit] = field(default_factory=dict)

    @property
    def public_base(self) -> str:
        """The address links are built from: ``[http] base_url``, else the configured host and
        port; never a request's ``Host`` header (a forged one would land in the QR code, the
        feed and every cached page)."""
        if self.base_url:
            return self.base_url
        host = f"[{self.http_host}]" if ":" in self.http_host else self.http_host
        return f"http://{host}:{self.http_port}"

    def unit(self, unit_id: str) -> Unit:
        try:
            return self.units_by_id[unit_id]
        except KeyError:
            raise ConfigError(f"không có đơn vị {unit_id!r} trong {self.path.name}") from None

    def level_of(self, unit: Unit) -> Level:
        return self.levels[unit.level]

    def roll_of(self, unit: Unit) -> Roll:
        return unit.roll or self.roll

    def subtree(self, unit_id: str) -> list[Unit]:
        """The unit and every unit under it, through ``parent``."""
        children: dict[str | None, list[Unit]] = {}
        for u in self.units:
            children.setdefault(u.parent, []).append(u)
        out, stack = [], [self.unit(unit_id)]
        while stack:
            u = stack.pop()
            out.append(u)
            stack.extend(children.get(u.id, ()))
        return sorted(out, key=lambda u: u.id)

    def remind_days_for(self, unit: Unit) -> tuple[int, ...]:
        return self.remind_days.get(unit.id) or self.remind_days.get(
            "level:" + unit.level, self.default_remind_days
        )


class _Where:
    """Builds the one-line error for a key of a file."""

    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, key: str, what: str) -> ConfigError:
        return ConfigError(f"{self.file}: {key}: {what}")


def load_config(path: str | Path) -> Config:
    path = Path(path)
    name = str(path)
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{name}: không tìm thấy tệp cấu hình") from None
    except OSError as exc:
        raise ConfigError(f"{name}: không đọc được tệp ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: tệp không phải UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = f":{m.group(1)}" if m else ""
        raise ConfigError(f"{name}{line}: lỗi cú pháp TOML ({exc})") from None
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path) -> Config:
    w = _Where(str(path))
    warnings = [f"{path}: {k}: khóa không dùng đến, bỏ qua" for k in data if k not in TOP_KEYS]

    tz_name = _str(w, data, "timezone", "Asia/Ho_Chi_Minh")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise w.error("timezone", f"múi giờ không tồn tại: {tz_name!r}") from None

    cal = _table(w, data, "calendar")
    country = _str(w, cal, "country", "VN", "calendar.country")
    roll = _roll(w, cal.get("roll", "modified-following"), "calendar.roll")
    days_off = _day_notes(w, cal.get("days_off", []), "calendar.days_off")
    workdays = _day_notes(w, cal.get("workdays", []), "calendar.workdays")
    both = sorted({n.date for n in days_off} & {n.date for n in workdays})
    if both:
        raise w.error(
            "calendar.workdays",
            f"ngày {both[0].isoformat()} có cả trong calendar.days_off và calendar.workdays",
        )
    government = cal.get("government", True)
    if not isinstance(government, bool):
        raise w.error("calendar.government", "phải là true hoặc false")
    decisions = government_decisions(country) if government else ()
    try:
        calendar = WorkCalendar(
            country,
            days_off=days_off,
            workdays=workdays,
            government_off=[d.note for d in decisions if not d.working],
            government_work=[d.note for d in decisions if d.working],
        )
    except RuleError as exc:
        raise w.error("calendar.country", str(exc)) from None

    remind_days: dict[str, tuple[int, ...]] = {}
    levels: dict[str, Level] = {}
    for level_id, raw in _table(w, data, "levels").items():
        key = f"levels.{level_id}"
        if not isinstance(raw, dict):
            raise w.error(key, "phải là một bảng [levels.<id>]")
        warnings += [f"{path}: {key}.{k}: khóa không dùng đến, bỏ qua" for k in raw if k not in LEVEL_KEYS]
        levels[level_id] = _level(w, level_id, raw, key)
        if "remind" in raw:
            remind_days["level:" + level_id] = _remind(w, raw["remind"], f"{key}.remind")

    units: list[Unit] = []
    origins: dict[str, str] = {}
    raw_units = data.get("units", [])
    if not isinstance(raw_units, list):
        raise w.error("units", "phải là danh sách [[units]]")
    for i, raw in enumerate(raw_units):
        key = f"units[{i}]"
        if not isinstance(raw, dict):
            raise w.error(key, "phải là một bảng [[units]]")
        uid = raw.get("id")
        label = f"{key} (id {uid!r})" if isinstance(uid, str) else key
        warnings += [f"{path}: {key}.{k}: khóa không dùng đến, bỏ qua" for k in raw if k not in UNIT_KEYS]

        def unit_fail(k: str, what: str, _l: str = label) -> ConfigError:
            return w.error(f"{_l}.{k}" if k else _l, what)

        def id_fail(_k: str = key) -> ConfigError:
            return w.error(f"{_k}.id", "")

        unit, remind = _unit(unit_fail, raw, levels)
        _add_unit(units, origins, unit, f"{path}: {key}", id_fail)
        if remind:
            remind_days[unit.id] = remind

    if "units_csv" in data:
        csv_name = _str(w, data, "units_csv", "")
        csv_path = (path.parent / csv_name).resolve() if csv_name else None
        if csv_path is not None:
            if not csv_path.is_file():
                raise w.error("units_csv", f"không tìm thấy tệp {csv_name} (tìm ở {csv_path})")
            for line, raw in _read_csv(csv_path, csv_name):
                where = f"{csv_name}:{line}"
                uid = raw.get("id", "")

                def fail(k: str, what: str, _where: str = where) -> ConfigError:
                    return ConfigError(f"{_where}: cột {k}: {what}" if k else f"{_where}: {what}")

                unit, remind = _unit(fail, _csv_to_table(raw, fail), levels)

                def csv_id_fail(_f: Callable[[str, str], ConfigError] = fail) -> ConfigError:
                    return _f("id", "")

                _add_unit(units, origins, unit, where, csv_id_fail)
                if remind:
                    remind_days[uid] = remind

    by_id = {u.id: u for u in units}
    for u in units:
        if u.parent is not None and u.parent not in by_id:
            raise ConfigError(f"{_key_of(origins[u.id], 'parent')}: không có đơn vị cấp trên {u.parent!r}")
    _check_cycles(by_id, origins)

    database = _database_url(w, _str(w, data, "database", "sqlite:///tiepdan.db"))
    database = _resolve_sqlite(database, path.parent)
    outbox = path.parent / _str(w, data, "outbox_dir", "outbox")

    http = _table(w, data, "http")
    reminders = _table(w, data, "reminders")
    default_remind = _remind(w, reminders.get("days_before", [7, 1]), "reminders.days_before")
    hour = reminders.get("hour", 7)
    if not isinstance(hour, int) or isinstance(hour, bool) or not 6 <= hour <= 20:
        raise w.error("reminders.hour", "giờ gửi nhắc phải từ 6 đến 20 (không gửi ban đêm)")
    plan_ahead = _str(w, data, "plan_ahead", "12-01")
    m = re.fullmatch(r"(\d{2})-(\d{2})", plan_ahead)
    if not m or not 1 <= int(m.group(1)) <= 12 or not 1 <= int(m.group(2)) <= 28:
        raise w.error("plan_ahead", f"phải có dạng MM-DD (ngày 1-28), không phải {plan_ahead!r}")
    report = _table(w, data, "report")
    cutoff = _str(w, report, "cutoff", "calendar", "report.cutoff")
    if cutoff not in ("calendar", "tt02"):
        raise w.error("report.cutoff", f"phải là 'calendar' hoặc 'tt02', không phải {cutoff!r}")

    since = None
    if "since" in data:
        since = _date(w, data["since"], "since")
        if not 1990 <= since.year <= 2199:
            raise w.error("since", f"ngày bắt đầu sử dụng {since.isoformat()} không hợp lệ (năm 1990-2199)")

    return Config(
        path=path,
        timezone=tz,
        calendar=calendar,
        roll=roll,
        levels=levels,
        units=tuple(units),
        database_url=database,
        outbox_dir=outbox,
        email=_email(w, data["email"]) if "email" in data else None,
        sms=_sms(w, data["sms"]) if "sms" in data else None,
        http_host=_str(w, http, "host", "127.0.0.1", "http.host"),
        http_port=_int(w, http, "port", 8080, "http.port", 1, 65535),
        base_url=_web_url(w.error, _str(w, http, "base_url", "", "http.base_url"), "http.base_url").rstrip(
            "/"
        ),
        trusted_proxies=_proxies(w, http.get("trusted_proxies", [])),
        http_max_connections=_int(w, http, "max_connections", 200, "http.max_connections", 10, 10_000),
        http_request_timeout=float(_int(w, http, "request_timeout", 10, "http.request_timeout", 1, 300)),
        remind_days=remind_days,
        default_remind_days=default_remind,
        remind_hour=hour,
        plan_ahead=(int(m.group(1)), int(m.group(2))),
        report_cutoff=cutoff,
        since=since,
        followup=parse_followup(str(path), data.get("followup")),
        warnings=tuple(warnings),
        units_by_id=by_id,
    )


def _add_unit(
    units: list[Unit], origins: dict[str, str], unit: Unit, origin: str, err: Callable[[], ConfigError]
) -> None:
    if unit.id in origins:
        raise ConfigError(f"{err()}mã đơn vị {unit.id!r} trùng với {origins[unit.id]}")
    origins[unit.id] = origin
    units.append(unit)


def _key_of(origin: str, key: str) -> str:
    """``units[3]`` -> ``units[3].parent``; a CSV line ``units.csv:7`` -> ``units.csv:7: cột parent``."""
    return f"{origin}.{key}" if origin.endswith("]") else f"{origin}: cột {key}"


def _check_cycles(by_id: Mapping[str, Unit], origins: Mapping[str, str]) -> None:
    done: set[str] = set()
    for start in by_id:
        seen: list[str] = []
        u: str | None = start
        while u is not None and u not in done:
            if u in seen:
                raise ConfigError(
                    f"{_key_of(origins[u], 'parent')}: vòng lặp cấp trên {' -> '.join([*seen, u])}"
                )
            seen.append(u)
            u = by_id[u].parent
        done.update(seen)


def _level(w: _Where, level_id: str, raw: dict[str, Any], key: str) -> Level:
    name = _str(w, raw, "name", level_id, f"{key}.name")
    min_days = _int(w, raw, "min_days", None, f"{key}.min_days", 0, 31)
    per = _per(w, raw.get("per"), f"{key}.per")
    basis = _str(w, raw, "basis", "", f"{key}.basis")
    earlier_raw = raw.get("earlier", [])
    if not isinstance(earlier_raw, list):
        raise w.error(f"{key}.earlier", "phải là danh sách các bảng {until, min_days, per}")
    earlier = []
    untils: set[date] = set()
    for j, e in enumerate(earlier_raw):
        ek = f"{key}.earlier[{j}]"
        if not isinstance(e, dict):
            raise w.error(ek, "phải là bảng {until, min_days, per, basis}")
        until = _date(w, e.get("until"), f"{ek}.until")
        if until in untils:
            raise w.error(f"{ek}.until", f"ngày {until.isoformat()} đã dùng cho một mức khác")
        untils.add(until)
        earlier.append(
            (
                until,
                _int(w, e, "min_days", None, f"{ek}.min_days", 0, 31),
                _per(w, e.get("per"), f"{ek}.per"),
                _str(w, e, "basis", "", f"{ek}.basis"),
            )
        )
    notice_basis = _lines(w.error, raw.get("notice_basis"), f"{key}.notice_basis")
    dialogue = _dialogue(w, raw.get("dialogue"), f"{key}.dialogue")
    return Level.from_history(level_id, name, (min_days, per, basis), earlier, notice_basis, dialogue)


def _dialogue(w: _Where, raw: Any, key: str) -> DialogueMandate | None:
    """``dialogue``: a preset's name (``"law-72-2025"``) or ``{ min, per = "year", basis }``."""
    if raw is None:
        return None
    if isinstance(raw, str):
        preset = DIALOGUE_PRESETS.get(raw)
        if preset is None:
            names = ", ".join(DIALOGUE_PRESETS)
            raise w.error(key, f"không có mức đối thoại {raw!r}; dùng {names} hoặc bảng {{min, per, basis}}")
        return preset
    if not isinstance(raw, dict):
        raise w.error(key, 'phải là "law-72-2025" hoặc bảng { min = 1, per = "year", basis = "..." }')
    unknown = sorted(set(raw) - {"min", "per", "basis"})
    if unknown:
        raise w.error(f"{key}.{unknown[0]}", "khóa không có; dùng min, per, basis")
    per = raw.get("per", "year")
    if per != "year":
        raise w.error(f"{key}.per", f'phải là "year", không phải {per!r}')
    n = _int(w, raw, "min", None, f"{key}.min", 0, 52)
    return DialogueMandate(n, "year", _str(w, raw, "basis", "", f"{key}.basis"))


def _lines(error: Any, raw: Any, key: str) -> tuple[str, ...]:
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


def _unit(fail: Any, raw: dict[str, Any], levels: Mapping[str, Level]) -> tuple[Unit, tuple[int, ...]]:
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
        problem = _rrule_problem(rule)
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
        head=_person(fail, head, "head"),
        staff=tuple(_person(fail, s, f"staff[{i}]") for i, s in enumerate(staff)),
        online=_web_url(fail, text("online"), "online"),
        register_by=register_by,
        address=text("address"),
        place=text("place"),
        superior=text("superior"),
        notice_basis=_lines(fail, raw.get("notice_basis"), "notice_basis"),
        sender=sender,
        brandname=brandname,
    )
    if remind is None:
        return unit, ()
    try:
        return unit, _remind(None, remind, "remind")
    except ConfigError as exc:
        raise fail("remind", str(exc).split(": ", 2)[-1]) from None


@lru_cache(maxsize=1024)
def _rrule_problem(rule: str) -> str | None:
    """Why an RRULE is not accepted, or None; a registry has thousands of units and a handful of
    distinct rules."""
    try:
        parsed = parse_rrule(rule, date(2000, 1, 1))
    except RuleError as exc:
        return str(exc)
    if parsed.after(datetime(2000, 1, 1), inc=True) is None:
        return f"RRULE {rule!r} không bao giờ có ngày nào"
    return None


def _person(fail: Any, raw: Any, key: str) -> Person:
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


def _read_csv(path: Path, name: str) -> Iterator[tuple[int, dict[str, str]]]:
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


def _csv_to_table(raw: dict[str, str], fail: Any) -> dict[str, Any]:
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


def _remind(w: _Where | None, raw: Any, key: str) -> tuple[int, ...]:
    ok = isinstance(raw, list) and all(
        isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 60 for x in raw
    )
    if not ok:
        what = "phải là danh sách số ngày báo trước từ 0 đến 60, ví dụ [7, 1]"
        raise w.error(key, what) if w else ConfigError(f"{key}: {what}")
    return tuple(sorted(set(raw), reverse=True))


def _email(w: _Where, raw: Any) -> EmailSettings:
    if not isinstance(raw, dict):
        raise w.error("email", "phải là bảng [email]")
    security = _str(w, raw, "security", "none", "email.security")
    if security not in SECURITY_MODES:
        raise w.error(
            "email.security", f"phải là một trong {', '.join(SECURITY_MODES)}, không phải {security!r}"
        )
    sender = _str(w, raw, "sender", "", "email.sender")
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
        host=_str(w, raw, "host", "127.0.0.1", "email.host"),
        port=_int(w, raw, "port", default_port, "email.port", 1, 65535),
        security=security,
        username=_str(w, raw, "username", "", "email.username"),
        password_env=_str(w, raw, "password_env", "TIEPDAN_SMTP_PASSWORD", "email.password_env"),
        sender=nfc(sender),
        # Four connections at once: most servers allow ten or more a client, and four already
        # carry what the wire can (bench/bench_delivery.py).
        connections=_int(w, raw, "connections", 4, "email.connections", 1, 50),
    )


def _sms(w: _Where, raw: Any) -> SmsSettings:
    if not isinstance(raw, dict):
        raise w.error("sms", "phải là bảng [sms]")
    url = _str(w, raw, "url", "", "sms.url")
    if not re.match(r"^https?://[^\s/]+", url):
        raise w.error("sms.url", f"địa chỉ cổng SMS không hợp lệ: {url!r}")
    if "token" in raw:
        raise w.error("sms.token", "không ghi khóa truy cập trong tệp cấu hình; dùng token_env")
    unicode = raw.get("unicode", False)
    if not isinstance(unicode, bool):
        raise w.error("sms.unicode", "phải là true hoặc false")
    brandname = _str(w, raw, "brandname", "", "sms.brandname")
    if len(brandname) > 11 or not brandname.isascii():
        raise w.error("sms.brandname", "brandname tối đa 11 ký tự, không dấu")
    timeout = raw.get("timeout", 10.0)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise w.error("sms.timeout", "phải là số giây dương")
    return SmsSettings(
        url,
        _str(w, raw, "token_env", "TIEPDAN_SMS_TOKEN", "sms.token_env"),
        unicode,
        brandname,
        float(timeout),
        _int(w, raw, "concurrency", 8, "sms.concurrency", 1, 100),
    )


DATABASE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg", "postgresql+psycopg2")


def _database_url(w: _Where, url: str) -> str:
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


def _web_url(fail: Callable[[str, str], ConfigError], url: str, key: str) -> str:
    """An address people open (base_url, a unit's online meeting): rules.parsing.parse_web_url."""
    if not url:
        return url
    try:
        return parse_web_url(url)
    except ValueError as exc:
        raise fail(key, str(exc)) from None


def _proxies(w: _Where, raw: Any) -> tuple[str, ...]:
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


def _resolve_sqlite(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rest = url[len(prefix) :]
        if rest and rest != ":memory:":
            return prefix + str((base / rest).resolve())
    return url


def _table(w: _Where, data: Mapping[str, Any], key: str) -> dict[str, Any]:
    v = data.get(key, {})
    if not isinstance(v, dict):
        raise w.error(key, f"phải là một bảng [{key}]")
    return v


def _str(w: _Where, data: Mapping[str, Any], key: str, default: str, full: str | None = None) -> str:
    v = data.get(key, default)
    if not isinstance(v, str):
        raise w.error(full or key, "phải là chuỗi")
    return v


def _int(
    w: _Where, data: Mapping[str, Any], key: str, default: int | None, full: str, lo: int, hi: int
) -> int:
    v = data.get(key, default)
    if v is None:
        raise w.error(full, "thiếu giá trị")
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise w.error(full, f"phải là số nguyên từ {lo} đến {hi}, không phải {v!r}")
    return v


def _per(w: _Where, v: Any, key: str) -> Any:
    if v not in ("month", "week"):
        raise w.error(key, f"phải là 'month' hoặc 'week', không phải {v!r}")
    return v


def _roll(w: _Where, v: Any, key: str) -> Roll:
    if v not in ROLLS:
        raise w.error(key, f"phải là một trong {', '.join(ROLLS)}, không phải {v!r}")
    return v  # type: ignore[no-any-return]


def _date(w: _Where, v: Any, key: str) -> date:
    if isinstance(v, date) and not hasattr(v, "hour"):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise w.error(key, f"ngày phải có dạng YYYY-MM-DD, không phải {v!r}")


def _day_notes(w: _Where, raw: Any, key: str) -> list[DayNote]:
    if not isinstance(raw, list):
        raise w.error(key, "phải là danh sách ngày")
    out: list[DayNote] = []
    seen: set[date] = set()
    for i, entry in enumerate(raw):
        k = f"{key}[{i}]"
        if isinstance(entry, dict):
            d = _date(w, entry.get("date"), f"{k}.date")
            note = DayNote(
                d,
                nfc(_str(w, entry, "name", "", f"{k}.name")),
                nfc(_str(w, entry, "source", "", f"{k}.source")),
            )
        else:
            note = DayNote(_date(w, entry, k))
        if note.date in seen:
            raise w.error(k, f"ngày {note.date.isoformat()} đã có trong {key}")
        seen.add(note.date)
        out.append(note)
    return out
