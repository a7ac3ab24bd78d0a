"""The project's shipped data on the Government's decisions (rules/government.toml) and on the
years whose Tết was decided (rules/tet.toml), read once."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from typing import Any

from rules import ConfigError, WorkCalendar
from rules.government import (
    Decision,
    TetDecision,
    parse_decisions,
    parse_tet,
    tet_estimate_warning,
    tet_is_estimate,
)


def _read(name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(files("rules").joinpath(name).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"rules/{name}: không đọc được dữ liệu kèm theo ({exc})") from None


@lru_cache(maxsize=8)
def government_decisions(country: str) -> tuple[Decision, ...]:
    return parse_decisions(_read("government.toml"), country, "rules/government.toml")


@lru_cache(maxsize=8)
def tet_decided(country: str) -> Mapping[int, TetDecision]:
    return parse_tet(_read("tet.toml"), country, "rules/tet.toml")


def tet_warning(calendar: WorkCalendar, year: int) -> str | None:
    """The one line said of a year whose Tết comes only from python-holidays' estimate."""
    if tet_is_estimate(calendar, year, tet_decided(calendar.country)):
        return tet_estimate_warning(year)
    return None
