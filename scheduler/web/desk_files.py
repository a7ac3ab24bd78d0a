"""Files the desk hands out: the annual and change notices (.docx) and the reception log (.xlsx)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from notifiers.reception_log_xlsx import LogLine, render_log_xlsx
from scheduler.usecases import access
from scheduler.usecases import reception_log as book
from scheduler.web import auth
from scheduler.web.desk_page import NOTICES, Ctx, desk, session_id_of, year_param
from scheduler.web.inputs import BadInput, parse_date

# The notices are drawn by notifiers/notice_docx.py (``tiepdan notice``); without it the desk
# offers no download link.


def export_log(ctx: Ctx) -> Response:
    unit_id = ctx.param("unit_id")
    access.require_personal(ctx.account, ctx.config, unit_id)
    year = year_param(ctx)
    first = parse_date(ctx.request.query_params.get("from"), "từ ngày", required=False) or date(year, 1, 1)
    last = parse_date(ctx.request.query_params.get("to"), "đến ngày", required=False) or date(year, 12, 31)
    if first > last:
        raise BadInput("từ ngày phải trước đến ngày")
    lines = [
        LogLine(
            d.session_date,
            r.full_name,
            r.address,
            r.id_number,
            r.content,
            r.classification,
            r.people,
            r.is_group,
            r.handled_by,
            r.handling,
            r.follow_up,
            r.notes,
        )
        for d in book.unit_entries(ctx.engine, unit_id, first, last)
        for r in (d.entry,)
    ]
    data = render_log_xlsx(office=ctx.unit_name(unit_id), first=first, last=last, lines=lines)
    name = f"so-tiep-cong-dan-{unit_id}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    return download(data, XLSX, name, "so-tiep-cong-dan.xlsx")


def download(data: bytes, media_type: str, name: str, fallback: str) -> Response:
    response = Response(
        data,
        media_type=media_type,
        headers={
            "content-disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
        },
    )
    auth.set_security_headers(response)
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def annual_notice(ctx: Ctx) -> Response:
    from scheduler.web.notices import annual_docx

    unit_id = ctx.param("unit_id")
    access.require_unit(ctx.account, ctx.config, unit_id)
    year_text = ctx.param("year")
    if not NOTICES or not (year_text.isascii() and year_text.isdigit() and 2000 <= int(year_text) <= 2100):
        raise access.NotVisible("không có thông báo này")
    year = int(year_text)
    data = annual_docx(ctx.config, ctx.engine, ctx.config.unit(unit_id), year, _issued_on(ctx))
    return download(
        data, DOCX, f"thong-bao-lich-tiep-{unit_id}-{year}.docx", f"thong-bao-lich-tiep-{year}.docx"
    )


def change_notice(ctx: Ctx) -> Response:
    from scheduler.web.notices import change_docx

    row = access.session_for(ctx.engine, ctx.account, ctx.config, session_id_of(ctx))
    if not NOTICES:
        raise access.NotVisible("không có thông báo này")
    data = change_docx(ctx.config, ctx.engine, row.id, _issued_on(ctx), ctx.today)
    return download(data, DOCX, f"thong-bao-thay-doi-buoi-{row.id}.docx", "thong-bao-thay-doi.docx")


def _issued_on(ctx: Ctx) -> date:
    """The date the notice bears: ``?ngay=YYYY-MM-DD`` as the clerk gives it, else today."""
    return parse_date(ctx.request.query_params.get("ngay"), "ngày ban hành", required=False) or ctx.today


def routes() -> list[BaseRoute]:
    return [
        Route("/desk/units/{unit_id}/log.xlsx", desk(export_log), methods=["GET"]),
        Route("/desk/notice/{unit_id}/{year}.docx", desk(annual_notice), methods=["GET"]),
        Route("/desk/sessions/{session_id}/notice.docx", desk(change_notice), methods=["GET"]),
    ]
