"""Talking to /openrosa the way ODK Collect does: a 401 Digest challenge, then the signed request."""

import re
import uuid
import xml.etree.ElementTree as ET  # builds the test's own instances; parsing the server's answers is trusted here
from dataclasses import dataclass
from datetime import date, timedelta

from defusedxml import ElementTree as SafeET

from server.auth import digest
from tests.builders import citizen_id

OR = {"x": "http://openrosa.org/xforms/xformsList", "m": "http://openrosa.org/xforms/xformsManifest"}
RESPONSE_NS = "{http://openrosa.org/http/response}"


@dataclass
class Phone:
    client: object
    username: str
    password: str

    def request(self, method: str, path: str, **kw):
        from tests.conftest import settled

        first = self.client.open(path, method=method, **_copy(kw))
        if first.status_code != 401:
            return settled(self.client, first)
        nonce = re.search(r'nonce="([^"]+)"', first.headers["WWW-Authenticate"]).group(1)
        uri = path
        header = digest.client_header(self.username, self.password, method=method, uri=uri, nonce=nonce)
        headers = dict(kw.pop("headers", {})) | {"Authorization": header, "X-OpenRosa-Version": "1.0"}
        return settled(self.client, self.client.open(path, method=method, headers=headers, **_copy(kw)))

    def submit(self, xml: bytes, files: dict | None = None, incomplete: bool = False):
        def data():
            parts = {"xml_submission_file": (_io(xml), "submission.xml", "text/xml")}
            for name, content in (files or {}).items():
                parts[name] = (_io(content), name, "image/jpeg")
            if incomplete:
                parts["*isIncomplete*"] = "yes"
            return parts

        return self.request("POST", "/openrosa/submission?deviceID=collect:abc", data=data)


def _io(content: bytes):
    import io

    return io.BytesIO(content)


def _copy(kw: dict) -> dict:
    out = dict(kw)
    if callable(out.get("data")):
        out["data"] = out["data"]()
    return out


def issue(client, label="测试手机"):
    r = client.post("/api/v1/devices", json={"label": label})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def phone(app, device) -> Phone:
    return Phone(app.test_client(), device["username"], device["password"])


def message(response) -> str:
    return SafeET.fromstring(response.data).find(f"{RESPONSE_NS}message").text


def resident_answers(name="刘洋", sex="male", birth=date(1992, 4, 5)):
    return {
        "name": name,
        "sex": sex,
        "document_type": "citizen_id",
        "document_number": citizen_id(birth, sex),
        "birth_date": birth.isoformat(),
        "category": "floating",
        "arrived_on": (date.today() - timedelta(days=20)).isoformat(),
        "present": "yes",
    }


def visit_xml(house: dict, residents: list[dict], *, instance_id=None, deprecated_id=None, photo=None, extra=None):
    """A household_visit 2026.2 instance as Collect writes it."""
    root = ET.Element("household_visit", {"id": "household_visit", "version": "2026.2"})
    ET.SubElement(root, "subject").text = house["id"]
    ET.SubElement(root, "subject_version").text = str(house["version"])
    ET.SubElement(root, "introduction")
    ET.SubElement(root, "outcome").text = "met"
    for person in residents:
        entry = ET.SubElement(root, "residents")
        for key, value in person.items():
            ET.SubElement(entry, key).text = value
    ET.SubElement(root, "hazards").text = "none"
    if photo:
        ET.SubElement(root, "photo_1").text = photo
    for key, value in (extra or {}).items():
        ET.SubElement(root, key).text = value
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "instanceID").text = f"uuid:{instance_id or uuid.uuid4()}"
    if deprecated_id:
        ET.SubElement(meta, "deprecatedID").text = f"uuid:{deprecated_id}"
    return ET.tostring(root, encoding="utf-8")


def instance_id_of(xml: bytes) -> str:
    return SafeET.fromstring(xml).find("meta/instanceID").text.removeprefix("uuid:")
