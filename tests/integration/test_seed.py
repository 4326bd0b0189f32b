"""An operator seeds a synthetic district (`gridwork seed`) for demos and benchmarks.

Most tests look at one 600-household district, loaded once for the module in a
transaction that is rolled back at the end.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from server.cli import main
from server.domain.addresses import AddressParts, canonical_key, canonical_text, normalise_parts, search_text
from server.domain.id_numbers import check_document
from server.services import demo
from server.services import seed as seeder
from server.store import bulk
from server.store.models import Address, AuditEvent, Grid, Person

SEED, HOUSEHOLDS = 4242, 600
CATEGORIES = {"permanent", "lodger", "floating", "foreign", "unregistered"}


@pytest.fixture(scope="module")
def district(app):
    """(connection, loaded row counts, county code) of the seeded district."""
    conn = app.extensions["gridwork.db"].engine.connect()
    outer = conn.begin()
    try:
        counts = seeder.run(conn, households=HOUSEHOLDS, seed=SEED)
        yield conn, counts, seeder.Generator(HOUSEHOLDS, SEED).county_code
    finally:
        outer.rollback()
        conn.close()


def rows(district, sql: str, **params) -> list[tuple]:
    conn, _, county = district
    return bulk.driver_connection(conn).execute(sql, {"county": county, **params}).fetchall()


# the district's own rows: everything hangs off its grids and county
GRIDS = "SELECT g.* FROM grids g WHERE g.code LIKE %(county)s || '%%'"
HOUSES = f"SELECT h.* FROM houses h WHERE h.grid_id IN (SELECT id FROM ({GRIDS}) g)"
RESIDENCES = f"SELECT r.* FROM residences r WHERE r.house_id IN (SELECT id FROM ({HOUSES}) h)"
UNITS = f"SELECT u.* FROM units u WHERE u.grid_id IN (SELECT id FROM ({GRIDS}) g)"
PERSONS = (
    f"SELECT p.* FROM persons p WHERE p.id IN (SELECT person_id FROM ({RESIDENCES}) r "
    f"UNION SELECT landlord_person_id FROM ({HOUSES}) h UNION SELECT responsible_person_id FROM ({UNITS}) u "
    f"UNION SELECT person_id FROM employments WHERE unit_id IN (SELECT id FROM ({UNITS}) u))"
)


def digest(values) -> str:
    return hashlib.sha256("\n".join(sorted(values)).encode()).hexdigest()


def generated(households: int, seed: int) -> dict[str, list[tuple]]:
    """All rows the generator makes, without a database."""
    gen = seeder.Generator(households, seed)
    out = {t: list(r) for t, r in gen.areas.rows.items()}
    for chunk in gen.chunks():
        for table, new in chunk.rows.items():
            out[table] += new
    return out


def test_the_district_has_divisions_stations_and_grids_of_200_to_400_households(district):
    _conn, counts, county = district
    assert counts["addresses"] == counts["houses"] == HOUSEHOLDS
    assert len(county) == 6 and not county.endswith("00") and county != "330106"
    per_grid = rows(
        district, f"SELECT g.code, count(h.id) FROM ({GRIDS}) g JOIN houses h ON h.grid_id = g.id GROUP BY g.code"
    )
    assert per_grid and all(200 <= n <= 400 for _, n in per_grid)
    assert sum(n for _, n in per_grid) == HOUSEHOLDS
    chains = rows(
        district,
        f"""
        SELECT c.code, t.code, k.code, s.code, c.level, t.level, k.level
        FROM ({GRIDS}) g JOIN divisions c ON c.id = g.community_id JOIN divisions t ON t.id = c.parent_id
        JOIN divisions k ON k.id = t.parent_id JOIN stations s ON s.id = g.station_id""",
    )
    assert len(chains) == len(per_grid)
    for community, town, top, station, *levels in chains:
        assert levels == ["community", "town", "county"] and top == county
        assert len(town) == 9 and town.startswith(county) and len(community) == 12 and community.startswith(town)
        assert station == f"{county}-PS{int(town[6:]):02d}"


def test_grids_do_not_overlap_and_every_address_lies_inside_its_grid(district):
    assert rows(
        district,
        f"SELECT count(*) FROM ({GRIDS}) a JOIN ({GRIDS}) b ON a.id < b.id AND ST_Relate(a.geom, b.geom, 'T********')",
    ) == [(0,)]
    assert rows(
        district,
        f"""
        SELECT count(*), count(*) FILTER (WHERE ST_Contains(g.geom, a.geom)),
               min(ST_X(a.geom)) BETWEEN 118 AND 122 AND min(ST_Y(a.geom)) BETWEEN 28 AND 32,
               bool_and(GeometryType(g.geom) = 'MULTIPOLYGON' AND ST_SRID(g.geom) = 4326)
        FROM addresses a JOIN ({GRIDS}) g ON g.id = a.grid_id""",
    ) == [(HOUSEHOLDS, HOUSEHOLDS, True, True)]


def test_addresses_are_stored_as_the_api_would_store_them(district):
    found = rows(
        district,
        f"""
        SELECT a.street, a.door, a.building, a.unit, a.floor, a.room, a.full_text, a.canonical_key,
               a.search_text, t.name, c.name
        FROM addresses a JOIN ({GRIDS}) g ON g.id = a.grid_id JOIN divisions c ON c.id = a.community_id
        JOIN divisions t ON t.id = c.parent_id""",
    )
    for *values, full, key, search, town, community in found:
        parts = AddressParts(*values)
        assert normalise_parts(parts) == parts
        assert key == canonical_key(parts)
        assert full == canonical_text(parts, [town, community])
        assert search == search_text(full)
    kinds = Counter("courtyard" if v[2] is None else "flat" for v in found)
    assert kinds["flat"] > kinds["courtyard"] > 0
    assert all(v[1] and (v[2] is None) == (v[5] is None) for v in found)


def test_every_document_number_is_valid_and_agrees_with_birth_date_and_sex(district):
    people = rows(district, f"SELECT document_type, document_number, birth_date, sex, name FROM ({PERSONS}) p")
    assert len(people) > 2 * HOUSEHOLDS
    for doc_type, number, born, sex, _ in people:
        if number is None:
            continue
        result = check_document(doc_type, number, birth_date=born, sex=sex)
        assert result.problems == [] and result.number == number, (doc_type, number, born, sex)
    types = Counter(doc_type for doc_type, *_ in people)
    assert types["citizen_id"] > 0.85 * len(people)
    assert 0 < types["passport"] + types["hk_macao_travel_permit"] + types["hmt_residence_permit"] < 0.1 * len(people)
    areas = Counter(number[:2] for doc_type, number, *_ in people if doc_type == "citizen_id")
    assert areas["33"] > len(people) / 2 and len(areas) > 5  # mostly Zhejiang, some from other provinces
    assert len({name for *_, name in people}) > len(people) / 2


def test_about_a_third_of_houses_are_rented_in_all_three_modes(district):
    houses = rows(
        district, f"SELECT use, rental_mode, landlord_person_id, rented_since, agreement_signed_on FROM ({HOUSES}) h"
    )
    uses = Counter(use for use, *_ in houses)
    assert set(uses) == {"self_occupied", "rented", "vacant", "business", "mixed"}
    assert 0.25 < uses["rented"] / len(houses) < 0.42
    rented = [h for h in houses if h[0] == "rented"]
    modes = Counter(mode for _, mode, *_ in rented)
    assert set(modes) == {"whole", "shared", "by_bed"} and modes["whole"] > modes["shared"] > modes["by_bed"]
    assert all(landlord and since and since <= seeder.AS_OF for _, _, landlord, since, _ in rented)
    assert 0.5 < sum(1 for *_, signed in rented if signed) / len(rented) < 0.9


def test_residences_cover_every_category_some_reported_late_some_closed(district):
    found = rows(
        district,
        f"""
        SELECT category, arrived_on, left_on, (reported_at AT TIME ZONE 'Asia/Shanghai')::date, source,
               verification, house_id FROM ({RESIDENCES}) r""",
    )
    assert {category for category, *_ in found} == CATEGORIES
    late = [r for r in found if (r[3] - r[1]).days > 7]
    assert 0.02 < len(late) / len(found) < 0.15 and max((r[3] - r[1]).days for r in late) <= 60
    assert all(r[1] <= r[3] <= seeder.AS_OF for r in found)
    closed = [r for r in found if r[2] is not None]
    assert closed and all(r[1] <= r[2] < seeder.AS_OF for r in closed)
    assert {r[4] for r in found} == {"worker", "landlord"} and {r[5] for r in found} == {"confirmed", "pending"}
    living = Counter(r[6] for r in found if r[2] is None)
    assert min(living.values()) >= 1 and max(living.values()) <= 5
    owners = Counter(
        r[0]
        for r in rows(
            district,
            f"""SELECT r.category FROM ({RESIDENCES}) r
        JOIN houses h ON h.id = r.house_id WHERE h.use = 'self_occupied'""",
        )
    )
    tenants = Counter(
        r[0]
        for r in rows(
            district,
            f"""SELECT r.category FROM ({RESIDENCES}) r
        JOIN houses h ON h.id = r.house_id WHERE h.use = 'rented' AND r.left_on IS NULL""",
        )
    )
    assert owners.most_common(1)[0][0] == "permanent" and tenants.most_common(1)[0][0] == "floating"


def test_units_have_a_responsible_person_and_reported_employees(district):
    units = rows(district, f"SELECT kind, responsible_person_id FROM ({UNITS}) u")
    assert HOUSEHOLDS / 40 < len(units) < HOUSEHOLDS / 10
    assert len({kind for kind, _ in units}) >= 4 and all(person for _, person in units)
    jobs = rows(
        district,
        f"""SELECT e.started_on, (e.reported_at AT TIME ZONE 'Asia/Shanghai')::date, e.ended_on
        FROM employments e JOIN ({UNITS}) u ON u.id = e.unit_id""",
    )
    assert len(jobs) > len(units)
    assert all(started <= reported <= seeder.AS_OF for started, reported, _ in jobs)
    assert any((reported - started).days > 7 for started, reported, _ in jobs)


def test_the_same_seed_gives_the_same_district_and_another_seed_another(district):
    first, again = generated(HOUSEHOLDS, SEED), generated(HOUSEHOLDS, SEED)
    assert first == again  # every row, ids included
    keys = rows(district, f"SELECT a.id::text, a.canonical_key FROM addresses a JOIN ({GRIDS}) g ON g.id = a.grid_id")
    documents = rows(district, f"SELECT id::text, document_number FROM ({PERSONS}) p WHERE document_number IS NOT NULL")
    assert digest(f"{i} {k}" for i, k in keys) == digest(f"{r[0]} {r[10]}" for r in first["addresses"])
    assert digest(f"{i} {n}" for i, n in documents) == digest(
        f"{r[0]} {r[6]}" for r in first["persons"] if r[6] is not None
    )
    other = generated(HOUSEHOLDS, SEED + 1)
    assert other["divisions"][0][1] != first["divisions"][0][1]
    assert not {r[0] for r in other["persons"]} & {r[0] for r in first["persons"]}


def _cli(app, args):
    return CliRunner().invoke(main, args, obj=ScriptInfo(create_app=lambda: app))


def test_the_command_loads_a_district_once_and_refuses_the_same_seed_again(app, db, session):
    result = _cli(app, ["seed", "--households", "250", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "addresses 250" in result.output
    county = seeder.Generator(250, 7).county_code
    again = _cli(app, ["seed", "--households", "250", "--seed", "7"])
    assert again.exit_code != 0
    assert f"county {county}" in again.output and "Choose another --seed" in again.output
    assert session.scalar(select(func.count()).select_from(Grid).where(Grid.code.like(f"{county}%"))) == 1


def test_seeding_next_to_the_demo_district_and_existing_people(session):
    demo.load(session)
    generator = seeder.Generator(300, 99)
    first = next(generator.chunks()).rows["persons"]
    taken = next(p for p in first if p[5] == "citizen_id")  # someone already registered with that number
    session.add(
        Person(
            name="张三",
            sex=taken[2],
            birth_date=date.fromisoformat(taken[4]),
            document_type="citizen_id",
            document_number=taken[6],
        )
    )
    session.flush()

    counts = seeder.run(session, households=300, seed=99)

    assert counts["addresses"] == 300
    assert (
        session.scalar(
            select(func.count())
            .select_from(Address)
            .join(Grid, Grid.id == Address.grid_id)
            .where(Grid.code.like(f"{generator.county_code}%"))
        )
        == 300
    )
    twin = session.scalar(select(Person).where(Person.id == taken[0]))
    assert twin.document_number != taken[6]
    assert check_document("citizen_id", twin.document_number, birth_date=twin.birth_date, sex=twin.sex).problems == []
    assert session.scalar(select(func.count()).select_from(Person).where(Person.document_number == taken[6])) == 1
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "district.seed", AuditEvent.details["county"].astext == generator.county_code
        )
    ).one()
    assert event.details["county"] == generator.county_code and event.details["households"] == 300
