"""``tiepdan report``: the compliance and statistics report, as JSON, CSV, HTML or XLSX."""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path

import notifiers.reports as render
from rules import RuleError
from rules.report import Report
from rules.report_periods import CUTOFFS
from scheduler.cli.common import Subparsers, add_config, add_now, config_from, iso_date, require_unit
from scheduler.infra.clock import local_today, parse_now
from scheduler.infra.db import open_database
from scheduler.usecases.reports import make_report, paused_gc, resolve_range

FORMATS = ("json", "csv", "html", "xlsx")


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("report", help="báo cáo kết quả tiếp công dân: số buổi, mức tiếp, số lượt, số đơn")
    add_config(p)
    p.add_argument(
        "--period",
        metavar="KỲ",
        help="2026-07 (tháng), 2026-Q3 (quý), 2026-H1/2026-H2 (6 tháng), 2026-9M (9 tháng), 2026 (năm)",
    )
    p.add_argument("--from", dest="first", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument(
        "--cutoff",
        choices=CUTOFFS,
        help="kỳ theo lịch (calendar) hay kỳ số liệu của Thông tư 02/2021/TT-TTCP, chốt ngày 14 (tt02)",
    )
    p.add_argument("--unit", help="đơn vị này và các đơn vị trực thuộc (mặc định: tất cả)")
    p.add_argument("--format", choices=FORMATS, help="mặc định: theo đuôi tệp --out, nếu không thì json")
    p.add_argument("--out", metavar="FILE", help="ghi vào tệp thay vì in ra")
    p.add_argument("--number", default="", help="số của báo cáo mà biểu kèm theo (HTML, XLSX): 05/BC-UBND")
    p.add_argument("--prepared-by", default="", metavar="HỌ TÊN", help="người lập biểu (HTML, XLSX)")
    add_now(p)
    p.set_defaults(func=run_report)


def _format_of(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.out:
        suffix = Path(args.out).suffix.lower().lstrip(".")
        if suffix in FORMATS:
            return suffix
    return "json"


def _write_atomic(path: Path, data: bytes) -> None:
    """Write all or nothing: a half-written report never replaces a good one."""
    path = path.resolve()
    if not path.parent.is_dir():
        raise RuleError(f"--out: không có thư mục {path.parent}")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _render(
    report: Report, fmt: str, *, to_file: bool, number: str = "", prepared_by: str = ""
) -> str | bytes:
    """The report in ``fmt``: bytes for XLSX, text for the others."""
    if fmt == "xlsx":
        buf = io.BytesIO()
        render.write_xlsx(report, buf, number=number, prepared_by=prepared_by)
        return buf.getvalue()
    text = io.StringIO()
    if fmt == "json":
        render.write_json(report, text)
    elif fmt == "csv":
        if to_file:
            text.write("\ufeff")  # a BOM, so that spreadsheets open the file as UTF-8
        render.write_csv(report, text)
    else:
        text.write(render.render_html(report, number=number, prepared_by=prepared_by))
    return text.getvalue()


def run_report(args: argparse.Namespace) -> int:
    fmt = _format_of(args)
    if fmt == "xlsx" and not args.out:
        raise RuleError("--format xlsx cần --out TỆP.xlsx")
    config = config_from(args)
    require_unit(config, args.unit)
    rng = resolve_range(config, period=args.period, first=args.first, last=args.last, cutoff=args.cutoff)
    now = parse_now(args.now, config.timezone)
    today = local_today(now, config.timezone)
    engine = open_database(config.database_url)
    with paused_gc():
        try:
            report = make_report(engine, config, rng, today=today, unit_id=args.unit)
        finally:
            engine.dispose()
        data = _render(
            report,
            fmt,
            to_file=bool(args.out),
            number=args.number.strip(),
            prepared_by=args.prepared_by.strip(),
        )
    if not args.out:
        sys.stdout.write(data if isinstance(data, str) else data.decode())
        return 0
    _write_atomic(Path(args.out), data.encode("utf-8") if isinstance(data, str) else data)
    print(f"Đã ghi báo cáo {report.range.label} ({len(report.units)} đơn vị) vào {args.out}", file=sys.stderr)
    return 0
