"""Whatever a client sends is answered with a 4xx in the error shape that names the field, never a 500:
a phone that gets a 5xx retries the same request forever."""

import json

import pytest

from tests.e2e.registry_helpers import house, person
from tests.e2e.submission_helpers import registration, resident, visit

SURROGATE = "\ud800"


def raw_json(client, method, url, text, **kw):
    """Send JSON text as is (the test client's json= would refuse a lone surrogate)."""
    return getattr(client, method)(
        url, data=text.encode("utf-8", "surrogatepass"), content_type="application/json", **kw
    )


def send(client, method, url, body, **kw):
    return raw_json(client, method, url, json.dumps(body), **kw)


def assert_refused(r, *fields, status=422):
    body = r.get_json()
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    assert {"code", "status", "message", "errors"} <= set(body)
    for field in fields:
        assert field in body["errors"], body["errors"]
    return body


# -- lone surrogates ----------------------------------------------------------------------------------


def test_a_lone_surrogate_at_sign_in_is_a_422_naming_the_field(anon):
    r = send(anon, "post", "/api/v1/auth/tokens", {"username": "worker" + SURROGATE, "password": "x" * 10})
    body = assert_refused(r, "username")
    assert "surrogate" in body["errors"]["username"][0]


def test_a_lone_surrogate_in_a_name_or_note_is_named(as_worker):
    r = send(as_worker, "post", "/api/v1/persons", {"name": "张" + SURROGATE, "sex": "male"})
    assert_refused(r, "name")
    h = house(as_worker)
    r = send(as_worker, "patch", f"/api/v1/houses/{h['id']}", {"note": SURROGATE})
    assert_refused(r, "note")


def test_a_lone_surrogate_in_answer_keys_values_and_attachment_names_is_named(as_worker):
    h = house(as_worker)
    body = visit(h, [resident(name="刘" + SURROGATE)])
    body["answers"]["x" + SURROGATE] = "1"
    body["attachments"] = [{"name": "p" + SURROGATE + ".jpg", "sha256": "0" * 64, "bytes": 10}]
    body["device_id"] = SURROGATE
    r = send(as_worker, "post", "/api/v1/submissions", body)
    errors = assert_refused(r)["errors"]
    assert {"answers.residents[0].name", "answers.x\\ud800", "attachments[0].name", "device_id"} <= set(errors)


# -- nesting, numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 1_000, 40])
def test_deeply_nested_json_is_refused_before_sign_in(anon, depth):
    r = raw_json(anon, "post", "/api/v1/auth/tokens", "[" * depth + "]" * depth)
    body = assert_refused(r, "body", status=400)
    assert body["code"] == "request.malformed"


def test_deeply_nested_json_is_refused_on_a_signed_in_endpoint(as_worker):
    h = house(as_worker)
    nested = '{"a":' * 5000 + "1" + "}" * 5000
    r = raw_json(as_worker, "post", "/api/v1/submissions", json.dumps(visit(h, [])).replace('"met"', nested, 1))
    assert_refused(r, "body", status=400)


def test_an_integer_of_thousands_of_digits_is_refused_by_field(anon, as_worker):
    h = house(as_worker)
    r = raw_json(as_worker, "patch", f"/api/v1/houses/{h['id']}", '{"rooms": ' + "9" * 5000 + "}")
    assert "rooms" in assert_refused(r, "rooms")["message"]
    r = raw_json(anon, "post", "/api/v1/auth/tokens", '{"username": ' + "1" * 4301 + ', "password": "x"}')
    assert_refused(r, "username")
    text = json.dumps(registration(rooms=1)).replace('"rooms": 1', '"rooms": ' + "7" * 4400)
    r = raw_json(as_worker, "post", "/api/v1/submissions", text)
    assert_refused(r, "answers.rooms")


def test_infinite_and_not_a_number_values_are_refused(as_worker):
    h = house(as_worker)
    for literal in ("1e999", "NaN", "-Infinity"):
        r = raw_json(as_worker, "patch", f"/api/v1/houses/{h['id']}", '{"floor_area_m2": ' + literal + "}")
        assert_refused(r, "floor_area_m2")


def test_a_chunked_json_body_larger_than_the_limit_is_a_413(anon, app, monkeypatch):
    import io

    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    text = json.dumps({"username": "u", "password": "p" * 2000}).encode()
    r = anon.post(
        "/api/v1/auth/tokens",
        input_stream=io.BytesIO(text),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert (r.status_code, r.get_json()["code"]) == (413, "request.too_large")


# -- a body is required where the contract says so -----------------------------------------------------


def test_a_patch_without_a_body_is_a_422_not_a_silent_200(as_admin, as_worker, district):
    from tests.e2e.registry_helpers import residence
    from tests.e2e.test_units import _unit

    h = house(as_worker)
    p = person(as_worker)
    urls = [
        (as_worker, f"/api/v1/houses/{h['id']}"),
        (as_worker, f"/api/v1/persons/{p['id']}"),
        (as_worker, f"/api/v1/residences/{residence(as_worker, p['id'], h['id'])['id']}"),
        (as_worker, f"/api/v1/units/{_unit(as_worker)['id']}"),
        (as_admin, f"/api/v1/grids/{district.grids[0].id}"),
        (as_admin, f"/api/v1/users/{as_worker.account_id}"),
    ]
    for client, url in urls:
        r = client.patch(url)
        assert (r.status_code, r.get_json()["errors"]) == (
            422,
            {"body": ["A JSON body (Content-Type: application/json) is required."]},
        ), url
        r = client.patch(url, data="{}", content_type="text/plain")
        assert r.status_code == 422, url


def test_activating_a_landlord_without_a_body_is_a_422_and_activates_nothing(anon, as_worker):
    from tests.e2e.landlord_helpers import sign_in
    from tests.e2e.test_landlords import _request

    account_id = _request(anon, username="bare.activation").get_json()["account_id"]
    r = as_worker.post(f"/api/v1/landlord/account-requests/{account_id}/activation")
    assert_refused(r, "body")
    assert sign_in(anon, "bare.activation").status_code == 401


# -- integers are whole -----------------------------------------------------------------------------------


def test_a_decimal_in_an_integer_field_is_refused_not_truncated(as_worker):
    h = house(as_worker, rooms=2)
    for value in (3.7, 2.6e-42, -0.5):
        r = send(as_worker, "patch", f"/api/v1/houses/{h['id']}", {"rooms": value})
        assert_refused(r, "rooms")
    assert as_worker.get(f"/api/v1/houses/{h['id']}").get_json()["rooms"] == 2
    r = send(as_worker, "patch", f"/api/v1/houses/{h['id']}", {"rooms": 3.0})
    assert (r.status_code, r.get_json()["rooms"]) == (200, 3)
    body = visit(
        h,
        [resident()],
        attachments=[{"name": "a.jpg", "sha256": "0" * 64, "bytes": 10.5, "content_type": "image/jpeg"}],
    )
    assert_refused(send(as_worker, "post", "/api/v1/submissions", body), "attachments[0].bytes")


# -- times ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["device_time", "completed_at", "started_at"])
@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59", "1969-12-31T23:59:59Z", "2100-01-01T00:00:00Z"]
)
def test_a_time_no_clock_can_show_is_refused_by_field(as_worker, field, moment):
    h = house(as_worker)
    r = send(as_worker, "post", "/api/v1/submissions", visit(h, [resident()], **{field: moment}))
    assert_refused(r, field)


def test_an_extreme_device_time_header_is_refused_by_name(as_worker):
    h = house(as_worker)
    for moment in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00"):
        r = send(as_worker, "post", "/api/v1/submissions", visit(h, [resident()]), headers={"X-Device-Time": moment})
        assert_refused(r, "X-Device-Time")


def test_a_phone_clock_decades_off_is_flagged_and_kept(as_worker):
    h = house(as_worker)
    for moment in ("1970-01-01T00:00:00Z", "2099-12-31T23:59:59+08:00"):
        r = send(as_worker, "post", "/api/v1/submissions", visit(h, [resident()], device_time=moment))
        assert r.status_code == 201, r.get_json()
        assert "device_clock_off" in r.get_json()["flags"]


# -- text shown to other people --------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u2066", "\x07", "\x1b", "\ufeff"])
def test_a_landlord_claim_address_with_invisible_or_control_characters_is_refused(anon, char):
    from tests.e2e.test_landlords import _request

    houses = [{"address": f"幸福路12号{char}501", "location": {"lon": 120.005, "lat": 30.005}}]
    r = _request(anon, username="rlo.landlord", houses=houses)
    body = assert_refused(r, "houses[0].address")
    assert f"U+{ord(char):04X}" in body["errors"]["houses[0].address"][0]


def test_names_and_notes_shown_to_others_refuse_bidi_overrides_but_keep_line_breaks(as_worker, as_landlord):
    r = send(as_worker, "post", "/api/v1/persons", {"name": "张\u202e三", "sex": "male"})
    assert_refused(r, "name")
    r = send(
        as_landlord,
        "post",
        "/api/v1/landlord/claims",
        {"address": "学院路\u200d8号", "location": {"lon": 120.005, "lat": 30.005}},
    )
    assert_refused(r, "address")
    h = house(as_worker)
    r = send(as_worker, "patch", f"/api/v1/houses/{h['id']}", {"note": "楼道堆物\n\t已提醒房东 　整改"})
    assert r.status_code == 200 and r.get_json()["note"] == "楼道堆物\n\t已提醒房东 　整改"


# -- answers longer than where they are kept ---------------------------------------------------------------


@pytest.mark.parametrize("version", ["2026.1", "2026.2"])
def test_registration_answers_longer_than_their_column_are_refused_by_name(as_worker, version):
    body = registration(street="学" * 150, door="1" * 33) | {"form_version": version}
    r = send(as_worker, "post", "/api/v1/submissions", body)
    errors = assert_refused(r, "street", "door")["errors"]  # answer paths, as the form names them
    assert errors["door"] == ["最多 32 个字符。"]  # Chinese by default (Accept-Language: en gives the English)


@pytest.mark.parametrize("version", ["2026.1", "2026.2"])
def test_a_resident_name_longer_than_100_characters_is_refused_by_name(as_worker, version):
    body = visit(house(as_worker), [resident(name="张" * 101)]) | {"form_version": version}
    assert_refused(send(as_worker, "post", "/api/v1/submissions", body), "residents[0].name")
    body = visit(house(as_worker), [resident(name="张" * 100)]) | {"form_version": version}
    assert send(as_worker, "post", "/api/v1/submissions", body).status_code == 201


def test_phones_learn_the_length_limits_from_the_current_forms(as_worker):
    forms = {f["id"]: f for f in as_worker.get("/api/v1/forms").get_json()["items"]}
    registration_form = forms["address_house_registration"]["definition"]
    limits = {f["name"]: f.get("max_length") for f in registration_form["fields"]}
    assert (limits["street"], limits["door"], limits["floor"]) == (100, 32, 16)
    visit_form = forms["household_visit"]["definition"]
    residents = next(f for f in visit_form["fields"] if f["name"] == "residents")
    assert next(f for f in residents["fields"] if f["name"] == "name")["max_length"] == 100


def test_an_address_that_grows_past_its_column_once_normalised_is_refused_by_name(as_worker):
    """NFKC turns one character into several (㍿ is 株式会社): 30 of them fit as typed, not as stored."""
    r = send(
        as_worker,
        "post",
        "/api/v1/addresses",
        {"street": "幸福路", "door": "㍿" * 30, "location": {"lon": 120.005, "lat": 30.005}},
    )
    assert_refused(r, "door")
    r = send(as_worker, "post", "/api/v1/submissions", registration(door="㍿" * 30))
    assert_refused(r, "door")
