"""The document form of the report (biểu số liệu kèm theo báo cáo): what turns the HTML page and
the XLSX sheet into an annex a clerk attaches to the office's báo cáo công tác tiếp công dân.

Top left the issuing body (and its superior, for a party body), top right the report it goes
with ("Kèm theo Báo cáo số ..."); at the foot the place and date line, "Người lập biểu" and the
head's signature block, as in NĐ 30/2020 (state) and HD 36-HD/VPTW (party). What the office has
not given (the report's number, who prepared it) is left as dots to fill in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from notifiers.reports import labels
from rules.report import Report

DOTS = "........"


@dataclass(frozen=True, slots=True)
class Annex:
    superior: str  # upper case, or ""
    body: str  # upper case: "ĐẢNG ỦY XÃ AN KHÁNH", "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG"
    name: str  # as written: "Đảng ủy xã An Khánh"
    body_lines: tuple[str, ...]  # the letterhead's lines, broken between words, never in a place name
    party: bool
    number: str  # of the report it goes with: "05-BC/TU", "05/BC-UBND", or dots
    title: str  # "BIỂU TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN"
    period: str  # "quý I/2027 (từ 15/12/2026 đến 14/03/2027)"
    place_date: str  # "Cao Bằng, ngày ... tháng ... năm 20..."
    prepared_by: str  # the name under "NGƯỜI LẬP BIỂU", or ""
    sign_for: str  # "T/M BAN THƯỜNG VỤ", "TM. ỦY BAN NHÂN DÂN", or ""
    signer_title: str  # "BÍ THƯ", "CHỦ TỊCH", "THỦ TRƯỞNG CƠ QUAN"
    signer_name: str

    @property
    def goes_with(self) -> str:
        return f"(Kèm theo Báo cáo số {self.number} ngày {DOTS} của {self.body_name})"

    @property
    def body_name(self) -> str:
        return self.name or DOTS

    @property
    def mark(self) -> str:
        """Top right of a party document ("ĐẢNG CỘNG SẢN VIỆT NAM"), or the state's motto."""
        return "ĐẢNG CỘNG SẢN VIỆT NAM" if self.party else "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"

    @property
    def motto(self) -> str:
        return "" if self.party else "Độc lập - Tự do - Hạnh phúc"


LEVEL_WORDS = ("xã", "phường", "thị trấn", "đặc khu", "tỉnh", "thành phố", "huyện", "quận")


def body_lines(name: str, place: str) -> tuple[str, ...]:
    """ "Đảng ủy phường Thục Phán" -> ("ĐẢNG ỦY", "PHƯỜNG THỤC PHÁN"); "Tỉnh ủy Cao Bằng" ->
    ("TỈNH ỦY CAO BẰNG",): a line breaks before the level word of the place, if at all."""
    if place and name.endswith(place):
        head = name[: -len(place)].rstrip()
        for word in LEVEL_WORDS:
            if head.casefold().endswith(" " + word):
                cut = len(head) - len(word)
                return (head[:cut].strip().upper(), f"{head[cut:]} {place}".upper())
    return (name.upper(),)


def annex_of(report: Report, *, number: str = "", prepared_by: str = "") -> Annex:
    """The form for the report's scope (the unit asked for); without a scope, a neutral one."""
    unit = report.scope
    period = f"{labels.period_title(report)} ({report.range.first:%d/%m/%Y} - {report.range.last:%d/%m/%Y})"
    if unit is None:
        return Annex(
            "", "", "", (), False, number or DOTS, "BIỂU TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN", period,
            f"{DOTS}, ngày {DOTS} tháng {DOTS} năm {DOTS}", prepared_by, "", "THỦ TRƯỞNG CƠ QUAN", "",
        )  # fmt: skip
    party = unit.body == "party"
    if party:
        standing = unit.name.split(" ")[0] in ("Tỉnh", "Thành") or unit.name.startswith(
            ("Tỉnh ủy", "Thành ủy")
        )
        sign_for = "T/M BAN THƯỜNG VỤ" if standing else "T/M ĐẢNG ỦY"
        signer = "BÍ THƯ"
        default_number = f"{DOTS}-BC/{'TU' if standing else 'ĐU'}"
    else:
        sign_for, signer, default_number = "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", f"{DOTS}/BC-UBND"
    return Annex(
        superior=unit.superior.upper() if party else "",
        body=unit.name.upper(),
        name=unit.name,
        body_lines=body_lines(unit.name, unit.place),
        party=party,
        number=number or default_number,
        title="BIỂU TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN",
        period=period,
        place_date=f"{unit.place or DOTS}, ngày {DOTS} tháng {DOTS} năm {report.today.year}",
        prepared_by=prepared_by,
        sign_for=sign_for,
        signer_title=signer,
        signer_name=unit.head.name,
    )
