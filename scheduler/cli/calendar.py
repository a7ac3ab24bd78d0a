"""``tiepdan calendar`` and ``tiepdan check``."""

from __future__ import annotations

import argparse
import sys

from notifiers.calendar_render import write_csv, write_json, write_text
from rules import RuleError, TiepdanError, Unit, plan_calendar
from rules.dialogues import DialogueFinding
from rules.engine import CalendarPlan
from scheduler.cli.common import (
    Subparsers,
    add_config,
    add_now,
    config_from,
    iso_date,
    now_from,
    require_unit,
    year_arg,
)
from scheduler.infra.config import Config


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("calendar", help="lịch tiếp công dân theo quy định, và các kỳ thiếu ngày")
    add_config(p)
    p.add_argument("--from", dest="first", type=iso_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", type=iso_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.add_argument("--unit", help="chỉ đơn vị này và các đơn vị trực thuộc")
    add_now(p)  # the calendar is the rules' over the range asked, whatever the instant
    p.set_defaults(func=run_calendar)

    h = sub.add_parser("holidays", help="ngày nghỉ lễ, Tết, ngày nghỉ hoán đổi và ngày làm bù của một năm")
    add_config(h)
    h.add_argument("--year", type=year_arg, required=True, metavar="YYYY")
    h.add_argument("--format", choices=("text", "json"), default="text")
    add_now(h)
    h.set_defaults(func=run_holidays)

    c = sub.add_parser("check", help="kiểm tra tệp cấu hình")
    add_config(c)
    add_now(c)
    c.set_defaults(func=run_check)


def build_plan(config: Config, args: argparse.Namespace, units: list[Unit] | None = None) -> CalendarPlan:
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
    now_from(args, config)
    require_unit(config, args.unit)
    units = config.subtree(args.unit) if args.unit else None
    plan = build_plan(config, args, units)
    dialogue = calendar_dialogue_findings(config, args, units)
    out = sys.stdout
    if args.format == "json":
        write_json(plan, out, dialogue_findings=dialogue)
    elif args.format == "csv":
        write_csv(plan, out)
    else:

        def mandate(u: Unit) -> str:
            m = config.levels[u.level].mandate_on(args.last)
            return f"{config.levels[u.level].name}: {m.describe()}"

        write_text(plan, out, describe_mandate=mandate, dialogue_findings=dialogue)
    return 0


def _service_problems(config: Config) -> list[str]:
    """What ``serve``, ``plan`` or ``tick`` would still stop on with a configuration that loads:
    the database driver, the channels' secrets in the environment, the cookie key."""
    from scheduler.infra.db import create
    from scheduler.outbox import build_channels
    from scheduler.web.auth import check_secret

    problems: list[str] = []
    steps = (
        lambda: create(config.database_url).dispose(),
        lambda: build_channels(config),
        lambda: check_secret(config),
    )
    for step in steps:
        try:
            step()
        except TiepdanError as exc:
            problems.append(" ".join(str(exc).split()))
    return problems


def calendar_dialogue_findings(
    config: Config, args: argparse.Namespace, units: list[Unit] | None
) -> list[DialogueFinding] | None:
    """None when no unit in scope has a level that asks for dialogues (the JSON then stays as
    the contract has it, without the key); else the whole years in the range in which such a
    unit has fewer planned or held than asked. The dialogues are the store's: the database is read
    only when a unit's level asks for one and a whole year lies in the range, and a database
    not yet created (SQLite file absent) has none."""
    from rules.dialogues import DialogueMandate, dialogue_findings, judged_years

    scope = units if units is not None else config.units
    mandates: dict[str, DialogueMandate] = {}
    for u in scope:
        m = config.levels[u.level].dialogue
        if m is not None and m.min > 0:
            mandates[u.id] = m
    if not mandates:
        return None
    if not judged_years(args.first, args.last):
        return []
    from scheduler.usecases.dialogues import stored_facts

    stored = stored_facts(config, args.first, args.last, mandates)
    return dialogue_findings(mandates, stored, args.first, args.last)


def run_check(args: argparse.Namespace) -> int:
    config = config_from(args)
    now_from(args, config)
    problems = _service_problems(config)
    for line in problems:
        print(f"lỗi: {line}", file=sys.stderr)
    if problems:
        return 1
    by_level: dict[str, int] = {}
    for u in config.units:
        by_level[u.level] = by_level.get(u.level, 0) + 1
    parts = ", ".join(f"{config.levels[k].name}: {n}" for k, n in sorted(by_level.items()))
    print(f"{config.path}: cấu hình hợp lệ, {len(config.units)} đơn vị" + (f" ({parts})" if parts else ""))
    return 0


ORIGIN_VI = {
    "config": "theo cấu hình",
    "government": "theo văn bản của Chính phủ",
    "holidays": "theo thư viện python-holidays",
}


def run_holidays(args: argparse.Namespace) -> int:
    import json

    from rules.specialdays import special_days
    from rules.vietnamese import long_date
    from scheduler.infra.decisions import tet_decided, tet_warning

    config = config_from(args)
    now_from(args, config)
    if not 1900 < args.year < 2200:
        raise RuleError(f"--year: năm {args.year} không hợp lệ")
    days = special_days(config.calendar, args.year)
    warning = tet_warning(config.calendar, args.year)
    if args.format == "json":
        if warning:
            print(f"cảnh báo: {warning}", file=sys.stderr)
        rows = [
            {
                "date": d.date.isoformat(),
                "working": d.working,
                "name": d.name,
                "source": d.source,
                "origin": d.origin,
            }
            for d in days
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    out = sys.stdout
    out.write(f"NGÀY NGHỈ VÀ NGÀY LÀM BÙ NĂM {args.year} ({config.calendar.country})\n\n")
    for d in days:
        kind = "làm việc" if d.working else "nghỉ"
        line = f"  {long_date(d.date)}  [{kind}] {d.name} — {ORIGIN_VI[d.origin]}"
        if d.source:
            line += f": {d.source}"
        out.write(line + "\n")
    if not days:
        out.write("  (không có ngày nào)\n")
    decided = tet_decided(config.calendar.country).get(args.year)
    out.write("\n")
    if warning:
        out.write(f"Lưu ý: {warning[0].upper()}{warning[1:]}.\n")
    elif decided is not None:
        out.write(f"Lịch nghỉ Tết Nguyên đán năm {args.year} đã được quyết định: {decided.source}.\n")
    return 0
