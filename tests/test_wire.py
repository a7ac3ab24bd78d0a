"""The e-mail written directly for delivery (notifiers/wire.py) reads back as the reference
``build_email`` message does: the same headers, parts, parameters, encodings and contents, for
reminders with and without HTML and calendar, long Vietnamese subjects and names, ASCII text."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from notifiers.message import POLICY, OutgoingMessage, _Utf8Header, build_email
from notifiers.wire import _encoded, data_form, email_bytes

SENDER = "Văn phòng Đảng ủy xã Hòa An, huyện Hòa An, tỉnh Cao Bằng <vanphong@hoaan.gov.vn>"
WHEN = datetime(2027, 2, 3, 0, 1, tzinfo=UTC)
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tiepdan//VI\r\nMETHOD:{m}\r\nBEGIN:VEVENT\r\n"
    "UID:session-7@tiepdan\r\nSEQUENCE:{seq}\r\nDTSTAMP:20261201T010000Z\r\n"
    "DTSTART:20270203T003000Z\r\nSUMMARY:Tiếp công dân định kỳ - Đảng ủy xã Hòa An\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def read(raw: bytes) -> tuple[list[tuple[str, str]], list[Any]]:
    m = email.message_from_bytes(raw, policy=email.policy.default)
    headers = sorted((k, str(v)) for k, v in m.items() if k not in ("Content-Type", "MIME-Version"))
    parts = [
        (p.get_content_type(), p["Content-Type"].params, p["Content-Transfer-Encoding"], p.get_content())
        for p in m.walk()
        if not p.is_multipart()
    ]
    return headers, [m.get_content_type(), *parts]


def message(**kw: Any) -> OutgoingMessage:
    base: dict[str, Any] = dict(
        channel="email",
        recipient="bithu@hoaan.gov.vn",
        recipient_name="Nông Văn Bình",
        subject="[Nhắc lịch] Tiếp công dân định kỳ ngày 03/02/2027 tại Trụ sở Đảng ủy xã Hòa An " * 2,
        text="Kính gửi đồng chí Bí thư,\n\nBuổi tiếp công dân định kỳ ngày 03/02/2027.\n" * 12,
        html="<p>Kính gửi đồng chí Bí thư,</p>\n<p>Buổi tiếp công dân định kỳ.</p>\n",
        ics=ICS.format(m="REQUEST", seq=2),
        message_id="reminder.session-7.v2.l1.email.0123456789ab@hoaan.gov.vn",
        date=WHEN,
    )
    base.update(kw)
    return OutgoingMessage(**base)


@pytest.mark.parametrize(
    "msg",
    [
        message(),
        message(html=None, ics=ICS.format(m="CANCEL", seq=3)),
        message(html=None, ics=None),
        message(html=None, ics=None, text="Plain ASCII reminder.\nSee you.\n", subject="Reminder"),
        message(text="Ngắn.\n", recipient_name="", subject="Hủy buổi tiếp"),
        message(recipient_name="Văn phòng, Ban Tiếp công dân", sender="Ban Tiếp dân <tcd@hoaan.gov.vn>"),
        message(text="Dòng rất dài " * 40 + "\n", html=None, ics=None),
    ],
    ids=["invitation", "cancellation", "text-only", "ascii", "short", "unit-sender", "long-line"],
)
def test_the_written_bytes_read_back_as_the_reference_message(msg: OutgoingMessage) -> None:
    raw = email_bytes(msg, SENDER)
    assert read(raw) == read(build_email(msg, SENDER).as_bytes(policy=POLICY))
    assert raw.isascii() and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998  # To: may pass 78, as in build_email
    assert email_bytes(msg, SENDER) == raw  # a retry is the same bytes


def test_a_message_that_cannot_be_built_is_refused_as_build_email_refuses_it() -> None:
    with pytest.raises(ValueError):
        email_bytes(message(date=None), SENDER)
    with pytest.raises(ValueError):
        sms = OutgoingMessage(channel="sms", recipient="+84912345678", text="x", message_id="a")
        email_bytes(sms, SENDER)


def test_the_transfer_encoding_is_chosen_as_the_email_package_chooses_it() -> None:
    """The choice between 7bit, quoted-printable and base64 (made by length, here partly
    without writing the quoted-printable) is the email package's, over texts from all-ASCII to
    all-Vietnamese, short and long lines, trailing spaces and '=' signs."""
    import random
    from email.message import EmailMessage

    from notifiers.wire import _encode_text

    rng = random.Random(16)
    pieces = ["Kính gửi", "đồng chí", "Bí thư", "xã Hòa An", "ệ", "a=b", "x" * 30, " ", "\t"]
    pieces += ["the", "office", "meeting", "07:30", "03/02/2027"] * 4  # near the line both ways
    for _ in range(300):
        lines = [
            " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) + rng.choice(["", " "])
            for _ in range(rng.randint(1, 14))
        ]
        text = "\n".join(lines) + "\n"
        reference = EmailMessage(policy=POLICY)
        reference.set_content(text)
        assert _encode_text(text, None)[0] == reference["Content-Transfer-Encoding"], text


_VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐÂƯ"


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["Subject", "To", "From"]),
    st.text(
        alphabet=st.sampled_from(list(_VIETNAMESE + " ,.-/()[]0123456789"))
        | st.characters(blacklist_categories=("Cs",)),
        min_size=1,
        max_size=300,
    ),
)
def test_encoded_words_are_the_standard_librarys(name: str, raw: str) -> None:
    # The header's text as email_bytes gives it: whitespace collapsed to single spaces.
    text = " ".join(raw.split())
    assume(not text.isascii())
    assert _encoded.__wrapped__(name, text) == _Utf8Header(name, text).fold(policy=POLICY)


def aiosmtplib_data(message: bytes) -> bytes:
    """What aiosmtplib's ``execute_data_command`` writes after DATA (aiosmtplib/protocol.py)."""
    return PERIOD_REGEX.sub(b"..", normalize_message_line_endings(message)) + b".\r\n"


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from([b"\r\n", b"\n", b"\r", b".", b"..", b"a", b" ", b"\xc3\xa0"])).map(b"".join))
def test_the_data_form_is_aiosmtplibs(raw: bytes) -> None:
    """Line endings, leading dots and the end marker as aiosmtplib writes them, for any bytes:
    a lone CR or LF, a dot at the start of the message or of a line, no final CRLF."""
    assert data_form(raw) == aiosmtplib_data(raw)


def test_a_composed_reminder_goes_as_aiosmtplib_would_send_it() -> None:
    wire = email_bytes(message(), SENDER)
    for raw in (wire, wire.replace(b"\r\n", b"\n"), b"." + wire, wire + b"\r\n.\r\n.."):
        assert data_form(raw) == aiosmtplib_data(raw)


def test_the_date_is_written_in_the_zone_it_is_given() -> None:
    """One instant in two zones (a message dated in UTC, an alert in the office's time): each
    message's Date says its own, whichever was written first in the process."""
    vn = timezone(timedelta(hours=7))
    for first, second in ((WHEN, WHEN.astimezone(vn)), (WHEN.astimezone(vn), WHEN)):
        a, b = (email_bytes(message(date=d), SENDER) for d in (first, second))
        assert read(a)[0] != read(b)[0]
        for raw, d in ((a, first), (b, second)):
            (date_line,) = [line for line in raw.split(b"\r\n") if line.startswith(b"Date: ")]
            assert date_line == b"Date: " + format_datetime(d).encode()
