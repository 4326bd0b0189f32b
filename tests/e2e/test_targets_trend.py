"""The targets board's 12-week trend: the nightly job keeps every week of it (backfilling what is missing), the
trend read from those stored weeks is the trend counted live, and the board by grid comes in pages."""

import re
from datetime import timedelta

from server.domain.targets.periods import parse_period, week_of
from server.services import targets as service
from server.services.tiers import local_today
from server.web import pages_targets
from tests.e2e.target_helpers import local, visit
from tests.e2e.test_targets import area  # noqa: F401 (the fixture: grids meeting and missing targets)


def _as_page(app, api_client):
    client = app.test_client()
    client.set_cookie("gw_session", api_client.token)
    return client


def _rows(html: str) -> list[str]:
    """The board's rows: each area's figures with the 12 dots of their trend (value and status per week)."""
    return re.findall(r'<section class="card target-group".*?</section>', html, re.S)


def _weeks_ending(label: str, n: int = 12) -> list[str]:
    last = parse_period(label, local_today())
    return [week_of(last.first_day - timedelta(weeks=k)).label for k in range(n - 1, -1, -1)]


def test_the_trend_read_from_the_nightly_weeks_is_the_trend_counted_live(
    app,
    as_admin,
    area,  # noqa: F811
    build,
    session,
):
    # grid A's worker also made the week's 30 visits three weeks earlier: the trend's workload differs by week
    worker, house = area["workers"][0], area["let_b"]
    earlier = parse_period(area["period"], local_today()).first_day - timedelta(weeks=3)
    for i in range(30):
        visit(build, worker, local(earlier + timedelta(days=i % 7), 10), house=house)
    session.flush()
    page = _as_page(app, as_admin)
    url = f"/web/targets?group_by=grid&period={area['period']}"
    live = page.get(url).get_data(as_text=True)
    assert "夜间任务" not in live and len(_rows(live)) == 3 and 'class="spark-dot' in live  # counted now
    weeks = _weeks_ending(area["period"])
    service.materialise(session, local_today(), weeks=weeks[::2])  # half the weeks stored, half counted live
    session.flush()
    assert _rows(page.get(url).get_data(as_text=True)) == _rows(live)
    service.materialise(session, local_today(), weeks=weeks)  # every week stored: read in one statement
    session.flush()
    stored = page.get(url).get_data(as_text=True)
    assert _rows(stored) == _rows(live)
    assert "夜间任务" in stored  # the nightly job's counts, and the page says so


def test_the_nightly_job_backfills_every_week_of_the_trend_and_then_recounts_only_the_last_two(
    as_admin,
    area,  # noqa: F811
    build,
    district,
    session,
):
    today = local_today()
    last, running = parse_period(None, today).label, parse_period(None, today + timedelta(days=7)).label
    trend = _weeks_ending(last)
    assert list(service.materialise(session, today)) == [*trend, running]  # a new installation: all at once
    session.flush()
    for week in trend:
        assert as_admin.get("/api/v1/targets", query_string={"period": week}).get_json()["counts"] == "nightly"
    assert list(service.materialise(session, today)) == [last, running]  # the next night
    build.grid(district.community, district.station, (120.03, 30.0, 120.04, 30.01))
    session.flush()
    assert list(service.materialise(session, today)) == [*trend, running]  # a new grid has no stored weeks yet


def test_the_board_by_grid_comes_in_pages_and_each_area_is_on_one(app, as_police, district, monkeypatch):
    monkeypatch.setattr(pages_targets, "AREAS_PAGE", 1)
    page = _as_page(app, as_police)
    first = page.get("/web/targets?group_by=grid").get_data(as_text=True)
    areas = re.findall(r'data-area="([^"]+)"', first)
    following = re.search(r'href="([^"]+)" rel="next" id="next-page"', first).group(1).replace("&amp;", "&")
    second = page.get(following).get_data(as_text=True)
    areas += re.findall(r'data-area="([^"]+)"', second)
    assert sorted(areas) == sorted([district.grids[0].code, district.grids[1].code])
    assert 'id="next-page"' not in second and second.count('<svg class="spark"') == 7
    bad = page.get("/web/targets?group_by=grid&cursor=nonsense")
    assert bad.status_code == 422 and "cursor" in bad.get_data(as_text=True)
