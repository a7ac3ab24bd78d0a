"""Vietnamese date forms for everything a person reads ("Thứ Tư, ngày 25/11/2026")."""

from __future__ import annotations

import unicodedata
from datetime import date

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def weekday_name(d: date) -> str:
    return WEEKDAYS[d.weekday()]


def dmy(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def dm(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}"


def long_date(d: date) -> str:
    """ "Thứ Hai, 25/01/2027": a table cell, a command line's list."""
    return f"{WEEKDAYS[d.weekday()]}, {dmy(d)}"


def line_date(d: date) -> str:
    """ "Thứ Hai, ngày 25/01/2027": a date at the start of a line (WORDING.md, "Forms")."""
    return f"{WEEKDAYS[d.weekday()]}, ngày {dmy(d)}"


def in_sentence(d: date) -> str:
    """ "thứ Hai, ngày 25/01/2027", "chủ nhật, ngày 31/01/2027": a date inside a sentence."""
    day = WEEKDAYS[d.weekday()]
    return f"{day[0].lower()}{day[1:]}, ngày {dmy(d)}"


def hours(start: str | None, end: str | None, *, running: bool = True) -> str:
    """ "từ 07h30 đến 11h30" in running text, "07h30 - 11h30" in a list or a table, from "07:30"."""
    if not start or not end:
        return ""
    a, b = start.replace(":", "h"), end.replace(":", "h")
    return f"từ {a} đến {b}" if running else f"{a} - {b}"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# Each character seen, without its marks: a message's characters are a few dozen, its length
# a few hundred, so each is decomposed once (on first sight) and the text translated.
class _Plain(dict[int, str]):
    def __missing__(self, o: int) -> str:
        c = chr(o)
        plain = "".join(x for x in unicodedata.normalize("NFD", c) if unicodedata.category(x) != "Mn")
        self[o] = plain
        return plain


_PLAIN = _Plain({ord("đ"): "d", ord("Đ"): "D"})


def strip_diacritics(text: str) -> str:
    """Vietnamese without marks, for brandname SMS ("Thứ Tư" -> "Thu Tu")."""
    if text.isascii():
        return text
    return text.translate(_PLAIN)
