"""Field-work targets (issue 18): an area that meets every target, one that misses each, the gap lists behind
them, and who may see what. Facts are placed at local (Shanghai) times on the edges of days and weeks."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from server.store.models import AuditEvent
from tests.e2e.target_helpers import last_complete_week_but_one, local, residence, visit

INDICATORS = (
    "household_coverage",
    "registration_timeliness",
    "verification",
    "rental_info_complete",
    "agreements_signed",
    "worker_workload",
    "staffing_ratio",
)


@pytest.fixture
def area(build, district, session):
    """Grid A meets every target; grid B misses all but staffing; grid C (elsewhere) has floating residents and no
    worker."""
    from server.services.tiers import local_today

    label, monday = last_complete_week_but_one(local_today())
    sunday = monday + timedelta(days=6)
    grid_a, grid_b, grid_c = district.grids
    landlord = build.person(name="房东甲")

    worker_a = build.account("grid_worker", grids=[grid_a.code])
    worker_b = build.account("grid_worker", grids=[grid_b.code])
    # A: two let houses, complete and signed, both visited; 30 visits in the week, the first at 00:30 on Monday
    # and the last at 23:30 on Sunday (local days: both inside the week).
    houses_a = []
    for _ in range(2):
        h = build.house(build.address(grid_a, 120.005, 30.005), landlord_person=landlord)
        h.rooms, h.agreement_signed_on = 2, monday - timedelta(days=100)
        houses_a.append(h)
    visit(build, worker_a, local(monday, 0, 30), house=houses_a[0])
    visit(build, worker_a, local(sunday, 23, 30), house=houses_a[1])
    for i in range(28):
        visit(build, worker_a, local(monday + timedelta(days=i % 7), 10), house=houses_a[i % 2])
    # On time: arrived Monday, registered on the 7th day after at 23:30 local.
    residence(build, houses_a[0], arrived_on=monday, reported_at=local(monday + timedelta(days=7), 23, 30))
    # A landlord report made 30 days before Wednesday: due in this week, confirmed at a visit 5 days later.
    reported = monday + timedelta(days=2 - 30)
    residence(build, houses_a[1], arrived_on=reported, reported_at=local(reported, 9), source="landlord")
    visit(build, worker_a, local(reported + timedelta(days=5)), house=houses_a[1])

    # B: a let house with no rooms and no agreement, visited; a lived-in house never visited.
    let_b = build.house(build.address(grid_b, 120.015, 30.005), landlord_person=landlord)
    never = build.house(build.address(grid_b, 120.016, 30.005), use="self_occupied")
    unit_b = build.unit(build.address(grid_b, 120.017, 30.005))
    # 30 visits, only 10 to households; one more household visit at 23:30 the Sunday before (the week before).
    for i in range(10):
        visit(build, worker_b, local(monday + timedelta(days=i % 7), 11), house=let_b)
    for i in range(20):
        visit(build, worker_b, local(monday + timedelta(days=i % 7), 15), unit=unit_b)
    visit(build, worker_b, local(monday - timedelta(days=1), 23, 30), house=let_b)
    # Late: arrived Monday, registered at 00:30 on the 8th day after (local), though still the 7th day in UTC.
    late = residence(build, let_b, arrived_on=monday, reported_at=local(monday + timedelta(days=8), 0, 30))
    # A landlord report due this week, still pending: nobody confirmed it.
    unchecked = residence(
        build, let_b, arrived_on=reported, reported_at=local(reported, 9), source="landlord", verification="pending"
    )
    # C: one floating resident, nobody to look after them.
    house_c = build.house(build.address(grid_c, 120.025, 30.005))
    residence(build, house_c, arrived_on=date(2026, 1, 1), reported_at=local(date(2026, 1, 2)))
    session.flush()
    return {
        "period": label,
        "grids": (grid_a, grid_b, grid_c),
        "workers": (worker_a, worker_b),
        "let_b": let_b,
        "never": never,
        "late": late,
        "unchecked": unchecked,
    }


def _board(client, **query) -> dict:
    r = client.get("/api/v1/targets", query_string=query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _by_code(body: dict) -> dict:
    return {g["key"]["code"]: g["figures"] for g in body["groups"]}


def _figures(ind: dict) -> tuple:
    return ind["numerator"], ind["denominator"], ind["value"], ind["status"]


def test_an_area_that_meets_every_target(as_admin, area):
    body = _board(as_admin, group_by="grid", period=area["period"])
    assert body["policy_version"] == "2026.1" and body["period"]["week"] == area["period"]
    a = _by_code(body)[area["grids"][0].code]
    assert set(a) == set(INDICATORS)
    assert _figures(a["household_coverage"]) == (2, 2, 1.0, "met")
    assert _figures(a["registration_timeliness"]) == (1, 1, 1.0, "met")
    assert _figures(a["verification"]) == (1, 1, 1.0, "met")
    assert _figures(a["rental_info_complete"]) == (2, 2, 1.0, "met")
    assert _figures(a["agreements_signed"]) == (2, 2, 1.0, "met")
    assert _figures(a["worker_workload"]) == (1, 1, 1.0, "met")
    assert _figures(a["staffing_ratio"]) == (2, 1, 2.0, "met")
    indicators = {i["id"]: i for i in body["indicators"]}
    assert list(indicators) == list(INDICATORS)
    assert indicators["staffing_ratio"]["target"] == {"op": "<=", "value": 500.0}
    assert indicators["household_coverage"]["name"]["zh"] == "入户走访覆盖率"


def test_an_area_that_misses_each_target(as_admin, area):
    grids = _by_code(_board(as_admin, group_by="grid", period=area["period"]))
    b, c = grids[area["grids"][1].code], grids[area["grids"][2].code]
    assert _figures(b["household_coverage"]) == (1, 2, 0.5, "short")
    assert _figures(b["registration_timeliness"]) == (0, 1, 0.0, "short")
    assert _figures(b["verification"]) == (0, 1, 0.0, "short")
    assert _figures(b["rental_info_complete"]) == (0, 1, 0.0, "short")
    assert _figures(b["agreements_signed"]) == (0, 1, 0.0, "short")
    assert _figures(b["worker_workload"]) == (0, 1, 0.0, "short")
    assert _figures(b["staffing_ratio"]) == (2, 1, 2.0, "met")
    assert _figures(c["staffing_ratio"]) == (1, 0, None, "short")
    assert _figures(c["worker_workload"]) == (0, 0, None, "met")  # nobody to fall short


def test_community_station_and_worker_groups_add_up(as_admin, area, district):
    community = _by_code(_board(as_admin, group_by="community", period=area["period"]))[district.community.code]
    assert _figures(community["household_coverage"]) == (3, 4, 0.75, "short")
    assert _figures(community["worker_workload"]) == (1, 2, 0.5, "short")
    station = _by_code(_board(as_admin, group_by="station", period=area["period"]))[district.station.code]
    assert _figures(station["staffing_ratio"]) == (4, 2, 2.0, "met")
    workers = _by_code(_board(as_admin, group_by="worker", period=area["period"]))
    worker_a, worker_b = area["workers"]
    assert _figures(workers[worker_a.username]["worker_workload"]) == (1, 1, 1.0, "met")
    assert _figures(workers[worker_b.username]["worker_workload"]) == (0, 1, 0.0, "short")
    assert _figures(workers[worker_b.username]["household_coverage"]) == (1, 2, 0.5, "short")


def _gaps(client, indicator, **query) -> dict:
    r = client.get(f"/api/v1/targets/{indicator}/gaps", query_string=query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_gap_lists_name_what_falls_short(as_admin, area):
    grid_a, grid_b, grid_c = area["grids"]
    period = area["period"]
    for indicator in INDICATORS:
        assert _gaps(as_admin, indicator, grid=grid_a.code, period=period)["items"] == [], indicator
    coverage = _gaps(as_admin, "household_coverage", grid=grid_b.code, period=period)
    assert [(i["subject_type"], i["id"]) for i in coverage["items"]] == [("house", str(area["never"].id))]
    rental = _gaps(as_admin, "rental_info_complete", grid=grid_b.code, period=period)["items"]
    assert [i["id"] for i in rental] == [str(area["let_b"].id)] and rental[0]["details"]["missing"] == ["rooms"]
    assert [i["id"] for i in _gaps(as_admin, "agreements_signed", grid=grid_b.code, period=period)["items"]] == [
        str(area["let_b"].id)
    ]
    timely = _gaps(as_admin, "registration_timeliness", grid=grid_b.code, period=period)["items"]
    assert [i["id"] for i in timely] == [str(area["late"].id)] and timely[0]["details"]["days_to_report"] == 8
    verify = _gaps(as_admin, "verification", grid=grid_b.code, period=period)["items"]
    assert [i["id"] for i in verify] == [str(area["unchecked"].id)]
    workers = _gaps(as_admin, "worker_workload", grid=grid_b.code, period=period)["items"]
    assert [(i["worker"]["username"], i["details"]["visits"], i["details"]["residential_visits"]) for i in workers] == [
        (area["workers"][1].username, 30, 10)  # the visit on the Sunday before is not in the week
    ]
    staffing = _gaps(as_admin, "staffing_ratio", period=period)["items"]
    assert [(i["grid"]["code"], i["details"]) for i in staffing] == [(grid_c.code, {"floating": 1, "workers": 0})]


def test_gap_pages_follow_the_list_contract(as_admin, area, build):
    grid_b = area["grids"][1]
    for _ in range(2):
        build.house(build.address(grid_b, 120.018, 30.005), use="self_occupied")
    first = _gaps(as_admin, "household_coverage", grid=grid_b.code, period=area["period"], limit=2)
    assert len(first["items"]) == 2 and first["links"][0]["rel"] == "next"
    rest = _gaps(as_admin, "household_coverage", grid=grid_b.code, period=area["period"], cursor=first["next_cursor"])
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert len({i["id"] for i in first["items"] + rest["items"]}) == 3


def test_residence_gaps_mask_the_person_and_are_audited(as_police, area, session):
    body = _gaps(as_police, "registration_timeliness", grid=area["grids"][1].code, period=area["period"])
    late = area["late"]
    from server.store.models import Person

    name = session.get(Person, late.person_id).name
    assert body["items"][0]["person_name"] == name[0] + "*" * (len(name) - 1)
    text = str(body)
    assert name not in text and str(late.person_id) not in text
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "target.gaps.read")).all()
    assert [e.person_ids for e in events] == [[str(late.person_id)]]
    assert events[0].subject_ids == [str(late.id)]


def test_a_worker_sees_only_their_grids(login, area):
    grid_a, grid_b, _ = area["grids"]
    worker = login("grid_worker", grids=[grid_a.code])
    assert list(_by_code(_board(worker, period=area["period"]))) == [grid_a.code]
    other = worker.get("/api/v1/targets/verification/gaps", query_string={"grid": grid_b.code})
    unknown = worker.get("/api/v1/targets/verification/gaps", query_string={"grid": "NO-SUCH-GRID"})
    assert other.status_code == unknown.status_code == 404
    assert other.get_json()["code"] == unknown.get_json()["code"] == "target.grid_not_found"
    # Without a grid, only their own grid's gaps.
    assert _gaps(worker, "household_coverage", period=area["period"])["items"] == []


def test_committee_and_police_see_their_area_landlords_nothing(as_committee, as_police, as_landlord, area):
    codes = {g.code for g in area["grids"][:2]}
    assert set(_by_code(_board(as_committee, period=area["period"]))) == codes
    assert set(_by_code(_board(as_police, period=area["period"]))) == codes
    assert as_landlord.get("/api/v1/targets").status_code == 403
    assert as_landlord.get("/api/v1/targets/verification/gaps").status_code == 403


def test_unknown_indicator_and_bad_period(as_admin):
    r = as_admin.get("/api/v1/targets/happiness/gaps")
    assert r.status_code == 404 and r.get_json()["code"] == "target.unknown_indicator"
    for period in ("2026-49", "2026-W60", "2999-W01"):
        r = as_admin.get("/api/v1/targets", query_string={"period": period})
        assert r.status_code == 422 and "period" in r.get_json()["errors"], period


def test_csv_and_xlsx_downloads(as_admin, area):
    r = as_admin.get("/api/v1/targets", query_string={"period": area["period"], "format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    text = r.data.decode("utf-8-sig")
    assert f'"{area["grids"][1].code}"' in text and '"household_coverage","0.5","1","2",">= 1","short"' in text
    gaps = as_admin.get(
        "/api/v1/targets/registration_timeliness/gaps",
        query_string={"period": area["period"], "grid": area["grids"][1].code},
        headers={"Accept": "text/csv"},
    )
    assert gaps.status_code == 200 and str(area["late"].id) in gaps.data.decode("utf-8-sig")
    xlsx = as_admin.get("/api/v1/targets", query_string={"period": area["period"], "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_the_nightly_counts_give_the_same_figures_and_say_how_fresh(as_admin, area, session):
    from server.services import targets as service
    from server.services.tiers import local_today

    live = _board(as_admin, group_by="grid", period=area["period"])
    assert live["counts"] == "live"
    assert service.materialise(session, local_today(), weeks=[area["period"]]) == {area["period"]: 3}
    session.flush()
    nightly = _board(as_admin, group_by="grid", period=area["period"])
    assert nightly["counts"] == "nightly" and nightly["computed_at"] != live["computed_at"]
    assert nightly["groups"] == live["groups"]


def test_the_nightly_job_runs_from_the_command_line(app, db, as_admin, area):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from server.cli import main

    result = CliRunner().invoke(
        main, ["targets", "materialise", "--week", area["period"]], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 0, result.output
    assert f"{area['period']}: 3 grids" in result.output
    body = _board(as_admin, group_by="grid", period=area["period"])
    assert body["counts"] == "nightly"
    assert _figures(_by_code(body)[area["grids"][1].code]["household_coverage"]) == (1, 2, 0.5, "short")


def _monday(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def test_a_stored_weeks_workload_is_that_of_the_night_and_late_visits_count_after_the_next_run(
    as_admin, area, build, session
):
    """The nightly job keeps the workers' visits too: ten household visits synced after it leave grid B's
    workload short (the board says counts are nightly, and when), until the job runs again."""
    from server.services import targets as service
    from server.services.tiers import local_today

    monday = _monday(area["period"])
    service.materialise(session, local_today(), weeks=[area["period"]])
    session.flush()
    worker_b, grid_b = area["workers"][1], area["grids"][1].code
    for i in range(10):
        visit(build, worker_b, local(monday + timedelta(days=i % 7), 17), house=area["let_b"])
    session.flush()
    stored = _board(as_admin, group_by="grid", period=area["period"])
    assert stored["counts"] == "nightly"
    assert _figures(_by_code(stored)[grid_b]["worker_workload"]) == (0, 1, 0.0, "short")
    service.materialise(session, local_today(), weeks=[area["period"]])
    session.flush()
    again = _board(as_admin, group_by="grid", period=area["period"])
    assert _figures(_by_code(again)[grid_b]["worker_workload"]) == (1, 1, 1.0, "met")


def test_the_board_is_a_304_while_unchanged_and_a_200_once_recounted(as_admin, as_police, area, build, session):
    from server.services import targets as service
    from server.services.tiers import local_today

    service.materialise(session, local_today(), weeks=[area["period"]])
    session.flush()
    query = {"group_by": "grid", "period": area["period"]}
    first = as_admin.get("/api/v1/targets", query_string=query)
    tag = first.headers["ETag"]
    again = as_admin.get("/api/v1/targets", query_string=query, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    station = query | {"group_by": "station"}
    assert as_admin.get("/api/v1/targets", query_string=station, headers={"If-None-Match": tag}).status_code == 200
    assert as_police.get("/api/v1/targets", query_string=query, headers={"If-None-Match": tag}).status_code == 200
    visit(build, area["workers"][1], local(_monday(area["period"]), 16), house=area["never"])  # grid B covered now
    service.materialise(session, local_today(), weeks=[area["period"]])
    session.flush()
    recounted = as_admin.get("/api/v1/targets", query_string=query, headers={"If-None-Match": tag})
    assert recounted.status_code == 200 and recounted.headers["ETag"] != tag


def test_a_new_installation_is_counted_within_minutes_not_on_the_first_night(app, as_admin, area, session):
    """The catch-up job (every 5 minutes) counts when the board's default week has no nightly counts, and
    leaves a counted week alone."""
    from server.jobs import tasks

    assert _board(as_admin, group_by="grid")["counts"] == "live"
    tasks.bind(app)
    assert "grids" in tasks.catch_up_targets.func(timestamp=0)
    session.flush()
    assert _board(as_admin, group_by="grid")["counts"] == "nightly"
    assert tasks.catch_up_targets.func(timestamp=0) == "counted already"
