"""The map fetches the due houses of the visible area: every fetch names a bbox, and zooming in fetches again
(once the map stops moving) and drops the houses now out of view."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.browser.conftest import sign_in
from tests.e2e.registry_helpers import house

CENTRE, EDGE = {"lon": 120.005, "lat": 30.005}, {"lon": 120.0095, "lat": 30.0095}


def test_the_map_asks_for_the_visible_box_and_zooming_in_keeps_only_the_houses_in_view(committed, page, shots):
    d = committed.district
    worker = committed.login("grid_worker", grids=[d.grids[0].code])
    police = committed.login("police", station=d.station.code)
    house(worker, location=CENTRE)
    house(worker, location=EDGE)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/web/map/due.geojson" in r.url else None)

    sign_in(page, police.username)
    page.wait_for_url("**/web/due")
    page.goto("/web/map")
    page.wait_for_selector("#map[data-loaded='*']")  # the whole station in view, all grids
    assert page.locator("path.due-marker").count() == 2
    assert asked and all("bbox" in parse_qs(urlsplit(u).query) for u in asked)
    page.select_option("#map-grid", d.grids[0].code)  # zooms to the first grid
    page.wait_for_selector(f"#map[data-loaded='{d.grids[0].code}']")
    assert page.locator("path.due-marker").count() == 2
    loads = page.get_attribute("#map", "data-loads")
    for _ in range(2):  # zoom in on the grid's centre
        page.click(".leaflet-control-zoom-in")
    page.wait_for_selector(f"#map:not([data-loads='{loads}'])")
    page.wait_for_timeout(600)  # any fetch the last click started has landed
    west, south, east, north = (float(v) for v in page.get_attribute("#map", "data-bbox").split(","))
    assert west < CENTRE["lon"] < east and south < CENTRE["lat"] < north
    assert not (west < EDGE["lon"] < east and south < EDGE["lat"] < north)
    assert page.locator("path.due-marker").count() == 1
    page.screenshot(path=str(shots / "police-map-zoomed.png"))
