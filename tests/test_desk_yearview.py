"""The desk's year view: months, periods short of the mandate in force, sessions awaiting a make-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules import Level
from rules.vocabulary import COUNTS
from scheduler.web.yearview import year_view

# The commune People's Committee chair: 1 day a week until 30/6/2026, 2 days a month since
# (Luật 136/2025/QH15).
CHAIR = Level.from_history(
    "chair-commune",
    "Chủ tịch UBND xã",
    (2, "month", "Luật 136/2025/QH15"),
    [(date(2026, 6, 30), 1, "week", "")],
)
PARTY = Level.from_history("commune", "Bí thư Đảng ủy xã", (2, "month", "Quy định 11-QĐi/TW"))


@dataclass
class Row:
    id: int
    date: date
    status: str = "planned"
    needs_makeup: bool = False
    visits: int | None = None
    people: int | None = None
    cases: int | None = None
    petitions: int | None = None
    groups: int | None = None


def _party_year(*changes: tuple[int, str, bool]) -> list[Row]:
    rows = [
        Row(i, date(2026, m, d))
        for i, (m, d) in enumerate(((m, d) for m in range(1, 13) for d in (10, 25)), 1)
    ]
    for index, status, needs in changes:
        rows[index].status, rows[index].needs_makeup = status, needs
    return rows


def test_a_full_year_has_no_finding_and_no_alert() -> None:
    view = year_view(PARTY, _party_year(), 2026, COUNTS)
    assert view.shortfalls == () and view.waiting == ()
    assert [len(m.sessions) for m in view.months] == [2] * 12
    assert view.totals["planned"] == 24


def test_a_cancelled_session_without_make_up_makes_its_month_short() -> None:
    view = year_view(PARTY, _party_year((4, "cancelled", True)), 2026, COUNTS)  # 10 March
    assert [s.key for s in view.shortfalls] == ["2026-03"]
    (short,) = view.shortfalls
    assert (short.required, short.active) == (2, 1)
    assert short.message == (
        "Tháng 03/2026: 1/2 buổi tiếp (Quy định 11-QĐi/TW), thiếu 1: buổi ngày 10/03 đã hoãn, chưa tiếp bù"
    )
    assert view.months[2].shortfalls == [short]
    assert [r.id for r in view.waiting] == [5]


def test_a_make_up_in_the_month_repairs_it() -> None:
    rows = [*_party_year((4, "cancelled", False)), Row(99, date(2026, 3, 12), "held", visits=2, people=3)]
    view = year_view(PARTY, rows, 2026, COUNTS)
    assert view.shortfalls == () and view.waiting == ()
    assert (view.totals["held"], view.totals["visits"], view.totals["people"]) == (1, 2, 3)


def test_weeks_are_judged_while_the_weekly_mandate_is_in_force() -> None:
    # Two sessions a month all year: enough from July, short of one a week before.
    view = year_view(CHAIR, _party_year(), 2026, COUNTS)
    keys = [s.key for s in view.shortfalls]
    assert all("-W" in k for k in keys)
    assert not any(s.start >= date(2026, 7, 1) for s in view.shortfalls)
    assert len(keys) == 26 - 12  # the weeks of January to June without one of the 12 sessions
    assert view.months[0].shortfalls and not view.months[8].shortfalls
