"""A synthetic district for benchmarks and demos: `gridwork seed --households N --seed S`.

Generation is pure Python and deterministic: the same households, seed and as-of date give the
same rows, ids included; server/store/bulk.py writes them with COPY. Address text comes from
canonical_key / canonical_text / search_text and citizen IDs from make_citizen_id, so the rows
are what the API would have created. Ids are UUIDv7-shaped but built from a counter, not the
clock: milliseconds = midnight UTC of the as-of date + counter // 4096, the 12 bits after the
version = counter % 4096, the 62 variant bits = a salt drawn from the seed + counter * an odd
constant. They sort in creation order like the app's uuid7s; two seeds differ in the salt.
The county code (33ccnn: never ending in 00, never the demo's 330106) comes from the seed, and
so does the district's place: one of 80 slots 0.3 degrees apart around lon 120.13, lat 30.27.
"""

from __future__ import annotations

import math
import random
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from server.auth.actor import system
from server.domain.addresses import AddressParts, canonical_key, canonical_text, search_text
from server.domain.id_numbers import make_citizen_id
from server.errors import Conflict, ValidationFailed
from server.store import audit, bulk

AS_OF = date(2026, 11, 1)  # the seeded data's "today": fixed, so that runs are identical
CENTRE, SLOT_STEP, CELL = (120.13, 30.27), 0.3, (0.0045, 0.0036)  # degrees (lon, lat); CELL: one grid
PROCESS_FROM = 20_000  # households: from here on, generation runs in its own process

# The name tables are data (seed_data/names.yaml): their order is part of what a seed produces.
_NAMES = yaml.safe_load((Path(__file__).parent / "seed_data" / "names.yaml").read_text(encoding="utf-8"))
SURNAMES = "".join(_NAMES["surnames"].split())  # most common first
GIVEN = {sex: "".join(chars.split()) for sex, chars in _NAMES["given"].items()}
MINORITIES = _NAMES["minorities"].split()
FOREIGNERS = {sex: list(names) for sex, names in _NAMES["foreigners"].items()}
CITIES = _NAMES["cities"].split()  # 3301..3311
ORIGINS = [list(origin) for origin in _NAMES["origins"]]  # [county code, its name]
PLACES = _NAMES["places"].split()
UNIT_KINDS = {  # kind: (weight, fewest and most employees, names)
    "shop": (40, 1, 4, _NAMES["unit_names"]["shop"]),
    "company": (25, 3, 20, _NAMES["unit_names"]["company"]),
    "other": (10, 1, 5, _NAMES["unit_names"]["other"]),
    "hotel": (8, 4, 12, _NAMES["unit_names"]["hotel"]),
    "site": (7, 8, 30, _NAMES["unit_names"]["site"]),
    "school": (5, 8, 30, _NAMES["unit_names"]["school"]),
    "hospital": (5, 5, 25, _NAMES["unit_names"]["hospital"]),
}
PHONES = _NAMES["phone_prefixes"].split()  # mobile numbers: 1, a prefix, 8 digits

CATEGORIES = ("floating", "lodger", "permanent", "foreign", "unregistered")
ORIGIN = {"permanent": "local", "lodger": "city", "floating": "far", "unregistered": "none"}
_CN, _GOLDEN, _MASK62 = "零一二三四五六七八九十", 0x9E3779B97F4A7C15, (1 << 62) - 1


@dataclass
class Chunk:
    """Rows per table (tuples of text in bulk.COLUMNS order) for one community's grids."""

    households: int = 0
    rows: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in bulk.LOAD_ORDER})


class Generator:
    """Everything random comes from one random.Random seeded with the seed, in one order."""

    def __init__(self, households: int, seed: int, as_of: date = AS_OF):
        if households < 1:
            raise ValidationFailed(errors={"households": ["Must be at least 1."]})
        self.households, self.as_of, self.today = households, as_of, as_of.toordinal()
        self.rng = random.Random(f"gridwork-seed:{seed}")
        self.rand = rand = self.rng.random
        self.ri = lambda low, high: low + int(rand() * (high - low + 1))  # random.randint, faster
        self.pick = lambda seq: seq[int(rand() * len(seq))]  # random.choice, faster
        self.day = lambda ordinal: date.fromordinal(ordinal).isoformat()
        self._id_ms = int(datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC).timestamp() * 1000)
        self._id_salt, self._id_n = self.rng.getrandbits(62), 0
        self.documents: set[tuple[str, str]] = set()
        self.doors: dict[str, int] = {}
        self.areas = self._plan()  # divisions, stations, grids; self.grids: what households come from

    def new_id(self) -> str:
        n = self._id_n
        self._id_n += 1
        value = (
            ((self._id_ms + (n >> 12)) << 80)
            | (0x7 << 76)
            | ((n & 0xFFF) << 64)
            | (0b10 << 62)
            | ((self._id_salt + n * _GOLDEN) & _MASK62)
        )
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def stamp(self, ordinal: int) -> str:
        """A moment in office hours of that local day (China is UTC+8 all year)."""
        s = self.ri(8 * 3600, 20 * 3600 - 1)
        return f"{self.day(ordinal)} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+08"

    def delay(self, late_share: float, latest: int = 60) -> int:
        """Days from an event to its report: 0..7, or 8..latest for the late share."""
        return self.ri(8, latest) if self.rand() < late_share else min(self.ri(0, 7), self.ri(0, 7))

    def door(self, street: str) -> int:
        self.doors[street] = n = self.doors.get(street, -1) + self.pick((2, 2, 2, 4))
        return n

    def names(self, count: int, suffixes: str) -> list[str]:
        pool, endings = self.rng.sample(PLACES, len(PLACES)), suffixes.split()
        return [
            pool[i % len(pool)] + ("", "东", "西", "南", "北")[i // len(pool) % 5] + self.pick(endings)
            for i in range(count)
        ]

    # -- divisions, stations, grids -------------------------------------------------------------

    def _plan(self) -> Chunk:
        ri, n = self.ri, self.households
        city, county = ri(1, 11), ri(1, 99)
        while (city, county) == (1, 6):  # 330106 is the demo district's
            city, county = ri(1, 11), ri(1, 99)
        code = self.county_code = f"33{city:02d}{county:02d}"
        self.city, self.county_name = CITIES[city - 1], self.pick(PLACES) + "区"
        slot = int(code) * 7919 % 80
        slot += slot >= 40
        cx, cy = CENTRE[0] + (slot % 9 - 4) * SLOT_STEP, CENTRE[1] + (slot // 9 - 4) * SLOT_STEP
        count = max(1, min(n // 200, max(math.ceil(n / 400), round(n / 300))))
        sizes = [n // count + (i < n % count) for i in range(count)]
        for i in range(count - 1):  # move households between neighbours, staying within 200..400
            lo, hi = max(-60, 200 - sizes[i], sizes[i + 1] - 400), min(60, 400 - sizes[i], sizes[i + 1] - 200)
            move = ri(lo, hi) if lo <= hi else 0
            sizes[i], sizes[i + 1] = sizes[i] + move, sizes[i + 1] - move
        cols = math.ceil(math.sqrt(count))
        rows = math.ceil(count / cols)
        order = []  # a snake through bands of two rows: every run of it is a compact patch
        for band in range(0, rows, 2):
            for i, c in enumerate(range(cols) if band // 2 % 2 == 0 else range(cols - 1, -1, -1)):
                order += [(c, y) for y in ((band, band + 1) if i % 2 == 0 else (band + 1, band)) if y < rows]
        x0, y0 = cx - cols * CELL[0] / 2, cy - rows * CELL[1] / 2
        xs = [round(x0 + i * CELL[0], 6) for i in range(cols + 1)]
        ys = [round(y0 + i * CELL[1], 6) for i in range(rows + 1)]
        ew_roads, ns_roads = self.names(rows, "路 路 路 大道"), self.names(cols, "路 路 街")
        runs: list[list[Any]] = []  # a community: 3..6 grids; a town: 5..9 communities
        order = order[:count]
        while len(order) > sum(map(len, runs)):
            runs.append(order[sum(map(len, runs)) :][: ri(3, 6)])
        towns: list[list[list[Any]]] = []
        while len(runs) > sum(map(len, towns)):
            towns.append(runs[sum(map(len, towns)) :][: ri(5, 9)])
        grids: list[Any] = []
        areas, created = Chunk(), self.stamp(self.today - 1500)
        add = lambda table, *row: areas.rows[table].append((*row, created, created))  # noqa: E731
        county_id = self.new_id()
        add("divisions", county_id, code, self.county_name, "county", None)
        town_names, community_names = self.names(len(towns), "街道 街道 镇"), iter(self.names(len(runs), "社区"))
        for t, (town_name, town_runs) in enumerate(zip(town_names, towns, strict=True), start=1):
            town_id, station_id = self.new_id(), self.new_id()
            add("divisions", town_id, f"{code}{t:03d}", town_name, "town", county_id)
            station_name = town_name.removesuffix("街道").removesuffix("镇") + "派出所"
            add("stations", station_id, f"{code}-PS{t:02d}", station_name)
            for c, cells in enumerate(town_runs, start=1):
                comm_id, comm_code, comm_name = self.new_id(), f"{code}{t:03d}{c:03d}", next(community_names)
                add("divisions", comm_id, comm_code, comm_name, "community", town_id)
                for g, (col, row) in enumerate(cells, start=1):
                    b = (xs[col], ys[row], xs[col + 1], ys[row + 1])
                    ring = f"{b[0]} {b[1]},{b[2]} {b[1]},{b[2]} {b[3]},{b[0]} {b[3]},{b[0]} {b[1]}"
                    grid_id = self.new_id()
                    add(
                        "grids",
                        grid_id,
                        f"{comm_code}-G{g:02d}",
                        f"{comm_name[:-2]}{_CN[g]}网格",
                        f"SRID=4326;MULTIPOLYGON((({ring})))",
                        comm_id,
                        station_id,
                    )
                    grids.append(
                        {
                            "id": grid_id,
                            "community_id": comm_id,
                            "bounds": b,
                            "ew_road": ew_roads[row],
                            "households": sizes[len(grids)],
                            "divisions": (town_name, comm_name),
                            "ns_road": ns_roads[col],
                            "last": g == len(cells),
                        }
                    )
        self.grids, self.bounds = grids, (xs[0], ys[0], xs[-1], ys[-1])
        return areas

    # -- people -----------------------------------------------------------------------------------

    def person(self, rows, origin: str, age=(18, 60), sex=None, surname=None, hukou=None) -> tuple[str, int]:
        """Adds a person; returns (id, birth ordinal). origin: local (this county), city (another county
        of the city), far (another province or city), foreign, hmt (Hong Kong/Macao) or none."""
        rand, pick = self.rand, self.pick
        sex = sex or ("male" if rand() < 0.5 else "female")
        birth = self.today - self.ri(age[0] * 365 + 1, age[1] * 365 + 360)
        born = date.fromordinal(birth)
        given = GIVEN[sex]
        name = (
            (surname or SURNAMES[int(len(SURNAMES) * rand() ** 2)])
            + pick(given)
            + (pick(given) if rand() < 0.7 else "")
        )
        doc_type: str | None  # None: unregistered, no document
        ethnicity, doc_type, number = "汉族" if rand() < 0.94 else pick(MINORITIES), "citizen_id", None
        if origin == "foreign":
            name, ethnicity, doc_type = pick(FOREIGNERS[sex]), None, "passport"
            number = self.unique(doc_type, lambda: pick(("", "M", "TK", "P", "E")) + f"{self.ri(0, 10**8 - 1):08d}")
        elif origin == "hmt" and rand() < 0.5:
            ethnicity, doc_type = None, "hmt_residence_permit"
            number = self.citizen_id(pick(("810000", "820000")), born, sex, doc_type)
        elif origin == "hmt":
            ethnicity, doc_type = None, "hk_macao_travel_permit"
            number = self.unique(doc_type, lambda: pick("HHHM") + f"{self.ri(0, 10**8 - 1):08d}")
        elif origin == "none":
            doc_type = None
        else:
            area, place = self.origin(origin)
            hukou = hukou or f"{place}{pick(PLACES)}路{self.ri(1, 300)}号"
            number = self.citizen_id(area, born, sex)
        phone = f"1{pick(PHONES)}{self.ri(0, 10**8 - 1):08d}" if self.today - birth > 5844 and rand() < 0.92 else None
        pid = self.new_id()
        rows["persons"].append(
            (pid, name, sex, ethnicity, born.isoformat(), doc_type, number, hukou, phone, self.created, self.created)
        )
        return pid, birth

    def origin(self, kind: str) -> tuple[str, str]:
        """(area code, place) of a household registration."""
        code, pick = self.county_code, self.pick
        if kind == "local":
            return code, f"浙江省{self.city}市{self.county_name}"
        if kind == "city":
            return (
                f"{code[:4]}{pick([k for k in range(1, 13) if k != int(code[4:])]):02d}",
                f"浙江省{self.city}市{pick(PLACES)}区",
            )
        if self.rand() < 0.85:
            area, place = pick(ORIGINS)
            return area, f"{place}{pick(PLACES)}镇"
        city = pick([c for c in range(1, 12) if c != int(code[2:4])])
        return f"33{city:02d}{self.ri(1, 30):02d}", f"浙江省{CITIES[city - 1]}市{pick(PLACES)}县"

    def citizen_id(self, area: str, born: date, sex: str, doc_type: str = "citizen_id") -> str:
        start = self.ri(0, 499)
        for k in range(500):  # odd sequence numbers for men, even for women
            number = make_citizen_id(area, born, 2 * ((start + k) % 500) + (sex == "male"))
            if (doc_type, number) not in self.documents:
                self.documents.add((doc_type, number))
                return number
        raise RuntimeError(f"no sequence number left for {area} {born}")

    def unique(self, doc_type: str, make) -> str:
        while (doc_type, number := make()) in self.documents:
            pass
        self.documents.add((doc_type, number))
        return number

    def family(self, rows, size: int, category: str, hukou=None) -> list[tuple[str, int, str]]:
        """Members (id, birth, category): a head, mostly a spouse, then children or a parent."""
        rand, ri = self.rand, self.ri
        origin = ORIGIN.get(category) or self.pick(("foreign", "foreign", "hmt"))
        head_sex = "male" if rand() < 0.6 else "female"
        family_name = SURNAMES[int(len(SURNAMES) * rand() ** 2)]  # the father's
        head = self.person(rows, origin, (24, 72), head_sex, family_name if head_sex == "male" else None, hukou)
        members, head_age = [(*head, category)], (self.today - head[1]) // 365
        for i in range(1, size):
            if i == 1 and rand() < 0.85:
                sex, age = ("female", "male")[head_sex == "female"], max(20, head_age + ri(-5, 5))
                member = self.person(rows, origin, (age, age), sex, family_name if sex == "male" else None, hukou)
            elif head_age < 55 and rand() < 0.25:
                age = min(95, head_age + ri(22, 32))
                member = self.person(rows, origin, (age, age), hukou=hukou)
            else:
                child_origin = "none" if rand() < 0.03 else origin
                member = self.person(
                    rows,
                    child_origin,
                    (0, max(0, min(25, head_age - 21))),
                    None,
                    family_name,
                    hukou if child_origin == origin else None,
                )
                if child_origin == "none":
                    members.append((*member, "unregistered"))
                    continue
            members.append((*member, category))
        return members

    def reside(self, rows, house_id: str, member, arrived: int, left: int | None = None, source="worker"):
        today = self.today
        pid, birth, category = member
        arrived, d = max(arrived, birth), self.delay(0.08)
        if arrived + d > today:
            arrived = max(birth, today - d)
            d = min(d, today - arrived)
        reported, gone = self.stamp(arrived + d), None
        if left is not None:
            left = max(left, arrived)
            gone = self.stamp(min(today, left + self.delay(0.05, 30)))
        verification = "confirmed" if left is not None or self.rand() < 0.86 else "pending"
        rows["residences"].append(
            (
                self.new_id(),
                pid,
                house_id,
                category,
                self.day(arrived),
                None if left is None else self.day(left),
                reported,
                gone,
                source,
                verification,
                reported,
                gone or reported,
            )
        )
        if left is None and 18 * 365 < today - birth < 60 * 365:
            self.workers.append((pid, birth))

    def tenant(self, rows, house_id: str, arrived: int, left: int | None = None, category: str | None = None):
        category = category or self.rng.choices(CATEGORIES, (80, 10, 3, 4, 3))[0]
        origin = ORIGIN.get(category) or self.pick(("foreign", "hmt"))
        member = (*self.person(rows, origin, (18, 55)), category)
        self.reside(rows, house_id, member, arrived, left, self.pick(("landlord", "landlord", "worker")))

    def landlord(self, rows) -> str:
        if self.landlords and self.rand() < 0.3:  # owns several flats
            return self.pick(self.landlords)
        if self.owners and self.rand() < 0.4:  # lives in the grid
            pid = self.pick(self.owners)
        else:
            pid = self.person(rows, self.pick(("local", "local", "city")), (35, 75))[0]
        self.landlords.append(pid)
        return pid

    # -- addresses, houses, units -----------------------------------------------------------------

    def chunks(self):
        """The households: one Chunk per community, in order."""
        chunk = Chunk()
        for grid in self.grids:
            self.grid(grid, chunk.rows)
            chunk.households += grid["households"]
            if grid["last"]:
                yield chunk
                chunk = Chunk()

    def grid(self, grid: dict, rows: dict) -> None:
        surveyed, rent_share = self.today - self.ri(30, 700), 0.22 + 0.23 * self.rand()
        self.owners: list[Any] = []
        self.landlords: list[Any] = []
        self.workers: list[Any] = []
        for parts, lon, lat in self.layout(grid):
            self.created = self.stamp(surveyed + self.ri(0, 25))
            full, address_id = canonical_text(parts, grid["divisions"]), self.new_id()
            rows["addresses"].append(
                (
                    address_id,
                    grid["community_id"],
                    grid["id"],
                    parts.street,
                    parts.door,
                    parts.building,
                    parts.unit,
                    parts.floor,
                    parts.room,
                    full,
                    canonical_key(parts),
                    search_text(full),
                    f"SRID=4326;POINT({lon:.7f} {lat:.7f})",
                    self.created,
                    self.created,
                )
            )
            self.hukou_here = f"浙江省{self.city}市{self.county_name}{full.replace(' ', '')}"
            self.house(rows, grid, address_id, parts.building is None, rent_share)

    def layout(self, grid: dict):
        """(parts, lon, lat) strictly inside the grid: courtyard houses (street and door only) in a
        western strip, flats (building, unit, floor, room) in blocks of compounds east of it."""
        r, ri, n = self.rng, self.ri, grid["households"]
        x0, y0, x1, y1 = grid["bounds"]
        mx, my = (x1 - x0) * 0.04, (y1 - y0) * 0.04
        share = self.pick((0, 0, r.uniform(0.1, 0.3), r.uniform(0.1, 0.3), r.uniform(0.5, 0.9)))
        yards = round(n * share)
        split = x0 + (x1 - x0) * (0.15 + 0.6 * share) if yards else x0
        road = grid["ns_road"]
        streets = [road, road] + [f"{road}{self.door(road + '弄') // 2 + 1}弄" for _ in range(ri(1, 3))]
        for _ in range(yards):
            street = self.pick(streets)
            yield (
                AddressParts(street, str(self.door(street))),
                r.uniform(x0 + mx, split - mx),
                r.uniform(y0 + my, y1 - my),
            )
        blocks, left = [], n - yards
        while left > 0:
            blocks.append((self.pick((1, 2, 2, 3)), self.pick((5, 6, 6, 7, 11, 18)), self.pick((2, 2, 3, 4))))
            left -= math.prod(blocks[-1])
        if not blocks:
            return
        cols = math.ceil(math.sqrt(len(blocks)))
        w, h = (x1 - mx - split - mx) / cols, (y1 - y0 - 2 * my) / math.ceil(len(blocks) / cols)
        left, building, street = n - yards, 99, grid["ew_road"]
        for k, (units, floors, per) in enumerate(blocks):
            if building >= ri(4, 12):  # a new compound (小区) at its own door number
                door, building = str(self.door(street)), 0
            building += 1
            lon = split + mx + (k % cols + 0.5 + r.uniform(-0.2, 0.2)) * w
            lat = y0 + my + (k // cols + 0.5 + r.uniform(-0.2, 0.2)) * h
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for room in range(1, per + 1):
                        if left == 0:
                            return
                        left -= 1
                        yield (
                            AddressParts(street, door, str(building), str(unit), str(floor), str(floor * 100 + room)),
                            lon,
                            lat,
                        )

    def house(self, rows, grid: dict, address_id: str, yard: bool, rent_share: float) -> None:
        r, ri, today = self.rng, self.ri, self.today
        use = (
            "rented"
            if self.rand() < rent_share
            else r.choices(("self_occupied", "vacant", "business", "mixed"), (76, 12, 6, 6))[0]
        )
        house_id, rooms = self.new_id(), ri(2, 8) if yard else ri(1, 4)
        area = f"{r.uniform(60, 260) if yard else 28 + rooms * 22 + r.uniform(-8, 15):.2f}"
        mode = since = landlord = signed = None
        household, letting = [], use == "rented" or (use == "mixed" and self.rand() < 0.5)
        if use in ("self_occupied", "mixed"):  # the owners; with tenants, at most 5 people in all
            category = r.choices(("permanent", "lodger", "floating", "foreign"), (88, 8, 3, 1))[0]
            size = ri(1, 3) if letting else r.choices((1, 2, 3, 4, 5), (15, 30, 30, 15, 10))[0]
            household = self.family(rows, size, category, self.hukou_here if category == "permanent" else None)
            self.owners.append(household[0][0])
            moved = today - ri(60, 9000)
            for member in household:
                self.reside(rows, house_id, member, moved)
        if letting:
            mode = r.choices(("whole", "shared", "by_bed"), (60, 30, 10))[0] if use == "rented" else "shared"
            since = today - ri(20, 2500)
            signed = self.day(min(today, since + ri(0, 60))) if self.rand() < 0.7 else None
            landlord = household[0][0] if household else self.landlord(rows)
            if mode == "whole":
                category, arrived = r.choices(CATEGORIES, (72, 14, 5, 5, 4))[0], since + ri(0, min(30, today - since))
                for member in self.family(rows, r.choices((1, 2, 3, 4), (30, 35, 25, 10))[0], category):
                    self.reside(rows, house_id, member, arrived, source=self.pick(("landlord", "worker")))
            else:
                tenants = ri(1, 2) if use == "mixed" else ri(2, 4) if mode == "shared" else ri(3, 5)
                for _ in range(tenants):
                    self.tenant(rows, house_id, ri(since, today))
            if today - since > 60 and self.rand() < 0.35:  # a former tenant, moved out
                arrived = ri(since, today - 45)
                self.tenant(rows, house_id, arrived, ri(arrived + 1, today - 1))
        elif use == "vacant" and self.rand() < 0.4:
            left = today - ri(10, 400)
            self.tenant(rows, house_id, left - ri(30, 2000), left, "permanent")
        elif use == "business" and self.rand() < 0.3:
            self.tenant(rows, house_id, today - ri(30, 2000))
        rows["houses"].append(
            (
                house_id,
                address_id,
                grid["id"],
                use,
                mode,
                str(rooms),
                area,
                since and self.day(since),
                landlord,
                signed,
                self.created,
                self.created,
            )
        )
        if use == "business" or (use == "mixed" and self.rand() < 0.3):
            self.unit(rows, grid, address_id, household[0][0] if household else None)

    def unit(self, rows, grid: dict, address_id: str, responsible: str | None) -> None:
        ri, today = self.ri, self.today
        kind = self.rng.choices(tuple(UNIT_KINDS), [k[0] for k in UNIT_KINDS.values()])[0]
        _, fewest, most, names = UNIT_KINDS[kind]
        name = (self.city if kind == "company" else "") + self.pick(PLACES) + self.pick(names.split())
        responsible = responsible or self.person(rows, self.pick(("local", "city", "far")), (28, 65))[0]
        unit_id, opened = self.new_id(), today - ri(30, 3000)
        rows["units"].append(
            (
                unit_id,
                name,
                kind,
                address_id,
                grid["id"],
                responsible,
                f"1{self.pick(PHONES)}{ri(0, 10**8 - 1):08d}",
                self.created,
                self.created,
            )
        )
        for _ in range(ri(fewest, most)):
            if self.workers and self.rand() < 0.6:  # lives in the grid; works in one unit
                i = ri(0, len(self.workers) - 1)
                self.workers[i], self.workers[-1] = self.workers[-1], self.workers[i]
                pid, birth = self.workers.pop()
            else:
                pid, birth = self.person(rows, self.pick(("far", "far", "local", "city")), (18, 58))
            d = self.delay(0.10, 45)
            started = min(max(today - ri(1, today - opened), birth + 6575), today - d)
            reported, ended = self.stamp(started + d), self.day(ri(started, today)) if self.rand() < 0.12 else None
            rows["employments"].append(
                (self.new_id(), unit_id, pid, self.day(started), ended, reported, reported, reported)
            )


# -- loading ----------------------------------------------------------------------------------------


def run(
    bind, *, households: int, seed: int, as_of: date = AS_OF, progress=None, analyze: bool = False, actor=None
) -> dict[str, int]:
    """Generate a district and COPY it inside the caller's transaction (the caller commits).

    ``bind``: a SQLAlchemy Session or Connection. ``progress(n)`` hears of the n households
    loaded after each community. Refuses (Conflict) when the seed's codes exist already or its
    grids would overlap existing ones. Returns the rows loaded per table.
    """
    if as_of > date.today():  # noqa: DTZ011 - a sanity guard: the machine's day is close enough
        raise ValidationFailed(errors={"as_of": ["Must not be in the future: the data would be dated after today."]})
    gen, pg = Generator(households, seed, as_of), bulk.driver_connection(bind)
    taken = bulk.codes_in_use(pg, **{t: [row[1] for row in gen.areas.rows[t]] for t in bulk.LOAD_ORDER[:3]})
    if taken:
        raise Conflict(
            f"Seed {seed} makes county {gen.county_code} ({gen.county_name}), but "
            f"{', '.join(taken[:3])} exist already: this seed was loaded before, or another "
            "district uses the code. Choose another --seed.",
            code="seed.exists",
        )
    if overlap := bulk.grids_overlapping(pg, gen.bounds):
        raise Conflict(
            f"Seed {seed} would lay its grids over existing grids ({', '.join(overlap[:3])}). Choose another --seed.",
            code="seed.overlaps",
        )
    bulk.prepare(pg)
    counts = {t: bulk.copy_rows(pg, t, gen.areas.rows[t]) for t in bulk.LOAD_ORDER[:3]}
    check, renumbered = bulk.has_documents(pg), set[Any]()
    chunks = (
        bulk.produced_elsewhere(f"{__name__}:chunks_of", str(households), str(seed), as_of.isoformat())
        if households >= PROCESS_FROM
        else gen.chunks()
    )
    for chunk in chunks:
        while check and (clash := bulk.documents_in_use(pg, chunk.rows["persons"])):
            _renumber(chunk.rows["persons"], clash, renumbered)
        for table in bulk.LOAD_ORDER[3:]:
            counts[table] = counts.get(table, 0) + bulk.copy_rows(pg, table, chunk.rows[table])
        if progress:
            progress(chunk.households)
    if analyze:
        bulk.analyze(pg)
    with nullcontext(bind) if isinstance(bind, Session) else Session(bind=bind) as session:
        audit.record(
            session,
            actor or system("seed"),
            "district.seed",
            subject_type="division",
            details={
                "county": gen.county_code,
                "seed": seed,
                "as_of": as_of.isoformat(),
                "households": households,
                **counts,
            },
        )
    return counts


def chunks_of(households: str, seed: str, as_of: str):
    """Generator(...).chunks() from text arguments (what runs in bulk.produced_elsewhere's child)."""
    return Generator(int(households), int(seed), date.fromisoformat(as_of)).chunks()


def _renumber(persons: list[tuple], clash: set, renumbered: set) -> None:
    """New numbers for generated documents the database holds already: the next sequence
    number of the same sex, without randomness, so that the run stays reproducible."""
    t, n = bulk.PERSON_DOCUMENT
    taken = clash | renumbered | {(row[t], row[n]) for row in persons}
    for i, row in enumerate(persons):
        number = row[n]
        if (row[t], number) not in clash:
            continue
        while (row[t], number) in taken:
            if row[t] in ("citizen_id", "hmt_residence_permit"):
                number = make_citizen_id(number[:6], date.fromisoformat(row[4]), (int(number[14:17]) + 2) % 1000)
            else:
                number = number[:-6] + f"{(int(number[-6:]) + 7919) % 10**6:06d}"
        renumbered.add((row[t], number))
        taken.add((row[t], number))
        persons[i] = row[:n] + (number,) + row[n + 1 :]
