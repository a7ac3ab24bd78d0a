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
    """ "Thứ Hai, 25/01/2027"."""
    return f"{WEEKDAYS[d.weekday()]}, {dmy(d)}"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """Vietnamese without marks, for brandname SMS ("Thứ Tư" -> "Thu Tu")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
