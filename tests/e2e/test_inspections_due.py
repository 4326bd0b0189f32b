"""Due lists: each role sees what it must inspect in its area, most overdue first, in JSON, CSV,
XLSX or GeoJSON; phones hear of their due inspections through the change feed."""

import csv
import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import update

from server.services import tiers as tier_service
from server.store.models import TierState
from tests.e2e.tier_helpers import inspect, rental, self_check

TODAY = date.today()
DUE = "/api/v1/inspections/due"


def _due(client, **params):
    r = client.get(DUE, query_string=params)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def _ids(items):
    return [i["house_id"] for i in items]


def _age(session, house_id, days):
    """Make the house's tier `days` old (as if it began then) and re-evaluate it."""
    session.execute(
        update(TierState)
        .where(TierState.house_id == house_id)
        .values(tier_since=TODAY - timedelta(days=days), computed_since=TODAY - timedelta(days=days))
    )
    tier_service.refresh_houses(session, [house_id], TODAY)


def _trusted(worker, committee, **fields):
    h = rental(worker, **fields)
    inspect(committee, h["id"])
    inspect(committee, h["id"])
    return h


def test_police_see_their_focus_houses_due_from_the_day_the_tier_began_with_address_and_reasons(as_worker, as_police):
    h = rental(as_worker, rental_mode="by_bed")
    [item] = [i for i in _due(as_police) if i["house_id"] == h["id"]]
    assert (item["tier"], item["role"], item["every_days"]) == ("focus", "police", 7)
    assert (item["due_on"], item["status"], item["days_overdue"]) == (TODAY.isoformat(), "due_today", 0)
    assert item["address"]["full_text"] == h["address"]["full_text"] and item["last_visit_at"] is None
    assert [r["rule"] for r in item["reasons"]] == ["by_bed"]
    assert not {"residents", "persons", "person", "name"} & set(item)  # places, not people


def test_an_inspection_by_the_police_moves_the_due_date_seven_local_days_on(as_worker, as_police):
    h = rental(as_worker, rental_mode="by_bed")
    inspect(as_police, h["id"])
    [item] = [i for i in _due(as_police, status="upcoming") if i["house_id"] == h["id"]]
    assert item["due_on"] == (TODAY + timedelta(days=7)).isoformat() and item["last_visit_at"] is not None
    assert h["id"] not in _ids(_due(as_police, status="due_today"))
    assert h["id"] in _ids(_due(as_police, within_days=7))
    assert h["id"] not in _ids(_due(as_police, within_days=6))


def test_an_inspection_by_the_wrong_role_does_not_satisfy_the_police(as_worker, as_police, as_committee):
    h = rental(as_worker, rental_mode="by_bed")
    inspect(as_committee, h["id"])
    [item] = [i for i in _due(as_police) if i["house_id"] == h["id"]]
    assert item["status"] == "due_today" and item["last_visit_at"] is None


def test_most_overdue_first_with_days_overdue(as_worker, as_police, session):
    week = rental(as_worker, rental_mode="by_bed")
    month = rental(as_worker, rental_mode="by_bed")
    _age(session, week["id"], 8)
    _age(session, month["id"], 30)
    items = [i for i in _due(as_police, status="overdue") if i["house_id"] in (week["id"], month["id"])]
    assert [(i["house_id"], i["days_overdue"]) for i in items] == [(month["id"], 30), (week["id"], 8)]


def test_committee_see_uncertain_houses_not_focus_ones(as_worker, as_committee):
    uncertain, focus = rental(as_worker), rental(as_worker, rental_mode="by_bed")
    items = _due(as_committee)
    assert uncertain["id"] in _ids(items) and focus["id"] not in _ids(items)
    [item] = [i for i in items if i["house_id"] == uncertain["id"]]
    assert (item["tier"], item["role"], item["every_days"]) == ("uncertain", "committee", 15)


def test_trusted_houses_are_due_for_the_landlords_self_check_and_the_workers_visit(
    as_worker, as_committee, as_police, login
):
    landlord = login("landlord")
    h = _trusted(as_worker, as_committee, landlord_account_id=str(landlord.account_id))
    [mine] = _due(landlord)
    assert (mine["house_id"], mine["tier"], mine["role"], mine["every_days"]) == (h["id"], "trusted", "landlord", 30)
    [visit] = [i for i in _due(as_worker) if i["house_id"] == h["id"]]
    assert (visit["role"], visit["every_days"]) == ("grid_worker", 90)
    assert h["id"] not in _ids(_due(as_police)) and h["id"] not in _ids(_due(as_committee))
    self_check(landlord, h["id"])
    [after] = _due(landlord)
    assert after["due_on"] == (TODAY + timedelta(days=30)).isoformat() and after["status"] == "upcoming"


def test_a_landlord_sees_only_their_own_self_checks(as_worker, as_committee, login):
    mine, theirs = login("landlord"), login("landlord")
    _trusted(as_worker, as_committee, landlord_account_id=str(theirs.account_id))
    assert _due(mine) == []


def test_another_stations_officer_sees_none_of_it(as_worker, as_police, login, build):
    h = rental(as_worker, rental_mode="by_bed")
    stranger = login("police", station=build.station().code)
    assert h["id"] not in _ids(_due(stranger))
    assert h["id"] in _ids(_due(as_police))
    summary = stranger.get("/api/v1/inspections/summary").get_json()
    assert summary["total"] == {"key": "total", "grid": None, "overdue": 0, "due_today": 0, "upcoming": 0}


def test_filters_by_grid_and_tier(as_worker, as_police, district):
    h = rental(as_worker, rental_mode="by_bed")
    assert h["id"] in _ids(_due(as_police, grid=district.grids[0].code, tier="focus"))
    assert h["id"] not in _ids(_due(as_police, grid=district.grids[1].code))
    assert h["id"] not in _ids(_due(as_police, tier="uncertain"))
    assert as_police.get(DUE, query_string={"status": "late"}).status_code == 422


def test_pages_follow_the_cursor_without_repeats(as_worker, as_police):
    made = {rental(as_worker, rental_mode="by_bed")["id"] for _ in range(3)}
    first = as_police.get(DUE, query_string={"limit": 2}).get_json()
    second = as_police.get(DUE, query_string={"limit": 2, "cursor": first["next_cursor"]}).get_json()
    seen = _ids(first["items"]) + _ids(second["items"])
    assert len(seen) == len(set(seen)) and made <= set(seen)


def test_the_due_list_as_csv_and_xlsx_has_the_same_rows(as_worker, as_police):
    h = rental(as_worker, rental_mode="by_bed")
    r = as_police.get(DUE, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    [row] = [x for x in rows if x["house_id"] == h["id"]]
    assert (row["status"], row["tier"], row["role"], row["due_on"]) == (
        "due_today",
        "focus",
        "police",
        TODAY.isoformat(),
    )
    assert row["address"] == h["address"]["full_text"] and "按床位" in row["reasons"]
    x = as_police.get(DUE, query_string={"format": "xlsx"})
    assert x.status_code == 200 and x.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(x.get_data()), read_only=True).active
    values = list(sheet.values)
    # strict=False: a read-only sheet leaves trailing empty cells out of a row
    header, data = values[0], [dict(zip(values[0], v, strict=False)) for v in values[1:]]
    assert "days_overdue" in header
    [cell] = [d for d in data if d["house_id"] == h["id"]]
    assert (cell["tier"], cell["address"]) == ("focus", h["address"]["full_text"])
    assert len(data) == len(rows)


def test_the_due_list_as_geojson_has_points_at_the_addresses(as_worker, as_police):
    h = rental(as_worker, rental_mode="by_bed")
    r = as_police.get(DUE, headers={"Accept": "application/geo+json"})
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    body = r.get_json()
    [feature] = [f for f in body["features"] if f["properties"]["house_id"] == h["id"]]
    loc = h["address"]["location"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]}
    assert feature["properties"]["tier"] == "focus"
    assert as_police.get(DUE, query_string={"format": "geojson"}).mimetype == "application/geo+json"


def test_summary_counts_by_grid_tier_and_role(as_worker, as_committee, as_admin, as_police, session, district):
    _focus_now, focus_late = rental(as_worker, rental_mode="by_bed"), rental(as_worker, rental_mode="by_bed")
    _age(session, focus_late["id"], 3)
    rental(as_worker)
    by_grid = as_police.get("/api/v1/inspections/summary", query_string={"group_by": "grid"}).get_json()
    [g0] = [r for r in by_grid["rows"] if r["key"] == district.grids[0].code]
    assert (g0["overdue"], g0["due_today"], g0["upcoming"]) == (1, 1, 0)
    assert g0["grid"]["code"] == district.grids[0].code
    by_role = as_admin.get(
        "/api/v1/inspections/summary", query_string={"group_by": "role", "grid": district.grids[0].code}
    ).get_json()
    counts = {r["key"]: r["overdue"] + r["due_today"] + r["upcoming"] for r in by_role["rows"]}
    assert counts == {"police": 2, "committee": 1}
    by_tier = as_admin.get(
        "/api/v1/inspections/summary", query_string={"group_by": "tier", "grid": district.grids[0].code}
    ).get_json()
    assert {r["key"]: r["overdue"] for r in by_tier["rows"]} == {"focus": 1, "uncertain": 0}


def test_due_inspections_reach_the_phones_of_the_role_that_must_do_them(as_worker, as_police, as_committee):
    h = rental(as_worker, rental_mode="by_bed")

    def feed(client):
        items, cursor = [], None
        while True:
            body = client.get("/api/v1/sync/changes", query_string={"cursor": cursor} if cursor else {}).get_json()
            items += body["items"]
            cursor = body["next_cursor"]
            if not body["more"]:
                return items

    police_dues = [i for i in feed(as_police) if i["type"] == "inspection_due"]
    [mine] = [i for i in police_dues if i["data"] and i["data"]["house_id"] == h["id"]]
    assert (mine["op"], mine["data"]["role"], mine["data"]["due_on"]) == ("upsert", "police", TODAY.isoformat())
    committee = [i for i in feed(as_committee) if i["type"] == "inspection_due" and i["op"] == "upsert"]
    assert all(i["data"]["role"] == "committee" for i in committee)
    assert mine["id"] not in [i["id"] for i in committee]


def test_when_the_tier_changes_the_old_roles_due_becomes_a_tombstone(as_worker, as_police, session):
    h = rental(as_worker, rental_mode="by_bed")
    cursor = as_police.get("/api/v1/sync/changes").get_json()["next_cursor"]
    r = as_police.put(
        f"/api/v1/houses/{h['id']}/tier-override",
        json={"tier": "uncertain", "reason": "复查", "expires_on": TODAY.isoformat()},
    )
    assert r.status_code == 200
    body = as_police.get("/api/v1/sync/changes", query_string={"cursor": cursor}).get_json()
    [gone] = [i for i in body["items"] if i["type"] == "inspection_due"]
    assert (gone["op"], gone["data"]) == ("delete", None)
    assert h["id"] not in _ids(_due(as_police))
