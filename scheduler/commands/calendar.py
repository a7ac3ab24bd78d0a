"""``tiepdan calendar`` and ``tiepdan check``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from notifiers.calendar_render import write_csv, write_json, write_text
from rules import RuleError, Unit, plan_calendar
from scheduler.commands.common import add_config, config_from, iso_date, require_unit
from scheduler.config import Config


def add_parser(sub: Any) -> None:
    p = sub.add_parser("calendar", help="lịch tiếp công dân theo quy định, và các kỳ thiếu ngày")
    add_config(p)
    p.add_argument("--from", dest="first", type=iso_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", type=iso_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.add_argument("--unit", help="chỉ đơn vị này và các đơn vị trực thuộc")
    p.set_defaults(func=run_calendar)

    c = sub.add_parser("check", help="kiểm tra tệp cấu hình")
    add_config(c)
    c.set_defaults(func=run_check)


def build_plan(config: Config, args: argparse.Namespace, units: list[Unit] | None = None) -> Any:
    if args.first > args.last:
        raise RuleError(f"--from {args.first.isoformat()} sau --to {args.last.isoformat()}")
    return plan_calendar(
        units if units is not None else config.units,
        config.levels,
        config.calendar,
        args.first,
        args.last,
        default_roll=config.roll,
    )


def run_calendar(args: argparse.Namespace) -> int:
    config = config_from(args)
    require_unit(config, args.unit)
    units = config.subtree(args.unit) if args.unit else None
    plan = build_plan(config, args, units)
    out = sys.stdout
    if args.format == "json":
        write_json(plan, out)
    elif args.format == "csv":
        write_csv(plan, out)
    else:

        def mandate(u: Unit) -> str:
            m = config.levels[u.level].mandate_on(args.last)
            return f"{config.levels[u.level].name}: {m.describe()}"

        write_text(plan, out, describe_mandate=mandate)
    return 0


def run_check(args: argparse.Namespace) -> int:
    config = config_from(args)
    by_level: dict[str, int] = {}
    for u in config.units:
        by_level[u.level] = by_level.get(u.level, 0) + 1
    parts = ", ".join(f"{config.levels[k].name}: {n}" for k, n in sorted(by_level.items()))
    print(f"{config.path}: cấu hình hợp lệ, {len(config.units)} đơn vị" + (f" ({parts})" if parts else ""))
    return 0
