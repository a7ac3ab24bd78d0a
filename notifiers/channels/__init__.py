"""Delivery channels: one small interface (``Channel``), one error type (``DeliveryError``).

Channel                 send_batch(messages) -> [None | DeliveryError, ...]; aclose()
├── SmtpChannel         e-mail over SMTP, one connection a batch
├── SmsChannel          SMS through an HTTP/JSON gateway, one client a batch
└── FileChannel         .eml and .txt files in a directory (the embedded default)
"""

from notifiers.channels.base import Channel, Results
from notifiers.channels.files import FileChannel
from notifiers.channels.sms import SmsChannel
from notifiers.channels.smtp import SmtpChannel, smtp_error

__all__ = ["Channel", "FileChannel", "Results", "SmsChannel", "SmtpChannel", "smtp_error"]
