"""Report periods by name, calendar and Thông tư 02/2021/TT-TTCP (data periods ending on the 14th)."""

from __future__ import annotations

from datetime import date

import pytest

from rules import RuleError
from rules.report_periods import custom_range, months_between, named_range

D = date.fromisoformat


@pytest.mark.parametrize(
    ("name", "first", "last", "title"),
    [
        ("2026-07", "2026-07-01", "2026-07-31", "Tháng 07/2026"),
        ("2026-02", "2026-02-01", "2026-02-28", "Tháng 02/2026"),
        ("2028-02", "2028-02-01", "2028-02-29", "Tháng 02/2028"),
        ("2026-Q1", "2026-01-01", "2026-03-31", "Quý I năm 2026"),
        ("2026-Q3", "2026-07-01", "2026-09-30", "Quý III năm 2026"),
        ("2026-q4", "2026-10-01", "2026-12-31", "Quý IV năm 2026"),
        ("2026-H1", "2026-01-01", "2026-06-30", "6 tháng đầu năm 2026"),
        ("2026-H2", "2026-07-01", "2026-12-31", "6 tháng cuối năm 2026"),
        ("2026-9M", "2026-01-01", "2026-09-30", "9 tháng năm 2026"),
        ("2026", "2026-01-01", "2026-12-31", "Năm 2026"),
    ],
)
def test_calendar_periods(name, first, last, title):
    r = named_range(name, "calendar")
    assert (r.first, r.last, r.title, r.cutoff) == (D(first), D(last), title, "calendar")


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        # Thông tư 02/2021/TT-TTCP: Q1 = 15/12 of the previous year to 14/3, Q2 = 15/3-14/6,
        # Q3 = 15/6-14/9, Q4 = 15/9-14/12; 6 months = 15/12-14/6; 9 months = 15/12-14/9;
        # the year = 15/12-14/12; a month = the 15th of the previous month to the 14th.
        ("2026-Q1", "2025-12-15", "2026-03-14"),
        ("2026-Q2", "2026-03-15", "2026-06-14"),
        ("2026-Q3", "2026-06-15", "2026-09-14"),
        ("2026-Q4", "2026-09-15", "2026-12-14"),
        ("2026-H1", "2025-12-15", "2026-06-14"),
        ("2026-H2", "2026-06-15", "2026-12-14"),
        ("2026-9M", "2025-12-15", "2026-09-14"),
        ("2026", "2025-12-15", "2026-12-14"),
        ("2026-01", "2025-12-15", "2026-01-14"),
        ("2026-07", "2026-06-15", "2026-07-14"),
        ("2026-12", "2026-11-15", "2026-12-14"),
    ],
)
def test_tt02_data_periods_end_on_the_14th(name, first, last):
    r = named_range(name, "tt02")
    assert (r.first, r.last, r.name) == (D(first), D(last), name.upper())
    assert r.label.endswith(f"(từ {D(first):%d/%m/%Y} đến {D(last):%d/%m/%Y})")


@pytest.mark.parametrize(
    "name", ["2026-Q5", "2026-13", "2026-00", "2026-H3", "2026-8M", "26-Q1", "Q3-2026", "", "x"]
)
def test_unknown_period_names_are_refused_with_the_forms_that_work(name):
    with pytest.raises(RuleError) as e:
        named_range(name, "calendar")
    assert "\n" not in str(e.value)


def test_from_after_to_is_refused():
    with pytest.raises(RuleError, match="sau --to"):
        custom_range(D("2026-07-01"), D("2026-06-30"))


def test_months_between_clips_the_first_and_last_month():
    assert months_between(D("2025-12-15"), D("2026-02-14")) == [
        (D("2025-12-15"), D("2025-12-31")),
        (D("2026-01-01"), D("2026-01-31")),
        (D("2026-02-01"), D("2026-02-14")),
    ]
