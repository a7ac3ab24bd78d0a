"""Renderers of the compliance and statistics report: JSON, CSV, HTML (with SVG charts), XLSX.

They lay out a ``rules.report.Report``; they compute nothing the rules have not computed. The
modules are imported on first use (openpyxl and Jinja2 are slow to import, and every ``tiepdan``
command would pay for them).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "render_html": "notifiers.reports.html",
    "report_dict": "notifiers.reports.as_json",
    "write_csv": "notifiers.reports.as_csv",
    "write_json": "notifiers.reports.as_json",
    "write_xlsx": "notifiers.reports.xlsx",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
