"""An OpenRosa instance (the XML Collect sends) read into the same body a JSON submission has.

Parsed with defusedxml: no DTD at all, so no external entities and no entity expansion
(billion laughs). Depth and element count are bounded. Every element must be a field of the
form version the root names; an unknown one is refused with its path. Values are turned into
what the JSON API takes (numbers, lists for select_multiple, {"lon", "lat", "accuracy_m"} for a
geopoint), so services/submissions.py checks and applies them exactly as for JSON.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from server.domain.forms.definition import FieldDef, Form
from server.errors import ApiError, ValidationFailed
from server.forms.xforms import SUBJECT_FIELD, SUBJECT_VERSION_FIELD, subject_list

MAX_DEPTH = 8
MAX_ELEMENTS = 20000
META = {"instanceID", "deprecatedID", "instanceName", "timeStart", "timeEnd", "audit"}


def _bad(detail: str) -> ApiError:
    """400: what Collect sent cannot be read as an instance (the detail names what)."""
    return ApiError(detail, code="openrosa.bad_request", status=400, params={"detail": detail})


@dataclass(frozen=True)
class Header:
    form_id: str
    version: str


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_root(xml: bytes):
    """The root element and which form version it names."""
    try:
        root = SafeET.fromstring(xml, forbid_dtd=True)
    except (DefusedXmlException, SafeET.ParseError) as exc:
        raise _bad(f"not well-formed XML or forbidden content ({exc})") from exc
    for count, _ in enumerate(root.iter(), start=1):
        if count > MAX_ELEMENTS:
            raise _bad(f"more than {MAX_ELEMENTS} elements")
    form_id, version = root.get("id"), root.get("version")
    if not form_id or not version:
        raise _bad("the root element needs id and version attributes")
    return root, Header(form_id, version)


def to_body(root, form: Form, *, device_id: str | None) -> dict:
    """The JSON-shaped submission body of an instance of ``form``."""
    meta: dict[str, str] = {}
    subject: dict = {"type": form.subject}
    answers: dict = {}
    unknown: list[str] = []
    fields = {f.name: f for f in form.fields}
    picks = subject_list(form) is not None
    for child in root:
        name = _local(child.tag)
        path = f"/{_local(root.tag)}/{name}"
        if name == "meta":
            for item in child:
                if _local(item.tag) not in META:
                    unknown.append(f"{path}/{_local(item.tag)}")
                meta[_local(item.tag)] = (item.text or "").strip()
        elif picks and name == SUBJECT_FIELD:
            subject["id"] = _uuid((child.text or "").strip(), path)
        elif picks and name == SUBJECT_VERSION_FIELD:
            version = (child.text or "").strip()
            if version.isdigit():
                subject["base_version"] = int(version)
        elif name in fields:
            _answer(fields[name], child, answers, path, unknown, depth=2)
        elif name.endswith("_min_count") and name[: -len("_min_count")] in fields:
            continue  # the warning note of a repeat's min_count
        else:
            unknown.append(path)
    if unknown:
        detail = ", ".join(unknown[:10])
        raise ValidationFailed(detail, code="openrosa.unknown_element", params={"detail": detail})
    instance_id = meta.get("instanceID", "")
    if not instance_id:
        raise _bad("meta/instanceID is missing")
    body: dict = {
        "instance_id": _uuid(instance_id, "meta/instanceID"),
        "form_id": form.id,
        "form_version": form.version,
        "subject": subject,
        "answers": answers,
        "attachments": [],
    }
    if meta.get("deprecatedID"):
        body["deprecated_id"] = _uuid(meta["deprecatedID"], "meta/deprecatedID")
    if device_id:
        body["device_id"] = device_id[:100]
    return body


def _uuid(text: str, path: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.removeprefix("uuid:"))
    except ValueError:
        raise _bad(f"{path} is not a UUID") from None


def _answer(field: FieldDef, element, answers: dict, path: str, unknown: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _bad(f"nested deeper than {MAX_DEPTH} levels at {path}")
    if field.type == "repeat":
        subs = {f.name: f for f in field.fields}
        entry: dict = {}
        for child in element:
            name = _local(child.tag)
            if name in subs:
                _answer(subs[name], child, entry, f"{path}/{name}", unknown, depth + 1)
            else:
                unknown.append(f"{path}/{name}")
        answers.setdefault(field.name, []).append(entry)
        return
    if len(element):
        unknown.append(f"{path}/{_local(element[0].tag)}")
        return
    text = (element.text or "").strip()
    if field.type == "note" or not text:
        return
    answers[field.name] = _value(field, text)


def _value(field: FieldDef, text: str):
    if field.type == "integer":
        try:
            return int(text)
        except ValueError:
            return text  # the service refuses it with the field's path
    if field.type == "decimal":
        try:
            return float(text)
        except ValueError:
            return text
    if field.type == "select_multiple":
        return text.split()
    if field.type == "geopoint":
        parts = text.split()
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except (IndexError, ValueError):
            return text
        point: dict = {"lon": lon, "lat": lat}
        if len(parts) > 3:
            with contextlib.suppress(ValueError):
                point["accuracy_m"] = float(parts[3])
        return point
    return text
