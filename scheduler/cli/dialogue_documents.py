"""``tiepdan dialogue document``: the papers of the dialogue conferences, as DOCX or PDF.

tiepdan dialogue document --unit U --year YYYY --out F.docx|F.pdf      (the year's plan)
tiepdan dialogue document ID --notice|--conclusion --out F.docx|F.pdf  (the dialogue's two notices)

Issuing a notice records what it announces (the use cases of ``usecases/dialogue_documents.py``);
a late one warns the clerk on standard error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rules import TiepdanError
from rules.vietnamese import dmy
from scheduler.cli.common import CommandContext, Subparsers, iso_date, recipients_of, require_unit, year_arg
from scheduler.cli.common import add_actor as _common
from scheduler.cli.common import id_arg as _id
from scheduler.cli.dialogue import describe
from scheduler.cli.output import line, out_path, warn, write_document
from scheduler.reads.stored_direction import StoredDirection
from scheduler.usecases import dialogues as dg

_Ctx = CommandContext


def add_parser(ds: Subparsers) -> None:
    """``document`` under ``tiepdan dialogue`` (cli/dialogue.py)."""
    doc = ds.add_parser(
        "document",
        help="Kế hoạch tiếp xúc, đối thoại của năm; thông báo tổ chức hoặc thông báo kết luận một hội nghị",
    )
    doc.add_argument("id", type=_id, nargs="?", metavar="DIALOGUE_ID", help="với --notice, --conclusion")
    which = doc.add_mutually_exclusive_group()
    which.add_argument("--notice", action="store_true", help="Thông báo tổ chức hội nghị đối thoại")
    which.add_argument("--conclusion", action="store_true", help="Thông báo kết luận hội nghị đối thoại")
    doc.add_argument("--unit", help="đơn vị ban hành kế hoạch (gồm các đơn vị trực thuộc)")
    doc.add_argument("--year", type=year_arg, help="năm của kế hoạch")
    doc.add_argument("--out", required=True, metavar="FILE.docx|FILE.pdf")
    doc.add_argument("--number", help="số văn bản, ví dụ 05")
    doc.add_argument("--date", dest="issued_on", type=iso_date, metavar="YYYY-MM-DD", help="ngày ban hành")
    doc.add_argument("--signer", help="người ký (hoặc 'KT. CHỦ TỊCH|PHÓ CHỦ TỊCH|Họ tên')")
    doc.add_argument("--recipients", help="nơi nhận, cách nhau bởi dấu chấm phẩy (thay danh sách mặc định)")
    _common(doc)
    doc.set_defaults(func=run_document)


def run_document(args: argparse.Namespace) -> int:
    out = out_path(args.out)
    if args.notice or args.conclusion:
        if args.id is None:
            raise TiepdanError("cần mã hội nghị đối thoại: dialogue document ID --notice|--conclusion")
        if args.unit is not None or args.year is not None:
            raise TiepdanError("--unit và --year chỉ dùng cho kế hoạch năm, không với --notice/--conclusion")
        return _notice(args, out)
    if args.id is not None:
        raise TiepdanError("chọn văn bản: --notice (thông báo tổ chức) hoặc --conclusion (kết luận)")
    if args.unit is None or args.year is None:
        raise TiepdanError("kế hoạch năm cần --unit và --year")
    ctx = _Ctx(args)
    require_unit(ctx.config, args.unit)
    data = dg.plan_document(
        ctx.engine,
        ctx.config,
        args.unit,
        args.year,
        number=args.number,
        issued_on=args.issued_on,
        signer=args.signer,
    )
    write_document(out, data, name="ke-hoach-doi-thoai")
    line(f"Đã ghi {out}: Kế hoạch tiếp xúc, đối thoại năm {args.year} của {ctx.config.unit(args.unit).name}.")
    return 0


def _notice(args: argparse.Namespace, out: Path) -> int:
    """The dialogue's public notice or conclusion notice; a late one warns the clerk on stderr."""
    ctx = _Ctx(args)
    make = dg.conclusion_document if args.conclusion else dg.notice_document
    doc = make(
        ctx.engine,
        ctx.config,
        args.id,
        actor=ctx.actor,
        now=ctx.now,
        today=ctx.today,
        number=args.number,
        issued_on=args.issued_on,
        signer=args.signer,
        recipients=recipients_of(args.recipients),
    )
    warn(doc.warning)
    write_document(out, doc.data, name="ket-luan-doi-thoai" if args.conclusion else "thong-bao-doi-thoai")
    row = doc.row
    if args.conclusion:
        n = len(fu_directions(ctx, row.id))
        what = f"thông báo kết luận ngày {dmy(doc.issued_on)} ({n} chỉ đạo)"
    else:
        what = f"thông báo tổ chức ngày {dmy(doc.issued_on)}"
    line(f"Đã ghi {out}: {what} của {describe(row)}.")
    return 0


def fu_directions(ctx: _Ctx, dialogue_id: int) -> list[StoredDirection]:
    from scheduler.usecases import followup as fu

    return fu.directions_of_dialogue(ctx.engine, dialogue_id)
