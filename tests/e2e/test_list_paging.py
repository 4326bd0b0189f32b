"""The lists that used to answer every row at once page like all the others (decision 0013): a
client that follows `links` rel=next gets every row exactly once, each page at most `limit` long."""

from datetime import date, timedelta

from server.store.models import Account, LandlordClaim
from tests.e2e.registry_helpers import house, person, residence


def _follow(client, url, limit, key="id"):
    """Every item of a list, following rel=next from the first page; the pages' lengths."""
    seen, sizes = [], []
    response = client.get(url, query_string={"limit": limit})
    while True:
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        sizes.append(len(body["items"]))
        seen += [item[key] for item in body["items"]]
        nexts = [link["href"] for link in body["links"] if link["rel"] == "next"]
        assert (body["next_cursor"] is None) == (nexts == [])
        if not nexts:
            return seen, sizes
        response = client.get(nexts[0])


def _pages_through(client, url, expected, limit=2, key="id"):
    seen, sizes = _follow(client, url, limit, key)
    assert len(seen) == len(set(seen)), "a row shown twice"
    assert set(seen) == set(expected)
    assert all(size <= limit for size in sizes) and len(sizes) == -(-len(expected) // limit)


def test_a_persons_residences_page(as_worker):
    p = person(as_worker)
    homes = [house(as_worker) for _ in range(3)]
    shown = [residence(as_worker, p["id"], h["id"], arrived_on=date.today() - timedelta(days=3))["id"] for h in homes]
    _pages_through(as_worker, f"/api/v1/persons/{p['id']}/residences", shown)


def test_a_houses_residents_page(as_worker):
    h = house(as_worker)
    shown = [residence(as_worker, person(as_worker)["id"], h["id"])["id"] for _ in range(5)]
    _pages_through(as_worker, f"/api/v1/houses/{h['id']}/residents", shown)


def test_a_units_employees_page(as_worker, build, district):
    unit = build.unit(build.address(district.grids[0], 120.005, 30.005))
    shown = [str(build.employment(build.person(), unit).id) for _ in range(3)]
    _pages_through(as_worker, f"/api/v1/units/{unit.id}/employees", shown)


def test_the_form_list_pages(as_worker):
    whole = as_worker.get("/api/v1/forms", query_string={"limit": 200}).get_json()
    assert whole["next_cursor"] is None and len(whole["items"]) >= 2
    _pages_through(as_worker, "/api/v1/forms", [f["id"] for f in whole["items"]], limit=1)


def test_a_landlords_houses_page(as_landlord, build, district, session):
    landlord = session.get(Account, as_landlord.account_id)
    grid = district.grids[0]
    shown = [
        str(
            build.house(
                build.address(grid, 120.001 + i * 0.001, 30.005, street=f"房东路{i}"), landlord_account=landlord
            ).id
        )
        for i in range(3)
    ]
    _pages_through(as_landlord, "/api/v1/landlord/houses", shown)


def test_landlord_claims_page(as_landlord, build):
    shown = [
        str(build._add(LandlordClaim(account_id=as_landlord.account_id, address_text=f"幸福路{i}号")).id)
        for i in range(3)
    ]
    _pages_through(as_landlord, "/api/v1/landlord/claims", shown)


def test_account_requests_page(as_worker, build, district):
    shown = []
    for _ in range(3):
        account = build.account("landlord")
        account.awaiting_activation = True
        build._add(LandlordClaim(account_id=account.id, address_text="幸福路1号", grid_id=district.grids[0].id))
        shown.append(str(account.id))
    _pages_through(as_worker, "/api/v1/landlord/account-requests", shown, key="account_id")
