"""The ``[followup]`` table of config.toml: how directions are followed and who is told.

    [followup]
    default_limit     = "petition-notice"   # rules.time_limits id a direction gets when none is named
    soon_days         = 3                   # working days before the deadline: "sắp đến hạn"
    conclusion_within = 5                   # working days after a held session for its conclusion notice
    before            = [3, 1]              # reminders: working days before the deadline ...
    after             = [1, 3, 8, 15]       # ... and after it (the last one is the last word)
    agencies = [ { name = "Sở Tài nguyên và Môi trường", email = "stnmt@example.vn" } ]

An agency listed with an ``email`` is sent the reminders of the directions assigned to it (matched
by name, as typed in the direction, without regard to case).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rules import ConfigError
from rules.followup_alerts import FollowupPolicy
from rules.time_limits import LIMITS_BY_ID
from rules.vietnamese import nfc

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
KEYS = {"default_limit", "soon_days", "conclusion_within", "before", "after", "agencies"}


def agency_key(name: str) -> str:
    return " ".join(nfc(name).casefold().split())


@dataclass(frozen=True, slots=True)
class FollowupSettings:
    default_limit: str = "petition-notice"
    soon_days: int = 3
    conclusion_within: int = 5
    policy: FollowupPolicy = field(default_factory=FollowupPolicy)
    agency_emails: Mapping[str, str] = field(default_factory=dict)  # agency_key(name) -> e-mail

    def agency_email(self, agency: str) -> str:
        return self.agency_emails.get(agency_key(agency), "")


def parse_followup(file: str, raw: object) -> FollowupSettings:
    def fail(key: str, what: str) -> ConfigError:
        return ConfigError(f"{file}: followup.{key}: {what}")

    if raw is None:
        return FollowupSettings()
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: followup: phải là bảng [followup]")
    for k in raw:
        if k not in KEYS:
            raise fail(k, f"khóa không có; dùng một trong {', '.join(sorted(KEYS))}")

    def number(key: str, default: int, lo: int, hi: int) -> int:
        v = raw.get(key, default)
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise fail(key, f"phải là số nguyên từ {lo} đến {hi}, không phải {v!r}")
        return v

    def steps(key: str, default: tuple[int, ...]) -> tuple[int, ...]:
        v = raw.get(key, list(default))
        ok = isinstance(v, list) and all(
            isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= 60 for x in v
        )
        if not ok:
            raise fail(key, "phải là danh sách số ngày làm việc từ 1 đến 60, ví dụ [3, 1]")
        return tuple(v)

    limit = raw.get("default_limit", "petition-notice")
    if limit not in LIMITS_BY_ID:
        raise fail("default_limit", f"không có thời hạn {limit!r}; dùng một trong {', '.join(LIMITS_BY_ID)}")
    emails: dict[str, str] = {}
    agencies = raw.get("agencies", [])
    if not isinstance(agencies, list):
        raise fail("agencies", "phải là danh sách các bảng {name, email}")
    for i, a in enumerate(agencies):
        if not isinstance(a, dict) or not isinstance(a.get("name"), str) or not a["name"].strip():
            raise fail(f"agencies[{i}]", "phải là bảng {name, email} có tên cơ quan")
        email = a.get("email", "")
        if not isinstance(email, str) or (email and not _EMAIL.match(email)):
            raise fail(f"agencies[{i}].email", f"địa chỉ e-mail không hợp lệ: {email!r}")
        extra = set(a) - {"name", "email"}
        if extra:
            raise fail(f"agencies[{i}].{sorted(extra)[0]}", "khóa không có; dùng name, email")
        if email:
            emails[agency_key(a["name"])] = email
    return FollowupSettings(
        default_limit=limit,
        soon_days=number("soon_days", 3, 0, 30),
        conclusion_within=number("conclusion_within", 5, 1, 60),
        policy=FollowupPolicy(before=steps("before", (3, 1)), after=steps("after", (1, 3, 8, 15))),
        agency_emails=emails,
    )
