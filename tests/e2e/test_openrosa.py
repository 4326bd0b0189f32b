"""ODK Collect end to end: a device credential, the form list, a form and its house list, and submissions.

Every request goes through the Flask test client exactly as Collect sends it: first unauthenticated (401
with a Digest challenge), then signed; submissions as multipart/form-data with xml_submission_file.
"""

import base64
import hashlib
import uuid

from defusedxml import ElementTree as SafeET

from server.domain.collect_settings import read_payload
from tests.e2e.openrosa_helpers import OR, instance_id_of, issue, message, phone, resident_answers, visit_xml
from tests.e2e.photo_helpers import camera_jpeg
from tests.e2e.registry_helpers import house
from tests.e2e.submission_helpers import resident, visit


def test_a_device_credential_comes_with_the_qr_settings_collect_reads(as_worker):
    device = issue(as_worker)
    settings = read_payload(device["qr_payload"])
    assert settings["general"]["server_url"] == "http://localhost/openrosa"
    assert settings["general"]["username"] == device["username"]
    assert settings["general"]["password"] == device["password"]
    assert settings["general"]["form_update_mode"] == "match_exactly"
    assert base64.b64decode(device["qr_png"]).startswith(b"\x89PNG")


def test_without_credentials_collect_gets_a_digest_challenge(anon):
    r = anon.client.get("/openrosa/formList")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith('Digest realm="gridwork", qop="auth"')
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    assert r.content_type.startswith("text/xml")


def test_form_list_names_the_forms_of_the_role_with_the_hash_of_the_served_xml(app, as_worker):
    device = phone(app, issue(as_worker))
    r = device.request("GET", "/openrosa/formList")
    assert r.status_code == 200 and r.headers["X-OpenRosa-Version"] == "1.0"
    root = SafeET.fromstring(r.data)
    forms = {x.findtext("x:formID", namespaces=OR): x for x in root.findall("x:xform", OR)}
    assert "household_visit" in forms and "landlord_self_check" not in forms  # landlords' form
    visit_form = forms["household_visit"]
    assert visit_form.findtext("x:name", namespaces=OR) == "入户走访"
    assert visit_form.findtext("x:version", namespaces=OR) == "2026.2"
    url = visit_form.findtext("x:downloadUrl", namespaces=OR)
    assert url == "http://localhost/openrosa/forms/household_visit.xml"
    served = device.request("GET", "/openrosa/forms/household_visit.xml")
    assert served.status_code == 200
    assert (
        visit_form.findtext("x:hash", namespaces=OR)
        == "md5:" + hashlib.md5(served.data, usedforsecurity=False).hexdigest()
    )


def test_the_house_list_holds_only_the_workers_own_grids_and_its_hash_follows_it(app, as_worker, as_police):
    device = phone(app, issue(as_worker))
    mine = house(as_worker)
    elsewhere = house(
        as_police, location={"lon": 120.015, "lat": 30.005}
    )  # a grid of the district that is not the worker's
    manifest = device.request("GET", "/openrosa/forms/household_visit/manifest")
    assert manifest.status_code == 200
    media = SafeET.fromstring(manifest.data).find("m:mediaFile", OR)
    assert media.findtext("m:filename", namespaces=OR) == "houses.csv"
    csv = device.request("GET", "/openrosa/forms/household_visit/houses.csv")
    lines = csv.data.decode().splitlines()
    assert lines[0] == "name,label,tier,due,version"
    assert any(line.startswith(mine["id"]) and line.endswith(",1") for line in lines)
    assert not any(elsewhere["id"] in line for line in lines)
    assert media.findtext("m:hash", namespaces=OR) == "md5:" + hashlib.md5(csv.data, usedforsecurity=False).hexdigest()
    house(as_worker)
    again = device.request("GET", "/openrosa/forms/household_visit/manifest")
    assert SafeET.fromstring(again.data).find("m:mediaFile/m:hash", OR).text != media.findtext("m:hash", namespaces=OR)


def test_head_submission_answers_204_with_the_accepted_size(app, as_worker):
    device = phone(app, issue(as_worker))
    r = device.request("HEAD", "/openrosa/submission")
    assert r.status_code == 204
    assert int(r.headers["X-OpenRosa-Accept-Content-Length"]) > 1_000_000


def test_a_visit_sent_from_collect_lands_like_the_same_visit_sent_as_json(app, as_worker):
    device = phone(app, issue(as_worker))
    by_xml, by_json = house(as_worker), house(as_worker)
    xml = visit_xml(by_xml, [resident_answers(name="王芳", sex="female")])
    r = device.submit(xml)
    assert r.status_code == 201, r.data.decode()
    assert r.headers["X-OpenRosa-Version"] == "1.0" and "提交成功" in message(r)
    body = visit(by_json, [resident(name="王芳", sex="female")])
    body["form_version"] = "2026.2"
    assert as_worker.post("/api/v1/submissions", json=body).status_code == 201

    def state(h):
        got = as_worker.get(f"/api/v1/houses/{h['id']}").get_json()
        people = as_worker.get(f"/api/v1/houses/{h['id']}/residents").get_json()["items"]

        def same(p):  # what the visit set; ids and the record's own references differ by construction
            kept = {k: v for k, v in p.items() if not (k == "id" or k.endswith(("_id", "_at")))}
            kept["person"] = {k: v for k, v in p["person"].items() if k not in ("id", "document_number_masked")}
            return kept

        assert people and all(p.get("category") == "floating" for p in people)
        return {k: got[k] for k in ("use", "rental_mode", "version")}, [repr(same(p)) for p in people]

    assert state(by_xml) == state(by_json)
    stored = as_worker.get(f"/api/v1/submissions/{instance_id_of(xml)}").get_json()
    assert stored["subject"] == {"type": "house", "id": by_xml["id"]}
    from_json = as_worker.get(f"/api/v1/submissions/{body['instance_id']}").get_json()
    assert stored["answers"]["outcome"] == from_json["answers"]["outcome"] == "met"
    assert stored["flags"] == from_json["flags"]  # the same plausibility checks ran
    assert stored["result"].keys() == from_json["result"].keys()


def test_an_incomplete_split_then_the_rest_then_an_exact_resend(app, as_worker):
    device = phone(app, issue(as_worker))
    h = house(as_worker)
    photo = camera_jpeg()
    xml = visit_xml(h, [resident_answers()], photo="p1.jpg")
    first = device.submit(xml, incomplete=True)  # the XML alone; the photo follows
    assert first.status_code == 201, first.data.decode()
    instance = instance_id_of(xml)
    assert as_worker.get(f"/api/v1/submissions/{instance}").get_json()["missing_attachments"] == []
    second = device.submit(xml, {"p1.jpg": photo})
    assert second.status_code == 201, second.data.decode()
    detail = as_worker.get(f"/api/v1/submissions/{instance}").get_json()
    assert detail["missing_attachments"] == []
    [seen] = as_worker.get(f"/api/v1/houses/{h['id']}/visits").get_json()["items"]
    assert seen["instance_id"] == instance and [p["name"] for p in seen["photos"]] == ["p1.jpg"]
    assert device.submit(xml, {"p1.jpg": photo}).status_code == 201  # exact resend: 201 again, nothing twice


def test_other_xml_under_the_same_instance_id_is_409(app, as_worker):
    device = phone(app, issue(as_worker))
    h = house(as_worker)
    instance = uuid.uuid4()
    assert device.submit(visit_xml(h, [resident_answers()], instance_id=instance)).status_code == 201
    r = device.submit(visit_xml(h, [resident_answers(name="另一人")], instance_id=instance))
    assert r.status_code == 409
    assert message(r)  # a message Collect shows


def test_an_edit_names_the_replaced_instance_in_deprecated_id(app, as_worker):
    device = phone(app, issue(as_worker))
    h = house(as_worker)
    first = uuid.uuid4()
    person = resident_answers()
    assert device.submit(visit_xml(h, [person], instance_id=first)).status_code == 201
    fresh = as_worker.get(f"/api/v1/houses/{h['id']}").get_json()
    edit = uuid.uuid4()
    r = device.submit(visit_xml(fresh, [person | {"category": "lodger"}], instance_id=edit, deprecated_id=first))
    assert r.status_code == 201, r.data.decode()
    assert as_worker.get(f"/api/v1/submissions/{first}").get_json()["superseded_by"] == str(edit)


def test_an_invalid_citizen_id_is_refused_with_a_chinese_message_naming_the_field(app, as_worker):
    device = phone(app, issue(as_worker))
    h = house(as_worker)
    bad = resident_answers() | {"document_number": "110101199003070000"}
    r = device.submit(visit_xml(h, [bad]))
    assert r.status_code == 422
    assert "residents[0].document_number" in message(r)


def test_unknown_elements_are_refused_naming_their_path(app, as_worker):
    device = phone(app, issue(as_worker))
    r = device.submit(visit_xml(house(as_worker), [resident_answers()], extra={"smuggled": "x"}))
    assert r.status_code == 422
    assert "/household_visit/smuggled" in message(r)


def test_xml_with_entities_is_refused_xxe_and_billion_laughs(app, as_worker):
    device = phone(app, issue(as_worker))
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r id="a" version="1">&x;</r>'
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l id="a" version="1">&c;</l>'
    )
    for payload in (xxe, lol):
        r = device.submit(payload)
        assert r.status_code == 400
        assert "root" not in message(r)


def test_a_revoked_credential_gets_a_401_challenge(app, as_worker):
    issued = issue(as_worker)
    device = phone(app, issued)
    assert device.request("GET", "/openrosa/formList").status_code == 200
    assert as_worker.delete(f"/api/v1/devices/{issued['id']}").status_code == 200
    r = device.request("GET", "/openrosa/formList")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Digest")
    assert "注销" in message(r)


def test_a_wrong_password_is_refused_and_counted(app, as_worker):
    issued = issue(as_worker)
    wrong = phone(app, issued | {"password": "not-it"})
    for _ in range(10):
        assert wrong.request("GET", "/openrosa/formList").status_code == 401
    assert wrong.request("GET", "/openrosa/formList").status_code == 429


def test_basic_authentication_is_taken_over_https_only(app, as_worker):
    issued = issue(as_worker)
    basic = "Basic " + base64.b64encode(f"{issued['username']}:{issued['password']}".encode()).decode()
    client = app.test_client()
    assert client.get("/openrosa/formList", headers={"Authorization": basic}).status_code == 401
    secure = client.get("/openrosa/formList", headers={"Authorization": basic}, base_url="https://localhost")
    assert secure.status_code == 200


def test_a_digest_signed_for_another_address_is_refused(app, as_worker):
    import re

    from server.auth import digest

    issued = issue(as_worker)
    client = app.test_client()
    nonce = re.search(r'nonce="([^"]+)"', client.get("/openrosa/formList").headers["WWW-Authenticate"]).group(1)
    header = digest.client_header(issued["username"], issued["password"], method="GET", uri="/elsewhere", nonce=nonce)
    assert client.get("/openrosa/formList", headers={"Authorization": header}).status_code == 401


def test_an_unknown_form_version_is_404_with_a_message_to_update(app, as_worker):
    device = phone(app, issue(as_worker))
    xml = visit_xml(house(as_worker), [resident_answers()]).replace(b'version="2026.2"', b'version="1999.1"')
    r = device.submit(xml)
    assert r.status_code == 404 and "获取空白表单" in message(r)


def test_a_unit_inspection_picks_the_unit_from_the_workers_own_units_csv(app, as_worker):
    device = phone(app, issue(as_worker))
    h = house(as_worker)
    unit = as_worker.post(
        "/api/v1/units", json={"address_id": h["address"]["id"], "name": "小店", "kind": "shop"}
    ).get_json()
    manifest = device.request("GET", "/openrosa/forms/unit_inspection/manifest")
    media = SafeET.fromstring(manifest.data).find("m:mediaFile", OR)
    assert media.findtext("m:filename", namespaces=OR) == "units.csv"
    csv = device.request("GET", "/openrosa/forms/unit_inspection/units.csv").data.decode()
    assert any(line.startswith(f"{unit['id']},小店 ") for line in csv.splitlines()[1:])
    assert device.request("GET", "/openrosa/forms/household_visit/units.csv").status_code == 404


def test_a_body_over_the_limit_is_413_in_the_openrosa_envelope(app, as_worker):
    device = phone(app, issue(as_worker))
    limit = app.config["MAX_CONTENT_LENGTH"]
    xml = visit_xml(house(as_worker), [resident_answers()], photo="big.jpg")
    r = device.submit(xml, {"big.jpg": b"\xff" * (limit + 1)})
    assert r.status_code == 413 and r.headers["X-OpenRosa-Version"] == "1.0"
    assert message(r)


def test_issuing_and_revoking_a_device_is_audited(app, as_worker, session):
    from sqlalchemy import select

    from server.store.models import AuditEvent

    issued = issue(as_worker)
    as_worker.delete(f"/api/v1/devices/{issued['id']}")
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.in_(("device.issue", "device.revoke")))
    ).all()
    assert sorted(actions) == ["device.issue", "device.revoke"]


def test_a_worker_cannot_revoke_another_workers_device(app, as_worker, login, district):
    other = login("grid_worker", grids=[district.grids[1].code])
    issued = issue(other)
    assert as_worker.delete(f"/api/v1/devices/{issued['id']}").status_code == 404
    assert phone(app, issued).request("GET", "/openrosa/formList").status_code == 200


def test_an_expired_credential_gets_a_401_challenge(app, as_worker, session):
    from datetime import UTC, datetime, timedelta

    from server.store.models import DeviceCredential

    issued = issue(as_worker)
    session.get(DeviceCredential, uuid.UUID(issued["id"])).expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.flush()
    r = phone(app, issued).request("GET", "/openrosa/formList")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Digest")
    assert "过期" in message(r)
