"""Text made safe for the format it is written into: one helper per format, used everywhere.

Input is checked at the edges (``rules.text``), but what is rendered also comes from the
configuration, from rows stored before the check existed, and from other systems (a gateway's
error). So every renderer passes text through the helper of its format:

- ``xlsx_text`` / ``xlsx_value``: characters XML 1.0 cannot hold (openpyxl raises
  ``IllegalCharacterError``) are dropped; a text that starts like a formula (= + - @) stays text;
- ``csv_cell``: the same formula guard (OWASP "CSV injection"): a leading apostrophe;
- ``docx_text``: the characters lxml refuses are dropped; a vertical tab (Word's line break,
  pasted) becomes a new line;
- ``sms_text``: one line: CR/LF and other controls become spaces;
- ``terminal``: one line for a person's terminal: ESC sequences and every control character,
  newlines included, are written as visible escapes (``\\n``, ``\\x1b``);
- ``redact``: no secret in an error text that is stored, printed or e-mailed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

# XML 1.0: TAB, LF, CR and everything from U+0020, except surrogates and U+FFFE/U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _xml(text: str) -> str:
    return _XML_ILLEGAL.sub("", text.replace("\x0b", "\n").replace("\x0c", "\n"))


def xlsx_text(text: str) -> str:
    """A string a worksheet cell can hold (no formula guard: see ``xlsx_value``)."""
    return _xml(text)


def xlsx_value(value: Any) -> Any:
    """A cell value: text cleaned for XML; numbers, dates and None as they are.

    A text that would start a formula is kept as text by the writer (``xlsx_set``)."""
    return xlsx_text(value) if isinstance(value, str) else value


def xlsx_set(cell: Any, value: Any) -> None:
    """Put ``value`` in an openpyxl cell so that it shows exactly as written: a text starting
    with = + - @ is a string cell, never a live formula."""
    value = xlsx_value(value)
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"


def csv_cell(value: Any) -> Any:
    """A CSV field a spreadsheet will not run: a leading apostrophe before = + - @ TAB CR."""
    if not isinstance(value, str):
        return value
    value = _XML_ILLEGAL.sub("", value)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def docx_text(text: str) -> str:
    """Text python-docx (lxml) accepts: a vertical tab or form feed becomes a new line, the
    other characters XML cannot hold are dropped."""
    return _xml(text)


def sms_text(text: str) -> str:
    """One line of an SMS: line breaks and controls become single spaces."""
    return re.sub(r" {2,}", " ", _CONTROLS.sub(" ", text.replace("\r\n", " "))).strip()


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """One line for a terminal: every control character (ESC, CR, LF, TAB, C1, lone
    surrogates) written as a visible escape, so stored text cannot move the cursor, recolour
    the screen or fake another line."""
    return _CONTROLS.sub(_escape, text)


def terminal_fields(line: str, sep: str = "\t") -> str:
    """A tab-separated line of fields, each made safe by ``terminal``."""
    return sep.join(terminal(f) for f in line.split(sep))


# --- secrets ------------------------------------------------------------------------------------

# The secrets this process holds (the SMS token, the SMTP password, the cookie key), registered by
# whoever reads them from the environment, so that no error text carries one: a gateway that
# echoes the request in its error body would otherwise have the token stored in the outbox,
# printed by ``tiepdan outbox`` and e-mailed to staff.
_SECRETS: set[str] = set()
REDACTED = "***"


def remember_secret(value: str) -> None:
    if len(value) >= 6:  # shorter strings would blank ordinary words; config forbids them anyway
        _SECRETS.add(value)
        _SECRETS.add(quote(value, safe=""))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret (and ``secrets``) replaced by ***."""
    known = _SECRETS | {s for s in secrets if len(s) >= 6}
    for secret in sorted(known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text
