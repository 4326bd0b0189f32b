"""Races: requests that arrive at the same moment end in the answers they would get one
after the other, never in a server error. Each test sends its requests on their own
threads and connections, against a database where they really commit (`committed`)."""

from datetime import date, timedelta

from tests.builders import citizen_id, ref
from tests.conftest import ApiClient
from tests.e2e.submission_helpers import registration, resident, visit

IN_G0 = {"lon": 120.005, "lat": 30.005}
N = 8


def _worker(committed):
    return committed.login("grid_worker", grids=[committed.district.grids[0].code])


def _posts(committed, who, url, bodies):
    """POST each body from its own phone (the same worker, a token per phone), all at once;
    the responses in order."""
    clients = [committed.another_device(who) for _ in bodies]
    return committed.parallel([lambda c=c, b=b: c.post(url, json=b) for c, b in zip(clients, bodies, strict=True)])


def _statuses(responses):
    return sorted(r.status_code for r in responses)


def _house(worker):
    r = worker.post("/api/v1/addresses", json={"street": "幸福路", "door": f"{ref()}号", "location": IN_G0})
    assert r.status_code == 201, r.get_json()
    r = worker.post("/api/v1/houses", json={"address_id": r.get_json()["id"], "use": "rented", "rental_mode": "shared"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_the_same_new_address_sent_eight_times_at_once_is_one_record(committed):
    worker = _worker(committed)
    body = {"street": "幸福路", "door": "12号", "building": "3栋", "location": IN_G0}
    responses = _posts(committed, worker, "/api/v1/addresses", [body] * N)
    assert _statuses(responses) == [200] * (N - 1) + [201], [r.get_json() for r in responses]
    assert len({r.get_json()["id"] for r in responses}) == 1
    assert sorted(r.get_json()["existing"] for r in responses) == [False] + [True] * (N - 1)


def test_the_same_new_person_sent_eight_times_at_once_is_one_record_and_seven_conflicts(committed):
    worker = _worker(committed)
    birth = date(1990, 5, 11)
    body = {
        "name": "张三",
        "sex": "male",
        "birth_date": birth.isoformat(),
        "document_type": "citizen_id",
        "document_number": citizen_id(birth, "male"),
    }
    responses = _posts(committed, worker, "/api/v1/persons", [body] * N)
    assert _statuses(responses) == [201] + [409] * (N - 1), [r.get_json() for r in responses]
    created = next(r.get_json()["id"] for r in responses if r.status_code == 201)
    conflicts = [r.get_json() for r in responses if r.status_code == 409]
    assert all(c["code"] == "person.exists" and c["existing_id"] == created for c in conflicts)


def test_the_same_residence_sent_eight_times_at_once_is_one_record_and_seven_conflicts(committed):
    worker = _worker(committed)
    h = _house(worker)
    birth = date(1990, 5, 11)
    person = worker.post(
        "/api/v1/persons",
        json={
            "name": "李四",
            "sex": "male",
            "birth_date": birth.isoformat(),
            "document_type": "citizen_id",
            "document_number": citizen_id(birth, "male"),
        },
    ).get_json()
    body = {
        "person_id": person["id"],
        "house_id": h["id"],
        "category": "floating",
        "arrived_on": date.today().isoformat(),
    }
    responses = _posts(committed, worker, "/api/v1/residences", [body] * N)
    assert _statuses(responses) == [201] + [409] * (N - 1), [r.get_json() for r in responses]
    created = next(r.get_json()["id"] for r in responses if r.status_code == 201)
    conflicts = [r.get_json() for r in responses if r.status_code == 409]
    assert all(c["code"] == "residence.exists" and c["existing_id"] == created for c in conflicts)


def test_eight_phones_registering_the_same_new_address_at_once_all_succeed_on_one_record(committed):
    worker = _worker(committed)
    bodies = [registration(street="学院路", door="88", use="rented", rental_mode="whole") for _ in range(N)]
    responses = _posts(committed, worker, "/api/v1/submissions", bodies)
    assert _statuses(responses) == [201] * N, [r.get_json() for r in responses]
    addresses = {
        c["id"]
        for r in responses
        for c in r.get_json()["result"]["created"] + r.get_json()["result"]["updated"]
        if c["type"] == "address"
    }
    assert len(addresses) == 1
    houses = worker.get("/api/v1/houses", query_string={"q": "学院路88号"}).get_json()["items"]
    assert len(houses) == 1


def test_eight_visits_naming_the_same_new_person_at_once_all_succeed_on_one_person(committed):
    worker = _worker(committed)
    h = _house(worker)
    someone = resident(name="刘洋", arrived=date.today() - timedelta(days=3))
    bodies = [visit(h, [dict(someone)]) for _ in range(N)]
    responses = _posts(committed, worker, "/api/v1/submissions", bodies)
    assert _statuses(responses) == [201] * N, [r.get_json() for r in responses]
    residents = worker.get(f"/api/v1/houses/{h['id']}/residents", query_string={"current": "true"}).get_json()["items"]
    assert [x["person"]["name"] for x in residents] == ["刘洋"]


def test_eight_phones_naming_the_same_new_person_in_different_houses_all_succeed_on_one_person(committed):
    worker = _worker(committed)
    houses = [_house(worker) for _ in range(N)]
    someone = resident(name="王芳", sex="female", birth=date(1995, 1, 2))
    responses = _posts(committed, worker, "/api/v1/submissions", [visit(h, [dict(someone)]) for h in houses])
    assert _statuses(responses) == [201] * N, [r.get_json() for r in responses]
    people = {worker.get(f"/api/v1/houses/{h['id']}/residents").get_json()["items"][0]["person"]["id"] for h in houses}
    assert len(people) == 1


def test_a_landlord_reporting_the_same_new_tenant_eight_times_at_once_gets_one_arrival(committed):
    worker = _worker(committed)
    police = committed.login("police", station=committed.district.station.code)
    h = _house(worker)
    username = f"ll-{ref()}"
    r = police.post(
        "/api/v1/landlords",
        json={
            "username": username,
            "password": "landlord secret 1",
            "name": "王建国",
            "phone": "13900002222",
            "document_type": "citizen_id",
            "document_number": citizen_id(date(1970, 1, 2), "male"),
            "house_ids": [h["id"]],
        },
    )
    assert r.status_code == 201, r.get_json()
    landlord = ApiClient(None, username=username)
    birth = date(1995, 6, 1)
    body = {
        "tenant": {
            "name": "刘洋",
            "sex": "male",
            "birth_date": birth.isoformat(),
            "document_type": "citizen_id",
            "document_number": citizen_id(birth, "male"),
        },
        "category": "floating",
        "arrived_on": (date.today() - timedelta(days=2)).isoformat(),
    }
    clients = [committed.another_device(landlord, "landlord secret 1") for _ in range(N)]
    responses = committed.parallel(
        [lambda c=c: c.post(f"/api/v1/landlord/houses/{h['id']}/arrivals", json=body) for c in clients]
    )
    assert _statuses(responses) == [201] + [409] * (N - 1), [r.get_json() for r in responses]
    assert {r.get_json()["code"] for r in responses if r.status_code == 409} == {"residence.exists"}


def test_forty_wrong_passwords_at_once_get_five_password_checks_then_429(committed):
    worker = _worker(committed)
    clients = [committed.app.test_client() for _ in range(40)]
    body = {"username": worker.username, "password": "not the password"}
    responses = committed.parallel([lambda c=c: c.post("/api/v1/auth/tokens", json=body) for c in clients])
    codes = sorted(r.get_json()["code"] for r in responses)
    assert codes.count("auth.invalid_credentials") == 5, codes  # the password was checked 5 times, the limit
    assert codes.count("auth.locked") == 35, codes
    assert all(r.headers.get("Retry-After") for r in responses if r.status_code == 429)
    right = committed.app.test_client().post(
        "/api/v1/auth/tokens", json={"username": worker.username, "password": "correct horse battery"}
    )
    assert right.status_code == 429  # locked even with the right password


def test_the_same_submission_sent_eight_times_at_once_is_stored_once_and_seven_times_a_replay(committed):
    worker = _worker(committed)
    body = visit(_house(worker), [], outcome="not_home")
    responses = _posts(committed, worker, "/api/v1/submissions", [body] * N)
    assert _statuses(responses) == [200] * (N - 1) + [201], [r.get_json() for r in responses]
    assert sorted(r.get_json()["status"] for r in responses) == ["created"] + ["duplicate"] * (N - 1)
    assert len({str(r.get_json()["result"]) for r in responses}) == 1


def test_batches_sharing_submissions_in_opposite_orders_at_once_store_each_once(committed):
    """Each batch holds its items' instance ids until it commits (taken in one order: no deadlock between
    batches listing them in different orders); the later batches find them stored and answer replays."""
    worker = _worker(committed)
    items = [visit(_house(worker), [], outcome="not_home") for _ in range(3)]
    batches = [{"submissions": items if i % 2 else items[::-1]} for i in range(N)]
    responses = _posts(committed, worker, "/api/v1/sync/submissions", batches)
    assert _statuses(responses) == [200] * N, [r.get_json() for r in responses]
    outcomes = {}
    for r in responses:
        for item in r.get_json()["items"]:
            outcomes.setdefault(item["instance_id"], []).append(item["outcome"])
    assert {i: sorted(o) for i, o in outcomes.items()} == {
        b["instance_id"]: ["created"] + ["duplicate"] * (N - 1) for b in items
    }
