"""Configuration: ``config.toml`` (and the ``units_csv`` registry) parsed once into frozen,
validated objects.

Every error names the file, the key (``units[3].days``) or the CSV line and column, and what
is wrong, in one line; nothing is half-loaded.

This package's ``__init__`` reads the top level into the one frozen ``Config``; each section
has its own reader beside it: ``fields`` (one value: a string, a number, a date ...), ``levels``
(``[levels]``), ``units`` (``[[units]]`` and the tree of units), ``units_csv`` (the ``units_csv``
registry), ``channels`` (``[email]``, ``[sms]``), ``addresses`` (the database, the web addresses,
``[http]``'s proxies) and ``followup`` (``[followup]``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rules import (
    ConfigError,
    Level,
    Roll,
    RuleError,
    Unit,
    WorkCalendar,
)
from scheduler.infra.config.addresses import database_url, resolve_sqlite, trusted_proxies, web_url
from scheduler.infra.config.channels import EmailSettings, SmsSettings, parse_email, parse_sms
from scheduler.infra.config.fields import (
    Where,
    read_date,
    read_day_notes,
    read_int,
    read_remind,
    read_roll,
    read_str,
    read_table,
)
from scheduler.infra.config.followup import FollowupSettings, parse_followup
from scheduler.infra.config.levels import LEVEL_KEYS, parse_level
from scheduler.infra.config.units import UNIT_KEYS, add_unit, check_cycles, key_of, parse_unit
from scheduler.infra.config.units_csv import csv_to_table, read_csv
from scheduler.infra.decisions import government_decisions

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


def _served_at(host: str, port: int) -> str:
    """The address the web server listens on, as a link (an IPv6 host in brackets)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


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
        return _served_at(self.http_host, self.http_port)

    def link(self, path: str) -> str:
        """The address a message's reader opens for ``path`` (``/desk/...``): every e-mail and
        SMS builds its links here, so that none carries a bare path a mail client cannot open."""
        return self.public_base + path

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
    w = Where(str(path))
    warnings = [f"{path}: {k}: khóa không dùng đến, bỏ qua" for k in data if k not in TOP_KEYS]

    tz_name = read_str(w, data, "timezone", "Asia/Ho_Chi_Minh")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise w.error("timezone", f"múi giờ không tồn tại: {tz_name!r}") from None

    cal = read_table(w, data, "calendar")
    country = read_str(w, cal, "country", "VN", "calendar.country")
    roll = read_roll(w, cal.get("roll", "modified-following"), "calendar.roll")
    days_off = read_day_notes(w, cal.get("days_off", []), "calendar.days_off")
    workdays = read_day_notes(w, cal.get("workdays", []), "calendar.workdays")
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
    for level_id, raw in read_table(w, data, "levels").items():
        key = f"levels.{level_id}"
        if not isinstance(raw, dict):
            raise w.error(key, "phải là một bảng [levels.<id>]")
        warnings += [f"{path}: {key}.{k}: khóa không dùng đến, bỏ qua" for k in raw if k not in LEVEL_KEYS]
        levels[level_id] = parse_level(w, level_id, raw, key)
        if "remind" in raw:
            remind_days["level:" + level_id] = read_remind(w, raw["remind"], f"{key}.remind")

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

        unit, remind = parse_unit(unit_fail, raw, levels)
        add_unit(units, origins, unit, f"{path}: {key}", id_fail)
        if remind:
            remind_days[unit.id] = remind

    if "units_csv" in data:
        csv_name = read_str(w, data, "units_csv", "")
        csv_path = (path.parent / csv_name).resolve() if csv_name else None
        if csv_path is not None:
            if not csv_path.is_file():
                raise w.error("units_csv", f"không tìm thấy tệp {csv_name} (tìm ở {csv_path})")
            for line, raw in read_csv(csv_path, csv_name):
                where = f"{csv_name}:{line}"
                uid = raw.get("id", "")

                def fail(k: str, what: str, _where: str = where) -> ConfigError:
                    return ConfigError(f"{_where}: cột {k}: {what}" if k else f"{_where}: {what}")

                unit, remind = parse_unit(fail, csv_to_table(raw, fail), levels)

                def csv_id_fail(_f: Callable[[str, str], ConfigError] = fail) -> ConfigError:
                    return _f("id", "")

                add_unit(units, origins, unit, where, csv_id_fail)
                if remind:
                    remind_days[uid] = remind

    by_id = {u.id: u for u in units}
    for u in units:
        if u.parent is not None and u.parent not in by_id:
            raise ConfigError(f"{key_of(origins[u.id], 'parent')}: không có đơn vị cấp trên {u.parent!r}")
    check_cycles(by_id, origins)

    database = database_url(w, read_str(w, data, "database", "sqlite:///tiepdan.db"))
    database = resolve_sqlite(database, path.parent)
    outbox = path.parent / read_str(w, data, "outbox_dir", "outbox")

    http = read_table(w, data, "http")
    reminders = read_table(w, data, "reminders")
    default_remind = read_remind(w, reminders.get("days_before", [7, 1]), "reminders.days_before")
    hour = reminders.get("hour", 7)
    if not isinstance(hour, int) or isinstance(hour, bool) or not 6 <= hour <= 20:
        raise w.error("reminders.hour", "giờ gửi nhắc phải từ 6 đến 20 (không gửi ban đêm)")
    plan_ahead = read_str(w, data, "plan_ahead", "12-01")
    m = re.fullmatch(r"(\d{2})-(\d{2})", plan_ahead)
    if not m or not 1 <= int(m.group(1)) <= 12 or not 1 <= int(m.group(2)) <= 28:
        raise w.error("plan_ahead", f"phải có dạng MM-DD (ngày 1-28), không phải {plan_ahead!r}")
    report = read_table(w, data, "report")
    cutoff = read_str(w, report, "cutoff", "calendar", "report.cutoff")
    if cutoff not in ("calendar", "tt02"):
        raise w.error("report.cutoff", f"phải là 'calendar' hoặc 'tt02', không phải {cutoff!r}")

    since = None
    if "since" in data:
        since = read_date(w, data["since"], "since")
        if not 1990 <= since.year <= 2199:
            raise w.error("since", f"ngày bắt đầu sử dụng {since.isoformat()} không hợp lệ (năm 1990-2199)")

    base_url = web_url(w.error, read_str(w, http, "base_url", "", "http.base_url"), "http.base_url")
    base_url = base_url.rstrip("/")
    http_host = read_str(w, http, "host", "127.0.0.1", "http.host")
    http_port = read_int(w, http, "port", 8080, "http.port", 1, 65535)
    if not base_url and ("email" in data or "sms" in data):
        # Messages go to people on other machines; a link to this machine's own address opens
        # nothing for them. Said once at every start, not a failure: a trial run needs no address.
        warnings.append(
            f"{path}: http.base_url: chưa đặt, liên kết trong thư và tin nhắn sẽ trỏ tới "
            f"{_served_at(http_host, http_port)}, chỉ mở được trên máy chạy tiepdan; "
            f"vui lòng đặt địa chỉ công khai của trang (ví dụ https://tiepdan.example.vn)"
        )

    return Config(
        path=path,
        timezone=tz,
        calendar=calendar,
        roll=roll,
        levels=levels,
        units=tuple(units),
        database_url=database,
        outbox_dir=outbox,
        email=parse_email(w, data["email"]) if "email" in data else None,
        sms=parse_sms(w, data["sms"]) if "sms" in data else None,
        http_host=http_host,
        http_port=http_port,
        base_url=base_url,
        trusted_proxies=trusted_proxies(w, http.get("trusted_proxies", [])),
        http_max_connections=read_int(w, http, "max_connections", 200, "http.max_connections", 10, 10_000),
        http_request_timeout=float(read_int(w, http, "request_timeout", 10, "http.request_timeout", 1, 300)),
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
