"""The XML documents of OpenRosa 1.0 the server answers with (form list, manifest, OpenRosaResponse).

Small fixed shapes, built with ElementTree (values escaped by it), never by string concatenation.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # building only; parsing untrusted XML uses defusedxml (instance.py)
from dataclasses import dataclass

FORM_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
RESPONSE_NS = "http://openrosa.org/http/response"


@dataclass(frozen=True)
class ListedForm:
    form_id: str
    name: str
    version: str
    hash: str
    download_url: str
    manifest_url: str | None


@dataclass(frozen=True)
class MediaFile:
    filename: str
    hash: str
    download_url: str


def _bytes(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _add(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def form_list(forms: list[ListedForm]) -> bytes:
    root = ET.Element("xforms", xmlns=FORM_LIST_NS)
    for f in forms:
        item = ET.SubElement(root, "xform")
        _add(item, "formID", f.form_id)
        _add(item, "name", f.name)
        _add(item, "version", f.version)
        _add(item, "hash", f.hash)
        _add(item, "downloadUrl", f.download_url)
        if f.manifest_url:
            _add(item, "manifestUrl", f.manifest_url)
    return _bytes(root)


def manifest(files: list[MediaFile]) -> bytes:
    root = ET.Element("manifest", xmlns=MANIFEST_NS)
    for f in files:
        item = ET.SubElement(root, "mediaFile")
        _add(item, "filename", f.filename)
        _add(item, "hash", f.hash)
        _add(item, "downloadUrl", f.download_url)
    return _bytes(root)


def message(text: str, *, nature: str = "") -> bytes:
    root = ET.Element("OpenRosaResponse", xmlns=RESPONSE_NS, items="0")
    ET.SubElement(root, "message", nature=nature).text = text
    return _bytes(root)
