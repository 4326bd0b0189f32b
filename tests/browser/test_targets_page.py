"""A police officer (a station chief) on the targets board: a red indicator for a chosen week, its trend, and a
click through to the gaps, where the late-registered tenant's name is masked."""

from __future__ import annotations

from datetime import date, timedelta

from server.domain.targets.gaps import mask_name
from server.store.models import Person
from tests.browser.conftest import sign_in
from tests.e2e.target_helpers import last_complete_week_but_one, local, residence


def _late_tenant(committed):
    """A floating resident of the station's first grid, registered nine days after arriving in the week before
    last; returns the week and the resident's name."""
    label, monday = last_complete_week_but_one(date.today())

    def build(b):
        house = b.house(b.address(committed.district.grids[0], 120.005, 30.005))
        r = residence(b, house, arrived_on=monday, reported_at=local(monday + timedelta(days=9)))
        return b.session.get(Person, r.person_id).name

    return label, committed.build(build)


def test_a_station_chief_sees_a_red_indicator_and_opens_its_gaps_with_the_names_masked(committed, page, shots):
    label, name = _late_tenant(committed)
    police = committed.login("police", station=committed.district.station.code)
    sign_in(page, police.username)
    page.wait_for_url("**/web/due")
    page.click("nav.menu >> text=考核指标")
    page.wait_for_url("**/web/targets")
    page.fill("#t-period", label)
    page.click(".filters button[type=submit]")
    page.wait_for_url(f"**period={label}**")
    station = page.locator(f"section.target-group[data-area='{committed.district.station.code}']")
    late = station.locator("tr[data-indicator='registration_timeliness']")
    assert "fig-short" in late.get_attribute("class")
    assert late.locator(".badge.fig-short").inner_text() == "0%"
    assert late.locator("svg.spark circle").count() >= 1  # the trend, drawn by the server
    coverage = station.locator("tr[data-indicator='household_coverage']")
    assert coverage.locator("svg.spark circle.fig-short").count() == 12  # never visited: short all 12 weeks
    page.screenshot(path=str(shots / "police-targets.png"), full_page=True)

    late.locator("a.gaps-link").click()
    page.wait_for_url("**/web/targets/registration_timeliness/gaps**")
    rows = page.locator("#gaps-table tbody tr")
    assert rows.count() == 1
    assert rows.first.locator(".masked-name").inner_text() == mask_name(name)
    assert name not in page.inner_text("main")
    page.screenshot(path=str(shots / "police-target-gaps.png"), full_page=True)
