"""The words the notices, the board and the feed share: pure functions, tables of cases."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifiers.docx_layout import place_and_date
from notifiers.notice_bodies import default_basis, head_phrase, letterhead_lines, locality, receiver_phrase
from notifiers.notice_docx import default_signature, number_line
from notifiers.views import SessionView
from notifiers.wording import change_note, describe_pattern, register_deadline, roll_rule
from rules import Pattern, Person, Unit


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (Pattern(days=(25,)), "ngày 25 hằng tháng"),
        (Pattern(days=(5, 20)), "ngày 5 và 20 hằng tháng"),
        (Pattern(days=(1, 10, 20)), "ngày 1, 10 và 20 hằng tháng"),
        (Pattern(rrule="FREQ=WEEKLY;BYDAY=TH"), "thứ Năm hằng tuần"),
        (Pattern(rrule="FREQ=WEEKLY;BYDAY=MO,TH"), "thứ Hai và thứ Năm hằng tuần"),
        (Pattern(rrule="FREQ=MONTHLY;BYDAY=+2TH,+4TH"), "thứ Năm tuần thứ hai và tuần thứ tư hằng tháng"),
        (Pattern(rrule="FREQ=MONTHLY;BYDAY=+3TU"), "thứ Ba tuần thứ ba hằng tháng"),
        (Pattern(rrule="FREQ=MONTHLY;BYDAY=-1FR"), "thứ Sáu tuần cuối cùng hằng tháng"),
        (Pattern(rrule="FREQ=MONTHLY;BYMONTHDAY=15"), "các ngày ghi trong lịch dưới đây"),
    ],
)
def test_fixed_days_in_words(pattern: Pattern, words: str) -> None:
    assert describe_pattern(pattern) == words


def test_day_off_rule_follows_the_roll() -> None:
    assert roll_rule("following", "month").endswith("thì chuyển sang ngày làm việc tiếp theo.")
    assert roll_rule("nearest", "week").endswith("chuyển sang ngày làm việc gần nhất trong tuần.")
    assert "nếu không còn ngày làm việc nào trong tháng thì chuyển về ngày làm việc liền trước" in roll_rule(
        "modified-following", "month"
    )


@pytest.mark.parametrize(
    ("register_by", "session", "deadline"),
    [
        (20, date(2027, 1, 25), date(2027, 1, 20)),
        (20, date(2027, 1, 20), date(2027, 1, 20)),
        (20, date(2027, 1, 5), date(2026, 12, 20)),  # before the 20th: last month's deadline
        (31, date(2027, 2, 28), date(2027, 2, 28)),  # clamped to the month's end
        (30, date(2027, 3, 10), date(2027, 2, 28)),
        (15, date(2028, 2, 29), date(2028, 2, 15)),
    ],
)
def test_registration_deadline_is_a_real_date(register_by: int, session: date, deadline: date) -> None:
    assert register_deadline(register_by, session) == deadline


@pytest.mark.parametrize(
    ("issued", "line"),
    [
        (date(2027, 1, 5), "Cao Bằng, ngày 05 tháng 01 năm 2027"),
        (date(2027, 2, 28), "Cao Bằng, ngày 28 tháng 02 năm 2027"),
        (date(2027, 3, 9), "Cao Bằng, ngày 09 tháng 3 năm 2027"),
        (date(2026, 12, 1), "Cao Bằng, ngày 01 tháng 12 năm 2026"),
    ],
)
def test_place_and_date_take_leading_zeros_as_nd30_says(issued: date, line: str) -> None:
    assert place_and_date("Cao Bằng", issued) == line


def _unit(name: str, body: str, title: str = "") -> Unit:
    return Unit(
        id="u",
        name=name,
        level="x",
        pattern=Pattern(days=(25,)),
        body=body,  # type: ignore[arg-type]
        head=Person(name="Nguyễn Văn A", title=title),
    )


@pytest.mark.parametrize(
    ("name", "body", "given", "line"),
    [
        ("Tỉnh ủy Cao Bằng", "party", None, "Số     -TB/TU"),
        ("Tỉnh ủy Cao Bằng", "party", "12", "Số 12-TB/TU"),
        ("Đảng ủy phường Thục Phán", "party", "7", "Số 07-TB/ĐU"),
        ("Huyện ủy Hòa An", "party", "3", "Số 03-TB/HU"),
        ("Tỉnh ủy Cao Bằng", "party", "12-TB/VPTU", "Số 12-TB/VPTU"),
        ("Ủy ban nhân dân tỉnh Cao Bằng", "state", None, "Số:     /TB-UBND"),
        ("Ủy ban nhân dân tỉnh Cao Bằng", "state", "12", "Số: 12/TB-UBND"),
        ("Ủy ban nhân dân tỉnh Cao Bằng", "state", "Số: 5/TB-VP", "Số: 5/TB-VP"),
    ],
)
def test_document_number(name: str, body: str, given: str | None, line: str) -> None:
    assert number_line(_unit(name, body), given) == line


def test_signature_block_defaults_and_options() -> None:
    party = default_signature(_unit("Tỉnh ủy Cao Bằng", "party", "Bí thư Tỉnh ủy"))
    assert (party.lines, party.name) == (("T/M BAN THƯỜNG VỤ", "BÍ THƯ"), "Nguyễn Văn A")
    state = default_signature(_unit("Ủy ban nhân dân tỉnh Cao Bằng", "state", "Chủ tịch UBND tỉnh"))
    assert (state.lines, state.name) == (("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "Nguyễn Văn A")
    deputy = default_signature(
        _unit("Ủy ban nhân dân tỉnh Cao Bằng", "state"), "KT. CHỦ TỊCH|PHÓ CHỦ TỊCH|Trần B"
    )
    assert (deputy.lines, deputy.name) == (("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), "Trần B")
    assert default_signature(_unit("Tỉnh ủy Cao Bằng", "party", "Bí thư"), "Lê C").name == "Lê C"


def test_change_notes_say_what_became_of_a_session() -> None:
    base = SessionView(1, date(2027, 1, 25), start=time(7, 30), end=time(11, 30))
    assert change_note(base) == ""
    assert base.time_text == "07h30 - 11h30"
    cancelled = SessionView(
        1, date(2027, 1, 25), status="cancelled", reason="Đi họp", made_up_on=date(2027, 1, 27)
    )
    assert change_note(cancelled) == "Hoãn: Đi họp; tiếp bù ngày 27/01/2027"
    makeup = SessionView(2, date(2027, 1, 27), kind="makeup", replaces_date=date(2027, 1, 25))
    assert change_note(makeup) == "Tiếp bù cho buổi ngày 25/01/2027"
    moved = SessionView(3, date(2027, 3, 29), moved_from=date(2027, 3, 25), reason="Trùng hội nghị")
    assert change_note(moved) == "Dời từ ngày 25/03/2027: Trùng hội nghị"
    rolled = SessionView(4, date(2027, 12, 27), nominal=date(2027, 12, 25), moved="25/12 trùng Thứ Bảy")
    assert change_note(rolled) == "Ngày 25/12 trùng Thứ Bảy"
    assert (
        change_note(SessionView(5, date(2027, 2, 1), status="not_held", reason="Mưa lũ"))
        == "Không được tổ chức: Mưa lũ"
    )


_PLACE_WORDS = st.lists(
    st.sampled_from(["Thục", "Phán", "Cao", "Bằng", "Hồ", "Chí", "Minh", "Thượng", "Nông", "Hưng", "Ea"]),
    min_size=1,
    max_size=4,
)


@given(
    body=st.sampled_from(["Đảng ủy", "Ủy ban nhân dân", "Hội đồng nhân dân", "Đảng bộ"]),
    kind=st.sampled_from(["phường", "xã", "đặc khu", "tỉnh", "thành phố"]),
    words=_PLACE_WORDS,
    width=st.integers(min_value=12, max_value=30),
)
def test_letterhead_never_breaks_inside_a_place_name(
    body: str, kind: str, words: list[str], width: int
) -> None:
    place = " ".join(words)
    name = f"{body} {kind} {place}"
    lines = [line.replace("\u00a0", " ") for line in letterhead_lines(name, width)]
    assert " ".join(lines) == name.upper()
    assert any(place.upper() in line for line in lines)  # the place's words stay on one line
    if len(lines) > 1:
        assert lines[0] == body.upper()  # the first break is after the body's name


def test_ward_levels_are_read_from_the_name_and_defaults_cite_acts_in_force() -> None:
    ward = _unit("Đảng ủy phường Thục Phán", "party", "Bí thư Đảng ủy phường")
    assert locality(ward).tier == "commune" and locality(ward).kind == "phường"
    assert locality(_unit("Tỉnh ủy Cao Bằng", "party")).tier == "province"
    assert locality(_unit("Ủy ban nhân dân xã Ea Nam", "state")).place == "Ea Nam"
    assert letterhead_lines("Đảng ủy phường Thục Phán", 20) == ("ĐẢNG ỦY", "PHƯỜNG THỤC PHÁN")
    state = _unit("Ủy ban nhân dân phường Thục Phán", "state", "Chủ tịch UBND phường")
    assert head_phrase(state) == "Chủ tịch Ủy ban nhân dân phường Thục Phán"
    assert receiver_phrase(state) == "Nguyễn Văn A, Chủ tịch Ủy ban nhân dân phường Thục Phán"
    # Acts are cited once they exist; the amended law once the amendment is in force.
    assert not any("215-KL/TW" in line for line in default_basis(ward, date(2025, 6, 30)))
    assert any("215-KL/TW" in line for line in default_basis(ward, date(2026, 12, 31)))
    early, late = default_basis(state, date(2026, 3, 31)), default_basis(state, date(2026, 12, 31))
    assert early[0] == "Căn cứ Luật Tiếp công dân ngày 25 tháng 11 năm 2013"
    assert "136/2025/QH15" in late[0] and len(late) == len(early) == 3
