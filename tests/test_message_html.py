"""The HTML part of every message is its text, escaped line by line, with each web address a link
(an alert's desk page is where the action is done: a mail client shows a bare address in HTML as
text it cannot click). Nothing of the text is lost, nothing is added but the links."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from notifiers.alerts import html_paragraphs

_A = re.compile(r'<a href="([^"]*)">([^<]*)</a>')

words = st.sampled_from(
    [
        "Xem và bố trí lịch tại:",
        "http://127.0.0.1:8080/desk/units/thuc-phan",
        "https://tiepdan.example.vn/desk/directions/7",
        "https://a.vn/x?y=1&z=2",
        "(https://b.vn/lich).",
        "<b>",
        '"',
        "&",
        "Hết.",
        "http://",
        "", " ", "\n",
    ]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(words, max_size=12).map("".join))
def test_the_html_is_the_text_with_its_addresses_as_links(text: str) -> None:
    for p, para in zip(html_paragraphs([text]), [text], strict=True):
        lines = str(p).split("<br>")
        assert len(lines) == len(para.split("\n"))
        for got, line in zip(lines, para.split("\n"), strict=True):
            for href, shown in _A.findall(got):
                assert href == shown and html.unescape(href).startswith(("http://", "https://"))
            bare = _A.sub(lambda m: m.group(2), got)
            assert "<" not in bare and ">" not in bare  # the text's own brackets stay escaped
            assert html.unescape(bare) == line


def test_an_alerts_desk_link_is_a_link_and_the_full_stop_after_it_is_not_part_of_it() -> None:
    (p,) = html_paragraphs("Xem tại: https://tiepdan.example.vn/desk/units/thuc-phan.")
    assert str(p) == (
        'Xem tại: <a href="https://tiepdan.example.vn/desk/units/thuc-phan">'
        "https://tiepdan.example.vn/desk/units/thuc-phan</a>."
    )
