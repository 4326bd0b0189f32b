"""The map's due houses are fetched for the visible area (bbox) through the due list's service and scope."""

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
        r = page.get("/web/map/due.geojson" + query)
        assert r.status_code == 422 and "bbox" in r.get_json()["errors"], query
