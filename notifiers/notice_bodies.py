"""Who is who on a notice: the issuing body (cơ quan ban hành), the head's title, the level
(cấp tỉnh / cấp xã) and the bodies that exist at that level, and the default "Căn cứ" lines.

Since 1/7/2025 a commune or ward has no Ban Tiếp công dân, no Thanh tra and no Ban Nội chính; it
has "công chức được giao tham mưu công tác tiếp công dân", "Thường trực Đảng ủy", "Thường trực
HĐND" and a "trang thông tin điện tử" (Luật 136/2025/QH15; Kết luận 215-KL/TW). A notice names
only bodies of its own level, so every default here is chosen by body (party/state) and tier.

The acts cited by default are data (``DEFAULT_ACTS``): each with the first day it can be cited,
so that a notice for 2025 does not cite a conclusion of November 2025.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from notifiers.views import Signature
from rules import Unit

Tier = Literal["province", "commune"]

# The kinds of place a body's name ends with, longest first ("thành phố" before "thành").
_PLACE_KINDS = ("thành phố", "đặc khu", "thị trấn", "thị xã", "phường", "tỉnh", "huyện", "quận", "xã")
_COMMUNE_KINDS = ("phường", "xã", "đặc khu", "thị trấn")
# Names of bodies before their place, as a letterhead's first line ("ỦY BAN NHÂN DÂN").
_BODY_PREFIXES = (
    "ủy ban nhân dân",
    "hội đồng nhân dân",
    "đảng ủy",
    "đảng bộ",
    "tỉnh ủy",
    "thành ủy",
    "huyện ủy",
    "quận ủy",
    "thị ủy",
)
_ABBREVIATIONS = (
    (re.compile(r"\bUBND\b"), "Ủy ban nhân dân"),
    (re.compile(r"\bHĐND\b"), "Hội đồng nhân dân"),
)
_STATE_ROLES = ("phó chủ tịch", "chủ tịch", "phó giám đốc", "giám đốc", "phó chánh", "chánh", "trưởng")


@dataclass(frozen=True, slots=True)
class Locality:
    """Where a body sits: "phường" and "Thục Phán" for "Đảng ủy phường Thục Phán"."""

    tier: Tier
    kind: str  # "tỉnh", "thành phố", "phường", "xã", "đặc khu" ("" when not read from the name)
    place: str  # "Thục Phán", "Cao Bằng"


def split_body(name: str) -> tuple[str, str]:
    """ "Ủy ban nhân dân phường Thục Phán" -> ("Ủy ban nhân dân", "phường Thục Phán");
    ("", name) when the name does not start with a known body."""
    low = name.lower()
    for prefix in _BODY_PREFIXES:
        if low.startswith(prefix + " "):
            return name[: len(prefix)], name[len(prefix) + 1 :].strip()
    return "", name


def locality(unit: Unit) -> Locality:
    """The unit's level read from its name: "Tỉnh ủy Cao Bằng" and "Ủy ban nhân dân tỉnh Cao
    Bằng" are provincial, "Đảng ủy phường Thục Phán" and "Ủy ban nhân dân xã X" communal."""
    body, rest = split_body(unit.name)
    low_body, low_rest = body.lower(), rest.lower()
    if low_body in ("tỉnh ủy", "thành ủy"):
        return Locality("province", "tỉnh" if low_body == "tỉnh ủy" else "thành phố", rest)
    for kind in _PLACE_KINDS:
        if low_rest.startswith(kind + " "):
            tier: Tier = "commune" if kind in _COMMUNE_KINDS else "province"
            return Locality(tier, kind, rest[len(kind) + 1 :].strip())
    low = unit.name.lower()
    tier = "commune" if any(f"{k} " in low for k in _COMMUNE_KINDS) else "province"
    return Locality(tier, "", unit.place)


def spell_out(text: str) -> str:
    """ "Chủ tịch UBND phường" -> "Chủ tịch Ủy ban nhân dân phường": state documents spell the
    body out."""
    for pattern, full in _ABBREVIATIONS:
        text = pattern.sub(full, text)
    return text


def issuing_body(unit: Unit) -> str:
    """The body that "thông báo", matching the signature: a party committee's notice is signed
    "T/M BAN THƯỜNG VỤ", so "Ban Thường vụ Tỉnh ủy Cao Bằng"; a People's Committee's
    "TM. ỦY BAN NHÂN DÂN", so the committee itself."""
    if unit.body == "party":
        return f"Ban Thường vụ {unit.name}"
    return unit.name


def state_title(unit: Unit) -> str:
    """The head's title in a state document, body spelled out and placed: "Chủ tịch Ủy ban nhân
    dân phường Thục Phán" (from "Chủ tịch UBND phường" and the unit's name)."""
    title = spell_out(unit.head.title.strip())
    low = title.lower()
    body, _ = split_body(unit.name)
    if body:
        for role in _STATE_ROLES:
            if low.startswith(role):
                return f"{title[: len(role)]} {unit.name}"
    return title or f"Người đứng đầu {unit.name}"


def head_phrase(unit: Unit) -> str:
    """Whoever holds the office, inside a sentence: "đồng chí Bí thư Tỉnh ủy" (party),
    "Chủ tịch Ủy ban nhân dân phường Thục Phán" (state: never "đồng chí")."""
    if unit.body == "state":
        return state_title(unit)
    title = unit.head.title.strip()
    return f"đồng chí {title}" if title else f"người đứng đầu {unit.name}"


def receiver_phrase(unit: Unit) -> str:
    """The person who receives: "đồng chí Nguyễn Văn A, Bí thư Tỉnh ủy" (party), "Vũ Văn H,
    Chủ tịch Ủy ban nhân dân phường Thục Phán" (state)."""
    name = unit.head.name.strip()
    if unit.body == "state":
        title = state_title(unit)
        return f"{name}, {title}" if name else title
    title = unit.head.title.strip()
    if name and title:
        return f"đồng chí {name}, {title}"
    if name:
        return f"đồng chí {name}"
    return f"đồng chí {title}" if title else f"người đứng đầu {unit.name}"


def _short_party(unit: Unit) -> str:
    """ "Tỉnh ủy", "Đảng ủy": the committee without its place, as documents say it inside."""
    body, _ = split_body(unit.name)
    return body or unit.name


def default_attendees(unit: Unit) -> str:
    """Who attends the head's sessions, by body and level."""
    loc = locality(unit)
    if unit.body == "party":
        if loc.tier == "commune":
            return (
                "đại diện Thường trực Đảng ủy, Ủy ban Kiểm tra Đảng ủy, Văn phòng Đảng ủy, công chức "
                "được giao tham mưu công tác tiếp công dân và các cơ quan, đơn vị có liên quan đến nội "
                "dung công dân phản ánh"
            )
        party = _short_party(unit)
        return (
            f"đại diện lãnh đạo Ủy ban Kiểm tra {party}, Ban Nội chính {party}, Văn phòng {party}, "
            "Ban Tiếp công dân tỉnh và các cơ quan, đơn vị có liên quan đến nội dung công dân phản ánh"
        )
    if loc.tier == "commune":
        return (
            "công chức được giao tham mưu công tác tiếp công dân và đại diện lãnh đạo các phòng chuyên "
            "môn, đơn vị có liên quan đến nội dung công dân phản ánh"
        )
    where = f"{loc.kind} " if loc.kind else ""
    return (
        f"Chánh Thanh tra {where}, Trưởng Ban Tiếp công dân {where}và thủ trưởng các cơ quan chuyên môn "
        "có liên quan đến nội dung công dân phản ánh"
    ).replace(" ,", ",")


def default_recipients(unit: Unit) -> tuple[str, ...]:
    """Nơi nhận, by body and level: only bodies that exist there."""
    loc = locality(unit)
    kind = loc.kind or ("xã" if loc.tier == "commune" else "tỉnh")
    if unit.body == "party":
        party = _short_party(unit)
        if loc.tier == "commune":
            return (
                "Thường trực Đảng ủy",
                "Các đồng chí Ủy viên Ban Thường vụ Đảng ủy",
                f"Ủy ban nhân dân {kind}",
                "Nơi tiếp công dân (niêm yết)",
                f"Trang thông tin điện tử {kind}",
                "Lưu Văn phòng Đảng ủy",
            )
        return (
            f"Thường trực {party}",
            f"Các đồng chí Ủy viên Ban Thường vụ {party}",
            "Các cơ quan, đơn vị liên quan",
            "Nơi tiếp công dân (niêm yết)",
            "Trang thông tin điện tử",
            f"Lưu Văn phòng {party}",
        )
    if loc.tier == "commune":
        return (
            f"Thường trực Đảng ủy {kind}",
            f"Thường trực HĐND {kind}",
            f"Chủ tịch, các Phó Chủ tịch UBND {kind}",
            "Các phòng chuyên môn, đơn vị liên quan",
            "Nơi tiếp công dân (niêm yết)",
            f"Trang thông tin điện tử {kind}",
            "Lưu: VT",
        )
    return (
        f"Thường trực {'Thành ủy' if kind == 'thành phố' else 'Tỉnh ủy'}",
        f"Thường trực HĐND {kind}",
        f"Chủ tịch, các Phó Chủ tịch UBND {kind}",
        f"Thanh tra {kind}",
        f"Ban Tiếp công dân {kind}",
        "Các sở, ban, ngành liên quan",
        f"Cổng thông tin điện tử {kind}",
        "Lưu: VT",
    )


# --------------------------------------------------------------------------------- căn cứ

Body = Literal["party", "state"]


@dataclass(frozen=True, slots=True)
class Act:
    """A legal act a notice cites by default, as the line reads, from the day it can be cited."""

    body: Body
    since: date
    line: str
    until: date | None = None  # the last day this wording is cited (an amendment follows)


DEFAULT_ACTS: tuple[Act, ...] = (
    Act(
        "party",
        date(2019, 2, 18),
        "Thực hiện Quy định số 11-QĐi/TW ngày 18/02/2019 của Bộ Chính trị về trách nhiệm của người "
        "đứng đầu cấp ủy trong việc tiếp dân, đối thoại trực tiếp với dân và xử lý những phản ánh, "
        "kiến nghị của dân",
    ),
    Act(
        "party",
        date(2025, 11, 23),
        "Kết luận số 215-KL/TW ngày 23/11/2025 của Bộ Chính trị về việc sửa đổi, bổ sung Quy định số "
        "11-QĐi/TW ngày 18/02/2019 của Bộ Chính trị",
    ),
    Act("state", date(2014, 7, 1), "Căn cứ Luật Tiếp công dân ngày 25 tháng 11 năm 2013", date(2026, 6, 30)),
    Act(
        "state",
        date(2026, 7, 1),
        "Căn cứ Luật Tiếp công dân ngày 25 tháng 11 năm 2013, được sửa đổi, bổ sung bởi Luật số "
        "136/2025/QH15 ngày 10 tháng 12 năm 2025",
    ),
    Act(
        "state",
        date(2014, 8, 15),
        "Căn cứ Nghị định số 64/2014/NĐ-CP ngày 26/6/2014 của Chính phủ quy định chi tiết một số điều "
        "của Luật Tiếp công dân",
    ),
    Act(
        "state",
        date(2021, 11, 16),
        "Căn cứ Thông tư số 04/2021/TT-TTCP ngày 01/10/2021 của Thanh tra Chính phủ quy định quy trình "
        "tiếp công dân",
    ),
)


def default_basis(unit: Unit, last: date) -> tuple[str, ...]:
    """The "Căn cứ" / "Thực hiện" lines of a notice about days up to ``last``, when neither the
    unit nor its level sets ``notice_basis``: the acts of its body that can be cited by then."""
    wanted = [a for a in DEFAULT_ACTS if a.body == unit.body and a.since <= last]
    # Of two wordings of one act, the one in force on ``last``.
    return tuple(a.line for a in wanted if a.until is None or a.until >= last)


def letterhead_lines(name: str, width_chars: int) -> tuple[str, ...]:
    """A body's name upper case on a letterhead's lines, broken between the words of the body's
    name and never inside a place name: "ĐẢNG ỦY / PHƯỜNG THỤC PHÁN", "ỦY BAN NHÂN DÂN / TỈNH
    CAO BẰNG". ``width_chars`` is how many capitals the column holds."""
    up = " ".join(name.upper().split())
    if len(up) <= width_chars:
        return (up,)
    body, rest = split_body(name)
    lines: list[str] = []
    if body:
        lines.append(body.upper())
    else:
        low = name.lower()
        cut = min(
            (i for k in _PLACE_KINDS for i in [low.find(f" {k} ")] if i > 0),
            default=-1,
        )
        if cut < 0:
            return (up,)
        lines.append(name[:cut].upper().strip())
        rest = name[cut + 1 :]
    rest = " ".join(rest.upper().split())
    if len(rest) <= width_chars:
        return (*lines, rest)
    for kind in _PLACE_KINDS:
        if rest.lower().startswith(kind + " "):
            # The place's own words are held together (no-break spaces).
            place = rest[len(kind) + 1 :].replace(" ", "\u00a0")
            return (*lines, rest[: len(kind)], place)
    return (*lines, rest.replace(" ", "\u00a0"))


# --------------------------------------------------------------------------------- number and signature

# Abbreviations of the issuing party body in the number ("Số 12-TB/TU"), by the name's start.
_PARTY_ABBREVIATIONS = (
    ("tỉnh ủy", "TU"),
    ("thành ủy", "TU"),
    ("thị ủy", "TU"),
    ("huyện ủy", "HU"),
    ("quận ủy", "QU"),
    ("đảng ủy", "ĐU"),
)
_ROLES = ("phó bí thư", "bí thư", "phó chủ tịch", "chủ tịch", "phó giám đốc", "giám đốc", "chánh thanh tra")
BLANK_NUMBER = "    "  # room for the registry's number, written by hand or typed in later


def abbreviation(unit: Unit) -> str:
    name = unit.name.lower()
    if unit.body == "party":
        return next((abbr for start, abbr in _PARTY_ABBREVIATIONS if name.startswith(start)), "TU")
    return "UBND"


def number_line(unit: Unit, number: str | None) -> str:
    """ "Số 05-TB/TU" (party, HD 36) or "Số: 05/TB-UBND" (state, NĐ 30), two digits at least;
    blanks when not given. A full number ("12-TB/VPTU") is kept as written."""
    n = (number or "").strip()
    if n.lower().startswith("số"):
        return n
    if n and not n.isdigit():
        return f"Số {n}" if unit.body == "party" else f"Số: {n}"
    n = f"{int(n):02d}" if n else BLANK_NUMBER
    if unit.body == "party":
        return f"Số {n}-TB/{abbreviation(unit)}"
    return f"Số: {n}/TB-{abbreviation(unit)}"


def _role(title: str) -> str:
    low = title.lower().strip()
    for role in _ROLES:
        if low.startswith(role):
            return role.upper()
    return title.upper()


def default_signature(unit: Unit, signer: str | None = None) -> Signature:
    """The signature block: party "T/M BAN THƯỜNG VỤ / BÍ THƯ", state "TM. ỦY BAN NHÂN DÂN /
    CHỦ TỊCH". ``signer`` is a name, or lines and a name joined by "|"
    ("KT. CHỦ TỊCH|PHÓ CHỦ TỊCH|Trần Văn B")."""
    parts = [p.strip() for p in (signer or "").split("|") if p.strip()]
    if len(parts) > 1:
        return Signature(tuple(parts[:-1]), parts[-1])
    name = parts[0] if parts else unit.head.name
    role = _role(unit.head.title) if unit.head.title else ""
    lines: tuple[str, ...]
    if unit.body == "party":
        lines = ("T/M BAN THƯỜNG VỤ", role or "BÍ THƯ")
    elif unit.name.lower().startswith("ủy ban nhân dân"):
        lines = ("TM. ỦY BAN NHÂN DÂN", role or "CHỦ TỊCH")
    else:
        lines = (role,) if role else ()
    return Signature(lines, name)
