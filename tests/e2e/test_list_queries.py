"""A list page costs a fixed number of SQL statements, whatever its length: what the page shows
beside its rows (addresses, grids, communities, photos, actors) is fetched for the whole page at
once, never once per row (docs/decisions/0013-list-contract.md)."""

import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.store.models import AuditEvent
from tests.builders import ref
from tests.e2e.statement_helpers import statements as counting


@contextmanager
def statements(db):
    """The SQL statements the application sends while the block runs (savepoints included)."""
    with counting(db.engine) as seen:
        yield seen


def _houses_in_their_own_grids(build, district, n):
    """n houses, each in a grid and community of its own: nothing the page shows is shared."""
    houses = []
    for i in range(n):
        community = build.division("community", district.town)
        grid = build.grid(community, district.station, (120.0, 30.0, 120.03, 30.01))
        houses.append(build.house(build.address(grid, 120.001 + i * 0.0001, 30.005, street=f"测试路{ref()}")))
    return houses


def _statements_for(db, client, url, limit, **query):
    with statements(db) as seen:
        answer = client.get(url, query_string={"limit": limit, **query})
    assert answer.status_code == 200, answer.get_json()
    return len(seen), answer.get_json()


@pytest.mark.parametrize("geo", [False, True], ids=["json", "geojson"])
def test_a_page_of_200_houses_costs_the_same_statements_as_a_page_of_5(db, build, district, as_admin, geo):
    _houses_in_their_own_grids(build, district, 200)
    headers = {"Accept": "application/geo+json"} if geo else None
    as_admin.get("/api/v1/me")  # the token's first use is on record once; not part of any list

    with statements(db) as seen:
        few = as_admin.get("/api/v1/houses", query_string={"limit": 5}, headers=headers)
    with statements(db) as seen_all:
        many = as_admin.get("/api/v1/houses", query_string={"limit": 200}, headers=headers)

    assert few.status_code == many.status_code == 200
    rows = many.get_json()["features" if geo else "items"]
    assert len(rows) == 200
    assert len(seen_all) == len(seen), f"{len(seen)} statements for 5 houses, {len(seen_all)} for 200"


def test_a_page_of_200_visits_costs_the_same_statements_as_a_page_of_5(db, build, district, as_admin):
    worker = build.account("grid_worker", grids=[district.grids[0].code])
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for i, house in enumerate(_houses_in_their_own_grids(build, district, 200)):
        build.visit(worker, start + timedelta(minutes=i), house=house)
    as_admin.get("/api/v1/me")  # the token's first use is on record once; not part of any list

    few, _ = _statements_for(db, as_admin, "/api/v1/visits", 5)
    many, page = _statements_for(db, as_admin, "/api/v1/visits", 200)

    assert len(page["items"]) == 200
    assert all(item["subject"]["address"] for item in page["items"])  # still shown, from one query
    assert many == few, f"{few} statements for 5 visits, {many} for 200"


def test_a_page_links_to_the_next_one_and_the_last_page_to_none(build, district, as_admin):
    _houses_in_their_own_grids(build, district, 3)

    first = as_admin.get("/api/v1/houses", query_string={"limit": 2, "use": "rented"}).get_json()
    assert first["links"] == [
        {"rel": "next", "href": f"/api/v1/houses?limit=2&use=rented&cursor={first['next_cursor']}"}
    ]

    second = as_admin.get(first["links"][0]["href"]).get_json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None and second["links"] == []
    assert {h["id"] for h in first["items"] + second["items"]} == {
        h["id"] for h in as_admin.get("/api/v1/houses").get_json()["items"]
    }


def test_a_person_list_puts_on_record_only_the_people_it_shows(build, session, as_admin):
    name = f"审计{ref()}"
    people = {build.person(name=f"{name}{i}").id for i in range(3)}

    page = as_admin.get("/api/v1/persons", query_string={"q": name, "limit": 2}).get_json()

    shown = {uuid.UUID(p["id"]) for p in page["items"]}
    assert len(shown) == 2 and page["next_cursor"]
    read = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.read", AuditEvent.actor_id == as_admin.account_id)
    ).all()
    on_record = {uuid.UUID(str(i)) for event in read for i in event.subject_ids}
    assert on_record == shown and not (people - shown) & on_record


def test_a_page_of_divisions_with_their_parents_costs_the_same_statements_for_5_and_60(db, build, district, as_admin):
    for _ in range(60):  # each community under a town of its own: no parent is shared
        build.division("community", build.division("town", district.county))
    as_admin.get("/api/v1/me")
    few, _ = _statements_for(db, as_admin, "/api/v1/divisions", 5, level="community")
    many, page = _statements_for(db, as_admin, "/api/v1/divisions", 60, level="community")
    assert len(page["items"]) == 60 and all(d["parent"] for d in page["items"])
    assert many == few


@pytest.mark.parametrize("geo", [False, True], ids=["json", "geojson"])
def test_a_page_of_grids_with_communities_stations_and_workers_costs_the_same_statements_for_5_and_60(
    db, build, district, as_admin, geo
):
    for _ in range(60):  # each grid in a community and station of its own, with a worker of its own
        grid = build.grid(build.division("community", district.town), build.station())
        build.account("grid_worker", grids=[grid.code])
    headers = {"Accept": "application/geo+json"} if geo else None
    as_admin.get("/api/v1/me")

    with statements(db) as few:
        as_admin.get("/api/v1/grids", query_string={"limit": 5}, headers=headers)
    with statements(db) as many:
        page = as_admin.get("/api/v1/grids", query_string={"limit": 60}, headers=headers).get_json()

    shown = [f["properties"] for f in page["features"]] if geo else page["items"]
    assert len(shown) == 60
    ours = [g for g in shown if g["station"] and g["workers"]]  # the district's own grids may have neither
    assert len(ours) >= 50 and all(g["community"]["code"] for g in ours)
    assert len(many) == len(few), f"{len(few)} statements for 5 grids, {len(many)} for 60"


def test_a_landlords_page_of_40_houses_costs_the_same_statements_as_5_and_audits_each_tenant_once(
    db, build, session, district, login
):
    from server.store.models import Account, ComplianceEvent

    landlord = login("landlord")
    account = session.get(Account, landlord.account_id)
    tenants = {}
    for i, grid_house in enumerate(_houses_in_their_own_grids(build, district, 40)):
        grid_house.landlord_account_id = account.id
        tenant = build.person()
        residence = build.residence(tenant, grid_house)
        tenants[str(grid_house.id)] = str(tenant.id)
        session.add(
            ComplianceEvent(
                kind="arrival_on_time",
                house_id=grid_house.id,
                landlord_account_id=account.id,
                residence_id=residence.id,
                days_late=0,
                occurred_on=datetime.now(UTC).date(),
            )
        )
        check = build.visit(account, datetime.now(UTC) - timedelta(days=1, minutes=i), house=grid_house)
        check.kind = "self_check"
    session.flush()
    landlord.get("/api/v1/me")

    few, _ = _statements_for(db, landlord, "/api/v1/landlord/houses", 5)
    many, page = _statements_for(db, landlord, "/api/v1/landlord/houses", 40)

    assert len(page["items"]) == 40
    for item in page["items"]:
        assert [t["person"]["id"] for t in item["tenants"]] == [tenants[item["id"]]]
        assert item["compliance"]["reports_on_time"] == 1 and item["last_self_check_at"] is not None
    assert many == few, f"{few} statements for 5 houses, {many} for 40"
    reads = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.read", AuditEvent.actor_id == landlord.account_id)
    ).all()
    # one row per house shown, naming its tenant: the 5 of the first page, then the 40
    assert len(reads) == 45 and all(len(r.subject_ids) == 1 for r in reads)
    assert sorted(r.subject_ids[0] for r in reads[-40:]) == sorted(tenants.values())


def test_reading_the_audit_log_puts_on_record_only_the_events_it_shows(build, session, as_admin):
    for i in range(3):  # audited actions: the log has rows to page through
        assert as_admin.post("/api/v1/persons", json={"name": f"审计{i}", "sex": "female"}).status_code == 201
    page = as_admin.get("/api/v1/audit-events", query_string={"limit": 2}).get_json()

    assert len(page["items"]) == 2 and page["next_cursor"]
    [read] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "audit.read", AuditEvent.actor_id == as_admin.account_id)
    ).all()
    assert sorted(read.subject_ids) == sorted(str(e["id"]) for e in page["items"]) and read.details["rows"] == 2
