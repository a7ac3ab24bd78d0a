"""``tiepdan notice``: the annual schedule notice, or the notice of one session's change.

    tiepdan notice --unit ID --year YYYY --out thong-bao-2027.docx
    tiepdan notice --change SESSION_ID --out thong-bao-hoan.docx [--date 2027-01-18] [--number 5]

``.pdf`` by the file's suffix (LibreOffice headless). The file is written whole or not at all,
and the notice issued is recorded in the notices table. The annual and change notices are
assembled by ``scheduler.usecases.notices`` (the desk's downloads use the same functions).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rules import TiepdanError
from rules.parsing import parse_id
from rules.vietnamese import dmy
from scheduler.cli.common import (
    Subparsers,
    add_config,
    add_now,
    config_from,
    iso_date,
    require_unit,
    year_arg,
)
from scheduler.cli.output import out_path, write_document
from scheduler.infra.clock import local_today, parse_now
from scheduler.infra.config import Config
from scheduler.infra.db import open_database
from scheduler.infra.decisions import tet_warning

if TYPE_CHECKING:
    from scheduler.usecases.notices import NoticeOptions


def _session_id(text: str) -> int:
    # The strict parser (ASCII digits, 1 .. 2^63-1): int() took "8_3", "٨٣" and ids SQLite overflows on.
    try:
        return parse_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"mã buổi tiếp: {exc}") from None


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "notice",
        help="thông báo lịch tiếp công dân năm, hoặc thông báo hoãn/thay đổi một buổi tiếp (.docx/.pdf)",
    )
    add_config(p)
    add_now(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--year", type=year_arg, help="thông báo lịch năm (cần --unit)")
    what.add_argument(
        "--change",
        type=_session_id,
        metavar="SESSION_ID",
        help="thông báo hoãn/thay đổi/tiếp bù của buổi tiếp này",
    )
    what.add_argument(
        "--conclusion",
        type=_session_id,
        metavar="SESSION_ID",
        help="thông báo kết luận của buổi tiếp đã tổ chức (ghi số và ngày thông báo)",
    )
    p.add_argument("--unit", help="mã đơn vị")
    p.add_argument(
        "--date", type=iso_date, help="ngày ban hành ghi trên thông báo, YYYY-MM-DD (mặc định hôm nay)"
    )
    p.add_argument("--by", help="người thực hiện (mặc định: tài khoản hệ điều hành)")
    p.add_argument("--out", required=True, help="tệp kết quả: .docx (sửa được) hoặc .pdf")
    p.add_argument("--number", help="số văn bản, ví dụ 12 (mặc định để trống cho văn thư điền)")
    p.add_argument(
        "--signer",
        help="người ký: họ tên, hoặc các dòng và họ tên nối bằng '|' "
        "(ví dụ 'KT. CHỦ TỊCH|PHÓ CHỦ TỊCH|Trần Văn B'); mặc định người đứng đầu đơn vị",
    )
    p.add_argument("--recipients", help="nơi nhận, cách nhau bằng ';' (ví dụ 'Như trên;Lưu: VT')")
    p.add_argument("--attendees", help="thành phần tham dự buổi tiếp (thông báo năm)")
    p.set_defaults(func=run_notice)


def _options(args: argparse.Namespace, today: date) -> NoticeOptions:
    from scheduler.usecases.notices import NoticeOptions

    recipients = tuple(r.strip() for r in (args.recipients or "").split(";") if r.strip())
    return NoticeOptions(
        issued_on=args.date or today,
        number=args.number,
        signer=args.signer,
        recipients=recipients,
        attendees=args.attendees,
    )


def run_notice(args: argparse.Namespace) -> int:
    # python-docx (lxml) is imported here, not at the CLI's start: every other command would pay
    # for it.
    from notifiers.notice_docx import annual_notice_docx
    from scheduler.usecases import notices

    config = config_from(args)
    now = parse_now(args.now, config.timezone)
    today = local_today(now, config.timezone)
    out = out_path(args.out)
    if args.conclusion is not None:
        from scheduler.cli.followup import run_conclusion

        return run_conclusion(args, out)
    opts = _options(args, today)
    if args.change is not None:
        return _change(args, config, now, today, out, opts)
    if args.unit is None:
        raise TiepdanError("thông báo năm cần --unit")
    require_unit(config, args.unit)
    if not 1900 < args.year < 2200:
        raise TiepdanError(f"năm {args.year} không hợp lệ")
    unit = config.unit(args.unit)
    warning = tet_warning(config.calendar, args.year)
    if warning:
        print(f"cảnh báo: {warning}", file=sys.stderr)
    engine = open_database(config.database_url)
    try:
        notice = notices.annual_notice(config, engine, unit, args.year, opts)
    except notices.NoSessions as exc:
        raise TiepdanError(f"{exc} (chạy tiepdan plan --year {args.year} trước)") from None
    write_document(out, annual_notice_docx(notice))
    notices.record_issued(engine, notice, path=str(out.resolve()), now=now)
    print(
        f"Đã ghi thông báo lịch tiếp công dân năm {args.year} của {unit.name} "
        f"({len(notice.sessions)} buổi) vào {out}."
    )
    return 0


def _change(
    args: argparse.Namespace, config: Config, now: datetime, today: date, out: Path, opts: NoticeOptions
) -> int:
    from notifiers.notice_docx import change_notice_docx
    from scheduler.usecases import notices

    engine = open_database(config.database_url)
    draft = notices.change_notice(config, engine, args.change, opts, today=today)
    row = draft.row
    if args.unit is not None and args.unit != row.unit_id:
        raise TiepdanError(f"buổi tiếp số {row.id} thuộc đơn vị {row.unit_id}, không phải {args.unit}")
    if draft.late:
        # For the clerk only: the notice itself never says it came late.
        print(f"cảnh báo: {draft.warning()}", file=sys.stderr)
    write_document(out, change_notice_docx(draft.notice))
    notices.record_issued(engine, draft.notice, path=str(out.resolve()), now=now, row=row)
    print(
        f"Đã ghi thông báo thay đổi buổi tiếp số {row.id} ({dmy(draft.notice.session.date)}) "
        f"của {draft.unit.name} vào {out}."
    )
    return 0
