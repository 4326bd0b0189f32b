"""Resolving a conflict never overwrites what changed after it was raised:
the officer decides on the record's current values."""

from tests.e2e.registry_helpers import house
from tests.e2e.submission_helpers import resident, visit


def _conflict_on_rental_mode(as_worker):
    """A house at version 2 (shared); a phone that saw version 1 submits by_bed: a conflict."""
    h = house(as_worker, rental_mode="whole")
    as_worker.patch(f"/api/v1/houses/{h['id']}", json={"rental_mode": "shared"})
    body = visit(h, [resident()]) | {"subject": {"type": "house", "id": h["id"], "base_version": 1}}
    body["answers"] |= {"house_use": "rented", "rental_mode": "by_bed"}
    r = as_worker.post("/api/v1/submissions", json=body)
    [conflict_id] = r.get_json()["result"]["conflicts"]
    return h, conflict_id


def test_taking_the_submitted_value_after_a_newer_edit_is_refused_with_the_current_value(
    as_worker, as_police, as_admin
):
    h, conflict_id = _conflict_on_rental_mode(as_worker)
    newer = as_admin.patch(f"/api/v1/houses/{h['id']}", json={"rental_mode": "whole"})  # nobody saw this yet
    assert newer.status_code == 200

    r = as_police.post(f"/api/v1/conflicts/{conflict_id}/resolution", json={"choose": {"rental_mode": "submitted"}})
    assert r.status_code == 409, r.get_json()
    body = r.get_json()
    assert body["code"] == "conflict.stale"
    assert body["properties"] == {"rental_mode": {"current": "whole", "submitted": "by_bed"}}
    assert body["current_version"] == newer.get_json()["version"]
    assert as_police.get(f"/api/v1/houses/{h['id']}").get_json()["rental_mode"] == "whole"  # not overwritten

    shown = as_police.get(f"/api/v1/conflicts/{conflict_id}").get_json()  # the newer value, for a new decision
    assert shown["status"] == "open"
    assert shown["properties"] == {"rental_mode": {"current": "whole", "submitted": "by_bed"}}
    assert shown["current_version"] == body["current_version"]

    decided = as_police.post(
        f"/api/v1/conflicts/{conflict_id}/resolution",
        json={"choose": {"rental_mode": "submitted"}, "current_version": shown["current_version"]},
    )
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["properties"]["rental_mode"]["current"] == "whole"  # what the decision was against
    assert as_police.get(f"/api/v1/houses/{h['id']}").get_json()["rental_mode"] == "by_bed"


def test_a_decision_against_an_outdated_version_is_refused(as_worker, as_police, as_admin):
    h, conflict_id = _conflict_on_rental_mode(as_worker)
    seen = as_police.get(f"/api/v1/conflicts/{conflict_id}").get_json()["current_version"]
    as_admin.patch(f"/api/v1/houses/{h['id']}", json={"note": "钥匙在物业"})  # any change moves the version
    r = as_police.post(
        f"/api/v1/conflicts/{conflict_id}/resolution",
        json={"choose": {"rental_mode": "submitted"}, "current_version": seen},
    )
    assert r.status_code == 409 and r.get_json()["code"] == "conflict.stale"


def test_an_unrelated_newer_edit_does_not_block_taking_the_submitted_value(as_worker, as_police, as_admin):
    h, conflict_id = _conflict_on_rental_mode(as_worker)
    as_admin.patch(f"/api/v1/houses/{h['id']}", json={"note": "钥匙在物业"})
    r = as_police.post(f"/api/v1/conflicts/{conflict_id}/resolution", json={"choose": {"rental_mode": "submitted"}})
    assert r.status_code == 200, r.get_json()
    after = as_police.get(f"/api/v1/houses/{h['id']}").get_json()
    assert (after["rental_mode"], after["note"]) == ("by_bed", "钥匙在物业")


def test_keeping_the_current_value_after_a_newer_edit_keeps_the_newer_value(as_worker, as_police, as_admin):
    h, conflict_id = _conflict_on_rental_mode(as_worker)
    as_admin.patch(f"/api/v1/houses/{h['id']}", json={"rental_mode": "whole"})
    r = as_police.post(f"/api/v1/conflicts/{conflict_id}/resolution", json={"choose": {"rental_mode": "current"}})
    assert r.status_code == 200, r.get_json()
    assert as_police.get(f"/api/v1/houses/{h['id']}").get_json()["rental_mode"] == "whole"
