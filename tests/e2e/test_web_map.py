"""The map's due houses are fetched for the visible area (bbox) through the due list's service and scope; zoomed
out, counts per grid instead."""

from tests.e2e.registry_helpers import house


def _page(app, api_client):
    client = app.test_client()
    client.set_cookie("gw_session", api_client.token)
    return client


def _addresses(r) -> set[str]:
    assert r.status_code == 200, r.get_json()
    return {f["properties"]["address"] for f in r.get_json()["features"]}


def test_the_map_shows_the_due_houses_inside_the_box_and_none_outside_it(app, as_worker, as_police):
    west = house(as_worker, location={"lon": 120.002, "lat": 30.005})["address"]["full_text"]
    east = house(as_worker, location={"lon": 120.008, "lat": 30.005})["address"]["full_text"]
    page = _page(app, as_police)
    assert _addresses(page.get("/web/map/due.geojson?bbox=120.0,30.0,120.005,30.01")) == {west}
    assert _addresses(page.get("/web/map/due.geojson?bbox=120.0,30.0,120.01,30.01")) == {west, east}
    assert _addresses(page.get("/web/map/due.geojson?bbox=121.0,31.0,121.1,31.1")) == set()


def test_a_box_over_another_area_shows_nothing_the_due_list_would_not(app, as_worker, as_police, login, district):
    mine = house(as_worker, location={"lon": 120.005, "lat": 30.005})["address"]["full_text"]
    assert mine in _addresses(_page(app, as_police).get("/web/map/due.geojson?bbox=119,29,121,31"))
    elsewhere = login("committee", community=district.other_community.code)
    shown = _addresses(_page(app, elsewhere).get("/web/map/due.geojson?bbox=119,29,121,31"))
    assert mine not in shown
    assert shown == {i["address"]["full_text"] for i in elsewhere.get("/api/v1/inspections/due").get_json()["items"]}


def test_a_missing_or_malformed_box_is_refused_naming_the_field(app, as_police):
    page = _page(app, as_police)
    for query in ("", "?bbox=120,30,119,31", "?bbox=a,b,c,d"):
        for path in ("/web/map/due.geojson", "/web/map/due-counts.geojson"):
            r = page.get(path + query)
            assert r.status_code == 422 and "bbox" in r.get_json()["errors"], (path, query)


def _counts(r) -> dict[str, dict]:
    assert r.status_code == 200, r.get_json()
    return {f["properties"]["code"]: f["properties"] for f in r.get_json()["features"]}


def test_zoomed_out_the_map_counts_each_grids_due_houses_by_tier_as_the_due_list_does(
    app, as_worker, as_police, district
):
    for lon in (120.002, 120.004, 120.008):
        house(as_worker, location={"lon": lon, "lat": 30.005})
    house(as_worker, location={"lon": 120.006, "lat": 30.005}, rental_mode="whole")
    counts = _counts(_page(app, as_police).get("/web/map/due-counts.geojson?bbox=119.9,29.9,120.1,30.1"))
    due = as_police.get("/api/v1/inspections/due?limit=200").get_json()["items"]
    assert set(counts) == {district.grids[0].code} and counts[district.grids[0].code]["total"] == len(due) > 0
    by_tier = {t["tier"]: t["total"] for t in counts[district.grids[0].code]["tiers"]}
    assert by_tier == {tier: sum(i["tier"] == tier for i in due) for tier in {i["tier"] for i in due}}
    # a box that only touches the grid counts it whole (the number is the grid's); one beside it counts nothing
    assert _counts(_page(app, as_police).get("/web/map/due-counts.geojson?bbox=120.009,30.009,120.015,30.015"))
    assert _counts(_page(app, as_police).get("/web/map/due-counts.geojson?bbox=121.0,31.0,121.1,31.1")) == {}


def test_zoomed_out_counts_leave_out_grids_and_houses_outside_the_callers_area(app, as_worker, login, district):
    house(as_worker, location={"lon": 120.005, "lat": 30.005})
    elsewhere = login("committee", community=district.other_community.code)
    assert _counts(_page(app, elsewhere).get("/web/map/due-counts.geojson?bbox=119,29,121,31")) == {}
    landlord = login("landlord")
    assert _counts(_page(app, landlord).get("/web/map/due-counts.geojson?bbox=119,29,121,31")) == {}
