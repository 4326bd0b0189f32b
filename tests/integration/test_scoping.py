"""Scoping and spatial queries, straight against PostGIS."""

import pytest
from sqlalchemy import select, text

from server.services.auth import actor_for
from server.store import scoping
from server.store.models import Address, House, Person
from server.store.queries import areas as area_q
from server.store.queries import filters


@pytest.fixture
def world(build, district):
    """A house with a resident in each of the district's three grids."""
    g0, g1, g2 = district.grids
    houses, residents = [], []
    for grid, lon in ((g0, 120.005), (g1, 120.015), (g2, 120.025)):
        house = build.house(build.address(grid, lon, 30.005))
        resident = build.person()
        build.residence(resident, house)
        houses.append(house)
        residents.append(resident)
    return district, houses, residents


def _actor(build, role, **scope):
    return actor_for(build.account(role, **scope))


def _ids(session, query, model):
    return {row.id for row in session.scalars(query)}


def test_each_role_sees_the_houses_of_its_area(session, build, world):
    district, houses, _ = world
    h0, h1, h2 = (h.id for h in houses)
    cases = {
        ("grid_worker", "grids", (district.grids[0].code,)): {h0},
        ("committee", "community", district.community.code): {h0, h1},
        ("police", "station", district.station.code): {h0, h1},
        ("committee", "community", district.other_community.code): {h2},
    }
    for (role, key, value), expected in cases.items():
        actor = _actor(build, role, **{key: list(value) if key == "grids" else value})
        assert _ids(session, scoping.visible_houses(actor), House) == expected, role
    admin = _actor(build, "admin")
    assert {h0, h1, h2} <= _ids(session, scoping.visible_houses(admin), House)


def test_people_are_visible_through_residence_employment_landlordship_or_authorship(session, build, world):
    district, _houses, residents = world
    worker_account = build.account("grid_worker", grids=[district.grids[0].code])
    worker = actor_for(worker_account)
    employee, landlord_person, unregistered = build.person(), build.person(), build.person(created_by=worker_account)
    build.employment(employee, build.unit(build.address(district.grids[0], 120.006, 30.006)))
    build.house(build.address(district.grids[0], 120.007, 30.007), landlord_person=landlord_person)
    outsider = build.person()
    visible = _ids(session, scoping.visible_persons(worker), Person)
    assert {residents[0].id, employee.id, landlord_person.id, unregistered.id} <= visible
    assert residents[1].id not in visible and residents[2].id not in visible and outsider.id not in visible


def test_a_landlord_sees_only_their_houses_and_tenants(session, build, world):
    _, houses, residents = world
    account = build.account("landlord")
    houses[1].landlord_account_id = account.id
    session.flush()
    landlord = actor_for(account)
    assert _ids(session, scoping.visible_houses(landlord), House) == {houses[1].id}
    assert _ids(session, scoping.visible_persons(landlord), Person) == {residents[1].id}
    assert _ids(session, scoping.visible_addresses(landlord), Address) == {houses[1].address_id}


def test_the_grid_of_a_point_is_the_polygon_that_contains_it(session, district):
    assert area_q.grid_containing(session, filters.point(120.005, 30.005)).id == district.grids[0].id
    assert area_q.grid_containing(session, filters.point(120.025, 30.009)).id == district.grids[2].id
    assert area_q.grid_containing(session, filters.point(121.5, 31.0)) is None


def test_radius_search_measures_metres_on_the_ellipsoid_not_degrees(session, build, district):
    centre = build.address(district.grids[0], 120.0050, 30.0050)
    east_90m = build.address(district.grids[0], 120.0050 + 90 / 96_400, 30.0050)  # ~96.4 km per degree of lon here
    north_120m = build.address(district.grids[0], 120.0050, 30.0050 + 120 / 110_850)
    within_100 = select(Address).where(Address.id.in_([centre.id, east_90m.id, north_120m.id]))
    found = {a.id for a in session.scalars(filters.within_radius(within_100, 120.0050, 30.0050, 100))}
    assert found == {centre.id, east_90m.id}
    distance = session.scalar(select(filters.distance_m(120.0050, 30.0050)).where(Address.id == north_120m.id))
    assert 119 < distance < 121


def test_address_text_search_can_use_the_trigram_index(session):
    session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(
        session.execute(text("EXPLAIN SELECT id FROM addresses WHERE search_text ILIKE '%幸福路12号%'")).scalars()
    )
    assert "ix_addresses_search_trgm" in plan
