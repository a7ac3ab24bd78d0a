"""One message on its way out, and the MIME e-mail made from it.

An ``OutgoingMessage`` is what the outbox hands to a channel: already rendered words, an address
or a phone number, and a stable ``message_id`` (the outbox row key). The id is what makes a retry
harmless: it becomes the e-mail's Message-ID (receivers and archives collapse duplicates), the SMS
gateway's ``request_id`` (gateways de-duplicate on it) and the file channel's file name.
"""

from __future__ import annotations

import email.policy
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Literal

from rules.vietnamese import nfc

ChannelName = Literal["email", "sms"]
IcsMethod = Literal["REQUEST", "CANCEL"]

# Built 7-bit clean (quoted-printable or base64 bodies, encoded-word headers): the same bytes then
# go through any SMTP server, with or without 8BITMIME, and into a .eml file unchanged.
POLICY = email.policy.SMTP.clone(cte_type="7bit")

_ID_FORBIDDEN = re.compile(r"[\s<>\"\\\x00-\x1f\x7f]")
_ICS_METHOD = re.compile(r"^METHOD:([A-Za-z-]+)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingMessage:
    """A rendered message for one recipient on one channel.

    ``message_id`` is given by the caller (the outbox row key) and must be stable across retries.
    ``request_id`` is the SMS gateway's de-duplication key; it defaults to ``message_id``.
    ``ics`` is a whole VCALENDAR whose METHOD is REQUEST (invite or update) or CANCEL.
    ``date`` is the moment of sending (the e-mail's Date), given by the caller: nothing here
    reads the clock. ``sender`` and ``brandname``: a unit's own From and SMS brandname, when
    its configuration has them (None: the channel's).
    """

    channel: ChannelName
    recipient: str
    text: str
    message_id: str
    subject: str = ""
    html: str | None = None
    ics: str | None = None
    request_id: str | None = None
    recipient_name: str = ""  # the person's name from the configuration (To:, ATTENDEE)
    # The e-mail's MIME bytes when a channel built them beforehand (``Channel.prepare``).
    wire: bytes | None = field(default=None, repr=False, compare=False)
    date: datetime | None = None
    sender: str | None = None
    brandname: str | None = None

    def __post_init__(self) -> None:
        # A malformed message is a bug in the caller, not a delivery failure: refuse it at once.
        if self.channel not in ("email", "sms"):
            raise ValueError(f"channel must be 'email' or 'sms', not {self.channel!r}")
        if not self.recipient.strip():
            raise ValueError("recipient is empty")
        for name in ("message_id", "request_id"):
            value = getattr(self, name)
            if value is None and name == "request_id":
                continue
            if not value or not value.isascii() or _ID_FORBIDDEN.search(value):
                raise ValueError(f"{name} must be non-empty ASCII without spaces, quotes or <>: {value!r}")
        if self.ics is not None:
            _ics_method(self.ics)

    @property
    def idempotency_key(self) -> str:
        """What the SMS gateway de-duplicates on: ``request_id`` or else ``message_id``."""
        return self.request_id or self.message_id

    @property
    def ics_method(self) -> IcsMethod | None:
        return None if self.ics is None else _ics_method(self.ics)


def _ics_method(ics: str) -> IcsMethod:
    # The MIME part must carry the same method as the calendar, or Outlook ignores the invitation.
    m = _ICS_METHOD.search(ics)
    method = m.group(1).upper() if m else None
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"ics must have METHOD:REQUEST or METHOD:CANCEL, found {method!r}")
    return method  # type: ignore[return-value]


def split_sender(sender: str) -> tuple[str, str]:
    """``(display name, address)`` of ``"Văn phòng <vp@example.vn>"`` or ``"vp@example.vn"``.

    Lenient on purpose, like the configuration check: people write unquoted display names with
    commas ("Văn phòng Đảng ủy xã A, huyện B <vp@...>"), which ``parseaddr`` would misread.
    """
    sender = sender.strip()
    name, lt, rest = sender.rpartition("<")
    if lt and rest.endswith(">"):
        return name.strip().strip('"').strip(), rest[:-1].strip()
    return "", sender


def sender_address(sender: str) -> str:
    """The bare address of ``"Văn phòng <vp@example.vn>"`` or ``"vp@example.vn"``."""
    return split_sender(sender)[1]


def message_id_header(message_id: str, sender: str) -> str:
    """``<id>`` if the id already has an ``@``, else ``<id@sender's domain>`` (RFC 5322 form)."""
    bare = message_id.strip("<>")
    if "@" in bare:
        return f"<{bare}>"
    domain = sender_address(sender).rpartition("@")[2] or "tiepdan.invalid"
    return f"<{bare}@{domain}>"


class _Utf8Header(str):
    """A non-ASCII header (Subject, or the display name of From) that folds itself.

    The modern folder of CPython 3.11-3.13 splits a long non-ASCII value into encoded-words with
    the space *between* them, which RFC 2047 readers drop ("25/11/2026 tại" arrives as
    "25/11/2026tại"), and it fails outright on a long display name with a comma
    (python/cpython#144156 and kin). ``email.header.Header`` keeps the spaces inside the
    encoded-words. The policy stores any value that has a ``name`` as is and calls its ``fold``;
    read back, the value is the plain text.
    """

    name: str
    address: str | None
    _text: str

    def __new__(cls, name: str, text: str, address: str | None = None) -> _Utf8Header:
        value = super().__new__(cls, f"{text} <{address}>" if address else text)
        value.name, value.address, value._text = name, address, text
        return value

    def fold(self, *, policy: email.policy.Policy) -> str:
        encoded = Header(self._text, "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        if self.address:
            encoded += f" <{self.address}>"
        return f"{self.name}: {encoded}{policy.linesep}"


class _Unfolded(str):
    """A header written on one line as it is (the policy calls ``fold``): a long Message-ID
    folded after the colon reads back with a leading space in some parsers."""

    name: str

    def __new__(cls, name: str, value: str) -> _Unfolded:
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: email.policy.Policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def _subject(subject: str) -> str:
    return subject if subject.isascii() else _Utf8Header("Subject", subject)


def _from(sender: str) -> str:
    name, address = split_sender(sender)
    return _named("From", name, address)


def _named(header: str, name: str, address: str) -> str:
    if not name:
        return address
    if name.isascii():
        return formataddr((name, address))  # quotes a name with commas
    return _Utf8Header(header, name, address)


def build_email(msg: OutgoingMessage, sender: str, *, date: datetime | None = None) -> EmailMessage:
    """The MIME message for ``msg``.

    Structure (the shape Outlook and Gmail send and recognise for invitations)::

        multipart/alternative                only when there is HTML or an ICS
        ├── text/plain; charset=utf-8
        ├── text/html; charset=utf-8         if ``msg.html``
        └── text/calendar; method=REQUEST|CANCEL; charset=utf-8

    The calendar is there once: a second copy as an attachment makes Outlook show an .ics file
    instead of the invitation. Its event gets ORGANIZER (the sender, with its name) and ATTENDEE
    (the recipient, with ``recipient_name``), which RFC 5546 requires of a REQUEST or CANCEL.

    ``date`` is the Date header (the moment of sending); without it, ``msg.date``. One of them
    is required: the clock is read by the caller.
    """
    if msg.channel != "email":
        raise ValueError(f"build_email needs an e-mail message, not {msg.channel!r}")
    m = EmailMessage(policy=POLICY)
    m["From"] = _from(nfc(msg.sender or sender))
    m["To"] = _named("To", nfc(" ".join(msg.recipient_name.split())), msg.recipient)
    # Header values may not contain line breaks; a template's stray newline must not break it.
    m["Subject"] = _subject(" ".join(nfc(msg.subject).split()))
    when = date or msg.date
    if when is None:
        raise ValueError("build_email needs the moment of sending: date= or msg.date")
    m["Date"] = format_datetime(when)
    m["Message-ID"] = _Unfolded("Message-ID", message_id_header(msg.message_id, sender))
    # RFC 3834: automatic reminders must not trigger vacation auto-replies.
    m["Auto-Submitted"] = "auto-generated"
    m.set_content(nfc(msg.text))
    if msg.html is not None:
        m.add_alternative(nfc(msg.html), subtype="html")
    if msg.ics is not None:
        from notifiers.ics import with_people  # icalendar: loaded only when there is a calendar

        method = _ics_method(msg.ics)
        name, address = split_sender(nfc(msg.sender or sender))
        ics = with_people(
            nfc(msg.ics), organizer=(name, address), attendee=(nfc(msg.recipient_name), msg.recipient)
        )
        # base64 keeps the calendar's CRLFs and 75-octet folding byte for byte, as Exchange does.
        m.add_alternative(ics, subtype="calendar", params={"method": method}, cte="base64")
    return m
