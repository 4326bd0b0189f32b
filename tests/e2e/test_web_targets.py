"""The targets board and its gap lists as pages: the service the API uses, so the same scope, masks and audit."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from server.store.models import AuditEvent, Person
from tests.e2e.target_helpers import last_complete_week_but_one, local, residence


def _as_page(app, api_client):
    client = app.test_client()
    client.set_cookie("gw_session", api_client.token)
    return client


def _row(html: str, indicator: str) -> str:
    return re.search(rf'<tr class="fig-row [^"]*" data-indicator="{indicator}">.*?</tr>', html, re.S).group(0)


def test_police_see_their_station_short_on_coverage_for_twelve_weeks_and_open_the_unvisited_house(
    app, as_police, build, district
):
    grid = district.grids[0]
    house = build.house(build.address(grid, 120.005, 30.005))
    page = _as_page(app, as_police)
    html = page.get("/web/targets").get_data(as_text=True)
    assert f'data-area="{district.station.code}"' in html  # the station, the police's area
    coverage = _row(html, "household_coverage")
    assert "fig-short" in coverage.split("<td>", 3)[2]  # the value in red
    assert coverage.count('class="spark-dot fig-short"') == 12  # the last 12 weeks, each short
    gaps_url = re.search(r'class="gaps-link" href="([^"]+)"', coverage).group(1).replace("&amp;", "&")
    gaps = page.get(gaps_url)
    assert gaps.status_code == 200
    assert f"/web/houses/{house.id}" in gaps.get_data(as_text=True)


def test_by_grid_the_board_links_each_grids_gaps_and_another_stations_grid_is_not_shown(app, as_police, district):
    html = _as_page(app, as_police).get("/web/targets?group_by=grid").get_data(as_text=True)
    assert f'data-area="{district.grids[0].code}"' in html and f'data-area="{district.grids[1].code}"' in html
    assert f'data-area="{district.grids[2].code}"' not in html  # the other community's grid has no station
    assert f"grid={district.grids[0].code}" in html


def test_a_late_registration_gap_shows_the_name_masked_and_is_audited(app, as_police, build, district, session):
    label, monday = last_complete_week_but_one(date.today())
    house = build.house(build.address(district.grids[0], 120.005, 30.005))
    late = residence(build, house, arrived_on=monday, reported_at=local(monday + timedelta(days=9)))
    name = session.get(Person, late.person_id).name
    r = _as_page(app, as_police).get(f"/web/targets/registration_timeliness/gaps?period={label}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert name not in html and name[0] + "*" in html
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "target.gaps.read")).all()
    assert any(str(late.person_id) in (e.person_ids or []) for e in events)


def test_a_grid_outside_the_area_is_the_not_found_page_and_a_bad_week_names_the_field(app, as_committee, district):
    page = _as_page(app, as_committee)
    assert page.get(f"/web/targets/household_coverage/gaps?grid={district.grids[2].code}").status_code == 404
    bad = page.get("/web/targets?period=2026-49")
    assert bad.status_code == 422 and "period" in bad.get_data(as_text=True)


def test_a_landlord_has_no_targets_board(app, as_landlord):
    assert _as_page(app, as_landlord).get("/web/targets").status_code == 403
