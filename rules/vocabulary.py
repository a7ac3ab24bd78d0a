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
    "not_held": "không được tổ chức",
}
# What became of a session that did not take place, in running text ("buổi tiếp ngày 10/06 đã
# hoãn"): a postponed one is "hoãn" (it will be made up), one recorded after the fact is "không
# được tổ chức"; neither is "hủy", which says the session is gone (WORDING.md).
LOST_VI: Final[dict[str, str]] = {"cancelled": "đã hoãn", "not_held": "không được tổ chức"}
# The same at the start of a line, a badge or a subject ("Hoãn: Mưa lũ").
LOST_TITLE_VI: Final[dict[str, str]] = {"cancelled": "Hoãn", "not_held": "Không được tổ chức"}
# The verb a change notice announces ("thông báo hoãn buổi tiếp ..."; "... không tổ chức được").
LOST_VERB_VI: Final[dict[str, str]] = {"cancelled": "hoãn", "not_held": "không tổ chức được"}
# Each kind of message, named in a delivery-failure notice ("Không gửi được tin hoãn lịch ...").
MESSAGE_VI: Final[dict[str, str]] = {
    "reminder": "tin nhắc lịch",
    "changed": "tin thay đổi lịch",
    "cancelled": "tin hoãn lịch hoặc buổi tiếp không được tổ chức",
    "makeup_alert": "cảnh báo cần tiếp bù",
    "outcome_missing": "tin nhắc ghi kết quả",
    "outcome_missing_sup": "tin nhắc ghi kết quả (cấp trên)",
    "at_risk": "cảnh báo nguy cơ thiếu ngày tiếp",
    "ended_short": "cảnh báo thiếu ngày tiếp",
    "period_update": "tin cập nhật kết quả kỳ",
    "replan_pending": "tin lịch cần điều chỉnh",
    "conclusion_missing": "tin nhắc ban hành Thông báo kết luận",
    "direction_due": "tin nhắc hạn giải quyết",
    "direction_overdue": "tin báo quá hạn giải quyết",
    "notice_due": "tin nhắc hạn trả lời công dân",
    "notice_overdue": "tin báo quá hạn trả lời công dân",
    "dlg_notice_due": "tin nhắc thông báo hội nghị đối thoại",
    "dlg_notice_late": "tin báo chậm thông báo hội nghị đối thoại",
    "dlg_results_due": "tin nhắc thông báo kết quả đối thoại",
    "dlg_results_late": "tin báo chậm thông báo kết quả đối thoại",
    "dlg_year_at_risk": "cảnh báo nguy cơ chưa đủ hội nghị đối thoại",
    "dlg_announced": "thư báo tổ chức hội nghị đối thoại",
    "dlg_reminder": "tin nhắc lịch hội nghị đối thoại",
    "dlg_postponed": "thư báo hoãn hội nghị đối thoại",
    "delivery_failed": "tin báo lỗi gửi tin",
}


def lost_word(status: str) -> str:
    """ "đã hoãn" / "không được tổ chức" for a session that did not take place."""
    return LOST_VI.get(status, STATUS_VI.get(status, status))


# Loại: the word after "tiếp công dân" (tiếp công dân định kỳ / bù / đột xuất).
KIND_VI: Final[dict[str, str]] = {"periodic": "định kỳ", "makeup": "bù", "adhoc": "đột xuất"}
# A session of each kind named on its own: "buổi tiếp định kỳ", "buổi tiếp bù", "buổi tiếp đột xuất".
KIND_SESSION_VI: Final[dict[str, str]] = {k: f"buổi tiếp {v}" for k, v in KIND_VI.items()}
# The same words in a report's table: a kind as a column header ("Tiếp bù"), a status as a short
# cell ("hoãn", "không tổ chức"); said once here rather than in each renderer.
KIND_HEADER_VI: Final[dict[str, str]] = {"periodic": "Định kỳ", "makeup": "Tiếp bù", "adhoc": "Đột xuất"}
STATUS_CELL_VI: Final[dict[str, str]] = {
    "planned": "đã lên lịch",
    "held": "đã tiếp",
    "cancelled": "hoãn",
    "not_held": "không tổ chức",
}
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
