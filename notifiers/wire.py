"""An e-mail's bytes written directly, for delivery.

``build_email`` (notifiers/message.py) makes the message with the ``email`` package; its header
objects, content managers and generator cost about 3.5 ms a message, most of a reminder
morning's delivery. ``email_bytes`` writes the same message (the same headers, the same
``multipart/alternative`` of text, HTML and calendar, the same choice of quoted-printable or
base64 as the ``email`` package makes, 7-bit clean) as a string, in about a tenth of that.
``build_email`` stays the reference: a test reads both back and compares them.

The boundary is made from the Message-ID and the Date, so a message built twice (a retry) is the
same bytes; it contains a ``.``, which neither base64 nor the parts' headers can, and it is
checked against the 7-bit and quoted-printable bodies all the same.

What messages share is encoded once: a session's head and office get the same subject, a unit's
messages the same From, many offices the same name in To, so the encoded words of a non-ASCII
header are kept (a few thousand, by value). The texts name their reader and are written each
time; the choice between quoted-printable and base64 is made without encoding the first lines
when their length already decides it.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import re
from datetime import datetime, timedelta
from email import base64mime, quoprimime
from email.utils import format_datetime

from notifiers.message import (
    POLICY,
    OutgoingMessage,
    _from,
    _ics_method,
    _named,
    _subject,
    _Utf8Header,
    message_id_header,
    split_sender,
)
from rules.vietnamese import nfc

NL = "\r\n"
MAX_LINE: int = POLICY.max_line_length or 78
_B64_LINE = MAX_LINE // 4 * 4  # as the email package cuts base64 lines (76 characters)
_NEWLINES = re.compile(r"\r\n|\r|\n")
# The bytes quoted-printable writes as they are in a body (the others as "=XX"), as
# quoprimime.body_encode quotes them; line endings are kept (and soft breaks only add).
_QP_PLAIN = bytes(c for c in range(256) if not quoprimime.body_check(c) or c in b"\r\n")


def _header(name: str, value: str) -> str:
    """One header line, folded as the policy folds it. Our own folding header types fold
    themselves (a non-ASCII name or subject: its encoded words kept, see the module's note); a
    short ASCII value is written as it is (what the policy would write); anything else goes
    through the policy (rare: a long ASCII name)."""
    if isinstance(value, _Utf8Header):
        line = _encoded(value.name, value._text)
        return f"{line[: -len(NL)]} <{value.address}>{NL}" if value.address else line
    fold = getattr(value, "fold", None)
    if fold is not None:
        folded: str = fold(policy=POLICY)
        return folded
    line = f"{name}: {value}"
    if len(line) <= MAX_LINE and value.isascii() and not _NEWLINES.search(value):
        return line + NL
    long: str = POLICY.fold(name, value)
    return long


_WORD = len("=?utf-8?b??=")  # an encoded word's own characters


@functools.lru_cache(maxsize=4096)
def _encoded(name: str, text: str) -> str:
    """``name: text`` in encoded words: the bytes ``_Utf8Header.fold`` writes (``email.header``'s,
    UTF-8 in base64 or quoted-printable words, whichever the whole is shorter in, each word whole
    characters, as many as fit in 78 columns, the first after the header's name), at a tenth of
    its CPU: the standard library measures each candidate line again for every character it
    adds, and that was half of a reminder morning's composing."""
    data = text.encode("utf-8")
    b64 = -(-len(data) // 3) * 4 < _qp_length(data)
    lines: list[str] = []
    room = MAX_LINE - len(name) - 2 - _WORD  # the encoded characters the first line holds
    if b64:
        while data:
            n = min(len(data), room // 4 * 3)  # base64: 4 characters for 3 bytes
            while n < len(data) and data[n] & 0xC0 == 0x80:
                n -= 1  # back to a character's first byte: words hold whole characters
            lines.append(_word(data[:n], b64))
            data, room = data[n:], MAX_LINE - 1 - _WORD  # a continuation line starts with a space
    else:
        chunk, size = b"", 0
        for ch in text:
            b = ch.encode("utf-8")
            if chunk and size + _qp_length(b) > room:
                lines.append(_word(chunk, b64))
                chunk, size, room = b"", 0, MAX_LINE - 1 - _WORD
            chunk, size = chunk + b, size + _qp_length(b)
        lines.append(_word(chunk, b64))
    return f"{name}: " + f"{NL} ".join(lines) + NL


# The bytes quoted-printable writes as one character in a header (letters, digits, "-!*+/", and
# the space as "_"), the others as "=XX": its length without writing it.
_QP_ONE = bytes(c for c in range(256) if quoprimime.header_length(bytes([c])) == 1)


def _qp_length(data: bytes) -> int:
    return len(data) + 2 * len(data.translate(None, _QP_ONE))


def _word(data: bytes, b64: bool) -> str:
    if b64:
        return base64mime.header_encode(data, "utf-8")
    return quoprimime.header_encode(data, "utf-8")


def _lines(data: str) -> str:
    """Every line ending made CRLF, as the generator writes a payload."""
    if not data:
        return NL
    return data.replace("\r\n", "\n").replace("\r", "\n").replace("\n", NL)


def _base64(data: bytes) -> str:
    """``data`` in base64 lines of 76 characters, each ending in a newline (base64mime's)."""
    encoded = binascii.b2a_base64(data, newline=False).decode("ascii")
    return "".join([encoded[i : i + _B64_LINE] + "\n" for i in range(0, len(encoded), _B64_LINE)])


def _encode_text(text: str, cte: str | None) -> tuple[str, str]:
    """The transfer encoding and body of a UTF-8 text part, chosen as ``email.contentmanager``
    chooses them under a 7-bit policy (7bit when it can, else the shorter of quoted-printable
    and base64 judged on the first ten lines)."""
    lines = text.encode("utf-8").splitlines()

    def embedded(ls: list[bytes]) -> bytes:
        return b"\r\n".join(ls) + b"\r\n"

    def normal(ls: list[bytes]) -> bytes:
        return b"\n".join(ls) + b"\n"

    if cte is None:
        if max((len(x) for x in lines), default=0) <= MAX_LINE:
            try:
                return "7bit", normal(lines).decode("ascii")
            except UnicodeDecodeError:
                pass
        sniff = embedded(lines[:10])
        b64 = len(binascii.b2a_base64(sniff))
        sniff_latin = sniff.decode("latin-1")
        # quoted-printable is at least three characters a quoted byte, one a line ending: when
        # that is already longer than base64, base64 it is, without writing the quoted-printable.
        quoted = len(sniff.translate(None, _QP_PLAIN))
        if (
            len(sniff) + 2 * quoted - sniff.count(b"\r\n") > b64
            or len(sniff_qp := quoprimime.body_encode(sniff_latin, MAX_LINE)) > b64
        ):
            cte = "base64"
        else:
            cte = "quoted-printable"
            if len(lines) <= 10:
                return cte, sniff_qp
    if cte == "quoted-printable":
        return cte, quoprimime.body_encode(normal(lines).decode("latin-1"), MAX_LINE)
    return "base64", _base64(embedded(lines))


def _part(text: str, subtype: str, *, method: str | None = None, cte: str | None = None) -> tuple[str, str]:
    """A text part's headers and body (CRLF line endings)."""
    cte, body = _encode_text(text, cte)
    params = f'; method="{method}"' if method else ""
    head = _header("Content-Type", f'text/{subtype}; charset="utf-8"{params}')
    head += f"Content-Transfer-Encoding: {cte}{NL}"
    return head, _lines(body)


def _date(when: datetime) -> str:
    return _formatted_date(when, when.utcoffset())


@functools.lru_cache(maxsize=64)
def _formatted_date(when: datetime, offset: timedelta | None) -> str:
    # A delivery dates its messages from one instant: written once. The offset is in the key:
    # two aware datetimes of one instant are equal whatever their zone, and the header was the
    # zone of whichever came first in the process (07:01 +0700 for a message dated 00:01 UTC).
    return format_datetime(when)


def email_bytes(msg: OutgoingMessage, sender: str, *, date: datetime | None = None) -> bytes:
    """The message ``build_email(msg, sender, date=date)`` makes, as the bytes its
    ``as_bytes(policy=POLICY)`` would give (up to the boundary and where a part's headers sit);
    raises ``ValueError`` where ``build_email`` does."""
    if msg.channel != "email":
        raise ValueError(f"email_bytes needs an e-mail message, not {msg.channel!r}")
    when = date or msg.date
    if when is None:
        raise ValueError("email_bytes needs the moment of sending: date= or msg.date")
    from_ = nfc(msg.sender or sender)
    mid = message_id_header(msg.message_id, sender)
    head = (
        _header("From", _from(from_))
        + _header("To", _named("To", nfc(" ".join(msg.recipient_name.split())), msg.recipient))
        + _header("Subject", _subject(" ".join(nfc(msg.subject).split())))
        + f"Date: {_date(when)}{NL}"
        + f"Message-ID: {mid}{NL}"
        + f"Auto-Submitted: auto-generated{NL}"
        + f"MIME-Version: 1.0{NL}"
    )
    parts = [_part(nfc(msg.text), "plain")]
    if msg.html is not None:
        parts.append(_part(nfc(msg.html), "html"))
    if msg.ics is not None:
        from notifiers.ics import with_people  # icalendar: loaded only when there is a calendar

        method = _ics_method(msg.ics)
        name, address = split_sender(from_)
        ics = with_people(
            nfc(msg.ics), organizer=(name, address), attendee=(nfc(msg.recipient_name), msg.recipient)
        )
        # base64 keeps the calendar's CRLFs and 75-octet folding byte for byte, as Exchange does.
        parts.append(_part(ics, "calendar", method=method, cte="base64"))
    if len(parts) == 1:
        part_head, body = parts[0]
        out = head + part_head + NL + body
    else:
        seed = hashlib.sha256(f"{mid} {when.isoformat()}".encode()).hexdigest()[:24]
        boundary = f"==tiepdan.{seed}=="
        n = 0
        while any(boundary in body for _, body in parts):  # never, for base64; checked all the same
            n += 1
            boundary = f"==tiepdan.{seed}.{n}=="
        out = head + f'Content-Type: multipart/alternative;{NL} boundary="{boundary}"{NL}{NL}'
        for part_head, body in parts:
            out += f"--{boundary}{NL}{part_head}{NL}{body}{NL}"
        out += f"--{boundary}--{NL}"
    return out.encode("ascii")


_LINE_ENDS = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def data_form(wire: bytes) -> bytes:
    """A message as the SMTP DATA command carries it (RFC 5321 4.5.2): CRLF line endings, a dot
    that begins a line doubled, the end-of-data line. aiosmtplib's ``data()`` does this with two
    regular expressions over the whole message, some 0.1 ms for a reminder, on the event loop
    that sends (an eighth of the sender's CPU a message); an e-mail built here is CRLF already
    and seldom has a line that begins with a dot, which counting finds in microseconds. The same
    bytes as aiosmtplib's (tests/test_wire.py)."""
    crlf = wire.count(b"\r\n")
    if wire.count(b"\n") != crlf or wire.count(b"\r") != crlf:
        wire = _LINE_ENDS.sub(b"\r\n", wire)
    if not wire.endswith(b"\r\n"):
        wire += b"\r\n"
    if wire.startswith(b".") or b"\n." in wire:
        wire = _LEADING_DOT.sub(b"..", wire)
    return wire + b".\r\n"
