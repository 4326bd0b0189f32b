"""Property: however a flaky network duplicates and retries uploads (singly or
in batches, edits included), the registry ends exactly as if every submission
had arrived once, in order."""

import copy
import uuid
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import citizen_id
from tests.e2e.registry_helpers import house
from tests.e2e.submission_helpers import resident, visit

POOL = [
    ("刘洋", "male", date(1990, 1, 1)),
    ("王芳", "female", date(1992, 2, 2)),
    ("张伟", "male", date(1985, 3, 3)),
    ("李娜", "female", date(1999, 4, 4)),
]
NUMBERS = {name: citizen_id(birth, sex) for name, sex, birth in POOL}


def _visit(house_row, picks):
    people = [
        resident(name=n, sex=s, birth=b, present=p, number=NUMBERS[n], arrived=date(2026, 1, 1))
        for (n, s, b), p in picks
    ]
    return visit(house_row, people)


visits = st.lists(
    st.lists(
        st.tuples(st.sampled_from(POOL), st.sampled_from(["yes", "no"])),
        min_size=1,
        max_size=3,
        unique_by=lambda t: t[0][0],
    ),
    min_size=1,
    max_size=4,
)


def _plan(data, house_row, picks_list):
    """The submissions in order (each maybe followed by an edit), and a delivery with retries."""
    ordered = []
    for picks in picks_list:
        original = _visit(house_row, picks)
        ordered.append(original)
        if data.draw(st.booleans(), label="edited"):
            edit = _visit(
                house_row,
                data.draw(
                    st.lists(
                        st.tuples(st.sampled_from(POOL), st.sampled_from(["yes", "no"])),
                        min_size=1,
                        max_size=3,
                        unique_by=lambda t: t[0][0],
                    ),
                    label="edit",
                ),
            )
            edit["deprecated_id"] = original["instance_id"]
            ordered.append(edit)
    delivery = []
    for item in ordered:
        delivery.append(item)
        for _ in range(data.draw(st.integers(0, 2), label="retries")):
            later = data.draw(st.integers(len(delivery), len(delivery) + 3), label="when")
            delivery.insert(min(later, len(delivery)), item)  # a retry arrives later, between other items
    return ordered, delivery


def _state(client, house_id):
    items = client.get(f"/api/v1/houses/{house_id}/residents").get_json()["items"]
    return sorted((i["person"]["name"], i["arrived_on"], i["left_on"] is None, i["verification"]) for i in items)


def _send(client, items, data):
    """Deliver items one by one or in batches, as a phone's sync loop might."""
    i = 0
    while i < len(items):
        size = data.draw(st.integers(1, 3), label="batch")
        chunk = items[i : i + size]
        if size == 1:
            r = client.post("/api/v1/submissions", json=chunk[0])
            assert r.status_code in (200, 201), r.get_json()
        else:
            r = client.post("/api/v1/sync/submissions", json={"submissions": chunk})
            assert all(x["outcome"] in ("created", "duplicate") for x in r.get_json()["items"]), r.get_json()
        i += size


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(picks_list=visits, data=st.data())
def test_duplicates_and_retries_change_nothing(db, as_worker, picks_list, data):
    conn = db._bind
    once = conn.begin_nested()
    try:
        h = house(as_worker)
        ordered, delivery = _plan(data, h, picks_list)
        for item in ordered:
            assert as_worker.post("/api/v1/submissions", json=item).status_code == 201
        expected = _state(as_worker, h["id"])
    finally:
        once.rollback()
    chaotic = conn.begin_nested()
    try:
        h2 = house(as_worker)
        _send(as_worker, [_retarget(i, h2) for i in delivery], data)
        assert _state(as_worker, h2["id"]) == expected
    finally:
        chaotic.rollback()


_retargeted: dict = {}


def _retarget(item, house_row):
    """The same submission aimed at the second run's house (same instance ids within a run)."""
    key = (item["instance_id"], house_row["id"])
    if key not in _retargeted:
        copy_ = copy.deepcopy(item)
        copy_["subject"]["id"] = house_row["id"]
        copy_["instance_id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, key[0] + key[1]))
        if copy_.get("deprecated_id"):
            copy_["deprecated_id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, copy_["deprecated_id"] + key[1]))
        _retargeted[key] = copy_
    return _retargeted[key]
