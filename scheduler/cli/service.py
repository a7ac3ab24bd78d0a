"""Subcommands on stored sessions: plan, sessions, cancel, makeup, move, adhoc, record, history, db."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from notifiers.safe import terminal
from rules import TiepdanError
from rules.parsing import parse_count, parse_id, parse_time_range, parse_web_url
from rules.vietnamese import dmy, line_date, long_date
from rules.vocabulary import COUNTS, FORMS, KIND_VI, STATUS_VI
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
from scheduler.infra.audit import default_actor
from scheduler.infra.clock import local_today
from scheduler.infra.config import Config
from scheduler.infra.db import open_database, upgrade_schema
from scheduler.infra.decisions import tet_warning
from scheduler.infra.jsontype import JsonObject
from scheduler.reads.session_views import replacements
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases import cancel_makeup, move_adhoc, record_outcome, session_reads
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import PlanResult, plan_year


def _common(p: argparse.ArgumentParser) -> None:
    add_config(p)
    p.add_argument("--by", help="người thực hiện (mặc định: tài khoản hệ điều hành)")
    add_now(p)
    p.add_argument(
        "--if-version",
        type=_version,
        dest="if_version",
        metavar="N",
        help="chỉ thay đổi nếu buổi tiếp vẫn ở phiên bản N (tránh ghi đè thao tác của người khác)",
    )


def _strict(parse: Callable[[str], Any], what: str) -> Callable[[str], Any]:
    """An argparse type from one of the strict parsers (rules/parsing.py)."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{what}: {exc}") from None

    return convert


_count = _strict(parse_count, "số liệu")
_session_id = _strict(parse_id, "mã buổi tiếp")
_time_range = _strict(parse_time_range, "khung giờ")
_version = _strict(parse_id, "phiên bản")
_online = _strict(parse_web_url, "--online")


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("plan", help="lập lịch các buổi tiếp định kỳ của một năm")
    _common(p)
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

    p = sub.add_parser("sessions", help="các buổi tiếp đã lưu")
    _common(p)
    p.add_argument("--unit")
    p.add_argument("--from", dest="first", type=iso_date)
    p.add_argument("--to", dest="last", type=iso_date)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_sessions)

    p = sub.add_parser("cancel", help="hoãn một buổi tiếp và đề xuất ngày tiếp bù")
    _common(p)
    p.add_argument("session_id", type=_session_id, metavar="SESSION_ID")
    p.add_argument("--reason", required=True)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_cancel)

    p = sub.add_parser("makeup", help="đặt buổi tiếp bù cho buổi đã hoãn hoặc không tổ chức")
    _common(p)
    p.add_argument("session_id", type=_session_id, metavar="SESSION_ID")
    p.add_argument("--date", type=iso_date)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_makeup)

    p = sub.add_parser("move", help="dời một buổi tiếp sang ngày khác theo quyết định")
    _common(p)
    p.add_argument("session_id", type=_session_id, metavar="SESSION_ID")
    p.add_argument("--date", type=iso_date, required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_move)

    p = sub.add_parser("adhoc", help="ghi một buổi tiếp đột xuất")
    _common(p)
    p.add_argument("--unit", required=True)
    p.add_argument("--date", type=iso_date, required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--time", type=_time_range)
    p.add_argument("--venue")
    p.add_argument("--online", metavar="URL", type=_online)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_adhoc)

    p = sub.add_parser("record", help="ghi kết quả một buổi tiếp (hoặc bỏ kết quả đã ghi nhầm)")
    _common(p)
    p.add_argument("session_id", type=_session_id, metavar="SESSION_ID")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--held", action="store_true", help="đã tiếp")
    g.add_argument("--not-held", action="store_true", help="không tổ chức (cần --reason)")
    g.add_argument("--undo", action="store_true", help="bỏ kết quả đã ghi nhầm (cần --reason)")
    for k in COUNTS:
        p.add_argument(f"--{k}", type=_count)
    p.add_argument("--reason")
    who = p.add_mutually_exclusive_group()
    who.add_argument(
        "--head-in-person",
        action="store_true",
        dest="in_person",
        default=None,
        help="người đứng đầu trực tiếp tiếp",
    )
    who.add_argument("--received-by", metavar="HỌ_TÊN", help="người khác tiếp thay: họ tên người đó")
    p.add_argument("--received-title", metavar="CHỨC_VỤ", help="người khác tiếp thay: chức vụ người đó")
    p.add_argument("--form", choices=FORMS, help="hình thức tiếp: in_person (trực tiếp), online, both")
    p.add_argument("--conclusion")
    p.add_argument("--online", metavar="URL", type=_online)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_record)

    p = sub.add_parser("history", help="ai đã thay đổi gì, khi nào, vì sao")
    _common(p)
    p.add_argument("session_id", type=_session_id, metavar="SESSION_ID")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_history)

    p = sub.add_parser("db", help="cơ sở dữ liệu")
    add_config(p)
    add_now(p)
    p.add_argument("action", choices=("upgrade",))
    p.set_defaults(func=run_db)


class _Context:
    def __init__(self, args: argparse.Namespace) -> None:
        self.config = config_from(args)
        self.now = now_from(args, self.config)
        self.today = local_today(self.now, self.config.timezone)
        self.actor = uc.Actor(getattr(args, "by", None) or default_actor())
        self.engine = open_database(self.config.database_url)


def _print_session(row: StoredSession, fmt: str, extra: JsonObject | None = None) -> None:
    if fmt == "json":
        print(json.dumps(session_reads.session_dict(row) | (extra or {}), ensure_ascii=False))
        return
    kind = KIND_VI[row.kind]
    status = STATUS_VI[row.status]
    start, end = row.start_text, row.end_text
    line = f"#{row.id} {row.unit_id} {long_date(row.date)} {start or ''}-{end or ''} [{kind}, {status}]"
    if row.replaces_id:
        line += f" thay buổi #{row.replaces_id}"
    if row.reason:
        line += f" — {row.reason}"
    elif row.moved:
        line += f" — {row.moved}"
    print(terminal(line))  # stored text cannot drive the terminal


def run_plan(args: argparse.Namespace) -> int:
    year = args.year if args.year is not None else args.year_arg
    if year is None or (args.year is not None and args.year_arg not in (None, args.year)):
        raise TiepdanError("cần đúng một năm: tiepdan plan 2027 (hoặc --year 2027)")
    ctx = _Context(args)
    require_unit(ctx.config, args.unit)
    units = ctx.config.subtree(args.unit) if args.unit else None
    result = plan_year(
        ctx.engine, ctx.config, year, now=ctx.now, today=ctx.today, actor=ctx.actor.name, units=units,
        yes=args.yes, dry_run=args.dry_run,
    )  # fmt: skip
    warning = tet_warning(ctx.config.calendar, year)
    if warning:
        print(f"cảnh báo: {warning}", file=sys.stderr)
    if args.dry_run:
        print(f"Năm {result.year} (chạy thử, chưa lưu gì):")
    if result.changed:
        print(
            f"Năm {result.year}: thêm {result.created} buổi, dời {result.moved} buổi, "
            f"bỏ {result.withdrawn} buổi, giữ nguyên {result.unchanged} buổi."
        )
    elif not result.held_back:
        print(f"Năm {result.year}: lịch không thay đổi ({result.unchanged} buổi).")
    for line in plan_lines(ctx.config, result):
        print(terminal(line))  # reasons carry configured text
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


def run_sessions(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    require_unit(ctx.config, args.unit)
    rows = session_reads.list_sessions(
        ctx.engine, unit_ids=[args.unit] if args.unit else None, first=args.first, last=args.last
    )
    if args.format == "json":
        made = replacements(ctx.engine, [r.id for r in rows if r.status in ("cancelled", "not_held")])
        out = sys.stdout
        out.write("[")
        for i, r in enumerate(rows):
            out.write(
                ("\n" if i == 0 else ",\n")
                + json.dumps(session_reads.session_dict(r, made.get(r.id)), ensure_ascii=False)
            )
        out.write("\n]\n" if rows else "]\n")
        return 0
    if not rows:
        print("Không có buổi tiếp nào.")
    for r in rows:
        _print_session(r, "text")
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    change = cancel_makeup.cancel(
        ctx.engine,
        ctx.config,
        args.session_id,
        reason=args.reason,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        expected_version=args.if_version,
    )
    row, proposals = change.session, change.proposals
    if args.format == "json":
        _print_session(row, "json", {"proposals": [p.date.isoformat() for p in proposals]})
        return 0
    print(f"Đã hoãn buổi tiếp #{row.id} ngày {dmy(row.date)} của {row.unit_id}: {row.reason}")
    if proposals:
        print("Đề xuất ngày tiếp bù:")
        for p in proposals:
            print(f"  - {p.label}")
        print(f"Đặt lịch tiếp bù: tiepdan makeup {row.id} [--date YYYY-MM-DD]")
    return 0


def run_makeup(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    row = cancel_makeup.book_makeup(
        ctx.engine,
        ctx.config,
        args.session_id,
        on=args.date,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        expected_version=args.if_version,
    ).session
    from scheduler.usecases.makeup_check import makeup_warning_for

    warning = makeup_warning_for(ctx.engine, ctx.config, row, ctx.today)
    if warning:
        print(warning, file=sys.stderr)
    if args.format == "json":
        _print_session(row, "json")
    else:
        print(f"Đã đặt buổi tiếp bù #{row.id} vào {long_date(row.date)} (thay buổi #{args.session_id}).")
    return 0


def run_move(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    row = move_adhoc.move(
        ctx.engine,
        ctx.config,
        args.session_id,
        to=args.date,
        reason=args.reason,
        actor=ctx.actor,
        now=ctx.now,
        expected_version=args.if_version,
    ).session
    if args.format == "json":
        _print_session(row, "json")
    else:
        print(f"Đã dời buổi tiếp #{row.id} sang {long_date(row.date)}: {row.reason}")
    return 0


def run_adhoc(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    require_unit(ctx.config, args.unit)
    row = move_adhoc.add_adhoc(
        ctx.engine,
        ctx.config,
        args.unit,
        on=args.date,
        reason=args.reason,
        actor=ctx.actor,
        now=ctx.now,
        time_range=args.time,
        venue=args.venue,
        online=args.online,
    ).session
    if args.format == "json":
        _print_session(row, "json")
    else:
        print(row.id)
    return 0


def run_record(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    counts = {k: getattr(args, k) for k in COUNTS if getattr(args, k) is not None}
    if args.undo:
        extra = counts or args.in_person or args.received_by or args.received_title or args.form
        if extra:
            raise TiepdanError("--undo chỉ cần --reason: bỏ kết quả đã ghi, không ghi thêm số liệu")
        row = record_outcome.undo_record(
            ctx.engine,
            ctx.config,
            args.session_id,
            reason=args.reason or "",
            actor=ctx.actor,
            now=ctx.now,
            expected_version=args.if_version,
        ).session
        if args.format == "json":
            _print_session(row, "json")
        else:
            print(f"Đã bỏ kết quả đã ghi của buổi tiếp #{row.id} ngày {dmy(row.date)}: {args.reason.strip()}")
        return 0
    if args.not_held and (counts or args.in_person or args.received_by or args.received_title or args.form):
        raise TiepdanError("buổi không tổ chức thì không ghi số lượt, số người, số đơn, người tiếp")
    row = record_outcome.record(
        ctx.engine,
        ctx.config,
        args.session_id,
        held=args.held,
        actor=ctx.actor,
        now=ctx.now,
        counts=counts,
        reason=args.reason,
        in_person=args.in_person,
        received_by=args.received_by,
        received_title=args.received_title,
        form=args.form,
        conclusion=args.conclusion,
        online=args.online,
        expected_version=args.if_version,
    ).session
    if args.format == "json":
        _print_session(row, "json")
    elif row.status == "held":
        print(f"Đã ghi kết quả buổi tiếp #{row.id} ngày {dmy(row.date)}.")
    else:
        print(f"Đã ghi buổi tiếp #{row.id} không tổ chức; cần tiếp bù: tiepdan makeup {row.id}")
    return 0


def run_history(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    rows = session_reads.history(ctx.engine, args.session_id)
    if args.format == "json":
        print(json.dumps([session_reads.audit_dict(r) for r in rows], ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        d = session_reads.audit_dict(r)
        local = r.at.astimezone(ctx.config.timezone)  # AuditEntry.at is in UTC
        print(
            terminal(
                f"{local:%d/%m/%Y %H:%M} {d['actor']}: {d['action']} #{d['session']} — {d['reason'] or ''}"
            )
        )
    return 0


def run_db(args: argparse.Namespace) -> int:
    config = config_from(args)
    now_from(args, config)  # checked; a schema upgrade is the same at any instant
    engine = open_database(config.database_url, upgrade=False)
    applied = upgrade_schema(engine)
    print("Đã cập nhật cấu trúc cơ sở dữ liệu." if applied else "Cơ sở dữ liệu đã ở phiên bản mới nhất.")
    return 0
