"""The report as one HTML page: Vietnamese, tables and inline SVG charts, printable on A4.

Jinja2 with autoescaping; no script and no outside resource, so the page prints and archives as
it is.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifiers.reports import labels
from notifiers.reports.annex import annex_of
from notifiers.reports.charts import compliance_bars, compliance_columns, kind_columns
from notifiers.reports.followup import DIALOGUE_LABELS, dialogue_values, shows_dialogues
from notifiers.reports.followup import values as followup_values
from notifiers.reports.sections import SECTIONS, figures, groups_text
from rules.dialogue_report import DialogueTotals
from rules.report import Report
from rules.vietnamese import dmy, long_date
from rules.vocabulary import KIND_HEADER_VI, STATUS_CELL_VI

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=labels.number, percent=labels.percent, decimal=labels.decimal, dmy=dmy, long_date=long_date
    )
    env.globals.update(
        STATE_VI=labels.STATE_VI,
        FATE_VI=labels.FATE_VI,
        KIND_VI=KIND_HEADER_VI,
        STATUS_VI=STATUS_CELL_VI,
        stat_values=labels.stat_values,
        level_name=labels.level_name,
    )
    return env


def dialogue_units(report: Report) -> list[tuple[str, DialogueTotals]]:
    """The units to list in the dialogue tables: those asked for one or that had one, by id."""
    d = report.dialogues
    if d is None:
        return []
    return [(uid, t) for uid, t in sorted(d.units.items()) if t != DialogueTotals()]


def render_html(report: Report, *, number: str = "", prepared_by: str = "") -> str:
    """The report as an annex: the letterhead and "Kèm theo Báo cáo số ...", the figures, the
    breakdowns beside the previous period, then "Người lập biểu" and the signature block."""
    # A month not begun yet has nothing to rate: drawn grey, not as 0%.
    month_points = [
        (f"{m.start.month:02d}/{m.start.year}", m.compliance if m.start <= report.today else None)
        for m in report.months
        if m.judged
    ]
    kind_points = [
        (f"{m.start.month:02d}/{m.start.year}", (m.periodic, m.makeup, m.adhoc, m.cancelled))
        for m in report.months
    ]
    unit_items, left_out = labels.unit_chart_items(report)
    charts = {
        "months": compliance_columns(month_points, title="Tỷ lệ kỳ đạt mức tiếp theo tháng")
        if month_points
        else None,
        "units": compliance_bars(unit_items, title="Tỷ lệ kỳ đạt theo đơn vị") if unit_items else None,
        "kinds": kind_columns(kind_points, title="Số buổi tiếp theo loại, theo tháng"),
    }
    names = {u.unit.id: u.unit.name for u in report.units}
    f = report.followup
    if f is not None:
        rated = [
            (names[uid], t.on_time_rate, f"({t.on_time}/{t.judged})")
            for uid, t in sorted(f.units.items())
            if t.judged
        ]
        charts["followup"] = (
            compliance_bars(rated[:40], title="Tỷ lệ giải quyết đúng hạn theo đơn vị") if rated else None
        )
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            r=report,
            title=labels.TITLE,
            scope_name=labels.scope_name(report),
            charts=charts,
            units_left_out=left_out,
            tree=labels.tree_order(report),
            names=names,
            short_units=report.short_units,
            at_risk=report.at_risk,
            followup=f,
            followup_values=followup_values,
            dialogues=report.dialogues if shows_dialogues(report) else None,
            dialogue_labels=DIALOGUE_LABELS,
            dialogue_values=dialogue_values,
            dialogue_units=dialogue_units(report),
            annex=annex_of(report, number=number, prepared_by=prepared_by),
            sections=[(sec, figures(report, sec)) for sec in SECTIONS],
            previous_title=labels.period_title(report.previous) if report.previous else "",
            period_title=labels.period_title(report),
            groups_text=groups_text,
        )
    )
