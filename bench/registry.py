"""A synthetic national registry of reception units, in the format of contracts/calendar.md.

Writes ``config.toml`` (levels, calendar, ``units_csv = "units.csv"``) and ``units.csv`` into a
directory. Two shapes:

- ``pre2025``: 63 provinces, 705 districts, 10,599 communes (commune -> district -> province);
- ``post2025``: 34 provinces, 3,321 communes (commune -> province), after the 2025 merger.

Party side: province and district committees 1 day a month, commune committees 2 days a month,
so the pre2025 registry makes 63*12 + 705*12 + 10,599*24 = 263,592 sessions a year. With
``chairs=True`` the People's Committee chairs (levels ``chair-province``, ``chair-district``,
``chair-commune``) are added on top, one per party unit, under their own parents.

Everything is drawn from a seeded ``random.Random``: the same (shape, seed, chairs) always
writes the same bytes.

Use from another script (``bench/`` is not a package)::

    import sys
    sys.path.insert(0, "bench")            # or str(Path(__file__).parent) from inside bench/
    from registry import write_registry

    config_toml = write_registry("bench/out/pre2025", "pre2025")   # -> Path to config.toml

A script that lives in ``bench/`` and is run as ``python bench/xxx.py`` already has ``bench/`` on
``sys.path`` and can just ``from registry import write_registry``.

Command line::

    .venv/bin/python bench/registry.py --shape pre2025 --out bench/out/pre2025 [--chairs]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SHAPES = ("pre2025", "post2025")

# Counts of the party side (units with a level of province, district, commune).
COUNTS = {
    "pre2025": {"province": 63, "district": 705, "commune": 10_599},
    "post2025": {"province": 34, "district": 0, "commune": 3_321},
}

PROVINCES_PRE2025 = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng",
    "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
    "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên",
    "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An",
    "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình",
    "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh",
    "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Hồ Chí Minh",
    "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]  # fmt: skip
CITIES_PRE2025 = {"Cần Thơ", "Đà Nẵng", "Hà Nội", "Hải Phòng", "Hồ Chí Minh"}

PROVINCES_POST2025 = [
    "Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ", "Tuyên Quang", "Cao Bằng",
    "Lai Châu", "Lào Cai", "Thái Nguyên", "Điện Biên", "Lạng Sơn", "Sơn La", "Phú Thọ", "Bắc Ninh",
    "Quảng Ninh", "Hưng Yên", "Ninh Bình", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Trị",
    "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Đồng Nai", "Tây Ninh",
    "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
]  # fmt: skip
CITIES_POST2025 = {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}

SYLLABLES = [
    "An", "Bình", "Châu", "Cẩm", "Đại", "Định", "Đông", "Đức", "Gia", "Hải", "Hòa", "Hồng",
    "Hưng", "Hiệp", "Khánh", "Kim", "Lạc", "Lâm", "Lợi", "Long", "Minh", "Mỹ", "Nam", "Ngọc",
    "Nghĩa", "Phong", "Phú", "Phúc", "Phước", "Quang", "Quảng", "Sơn", "Tân", "Tây", "Thạch",
    "Thái", "Thành", "Thạnh", "Thịnh", "Thuận", "Thượng", "Tiên", "Trung", "Trường", "Tuy",
    "Vạn", "Vĩnh", "Xuân", "Yên", "Hà", "Lương", "Bảo", "Cát", "Diên", "Hậu", "Kỳ", "Mường",
    "Na", "Pác", "Văn", "Vân", "Việt", "Điền", "Hợp", "Liên", "Tam", "Tứ", "Ngũ", "Lục",
]  # fmt: skip
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Nông", "Lò", "Hà", "Đinh"]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Hữu", "Thanh", "Quốc", "Ngọc", "Xuân", "Công"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Hương", "Lan", "Long", "Mai",
         "Nam", "Phương", "Quang", "Sơn", "Thảo", "Trung", "Tuấn", "Vinh", "Yến", "Khoa",
         "Hạnh", "Thắng", "Tâm", "Hiền"]  # fmt: skip
STREETS = ["Trần Hưng Đạo", "Lê Lợi", "Nguyễn Trãi", "Hùng Vương", "Quang Trung", "Lý Thường Kiệt",
           "Hai Bà Trưng", "Nguyễn Huệ", "Điện Biên Phủ", "Phan Đình Phùng"]  # fmt: skip

TIMES = ["07:30-11:30"] * 6 + ["07:30-11:00", "08:00-11:30", "13:30-17:00", "14:00-17:00"]

PROVINCE_DAYS = [(25,)] * 3 + [(15,), (20,), (10,)]
DISTRICT_DAYS = [(20,), (15,), (10,), (5,), (25,), (28,)]
COMMUNE_DAYS = [(10, 25)] * 3 + [(5, 20)] * 2 + [(15, 30)] * 2 + [(1, 15), (12, 27), (8, 22)]
COMMUNE_RRULES = [
    "FREQ=MONTHLY;BYDAY=+2TH,+4TH",
    "FREQ=MONTHLY;BYDAY=+1TU,+3TU",
    "FREQ=MONTHLY;BYDAY=+2WE,+4WE",
    "FREQ=MONTHLY;BYDAY=+1MO,+3MO",
]
CHAIR_COMMUNE_RRULES = ["FREQ=WEEKLY;BYDAY=TH", "FREQ=WEEKLY;BYDAY=TU", "FREQ=MONTHLY;BYDAY=+1TH,+3TH"]

CSV_HEADER = [
    "id", "name", "level", "parent", "days", "rrule", "time", "venue", "roll", "body", "place",
    "superior", "head_name", "head_title", "head_email", "head_phone",
]  # fmt: skip

CONFIG_TOML = """\
# Synthetic national registry ({shape}, seed {seed}) written by bench/registry.py.
# {summary}
timezone  = "Asia/Ho_Chi_Minh"
units_csv = "units.csv"
database  = "sqlite:///bench.db"
outbox_dir = "outbox"

[calendar]
country  = "VN"
roll     = "modified-following"
days_off = [
  {{ date = "2026-01-02", name = "Nghỉ Tết Dương lịch (hoán đổi)", source = "12729/VPCP-KGVX" }},
]
workdays = ["2026-01-10"]

[levels.province]
name     = "Bí thư Tỉnh ủy, Thành ủy"
min_days = 1
per      = "month"
basis    = "Quy định 11-QĐi/TW, sửa đổi theo Kết luận 215-KL/TW"

[levels.district]
name     = "Bí thư Huyện ủy, Quận ủy, Thị ủy, Thành ủy"
min_days = 1
per      = "month"
basis    = "Quy định 11-QĐi/TW"

[levels.commune]
name     = "Bí thư Đảng ủy xã, phường, thị trấn"
min_days = 2
per      = "month"
basis    = "Quy định 11-QĐi/TW; Kết luận 215-KL/TW"

[levels.chair-province]
name     = "Chủ tịch UBND tỉnh"
min_days = 1
per      = "month"
basis    = "Luật Tiếp công dân 42/2013/QH13, Điều 12"

[levels.chair-district]
name     = "Chủ tịch UBND huyện"
min_days = 2
per      = "month"
basis    = "Luật Tiếp công dân 42/2013/QH13, Điều 14"

[levels.chair-commune]
name     = "Chủ tịch UBND xã"
min_days = 2
per      = "month"
basis    = "Luật Tiếp công dân, sửa đổi bởi Luật số 136/2025/QH15"
earlier  = [
  {{ until = "2026-06-30", min_days = 1, per = "week", basis = "Luật Tiếp công dân 2013, Điều 15" }},
]
"""


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    name: str
    level: str
    parent: str
    days: str
    rrule: str
    time: str
    venue: str
    roll: str
    body: str
    place: str
    superior: str
    head_name: str
    head_title: str
    head_email: str
    head_phone: str


def slug(text: str) -> str:
    """ "Thừa Thiên Huế" -> "thua-thien-hue"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_ = unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode()
    out = "".join(c.lower() if c.isalnum() else "-" for c in ascii_)
    return "-".join(p for p in out.split("-") if p)


def split_counts(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` positive, uneven, seeded counts that sum to ``total``."""
    weights = [rng.uniform(0.4, 1.6) for _ in range(parts)]
    spare = total - parts
    scale = spare / sum(weights)
    raw = [w * scale for w in weights]
    counts = [1 + int(r) for r in raw]
    left = total - sum(counts)
    by_fraction = sorted(range(parts), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    for i in by_fraction[:left]:
        counts[i] += 1
    assert sum(counts) == total and min(counts) >= 1
    return counts


class _Builder:
    def __init__(self, shape: str, seed: int, chairs: bool) -> None:
        self.shape = shape
        self.rng = random.Random(f"tiepdan-registry-{shape}-{seed}")
        self.chairs = chairs
        self.rows: list[Row] = []
        self.ids: set[str] = set()
        self.chair_of: dict[str, str] = {}  # party unit id -> its People's Committee's id

    def unique_id(self, base: str) -> str:
        uid, n = base, 2
        while uid in self.ids:
            uid, n = f"{base}-{n}", n + 1
        self.ids.add(uid)
        return uid

    def place_name(self, taken: set[str]) -> str:
        rng = self.rng
        for _ in range(50):
            name = f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
            if name.split()[0] != name.split()[1] and name not in taken:
                taken.add(name)
                return name
        name = f"{rng.choice(SYLLABLES)} {len(taken) + 1}"
        taken.add(name)
        return name

    def person(self) -> str:
        rng = self.rng
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    def phone(self) -> str:
        return "+849" + "".join(str(self.rng.randrange(10)) for _ in range(8))

    def add(
        self,
        *,
        uid: str,
        name: str,
        level: str,
        parent: str,
        days: tuple[int, ...] | None = None,
        rrule: str = "",
        venue: str,
        roll: str = "",
        body: str = "party",
        place: str,
        superior: str = "",
        head_title: str,
    ) -> None:
        self.rows.append(
            Row(
                id=uid,
                name=name,
                level=level,
                parent=parent,
                days=";".join(str(d) for d in days) if days else "",
                rrule=rrule,
                time=self.rng.choice(TIMES),
                venue=venue,
                roll=roll,
                body=body,
                place=place,
                superior=superior,
                head_name=self.person(),
                head_title=head_title,
                head_email=f"{'chutich' if body == 'state' else 'bithu'}@{uid}.example.vn",
                head_phone=self.phone(),
            )
        )

    def commune_pattern(self) -> tuple[tuple[int, ...] | None, str, str]:
        """(days, rrule, roll): ~15% RRULE, the rest days; a few units roll their own way."""
        rng = self.rng
        if rng.random() < 0.15:
            days, rrule = None, rng.choice(COMMUNE_RRULES)
        else:
            days, rrule = rng.choice(COMMUNE_DAYS), ""
        r = rng.random()
        roll = "following" if r < 0.03 else "nearest" if r < 0.06 else ""
        return days, rrule, roll

    def build(self) -> list[Row]:
        rng = self.rng
        counts = COUNTS[self.shape]
        pre = self.shape == "pre2025"
        provinces = PROVINCES_PRE2025 if pre else PROVINCES_POST2025
        cities = CITIES_PRE2025 if pre else CITIES_POST2025
        assert len(provinces) == counts["province"], (len(provinces), counts["province"])

        if pre:
            districts_per = split_counts(counts["district"], len(provinces), rng)
            communes_per_district = split_counts(counts["commune"], counts["district"], rng)
        else:
            districts_per = [0] * len(provinces)
            communes_per_province = split_counts(counts["commune"], len(provinces), rng)
            # 2,621 xã, 687 phường, 13 đặc khu since 1/7/2025.
            kinds = ["xã"] * 2621 + ["phường"] * 687 + ["đặc khu"] * 13
            assert len(kinds) == counts["commune"]
            rng.shuffle(kinds)
        district_i = 0
        commune_i = 0
        for p_index, pname in enumerate(provinces):
            city = pname in cities
            full = ("thành phố " if city else "tỉnh ") + pname
            committee = ("Thành ủy " if city else "Tỉnh ủy ") + pname
            pid = self.unique_id(slug(pname))
            self.add(
                uid=pid,
                name=committee,
                level="province",
                parent="",
                days=rng.choice(PROVINCE_DAYS),
                venue=f"Trụ sở Tiếp công dân {full}, số {rng.randrange(1, 200)} đường {rng.choice(STREETS)}",
                place=pname,
                superior=f"Đảng bộ {full}",
                head_title="Bí thư " + committee,
            )
            if self.chairs:
                self.chair_of[pid] = self.unique_id("ubnd-" + pid)
                self.add(
                    uid=self.chair_of[pid],
                    name=f"Ủy ban nhân dân {full}",
                    level="chair-province",
                    parent="",
                    days=rng.choice([(15,), (20,), (10,)]),
                    venue=f"Trụ sở Tiếp công dân {full}",
                    body="state",
                    place=pname,
                    head_title=f"Chủ tịch UBND {full}",
                )
            parents: list[tuple[str, str, str]] = []  # (party id, name of superior body, place)
            if pre:
                taken: set[str] = set()
                for _ in range(districts_per[p_index]):
                    dname = self.place_name(taken)
                    kind = rng.choices(
                        ["huyện", "quận", "thị xã", "thành phố"], [70, 12 if city else 2, 9, 7]
                    )[0]
                    dcommittee = {"huyện": "Huyện ủy", "quận": "Quận ủy", "thị xã": "Thị ủy"}.get(
                        kind, "Thành ủy"
                    )
                    did = self.unique_id(f"{pid}-{slug(dname)}")
                    self.add(
                        uid=did,
                        name=f"{dcommittee} {dname}",
                        level="district",
                        parent=pid,
                        days=rng.choice(DISTRICT_DAYS),
                        venue=f"Trụ sở {dcommittee} {dname}",
                        place=dname,
                        superior=f"Đảng bộ {full}",
                        head_title=f"Bí thư {dcommittee} {dname}",
                    )
                    if self.chairs:
                        self.chair_of[did] = self.unique_id("ubnd-" + did)
                        self.add(
                            uid=self.chair_of[did],
                            name=f"Ủy ban nhân dân {kind} {dname}",
                            level="chair-district",
                            parent=self.chair_of[pid],
                            days=rng.choice([(10, 25), (5, 20), (15, 30)]),
                            venue=f"Ban Tiếp công dân {kind} {dname}",
                            body="state",
                            place=dname,
                            head_title=f"Chủ tịch UBND {kind} {dname}",
                        )
                    parents += [(did, f"Đảng bộ {kind} {dname}", dname)] * communes_per_district[district_i]
                    district_i += 1
            else:
                parents = [(pid, f"Đảng bộ {full}", pname)] * communes_per_province[p_index]
            taken_by_parent: dict[str, set[str]] = {}
            for parent_id, superior, _ in parents:
                kind = rng.choices(["xã", "phường", "thị trấn"], [80, 14, 6])[0] if pre else kinds[commune_i]
                commune_i += 1
                cname = self.place_name(taken_by_parent.setdefault(parent_id, set()))
                cid = self.unique_id(f"{parent_id}-{slug(cname)}")
                days, rrule, roll = self.commune_pattern()
                self.add(
                    uid=cid,
                    name=f"Đảng ủy {kind} {cname}",
                    level="commune",
                    parent=parent_id,
                    days=days,
                    rrule=rrule,
                    roll=roll,
                    venue=f"Trụ sở Đảng ủy {kind} {cname}",
                    place=cname,
                    superior=superior,
                    head_title=f"Bí thư Đảng ủy {kind} {cname}",
                )
                if self.chairs:
                    if rng.random() < 0.3:
                        cdays, crule = None, rng.choice(CHAIR_COMMUNE_RRULES)
                    else:
                        cdays, crule = rng.choice(COMMUNE_DAYS), ""
                    self.add(
                        uid=self.unique_id("ubnd-" + cid),
                        name=f"Ủy ban nhân dân {kind} {cname}",
                        level="chair-commune",
                        parent=self.chair_of[parent_id],
                        days=cdays,
                        rrule=crule,
                        roll=rng.choice(["", "", "", "nearest"]),
                        venue=f"Bộ phận Tiếp công dân {kind} {cname}",
                        body="state",
                        place=cname,
                        head_title=f"Chủ tịch UBND {kind} {cname}",
                    )
        assert commune_i == counts["commune"], commune_i
        assert district_i == counts["district"], district_i
        return self.rows


def build_rows(shape: str, *, seed: int = 2025, chairs: bool = False) -> list[Row]:
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    return _Builder(shape, seed, chairs).build()


def write_registry(out_dir: str | Path, shape: str, *, seed: int = 2025, chairs: bool = False) -> Path:
    """Write ``out_dir/config.toml`` and ``out_dir/units.csv``; return the path of config.toml."""
    rows = build_rows(shape, seed=seed, chairs=chairs)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "units.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(CSV_HEADER)
        for r in rows:
            w.writerow([getattr(r, c) for c in CSV_HEADER])
    by_level: dict[str, int] = {}
    for r in rows:
        by_level[r.level] = by_level.get(r.level, 0) + 1
    summary = f"{len(rows)} units: " + ", ".join(f"{k} {v}" for k, v in by_level.items())
    config = out / "config.toml"
    config.write_text(CONFIG_TOML.format(shape=shape, seed=seed, summary=summary), encoding="utf-8")
    return config


def sessions_in_year(config_toml: Path, year: int = 2027) -> int:
    """How many sessions the engine makes for the registry in ``year``."""
    from datetime import date

    from rules import plan_calendar
    from scheduler.infra.config import load_config

    config = load_config(config_toml)
    plan = plan_calendar(
        config.units,
        config.levels,
        config.calendar,
        date(year, 1, 1),
        date(year, 12, 31),
        default_roll=config.roll,
    )
    return plan.session_count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shape", choices=SHAPES, required=True)
    ap.add_argument("--out", required=True, type=Path, help="directory for config.toml and units.csv")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--chairs", action="store_true", help="add People's Committee chairs as well")
    ap.add_argument("--year", type=int, default=2027, help="year whose session count is printed")
    ap.add_argument("--no-count", action="store_true", help="do not run the engine to count sessions")
    args = ap.parse_args(argv)
    config = write_registry(args.out, args.shape, seed=args.seed, chairs=args.chairs)
    first = config.read_text(encoding="utf-8").splitlines()[1]
    print(f"wrote {config} and {config.parent / 'units.csv'}{first[1:]}")
    if not args.no_count:
        n = sessions_in_year(config, args.year)
        print(f"sessions in {args.year}: {n:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
