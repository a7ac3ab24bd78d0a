"""What a session's reception log (Sổ tiếp công dân, Mẫu số 03) adds to the report: the figures
real reports count beside sessions and visits (Thông tư 02/2021/TT-TTCP reports; the words are
those of the reporting forms).

Pure: rows of the log come in as plain values, additive figures come out.

- vụ việc mới / cũ: a case received for the first time (tiếp lần đầu) or again (tiếp nhiều lần);
- đoàn đông người and their people ("2 đoàn/61 người");
- content (nội dung): khiếu nại, tố cáo, kiến nghị-phản ánh, or other, from the row's
  classification ("Phân loại đơn"), a free text the desk offers these four words for;
- handling (hướng xử lý): hướng dẫn (trả lại đơn và hướng dẫn), tiếp nhận (thụ lý để giải quyết),
  chuyển đơn (đến cơ quan có thẩm quyền), or not yet decided.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Literal, NamedTuple

Content = Literal["complaint", "denunciation", "proposal", "other"]
# The leading words of a classification, without diacritics, lower case.
_CONTENT_WORDS: tuple[tuple[str, Content], ...] = (
    ("khieu nai", "complaint"),
    ("to cao", "denunciation"),
    ("kien nghi", "proposal"),
    ("phan anh", "proposal"),
)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def content_of(classification: str) -> Content:
    """ "Khiếu nại" -> complaint, "Tố cáo" -> denunciation, "Kiến nghị", "Phản ánh",
    "Kiến nghị, phản ánh" -> proposal; anything else (or nothing) -> other."""
    plain = _plain(classification)
    for words, content in _CONTENT_WORDS:
        if plain.startswith(words):
            return content
    return "other"


class LogRow(NamedTuple):
    """One row of the log, counts and choices only (no names)."""

    people: int  # of these rows together
    is_group: bool
    new_case: bool
    classification: str
    handling: str  # "accepted" | "guided" | "forwarded" | ""
    rows: int = 1  # how many identical rows this stands for (read grouped from the database)


class LogFigures(NamedTuple):
    """Additive figures of one session's log (or of many, summed with ``add``)."""

    new_cases: int = 0
    old_cases: int = 0
    group_people: int = 0  # people in the delegations (đoàn đông người) of the log
    complaints: int = 0
    denunciations: int = 0
    proposals: int = 0  # kiến nghị, phản ánh
    other_content: int = 0
    guided: int = 0  # trả lại đơn và hướng dẫn
    accepted: int = 0  # thụ lý để giải quyết (tiếp nhận)
    forwarded: int = 0  # chuyển đơn đến cơ quan có thẩm quyền
    undecided: int = 0


LOG_FIELDS: tuple[str, ...] = LogFigures._fields
_CONTENT_INDEX = {"complaint": 3, "denunciation": 4, "proposal": 5, "other": 6}
_HANDLING_INDEX = {"guided": 7, "accepted": 8, "forwarded": 9}


def log_figures(rows: Iterable[LogRow]) -> LogFigures:
    acc = [0] * len(LOG_FIELDS)
    for r in rows:
        n = r.rows
        acc[0 if r.new_case else 1] += n
        if r.is_group:
            acc[2] += r.people
        acc[_CONTENT_INDEX[content_of(r.classification)]] += n
        acc[_HANDLING_INDEX.get(r.handling, 10)] += n
    return LogFigures._make(acc)
