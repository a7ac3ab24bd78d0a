"""``tiepdan plan``: plan a year's periodic sessions (or say, with ``--dry-run``, what planning
would change), through ``usecases/planning.plan_year``; in a year in use, one line per change with
its reason, and the changes within five working days of an announced session held back."""

from __future__ import annotations

import argparse

from rules import TiepdanError
from rules.vietnamese import line_date
from scheduler.cli.common import CommandContext, Subparsers, add_session_options, require_unit, year_arg
from scheduler.cli.output import line, warn
from scheduler.infra.config import Config
from scheduler.infra.decisions import tet_warning
from scheduler.usecases.planning import PlanResult, plan_year


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("plan", help="lập lịch các buổi tiếp định kỳ của một năm")
    add_session_options(p)
    p.add_argument("year_arg", nargs="?", type=year_arg, metavar="YEAR", help="năm (như --year)")
    p.add_argument("--year", type=year_arg)
    p.add_argument("--unit", help="chỉ đơn vị này và các đơn vị trực thuộc")
    p.add_argument(
        "--yes",
        action="store_true",
        help="năm đang dùng: dời cả các buổi đã thông báo trong 05 ngày làm việc tới",
    )
    p.add_argument("--dry-run", action="store_true", help="chỉ liệt kê những gì sẽ thay đổi, không lưu")
    p.set_defaults(func=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    year = args.year if args.year is not None else args.year_arg
    if year is None or (args.year is not None and args.year_arg not in (None, args.year)):
        raise TiepdanError("cần đúng một năm: tiepdan plan 2027 (hoặc --year 2027)")
    ctx = CommandContext(args)
    require_unit(ctx.config, args.unit)
    units = ctx.config.subtree(args.unit) if args.unit else None
    result = plan_year(
        ctx.engine, ctx.config, year, now=ctx.now, today=ctx.today, actor=ctx.actor.name, units=units,
        yes=args.yes, dry_run=args.dry_run,
    )  # fmt: skip
    warning = tet_warning(ctx.config.calendar, year)
    warn(warning)
    if args.dry_run:
        print(f"Năm {result.year} (chạy thử, chưa lưu gì):")
    if result.changed:
        print(
            f"Năm {result.year}: thêm {result.created} buổi, dời {result.moved} buổi, "
            f"bỏ {result.withdrawn} buổi, giữ nguyên {result.unchanged} buổi."
        )
    elif not result.held_back:
        print(f"Năm {result.year}: lịch không thay đổi ({result.unchanged} buổi).")
    for text in plan_lines(ctx.config, result):
        line(text)  # reasons carry configured text
    if result.held_back:
        print(
            f"Chưa thay đổi {len(result.held_back)} buổi đã thông báo trong 05 ngày làm việc tới "
            f"(Luật Tiếp công dân, Điều 24): chạy lại với --yes nếu vẫn cần thay đổi."
        )
    return 0


def plan_lines(config: Config, result: PlanResult) -> list[str]:
    """One line per change of a year in use: what, from when to when, why; the earlier and the
    held-back ones said so."""
    out = []
    for c in result.changes:
        unit = config.units_by_id.get(c.unit_id)
        who = unit.name if unit is not None else c.unit_id
        ref = f"#{c.session_id} " if c.session_id is not None else ""
        if c.action == "move" and c.old is not None and c.new is not None:
            verb = "Dời" if c.applied and not c.dry_run else "Sẽ dời"
            line = f"- {verb} {ref}{who}: {line_date(c.old)} → {line_date(c.new)}. Lý do: {c.reason}"
            if c.earlier:
                line += " (sớm hơn ngày đã thông báo)"
        elif c.action == "withdraw" and c.old is not None:
            verb = "Bỏ" if c.applied and not c.dry_run else "Sẽ bỏ"
            line = f"- {verb} {ref}{who}: {line_date(c.old)}. Lý do: {c.reason}"
        elif c.new is not None:
            verb = "Thêm" if c.applied and not c.dry_run else "Sẽ thêm"
            line = f"- {verb} buổi tiếp {who}: {line_date(c.new)}"
        else:
            continue
        if not c.applied:
            line += "; chưa thay đổi: trong 05 ngày làm việc tới (cần --yes)"
        out.append(line)
    return out
