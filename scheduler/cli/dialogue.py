"""``tiepdan dialogue``: the dialogue conferences (hội nghị tiếp xúc, đối thoại).

tiepdan dialogue plan --unit U --date D --topic TEXT [--kind K] [--form F] [--time HH:MM-HH:MM] ...
tiepdan dialogue trigger --unit U --topic TEXT (--asked N --voters M | --reason TEXT) [--hold-by D]
tiepdan dialogue announce ID [--on D] [--mttq-opinions N] [--mttq-summary TEXT]
tiepdan dialogue record ID [--attendance N --raised N --answered N | --not-held --reason TEXT]
tiepdan dialogue conclude ID [--on D] [--number TEXT]
tiepdan dialogue postpone ID --reason TEXT [--date D]
tiepdan dialogue list [--unit U] [--year YYYY] [--format json]
tiepdan dialogue show ID [--format json]
tiepdan dialogue document ...   (the year's plan, a dialogue's two notices: cli/dialogue_documents.py)

Each command calls one use case of ``usecases/dialogues.py`` and prints through ``cli/output.py``.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from rules.dialogues import (
    DIALOGUE_FORMS,
    DIALOGUE_KINDS,
    FORM_VI,
    KIND_VI,
    STATUS_VI,
    notice_due,
    results_due,
)
from rules.parsing import parse_count
from rules.vietnamese import dmy
from scheduler.cli.common import (
    CommandContext,
    Subparsers,
    iso_date,
    require_unit,
    strict_arg,
    version_arg,
    year_arg,
)
from scheduler.cli.common import add_actor as _common
from scheduler.cli.common import id_arg as _id
from scheduler.cli.output import line, print_json, result
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.usecases import dialogues as dg

_count = strict_arg(parse_count)  # the desk's and the use case's bounds (rules.parsing)


def _plan_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--unit", required=True, help="mã đơn vị tổ chức")
    p.add_argument("--topic", required=True, help="nội dung, chủ đề đối thoại")
    p.add_argument(
        "--form", choices=DIALOGUE_FORMS, default="in_person", help="trực tiếp, trực tuyến, kết hợp"
    )
    p.add_argument("--time", dest="time_range", metavar="HH:MM-HH:MM", help="khung giờ")
    p.add_argument("--place", default="", help="địa điểm (mặc định: địa điểm tiếp của đơn vị)")
    p.add_argument("--online-url", default="", help="đường dẫn trực tuyến")
    p.add_argument(
        "--co-organiser",
        action="append",
        dest="co_organisers",
        help="cơ quan phối hợp tổ chức, lặp lại được (mặc định: Ủy ban MTTQ và Thường trực HĐND)",
    )
    p.add_argument("--lead", default="", dest="lead_agency", help="cơ quan chủ trì chuẩn bị")
    p.add_argument("--coordinating", action="append", default=[], help="cơ quan phối hợp, lặp lại được")


def add_parser(sub: Subparsers) -> None:
    d = sub.add_parser("dialogue", help="hội nghị tiếp xúc, đối thoại: kế hoạch, thông báo, kết quả")
    ds = d.add_subparsers(dest="action", required=True)
    plan = ds.add_parser("plan", help="đưa một hội nghị đối thoại vào kế hoạch")
    _plan_args(plan)
    plan.add_argument("--date", dest="held_on", type=iso_date, required=True, metavar="YYYY-MM-DD")
    plan.add_argument(
        "--kind",
        choices=DIALOGUE_KINDS,
        default="periodic",
        help="định kỳ, đột xuất, chuyên đề, với doanh nghiệp",
    )
    _common(plan)
    plan.set_defaults(func=run_plan)

    trig = ds.add_parser("trigger", help="đối thoại đột xuất theo kiến nghị của cử tri hoặc vụ việc bức xúc")
    _plan_args(trig)
    trig.add_argument("--asked", type=_count, help="số cử tri kiến nghị")
    trig.add_argument("--voters", type=_count, help="tổng số cử tri của xã")
    trig.add_argument("--reason", default="", help="vụ việc bức xúc, lý do tổ chức")
    trig.add_argument("--date", dest="held_on", type=iso_date, metavar="YYYY-MM-DD", help="ngày dự kiến")
    trig.add_argument(
        "--hold-by", type=iso_date, metavar="YYYY-MM-DD", help="hạn tổ chức (mặc định: 30 ngày)"
    )
    _common(trig)
    trig.set_defaults(func=run_trigger)

    ann = ds.add_parser("announce", help="ghi ngày thông báo công khai và ý kiến Mặt trận tổng hợp")
    ann.add_argument("id", type=_id, metavar="DIALOGUE_ID")
    ann.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="ngày thông báo (mặc định: hôm nay)")
    ann.add_argument("--mttq-opinions", type=_count, help="số ý kiến Ủy ban MTTQ tổng hợp trước hội nghị")
    ann.add_argument("--mttq-summary", help="tóm tắt ý kiến Ủy ban MTTQ tổng hợp")
    ann.add_argument("--if-version", type=version_arg, dest="if_version", metavar="N")
    _common(ann)
    ann.set_defaults(func=run_announce)

    rec = ds.add_parser(
        "record", help="ghi kết quả: đã tổ chức (số người dự, số ý kiến) hoặc không tổ chức được"
    )
    rec.add_argument("id", type=_id, metavar="DIALOGUE_ID")
    rec.add_argument("--attendance", type=_count, help="số người dự")
    rec.add_argument("--raised", type=_count, help="số ý kiến phát biểu, kiến nghị")
    rec.add_argument("--answered", type=_count, help="số ý kiến được trả lời tại hội nghị")
    rec.add_argument("--not-held", action="store_true", help="không tổ chức được")
    rec.add_argument("--reason", default="", help="lý do không tổ chức")
    rec.add_argument("--if-version", type=version_arg, dest="if_version", metavar="N")
    _common(rec)
    rec.set_defaults(func=run_record)

    con = ds.add_parser("conclude", help="ghi thông báo kết quả hội nghị (trong 10 ngày)")
    con.add_argument("id", type=_id, metavar="DIALOGUE_ID")
    con.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="ngày thông báo (mặc định: hôm nay)")
    con.add_argument("--number", default="", help="số thông báo, ví dụ 12/TB-UBND")
    con.add_argument("--if-version", type=version_arg, dest="if_version", metavar="N")
    _common(con)
    con.set_defaults(func=run_conclude)

    pp = ds.add_parser("postpone", help="hoãn hội nghị đối thoại (kèm ngày tổ chức mới, nếu đã có)")
    pp.add_argument("id", type=_id, metavar="DIALOGUE_ID")
    pp.add_argument("--reason", required=True, help="lý do hoãn")
    pp.add_argument(
        "--date", dest="new_date", type=iso_date, metavar="YYYY-MM-DD", help="ngày tổ chức mới (nếu đã có)"
    )
    pp.add_argument("--if-version", type=version_arg, dest="if_version", metavar="N")
    _common(pp)
    pp.set_defaults(func=run_postpone)

    ls = ds.add_parser("list", help="danh sách hội nghị đối thoại")
    ls.add_argument("--unit", help="đơn vị này và các đơn vị trực thuộc")
    ls.add_argument("--year", type=year_arg, help="năm")
    _common(ls)
    ls.set_defaults(func=run_list)

    from scheduler.cli import dialogue_documents  # it prints a dialogue as this module does

    dialogue_documents.add_parser(ds)

    show = ds.add_parser("show", help="xem một hội nghị đối thoại")
    show.add_argument("id", type=_id, metavar="DIALOGUE_ID")
    _common(show)
    show.set_defaults(func=run_show)


_Ctx = CommandContext


def describe(row: StoredDialogue) -> str:
    """A dialogue in words: its number, kind, form, unit, day and status."""
    return (
        f"hội nghị đối thoại số {row.id} ({KIND_VI[row.kind]}, {FORM_VI[row.form]}) của {row.unit_id} "
        f"ngày {dmy(row.held_on)}: {STATUS_VI[row.status]}"
    )


def _done(
    ctx: _Ctx, args: argparse.Namespace, row: StoredDialogue, text: str, warning: str | None = None
) -> int:
    return result(args, dg.dialogue_dict(row, ctx.today), text, warning)


def _plan_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "topic": args.topic,
        "form": args.form,
        "time_range": args.time_range,
        "place": args.place,
        "online_url": args.online_url,
        "lead_agency": args.lead_agency,
        "coordinating": args.coordinating,
    }
    if args.co_organisers:
        out["co_organisers"] = args.co_organisers
    return out


def run_plan(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    require_unit(ctx.config, args.unit)
    row = dg.plan_dialogue(
        ctx.engine,
        ctx.config,
        args.unit,
        held_on=args.held_on,
        kind=args.kind,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        **_plan_kwargs(args),
    )
    return _done(
        ctx,
        args,
        row,
        f"Đã đưa vào kế hoạch {describe(row)}; "
        f"thông báo chậm nhất ngày {dmy(notice_due(row.held_on))}, "
        f"thông báo kết quả chậm nhất ngày {dmy(results_due(row.held_on))}.",
    )


def run_trigger(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    require_unit(ctx.config, args.unit)
    row = dg.trigger_dialogue(
        ctx.engine,
        ctx.config,
        args.unit,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        voters_asked=args.asked,
        voters_total=args.voters,
        reason=args.reason,
        held_on=args.held_on,
        hold_by=args.hold_by,
        **_plan_kwargs(args),
    )
    by = f"; hạn tổ chức {dmy(row.hold_by)}" if row.hold_by else ""
    return _done(ctx, args, row, f"Đã mở {describe(row)}{by}.")


def run_announce(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    done = dg.announce_dialogue(
        ctx.engine,
        args.id,
        config=ctx.config,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        announced_on=args.on,
        mttq_opinions=args.mttq_opinions,
        mttq_summary=args.mttq_summary,
        expected_version=args.if_version,
    )
    row = done.row
    return _done(ctx, args, row, f"Đã ghi thông báo ngày {dmy(done.on)} của {describe(row)}.", done.warning)


def run_record(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    row = dg.record_dialogue(
        ctx.engine,
        args.id,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        held=not args.not_held,
        attendance=args.attendance,
        opinions_raised=args.raised,
        opinions_answered=args.answered,
        reason=args.reason,
        expected_version=args.if_version,
    )
    return _done(ctx, args, row, f"Đã ghi {describe(row)}.")


def run_conclude(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    done = dg.conclude_dialogue(
        ctx.engine,
        args.id,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        concluded_on=args.on,
        number=args.number,
        expected_version=args.if_version,
    )
    row = done.row
    return _done(
        ctx,
        args,
        row,
        f"Đã ghi thông báo kết quả ngày {dmy(done.on)} của {describe(row)}.",
        done.warning,
    )


def run_postpone(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    done = dg.postpone_dialogue(
        ctx.engine,
        ctx.config,
        args.id,
        reason=args.reason,
        new_date=args.new_date,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        expected_version=args.if_version,
    )
    row = done.row
    then = f"; tổ chức vào ngày {dmy(done.new_date)}" if done.new_date else "; ngày tổ chức sẽ thông báo sau"
    line = f"Đã hoãn hội nghị đối thoại số {row.id} ngày {dmy(done.old_date)}{then}."
    return _done(ctx, args, row, line, done.warning)


def run_list(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    require_unit(ctx.config, args.unit)
    units = [u.id for u in ctx.config.subtree(args.unit)] if args.unit else None
    first = date(args.year, 1, 1) if args.year else None
    last = date(args.year, 12, 31) if args.year else None
    rows = dg.list_dialogues(ctx.engine, units=units, first=first, last=last)
    if args.format == "json":
        print_json([dg.dialogue_dict(r, ctx.today) for r in rows])
        return 0
    if not rows:
        line("Không có hội nghị đối thoại nào.")
    for r in rows:
        line(f"{r.id:>5}  {dmy(r.held_on)}  {r.unit_id}  {KIND_VI[r.kind]}  {STATUS_VI[r.status]}  {r.topic}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    ctx = _Ctx(args)
    row = dg.get_dialogue(ctx.engine, args.id)
    return _done(ctx, args, row, describe(row))
