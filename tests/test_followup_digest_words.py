"""The conclusion digest's words: the unit's office greeted by its own name and asked to act on the
desk; its superior's office greeted by its own name and told what the unit must do; dates as
WORDING.md writes them; the SMS in one segment, parts joined by "; "."""

from __future__ import annotations

from datetime import date

from notifiers.followup_messages import conclusion_digest
from notifiers.sms_text import segments

LINK = "https://tiepdan.example.vn/desk/sessions/12/directions"
SESSIONS = [(date(2027, 3, 1), date(2027, 3, 8)), (date(2027, 3, 15), date(2027, 3, 22))]


def test_the_unit_is_asked_to_act_and_the_superior_to_see_that_it_does() -> None:
    unit = conclusion_digest("Đảng ủy xã Hòa Chung", SESSIONS, LINK, greet="Đảng ủy xã Hòa Chung",
                             supervisor=False, nth=2, last=False)  # fmt: skip
    assert unit.text.startswith("Kính gửi Văn phòng Đảng ủy xã Hòa Chung,")
    assert "- Buổi tiếp thứ Hai, ngày 01/03/2027 (hạn 08/03/2027)" in unit.text
    assert f"ban hành Thông báo kết luận tại: {LINK}" in unit.text and "(nhắc lần 2)" in unit.subject
    assert unit.sms == (
        "Chua co thong bao ket luan (nhac lan 2): Dang uy xa Hoa Chung, 2 buoi, som nhat ngay 01/03/2027; "
        + LINK
    )
    assert segments(unit.sms) == 1 and "tiepdan " not in unit.sms

    sup = conclusion_digest("Đảng ủy xã Hòa Chung", SESSIONS, LINK, greet="Tỉnh ủy Cao Bằng",
                            supervisor=True, nth=4, last=True)  # fmt: skip
    assert sup.text.startswith("Kính gửi Văn phòng Tỉnh ủy Cao Bằng,")
    assert "Đề nghị Văn phòng đôn đốc Đảng ủy xã Hòa Chung ban hành Thông báo kết luận" in sup.text
    assert "nhắc lần cuối" in sup.subject
