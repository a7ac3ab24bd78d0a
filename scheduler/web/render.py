"""The desk's Jinja2 environment: autoescaping on, strict about missing names, Vietnamese forms."""

from __future__ import annotations

import json
from datetime import date, datetime, time, tzinfo
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from rules.parsing import parse_hhmm
from rules.vietnamese import dmy, long_date
from rules.vocabulary import FORM_VI, STATUS_VI, kind_label
from scheduler.infra.clock import as_utc
from scheduler.usecases.accounts import ROLE_VI
from scheduler.usecases.reception_log import HANDLING_VI, TEXT_FIELDS
from scheduler.web.auth import set_security_headers

ACTION_VI = {
    "cancel": "hoãn buổi tiếp",
    "makeup": "đặt tiếp bù",
    "move": "dời lịch",
    "adhoc": "thêm buổi đột xuất",
    "record_held": "ghi kết quả: đã tiếp",
    "record_not_held": "ghi: không tổ chức",
    "record_undo": "bỏ kết quả đã ghi",
    "replan": "lập lại lịch",
    "withdraw": "bỏ buổi theo lịch mới",
    "log_add": "thêm lượt vào sổ",
    "log_delete": "xóa lượt khỏi sổ",
    "log_edit": "sửa lượt trong sổ",
    "direction_add": "ghi chỉ đạo",
    "direction_edit": "sửa chỉ đạo",
    "direction_result": "ghi kết quả giải quyết",
    "direction_delete": "xóa chỉ đạo",
    "conclusion_notice": "ghi số, ngày thông báo kết luận",
}
TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    # Every template is HTML: escape everything, whatever the file is called.
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
_env.filters["dmy"] = lambda d: dmy(d) if isinstance(d, date) else ""
_env.filters["long_date"] = lambda d: long_date(d) if isinstance(d, date) else ""
_env.filters["status_vi"] = lambda s: STATUS_VI.get(s, s)
_env.filters["kind_vi"] = kind_label
_env.filters["form_vi"] = lambda s: FORM_VI.get(s, "")


def _hm(t: time | str | None) -> str:
    """A time of day as people write it: 07h30."""
    value = parse_hhmm(t) if isinstance(t, str) else t
    return f"{value:%H}h{value:%M}" if value is not None else ""


_env.filters["hm"] = _hm
_env.filters["role_vi"] = lambda s: ROLE_VI.get(s, s)
_env.filters["handling_vi"] = lambda s: HANDLING_VI.get(s, "")
_env.filters["action_vi"] = lambda s: ACTION_VI.get(s, s)
# "07:30" -> "07h30", as an office writes a time of day (WORDING.md).
_env.filters["hm"] = lambda t: "" if not t else str(t)[:5].replace(":", "h")
_env.filters["num"] = lambda n: "" if n is None else f"{n:,}".replace(",", ".")


FIELD_VI = {k: label for k, (label, _) in TEXT_FIELDS.items()} | {
    "people": "số người",
    "is_group": "đoàn đông người",
    "petitions": "số đơn",
    "new_case": "vụ việc mới/cũ",
    "handling": "hướng xử lý",
}


def _edited(details: str | None) -> str:
    """The fields a log edit changed, by their Vietnamese names (the audit keeps no values)."""
    try:
        fields = json.loads(details or "{}").get("fields") or []
    except (ValueError, AttributeError):
        return ""
    return ", ".join(FIELD_VI.get(f, f) for f in fields if isinstance(f, str))


_env.filters["edited"] = _edited


def _local(dt: datetime | None, tz: tzinfo) -> str:
    if dt is None:
        return ""
    return f"{as_utc(dt).astimezone(tz):%d/%m/%Y %H:%M}"


_env.filters["local"] = _local


def render(name: str, status: int = 200, **context: object) -> HTMLResponse:
    response = HTMLResponse(_env.get_template(name).render(**context), status_code=status)
    set_security_headers(response)
    return response
