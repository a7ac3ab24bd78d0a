"""Subcommands after the session: directions, their results, the follow-up list, the limits.

tiepdan direction add ENTRY_ID --content TEXT --agency TEXT [--limit ID | --days N | --due D]
tiepdan direction add --dialogue DIALOGUE_ID --content TEXT --agency TEXT [--limit ID | --days N | --due D]
tiepdan direction edit ID [--content] [--agency] [--limit | --days | --due] [--accepted D]
tiepdan direction result ID [--resolved D --result TEXT] [--answered D] [--notified D]
tiepdan direction delete ID
tiepdan direction show ID [--format json]
tiepdan followup --unit U [--state S,S] [--agency TEXT] [--format json]
tiepdan limits [--format json]
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from rules import TiepdanError
from rules.followup import STATE_VI
from rules.time_limits import LIMITS
from rules.vietnamese import dmy
from scheduler.cli.common import (
    CommandContext,
    Subparsers,
    add_config,
    iso_date,
    recipients_of,
    require_unit,
    version_arg,
)
from scheduler.cli.common import add_actor as _common
from scheduler.cli.common import id_arg as _id
from scheduler.cli.output import line, print_json, result, write_document
from scheduler.infra.clock import parse_now
from scheduler.reads.stored_direction import StoredDirection
from scheduler.usecases import followup as fu


def _days(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"số ngày làm việc phải là số nguyên, không phải {text!r}")
    return int(text)


def _deadline_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--limit", help="thời hạn theo quy định (xem tiepdan limits)")
    g.add_argument("--days", type=_days, help="thời hạn do người đứng đầu giao, số ngày làm việc")
    g.add_argument("--due", type=iso_date, help="hạn giải quyết cụ thể (YYYY-MM-DD, ngày làm việc)")
    p.add_argument(
        "--accepted",
        type=iso_date,
        help="ngày thụ lý (thời hạn giải quyết khiếu nại, tố cáo tính từ ngày này)",
    )


def add_parser(sub: Subparsers) -> None:
    d = sub.add_parser("direction", help="kết luận, chỉ đạo giải quyết từng vụ việc của sổ tiếp công dân")
    dsub = d.add_subparsers(dest="action", required=True)
    add = dsub.add_parser(
        "add", help="ghi chỉ đạo cho một dòng sổ tiếp công dân, hoặc một ý kiến tại hội nghị đối thoại"
    )
    add.add_argument("entry", type=_id, metavar="ENTRY_ID", nargs="?", help="dòng sổ tiếp công dân")
    add.add_argument(
        "--dialogue", type=_id, metavar="DIALOGUE_ID", help="hội nghị đối thoại đã tổ chức (thay ENTRY_ID)"
    )
    add.add_argument("--content", required=True, help="nội dung kết luận, chỉ đạo")
    add.add_argument("--agency", required=True, help="cơ quan được giao giải quyết")
    _deadline_args(add)
    _common(add)
    add.set_defaults(func=run_add)
    edit = dsub.add_parser("edit", help="sửa nội dung, cơ quan hoặc thời hạn của chỉ đạo")
    edit.add_argument("id", type=_id, metavar="DIRECTION_ID")
    edit.add_argument("--content")
    edit.add_argument("--agency")
    _deadline_args(edit)
    edit.add_argument("--if-version", type=version_arg, dest="if_version", metavar="N")
    _common(edit)
    edit.set_defaults(func=run_edit)
    res = dsub.add_parser("result", help="ghi kết quả giải quyết, ngày trả lời công dân")
    res.add_argument("id", type=_id, metavar="DIRECTION_ID")
    res.add_argument("--resolved", type=iso_date, help="ngày giải quyết xong")
    res.add_argument("--result", help="kết quả giải quyết (cơ quan đã làm gì)")
    res.add_argument("--answered", type=iso_date, help="ngày trả lời kết quả cho công dân")
    res.add_argument(
        "--notified", type=iso_date, help="ngày thông báo bằng văn bản cho công dân (thụ lý/chuyển đơn)"
    )
    res.add_argument("--if-version", type=version_arg, dest="if_version", metavar="N")
    _common(res)
    res.set_defaults(func=run_result)
    rm = dsub.add_parser("delete", help="xóa chỉ đạo ghi nhầm (chưa có kết quả)")
    rm.add_argument("id", type=_id, metavar="DIRECTION_ID")
    rm.add_argument("--if-version", type=version_arg, dest="if_version", metavar="N")
    _common(rm)
    rm.set_defaults(func=run_delete)
    show = dsub.add_parser("show", help="xem một chỉ đạo")
    show.add_argument("id", type=_id, metavar="DIRECTION_ID")
    _common(show)
    show.set_defaults(func=run_show)

    f = sub.add_parser("followup", help="danh sách theo dõi giải quyết của một đơn vị")
    f.add_argument("--unit", required=True, help="mã đơn vị")
    f.add_argument("--state", help="lọc theo trạng thái: " + ", ".join(STATE_VI))
    f.add_argument("--agency", help="lọc theo cơ quan được giao (một phần tên)")
    _common(f)
    f.set_defaults(func=run_followup)

    lim = sub.add_parser("limits", help="các thời hạn giải quyết theo quy định, với căn cứ")
    add_config(lim)
    lim.add_argument("--now", help=argparse.SUPPRESS)  # every command takes it; the limits do not change
    lim.add_argument("--format", choices=("text", "json"), default="text")
    lim.set_defaults(func=run_limits)


_Ctx = CommandContext


def _done(ctx: _Ctx, args: argparse.Namespace, row: StoredDirection, verb: str) -> int:
    """``Đã <verb> chỉ đạo số N (...)``, or the direction's JSON."""
    d = fu.direction_dict(row, ctx.config, ctx.today)
    described = f"chỉ đạo số {row.id} ({d['source']}): {row.agency}, hạn {dmy(row.due)}, {d['state_vi']}"
    return result(args, d, f"{verb} {described}." if verb else described)


def run_add(args: argparse.Namespace) -> int:
    if (args.entry is None) == (args.dialogue is None):
        raise TiepdanError("cần đúng một nguồn của chỉ đạo: ENTRY_ID (dòng sổ) hoặc --dialogue DIALOGUE_ID")
    ctx = _Ctx(args)
    add = fu.add_direction if args.dialogue is None else fu.add_dialogue_direction
    row = add(
        ctx.engine,
        ctx.config,
        args.entry if args.dialogue is None else args.dialogue,
        content=args.content,
        agency=args.agency,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        limit=args.limit,
        days=args.days,
        due=args.due,
        accepted_on=args.accepted,
    )
    return _done(ctx, args, row, "Đã ghi")


def run_edit(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    row = fu.edit_direction(
        ctx.engine,
        ctx.config,
        args.id,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        content=args.content,
        agency=args.agency,
        limit=args.limit,
        days=args.days,
        due=args.due,
        accepted_on=args.accepted,
        expected_version=args.if_version,
    )
    return _done(ctx, args, row, "Đã sửa")


def run_result(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    row = fu.record_result(
        ctx.engine,
        args.id,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        resolved_on=args.resolved,
        result=args.result,
        answered_on=args.answered,
        notified_on=args.notified,
        expected_version=args.if_version,
    )
    return _done(ctx, args, row, "Đã ghi kết quả")


def run_delete(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    source = fu.source_text(fu.get_direction(ctx.engine, args.id))
    session_id = fu.delete_direction(
        ctx.engine, args.id, actor=ctx.actor, now=ctx.now, expected_version=args.if_version
    )
    where = source if session_id is None else f"buổi tiếp số {session_id}"
    line(f"Đã xóa chỉ đạo số {args.id} ({where}).")
    return 0


def run_show(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    row = fu.get_direction(ctx.engine, args.id)
    return _done(ctx, args, row, "")


def run_followup(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    require_unit(ctx.config, args.unit)
    data = fu.followup_list(
        ctx.engine, ctx.config, args.unit, ctx.today, states=fu.parse_states(args.state), agency=args.agency
    )
    if args.format == "json":
        print_json(data)
        return 0
    unit = ctx.config.unit(args.unit)
    line(f"Theo dõi giải quyết — {unit.name}, ngày {dmy(ctx.today)}")
    if not data["directions"]:
        line("  Không có chỉ đạo nào.")
    for d in data["directions"]:
        due = dmy(date.fromisoformat(d["due"]))
        line(
            f"  [{d['id']}] hạn {due} — {d['state_vi']} — {d['source']} — {d['agency']}: {d['content'][:80]}"
        )
    for m in data["conclusions_missing"]:
        day = dmy(date.fromisoformat(m["date"]))
        line(
            f"  Buổi tiếp số {m['session']} ngày {day} chưa có thông báo kết luận "
            f"(hạn {dmy(date.fromisoformat(m['due']))}): tiepdan notice --conclusion {m['session']} --out ..."
        )
    return 0


def run_limits(args: argparse.Namespace) -> int:
    parse_now(args.now)  # checked: a bad --now is one line here too
    if args.format == "json":
        out = [
            {
                "id": lim.id,
                "name": lim.name,
                "days": lim.days,
                "counting": lim.counting,
                "runs_from": lim.runs_from,
                "basis": lim.basis,
                "since": lim.since.isoformat() if lim.since else None,
                "until": lim.until.isoformat() if lim.until else None,
            }
            for lim in LIMITS
        ]
        print_json(out)
        return 0
    for lim in LIMITS:
        start = "kể từ ngày thụ lý" if lim.runs_from == "accepted" else "kể từ ngày nhận"
        line(f"{lim.id}: {lim.name} — {lim.days_text} {start} ({lim.basis})")
    return 0


def run_conclusion(args: argparse.Namespace, out: Path) -> int:
    """``tiepdan notice --conclusion SESSION --out F.docx|.pdf [--number N] [--date D]``."""
    from notifiers.conclusion_docx import conclusion_notice_docx
    from scheduler.usecases.conclusion import build_notice
    from scheduler.usecases.sessions import get_session

    ctx = _Ctx(args)
    try:
        unit_id = get_session(ctx.engine, args.conclusion).unit_id
    except TiepdanError:
        raise TiepdanError(f"không có buổi tiếp số {args.conclusion}") from None
    if args.unit is not None and args.unit != unit_id:
        raise TiepdanError(f"buổi tiếp số {args.conclusion} thuộc đơn vị {unit_id}, không phải {args.unit}")
    issued_on = args.date or ctx.today
    notice = build_notice(
        ctx.engine,
        ctx.config,
        args.conclusion,
        number=args.number,
        issued_on=issued_on,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        signer=args.signer,
        recipients=recipients_of(args.recipients),
    )
    write_document(out, conclusion_notice_docx(notice))
    n = sum(len(c.directions) for c in notice.cases)
    line(
        f"Đã ghi thông báo kết luận buổi tiếp ngày {dmy(notice.session_date)} của {notice.unit.name} "
        f"({len(notice.cases)} vụ việc, {n} chỉ đạo) vào {out}."
    )
    return 0
