"""The one error tree of tiepdan.

    TiepdanError                 anything we report to a person in one line
    ├── RuleError                a request the rules cannot satisfy (bad pattern, no such date)
    ├── ConfigError              a configuration file, key or CSV line that is wrong
    ├── ServiceError             a use case refused (unknown session, wrong state, conflict)
    │   └── ConflictError        someone else changed the session first (optimistic check)
    └── DeliveryError            a message could not be delivered
                                 (``permanent`` says whether retrying can help)

It lives in ``rules/`` because that is the layer every other layer may import.
"""

from __future__ import annotations


class TiepdanError(Exception):
    """An error whose message is meant for a person: one line, no traceback."""


class RuleError(TiepdanError):
    pass


class ConfigError(TiepdanError):
    pass


class ServiceError(TiepdanError):
    pass


class ConflictError(ServiceError):
    pass


class DeliveryError(TiepdanError):
    """Why a message was not delivered (lỗi gửi tin).

    ``permanent``: retrying the same message cannot help. ``timed_out``: the server or gateway
    did not answer in time (the delivery loop stops a channel's batch after a few in a row).
    ``refused``: the server refused this recipient's address itself (550 no such user): the
    address is marked and not tried again until the configuration changes it.
    """

    def __init__(
        self, message: str, *, permanent: bool = False, timed_out: bool = False, refused: bool = False
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.timed_out = timed_out
        self.refused = refused
