"""``tiepdan cancel|makeup|move|adhoc|record``: the changes of a stored session, one use case
each (``usecases/cancel_makeup.py``, ``move_adhoc.py``, ``record_outcome.py``), as the desk and
the API call them; each prints what became of the session (``--format json``: its JSON)."""

from __future__ import annotations

import argparse
import sys

from rules import TiepdanError
from rules.parsing import parse_count, parse_time_range, parse_web_url
from rules.vietnamese import dmy, long_date
from rules.vocabulary import COUNTS, FORMS
from scheduler.cli.common import (
    CommandContext,
    Subparsers,
    add_session_options,
    iso_date,
    require_unit,
    strict_arg,
)
from scheduler.cli.common import session_id_arg as _session_id
from scheduler.cli.session_reads import session_done
from scheduler.usecases import cancel_makeup, move_adhoc, record_outcome

_count = strict_arg(parse_count, "số liệu")
_time_range = strict_arg(parse_time_range, "khung giờ")
_online = strict_arg(parse_web_url, "--online")


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("cancel", help="hoãn một buổi tiếp và đề xuất ngày tiếp bù")
    add_session_options(p)
    p.add_argument("session_id", type=_session_id, metavar="SESSION_ID")
    p.add_argument("--reason", required=True)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_cancel)

    p = sub.add_parser("makeup", help="đặt buổi tiếp bù cho buổi đã hoãn hoặc không tổ chức")
    add_session_options(p)
    p.add_argument("session_id", type=_session_id, metavar="SESSION_ID")
    p.add_argument("--date", type=iso_date)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_makeup)

    p = sub.add_parser("move", help="dời một buổi tiếp sang ngày khác theo quyết định")
    add_session_options(p)
    p.add_argument("session_id", type=_session_id, metavar="SESSION_ID")
    p.add_argument("--date", type=iso_date, required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_move)

    p = sub.add_parser("adhoc", help="ghi một buổi tiếp đột xuất")
    add_session_options(p)
    p.add_argument("--unit", required=True)
    p.add_argument("--date", type=iso_date, required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--time", type=_time_range)
    p.add_argument("--venue")
    p.add_argument("--online", metavar="URL", type=_online)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_adhoc)

    p = sub.add_parser("record", help="ghi kết quả một buổi tiếp (hoặc bỏ kết quả đã ghi nhầm)")
    add_session_options(p)
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


def run_cancel(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
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
    text = [f"Đã hoãn buổi tiếp #{row.id} ngày {dmy(row.date)} của {row.unit_id}: {row.reason}"]
    if proposals:
        text += ["Đề xuất ngày tiếp bù:", *(f"  - {p.label}" for p in proposals)]
        text.append(f"Đặt lịch tiếp bù: tiepdan makeup {row.id} [--date YYYY-MM-DD]")
    return session_done(args, row, text, {"proposals": [p.date.isoformat() for p in proposals]})


def run_makeup(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
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
    return session_done(
        args, row, f"Đã đặt buổi tiếp bù #{row.id} vào {long_date(row.date)} (thay buổi #{args.session_id})."
    )


def run_move(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
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
    return session_done(args, row, f"Đã dời buổi tiếp #{row.id} sang {long_date(row.date)}: {row.reason}")


def run_adhoc(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
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
    return session_done(args, row, str(row.id))


def run_record(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
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
        return session_done(
            args,
            row,
            f"Đã bỏ kết quả đã ghi của buổi tiếp #{row.id} ngày {dmy(row.date)}: {args.reason.strip()}",
        )
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
    if row.status == "held":
        return session_done(args, row, f"Đã ghi kết quả buổi tiếp #{row.id} ngày {dmy(row.date)}.")
    return session_done(
        args, row, f"Đã ghi buổi tiếp #{row.id} không tổ chức; cần tiếp bù: tiepdan makeup {row.id}"
    )
