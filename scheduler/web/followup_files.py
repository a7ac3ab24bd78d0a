"""The conclusion notice as a download, for the desk and the API (one place builds it)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from starlette.responses import Response

from scheduler.infra.config import Config
from scheduler.usecases.sessions import Actor
from scheduler.web.desk_files import DOCX, download

PDF = "application/pdf"


def conclusion_file(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    number: str,
    issued_on: date,
    actor: Actor,
    now: datetime,
    today: date,
    fmt: str = "docx",
) -> Response:
    """Record the notice's number and date, and hand back the .docx (or .pdf)."""
    from notifiers.conclusion_docx import conclusion_notice_docx
    from scheduler.usecases.conclusion import build_notice

    notice = build_notice(
        engine, config, session_id, number=number, issued_on=issued_on, actor=actor, now=now, today=today
    )
    data = conclusion_notice_docx(notice)
    name = f"thong-bao-ket-luan-{notice.unit.id}-{notice.session_date:%Y%m%d}"
    if fmt == "pdf":
        from notifiers.pdf import docx_to_pdf

        return download(docx_to_pdf(data, name=name), PDF, f"{name}.pdf", "thong-bao-ket-luan.pdf")
    return download(data, DOCX, f"{name}.docx", "thong-bao-ket-luan.docx")
