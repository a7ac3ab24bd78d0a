"""The words of a stored session: its kinds, statuses and forms, and how Vietnamese says them.

One place for them (WORDING.md): the JSON words of the contract (``planned``, ``held``,
``cancelled``, ``not_held``; ``periodic``, ``makeup``, ``adhoc``) never change; the Vietnamese
words are what the desk, the command line, messages and reports print.
"""

from __future__ import annotations

from typing import Final, Literal

Status = Literal["planned", "held", "cancelled", "not_held"]
Kind = Literal["periodic", "makeup", "adhoc"]
Form = Literal["in_person", "online", "both"]

STATUSES: Final[tuple[Status, ...]] = ("planned", "held", "cancelled", "not_held")
KINDS: Final[tuple[Kind, ...]] = ("periodic", "makeup", "adhoc")
FORMS: Final[tuple[Form, ...]] = ("in_person", "online", "both")
# A session that holds its day (the unit receives then): at most one per unit and day.
ACTIVE: Final[tuple[Status, ...]] = ("planned", "held")
# A session that did not take place and needs a make-up (cần tiếp bù).
MISSED: Final[tuple[Status, ...]] = ("cancelled", "not_held")
COUNTS: Final[tuple[str, ...]] = ("visits", "people", "cases", "petitions", "groups")

# Trạng thái: "hoãn", not "hủy" (a periodic session the head cannot hold is postponed and made up).
STATUS_VI: Final[dict[str, str]] = {
    "planned": "đã lên lịch",
    "held": "đã tiếp",
    "cancelled": "đã hoãn",
    "not_held": "không tổ chức",
}
# Loại: the word after "tiếp công dân" (tiếp công dân định kỳ / bù / đột xuất).
KIND_VI: Final[dict[str, str]] = {"periodic": "định kỳ", "makeup": "bù", "adhoc": "đột xuất"}
# A session of each kind named on its own: "buổi tiếp định kỳ", "buổi tiếp bù", "buổi tiếp đột xuất".
KIND_SESSION_VI: Final[dict[str, str]] = {k: f"buổi tiếp {v}" for k, v in KIND_VI.items()}
# Hình thức tiếp.
FORM_VI: Final[dict[str, str]] = {
    "in_person": "trực tiếp",
    "online": "trực tuyến",
    "both": "trực tiếp và trực tuyến",
}
# Người tiếp (a choice, not a free field: the head has no right to hand a session to a deputy).
RECEIVED_VI: Final[dict[bool, str]] = {True: "người đứng đầu trực tiếp tiếp", False: "người khác tiếp thay"}
COUNT_VI: Final[dict[str, str]] = {
    "visits": "số lượt",
    "people": "số người",
    "cases": "số vụ việc",
    "petitions": "số đơn",
    "groups": "số đoàn đông người",
}


def kind_label(kind: str) -> str:
    """ "Tiếp công dân định kỳ" / "Tiếp công dân bù" / "Tiếp công dân đột xuất"."""
    return f"Tiếp công dân {KIND_VI.get(kind, kind)}"
