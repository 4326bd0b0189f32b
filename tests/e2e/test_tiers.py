"""Tiers: computed from the house's facts whenever they change, explained, overridden by police."""

from datetime import date, timedelta

from sqlalchemy import select, update

from server.services import tiers as tier_service
from server.store.models import AuditEvent, TierState
from tests.e2e.registry_helpers import house
from tests.e2e.tier_helpers import inspect, rental, rules, tier

TODAY = date.today()


def test_a_by_bed_rental_is_focus_and_the_tier_says_which_rule_and_fact_put_it_there(as_worker, as_police):
    h = rental(as_worker, rental_mode="by_bed")
    body = tier(as_police, h["id"])
    assert (body["tier"], body["computed_tier"], body["policy_version"]) == ("focus", "focus", "2026.1")
    [reason] = body["reasons"]
    assert reason["rule"] == "by_bed" and reason["description"]["zh"].startswith("按床位")
    assert reason["facts"] == [{"fact": "rental_mode", "op": "=", "threshold": "by_bed", "value": "by_bed"}]
    assert body["override"] is None
    assert [(c["from_tier"], c["to_tier"], c["cause"]) for c in body["history"]] == [(None, "focus", "evaluation")]


def test_a_house_that_is_not_let_has_no_tier(as_worker, as_police):
    h = house(as_worker, use="self_occupied")
    body = tier(as_police, h["id"])
    assert body["tier"] == "none" and body["history"] == []


def test_signing_the_agreement_re_evaluates_at_once_but_focus_is_left_only_after_clean_inspections(
    as_worker, as_police
):
    h = rental(as_worker, signed=False)
    before = tier(as_police, h["id"])
    assert before["tier"] == "focus" and rules(before) == ["no_agreement"]
    r = as_worker.patch(f"/api/v1/houses/{h['id']}", json={"agreement_signed_on": TODAY.isoformat()})
    assert r.status_code == 200, r.get_json()
    after = tier(as_police, h["id"])
    assert after["tier"] == "focus" and after["reasons"][0]["rule"] == "held"
    assert after["reasons"][0]["would_be"] == "uncertain" and "no_agreement" not in rules(after)
    assert after["facts"]["agreement_signed"] is True
    inspect(as_police, h["id"])
    inspect(as_police, h["id"])
    inspect(as_police, h["id"])
    released = tier(as_police, h["id"])
    assert released["tier"] == "trusted"
    assert [(c["from_tier"], c["to_tier"]) for c in released["history"]] == [("focus", "trusted"), (None, "focus")]


def test_a_serious_hazard_makes_it_focus_and_it_leaves_only_after_two_clean_inspections_since(as_worker, as_police):
    h = rental(as_worker)
    assert tier(as_police, h["id"])["tier"] == "uncertain"
    inspect(as_police, h["id"], hazards=["coal_stove"])
    hazard = tier(as_police, h["id"])
    assert hazard["tier"] == "focus" and rules(hazard) == ["serious_hazard"]
    assert hazard["reasons"][0]["facts"][0] | {} == {"fact": "serious_hazards", "op": ">", "threshold": 0, "value": 1}
    inspect(as_police, h["id"])  # the stove is gone: the facts are gone, the hold starts
    held = tier(as_police, h["id"])
    assert held["tier"] == "focus" and held["reasons"][0]["rule"] == "held"
    assert held["reasons"][0]["facts"][0]["value"] == 0
    inspect(as_police, h["id"])
    assert tier(as_police, h["id"])["reasons"][0]["facts"][0]["value"] == 1
    inspect(as_police, h["id"])
    released = tier(as_police, h["id"])
    assert released["tier"] == "trusted" and rules(released) == ["trusted_record"]
    assert [c["to_tier"] for c in released["history"]] == ["trusted", "focus", "uncertain"]


def test_police_override_a_tier_with_a_reason_until_a_day_and_it_is_audited(as_worker, as_police, session):
    h = rental(as_worker, rental_mode="by_bed")
    until = (TODAY + timedelta(days=10)).isoformat()
    r = as_police.put(
        f"/api/v1/houses/{h['id']}/tier-override",
        json={"tier": "uncertain", "reason": "床位已拆除，待复查", "expires_on": until},
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["tier"], body["computed_tier"]) == ("uncertain", "focus")
    assert body["override"]["reason"] == "床位已拆除，待复查" and body["override"]["expires_on"] == until
    assert body["history"][0]["cause"] == "override" and body["history"][0]["by"] == str(as_police.account_id)
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "tier.override", AuditEvent.subject_ids.contains([h["id"]]))
    )
    assert event.purpose == "床位已拆除，待复查" and event.details["from"] == "focus"
    lifted = as_police.delete(f"/api/v1/houses/{h['id']}/tier-override")
    assert lifted.status_code == 200
    assert (lifted.get_json()["tier"], lifted.get_json()["override"]) == ("focus", None)
    assert lifted.get_json()["history"][0]["cause"] == "override_lifted"


def test_an_override_needs_tier_reason_and_expiry_and_only_police_may_set_it(as_worker, as_police, as_committee):
    h = rental(as_worker)
    url = f"/api/v1/houses/{h['id']}/tier-override"
    assert as_police.put(url, json={"tier": "focus", "reason": "x"}).status_code == 422
    past = as_police.put(url, json={"tier": "focus", "reason": "x", "expires_on": "2020-01-01"})
    assert past.status_code == 422 and "expires_on" in past.get_json()["errors"]
    body = {"tier": "focus", "reason": "线索", "expires_on": (TODAY + timedelta(days=3)).isoformat()}
    assert as_committee.put(url, json=body).status_code == 403
    assert as_worker.put(url, json=body).status_code == 403
    assert as_police.delete(url).status_code == 404  # nothing to lift


def test_an_expired_override_gives_way_to_the_computed_tier_at_read_time_and_on_recompute(
    as_worker, as_police, session
):
    h = rental(as_worker, rental_mode="by_bed")
    body = {"tier": "trusted", "reason": "整改中", "expires_on": TODAY.isoformat()}
    assert as_police.put(f"/api/v1/houses/{h['id']}/tier-override", json=body).status_code == 200
    assert tier(as_police, h["id"])["tier"] == "trusted"  # still in force on its expiry day
    session.execute(
        update(TierState).where(TierState.house_id == h["id"]).values(override_expires_on=TODAY - timedelta(days=1))
    )
    read = tier(as_police, h["id"])
    assert (read["tier"], read["override"]) == ("focus", None)
    tier_service.refresh_houses(session, [h["id"]], TODAY)
    after = tier(as_police, h["id"])
    assert after["history"][0]["cause"] == "override_expired" and after["history"][0]["to_tier"] == "focus"
    state = session.scalar(select(TierState).where(TierState.house_id == h["id"]))
    assert state.override_tier is None and state.tier == "focus"


def test_another_stations_officer_cannot_see_the_tier(as_worker, login, build):
    h = rental(as_worker, rental_mode="by_bed")
    stranger = login("police", station=build.station().code)
    assert stranger.get(f"/api/v1/houses/{h['id']}/tier").status_code == 404
    r = stranger.put(
        f"/api/v1/houses/{h['id']}/tier-override",
        json={"tier": "trusted", "reason": "x", "expires_on": TODAY.isoformat()},
    )
    assert r.status_code == 404


def test_a_landlord_sees_the_tier_of_their_own_house_only(as_worker, login):
    landlord = login("landlord")
    own = rental(as_worker, landlord_account_id=str(landlord.account_id))
    other = rental(as_worker)
    assert tier(landlord, own["id"])["tier"] == "uncertain"
    assert landlord.get(f"/api/v1/houses/{other['id']}/tier").status_code == 404


def test_a_hotel_is_a_key_unit(as_worker, as_police):
    from tests.e2e.registry_helpers import address

    addr = address(as_worker)
    r = as_worker.post("/api/v1/units", json={"address_id": addr["id"], "name": "如家快捷酒店", "kind": "hotel"})
    assert r.status_code == 201, r.get_json()
    body = as_police.get(f"/api/v1/units/{r.get_json()['id']}/tier").get_json()
    assert body["tier"] == "key" and rules(body) == ["lodging_or_site"]


def test_when_several_alternatives_of_a_rule_hold_the_reason_names_each(as_worker, as_police):
    """A visit finds a tenant the landlord never reported and misses one who left unreported:
    the rule 'unreported tenants' holds both ways, and the reason says both."""
    from tests.builders import citizen_id, ref
    from tests.e2e.registry_helpers import person, residence
    from tests.e2e.submission_helpers import resident, visit

    h = rental(as_worker, rental_mode="whole")
    r = as_police.post(
        "/api/v1/landlords",
        json={
            "username": f"ll-{ref()}",
            "password": "landlord secret 1",
            "name": "周安",
            "phone": "13900005555",
            "document_type": "citizen_id",
            "document_number": citizen_id(date(1966, 6, 6), "male"),
            "house_ids": [h["id"]],
        },
    )
    assert r.status_code == 201, r.get_json()
    birth = date(1990, 5, 11)
    number = citizen_id(birth, "male")
    gone = person(as_worker, name="钱进", birth=birth, document_number=number)
    residence(as_worker, gone["id"], h["id"], arrived_on=TODAY - timedelta(days=60))
    found = resident(name="冯涛", birth=date(1989, 8, 8), arrived=TODAY - timedelta(days=30))
    left = resident(name="钱进", birth=birth, number=number, present="no")
    assert as_worker.post("/api/v1/submissions", json=visit(h, [found, left])).status_code == 201
    body = tier(as_police, h["id"])
    [reason] = [r for r in body["reasons"] if r["rule"] == "unreported_tenants"]
    assert [(f["fact"], f["value"]) for f in reason["facts"]] == [("missed_arrivals", 1), ("missed_departures", 1)]
