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


def test_zoomed_out_the_map_counts_each_grid_and_zooming_in_shows_the_houses(committed, page, shots):
    d = committed.district
    # six more grids of the station in a row north of the first two: eight in view, more than houses are shown for
    row = [(120.0 + 0.01 * i, 30.01, 120.01 + 0.01 * i, 30.02) for i in range(6)]
    extra = committed.build(lambda b: [b.grid(d.community, d.station, bounds) for bounds in row])
    mine = [d.grids[0], d.grids[1], *extra]
    worker = committed.login("grid_worker", grids=[g.code for g in mine])
    places = {
        d.grids[0].code: [{"lon": 120.003, "lat": 30.003}, {"lon": 120.007, "lat": 30.007}],
        d.grids[1].code: [{"lon": 120.015, "lat": 30.005}],
        extra[3].code: [{"lon": 120.032, "lat": 30.012}],
        extra[5].code: [{"lon": 120.055, "lat": 30.015}],
    }
    for spots in places.values():
        for spot in spots:
            house(worker, location=spot)
    # a due house of another area, inside the station's view: neither counted nor named
    house(committed.login("grid_worker", grids=[d.grids[2].code]), location={"lon": 120.025, "lat": 30.005})
    police = committed.login("police", station=d.station.code)
    due = police.get("/api/v1/inspections/summary?group_by=tier").get_json()["total"]
    total = due["overdue"] + due["due_today"] + due["upcoming"]
    assert total == sum(len(s) for s in places.values())

    sign_in(page, police.username)
    page.wait_for_url("**/web/due")
    page.goto("/web/map")
    page.wait_for_selector("#map[data-mode='counts'][data-loaded='*']")
    shown = {n.get_attribute("data-grid"): int(n.inner_text()) for n in page.locator(".due-count-n").element_handles()}
    assert shown == {code: len(spots) for code, spots in places.items()}
    assert sum(shown.values()) == total and page.locator("path.due-marker").count() == 0
    page.screenshot(path=str(shots / "police-map-counts.png"))

    for _ in range(3):  # zoom in on the centre until few enough grids are in view for their houses
        loads = page.get_attribute("#map", "data-loads")
        page.click(".leaflet-control-zoom-in")
        page.wait_for_selector(f"#map:not([data-loads='{loads}'])")
        if page.get_attribute("#map", "data-mode") == "houses":
            break
    page.wait_for_timeout(600)  # any fetch the last click started has landed
    assert page.get_attribute("#map", "data-mode") == "houses"
    west, south, east, north = (float(v) for v in page.get_attribute("#map", "data-bbox").split(","))
    in_view = [s for spots in places.values() for s in spots if west < s["lon"] < east and south < s["lat"] < north]
    assert in_view and page.locator("path.due-marker").count() == len(in_view)

    page.goto("/web/map")  # zoomed out again: a grid's number zooms to that grid and shows its houses
    page.wait_for_selector("#map[data-mode='counts'][data-loaded='*']")
    page.click(f".due-count-n[data-grid='{d.grids[0].code}']")
    page.wait_for_selector(f"#map[data-mode='houses'][data-loaded='{d.grids[0].code}']")
    assert page.locator("path.due-marker").count() == 2
    assert page.input_value("#map-grid") == d.grids[0].code
