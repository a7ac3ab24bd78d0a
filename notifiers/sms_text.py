"""SMS text: what a Vietnamese gateway will send, and what it will cost.

A text with any character outside GSM-7 (every Vietnamese diacritic) goes out as UCS-2: 70
characters a segment instead of 160, at the same price a segment (DOMAIN.md, "Messages").
Brandname SMS is commonly sent without diacritics, so that is the default here.

    GSM-7:  one segment up to 160 septets, else 153 a segment (the rest is the concatenation header);
            the extension characters ^ { } \\ [ ~ ] | € count as two.
    UCS-2:  one segment up to 70 UTF-16 code units, else 67 a segment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from notifiers.safe import sms_text as safe_sms
from rules.vietnamese import nfc, strip_diacritics

# 3GPP TS 23.038 default alphabet (basic table) and its extension table.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
_GSM7 = GSM7_BASIC | GSM7_EXTENSION

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
ELLIPSIS = "..."

# What typography and templates commonly produce that GSM-7 lacks, spelled with what it has.
_REPLACEMENTS = {
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2026": ELLIPSIS,
    "\u2022": "-",  # bullet
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\t": " ",
    "`": "'",
    "«": '"',
    "»": '"',
}


class _Spelling(dict[int, str]):
    """Each character seen, as GSM-7 spells it (itself, a replacement or "?"), for str.translate."""

    def __missing__(self, o: int) -> str:
        c = chr(o)
        spelled = self[o] = c if c in _GSM7 else _REPLACEMENTS.get(c, "?")
        return spelled


_GSM7_SPELLING = _Spelling()


def is_gsm7(text: str) -> bool:
    """Whether ``text`` can go out in the GSM-7 alphabet (so 160 characters a segment)."""
    return _GSM7.issuperset(text)


def sms_text(text: str, *, unicode: bool) -> str:
    """The text as it should be handed to the gateway.

    ``unicode=True`` keeps the Vietnamese as written (NFC, so a letter is one code unit, not a
    base plus combining marks that would cost extra). ``unicode=False`` strips diacritics
    ("Thứ Tư" -> "Thu Tu", "Đảng" -> "Dang") and spells anything else outside GSM-7 with GSM-7
    ("–" -> "-", "…" -> "..."), or "?" as a last resort, so the message is never silently sent
    as Unicode at 70 characters a segment.
    """
    # One line, whatever a reason or a name carried (CR/LF, controls): notifiers.safe.sms_text.
    text = safe_sms(nfc(text))
    if unicode:
        return text
    return strip_diacritics(text).translate(_GSM7_SPELLING)


def length(text: str) -> int:
    """Units the text takes: GSM-7 septets, or UTF-16 code units when it needs UCS-2."""
    if is_gsm7(text):
        return len(text) + sum(text.count(c) for c in GSM7_EXTENSION)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many SMS the text is sent as (so how many are paid for); an empty text is one SMS."""
    single, part = (GSM7_SINGLE, GSM7_PART) if is_gsm7(text) else (UCS2_SINGLE, UCS2_PART)
    n = length(text)
    return 1 if n <= single else math.ceil(n / part)


def fits_one_segment(text: str) -> bool:
    return segments(text) == 1


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a reminder for ``fit_one_segment``.

    ``optional`` may be dropped whole (a contact line, a registration hint); ``shorten`` may be
    cut and ended with "..." (the venue, the one long free text in a reminder).
    """

    text: str
    optional: bool = False
    shorten: bool = False


def fit_one_segment(parts: Sequence[Part | str], *, unicode: bool, sep: str = " ") -> str:
    """Join ``parts`` into one SMS, shortened to one segment where that can be done (the same
    parts twice, as a session's head and office are told, are fitted once).

    In order: everything; then without the optional parts, the last one first (later parts are
    the less important); then with the ``shorten`` parts cut, the last one first, down to "...".
    If even that is longer than a segment, the shortest version is returned and costs more
    segments: the date and the time are never cut. Each part goes through ``sms_text``.
    """
    return _fit(tuple(parts), unicode, sep)


@lru_cache(maxsize=256)
def _fit(parts: tuple[Part | str, ...], unicode: bool, sep: str) -> str:
    items = [
        Part(sms_text(p, unicode=unicode)) if isinstance(p, str) else _converted(p, unicode) for p in parts
    ]
    items = [p for p in items if p.text]

    def joined(ps: Sequence[Part]) -> str:
        return sep.join(p.text for p in ps if p.text)

    text = joined(items)
    if fits_one_segment(text):
        return text
    for i in reversed(range(len(items))):
        if items[i].optional:
            items[i] = Part("")
            text = joined(items)
            if fits_one_segment(text):
                return text
    for i in reversed(range(len(items))):
        if not items[i].shorten:
            continue
        original = items[i].text

        def cut(keep: int, i: int = i, original: str = original) -> tuple[str, str]:
            kept = original[:keep].rstrip(" ,.;:-")
            items[i] = Part(kept + ELLIPSIS)
            return kept, joined(items)

        # The longest cut that fits. A longer cut is the shorter one and more, so whether it
        # fits changes once along the lengths: found by halving, not by trying every length
        # from the top (a long venue cost hundreds of tries). An empty cut is no cut.
        lo, hi, best = 1, len(original) - 1, 0
        while lo <= hi:
            mid = (lo + hi) // 2
            if fits_one_segment(cut(mid)[1]):
                best, lo = mid, mid + 1
            else:
                hi = mid - 1
        if best:
            kept, text = cut(best)
            if kept:
                return text
        # Nothing of it fits: left out, rather than a lone "..." between separators.
        items[i] = Part("")
    return joined(items)


def _converted(part: Part, unicode: bool) -> Part:
    return Part(sms_text(part.text, unicode=unicode), part.optional, part.shorten)
