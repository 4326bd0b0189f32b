"""Benchmark the CPU parts of ODK Collect support: `python bench/openrosa.py [--validate]`.

Prints, without a database: the time to generate each shipped XForm (pyxform), optionally ODK Validate's
time per form (Java, about a second each), the cost of checking one Digest response (what every
form list, manifest and submission request pays), and of reading one household-visit instance with 20
residents (defusedxml + the mapping onto the JSON body).
"""

from __future__ import annotations

import argparse
import time
import uuid
import xml.etree.ElementTree as ET

from server.auth import digest
from server.forms.catalog import load_catalog
from server.forms.xforms import xform
from server.openrosa import instance


def per_op(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def visit_instance(residents: int) -> bytes:
    root = ET.Element("household_visit", {"id": "household_visit", "version": "2026.2"})
    ET.SubElement(root, "subject").text = str(uuid.uuid4())
    ET.SubElement(root, "outcome").text = "met"
    for i in range(residents):
        entry = ET.SubElement(root, "residents")
        for key, value in {"name": f"住户{i}", "sex": "male", "document_type": "passport"}.items():
            ET.SubElement(entry, key).text = value
    ET.SubElement(ET.SubElement(root, "meta"), "instanceID").text = f"uuid:{uuid.uuid4()}"
    return ET.tostring(root, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--validate", action="store_true", help="also time ODK Validate per form")
    args = parser.parse_args()
    catalog = load_catalog()
    for (form_id, version), form in sorted(catalog.forms.items()):
        t = per_op(lambda f=form: xform(f), 3)
        line = f"xform {form_id}@{version}: {t * 1000:.0f} ms, {len(xform(form))} bytes"
        if args.validate:
            start = time.perf_counter()
            xform(form, validate=True)
            line += f", with ODK Validate {time.perf_counter() - start:.2f} s"
        print(line)
    key = b"k" * 32
    nonce = digest.new_nonce(key)
    header = digest.client_header("w.abc123", "secret", method="GET", uri="/openrosa/formList", nonce=nonce)
    params = digest.parse(header)
    stored = digest.ha1("w.abc123", "secret")
    t = per_op(lambda: digest.nonce_state(key, nonce) == "ok" and digest.verify(params, stored, "GET"), 20000)
    print(f"digest check (parse done, nonce + response): {t * 1e6:.1f} µs")
    t = per_op(lambda: digest.parse(header), 20000)
    print(f"digest header parse: {t * 1e6:.1f} µs")
    form = catalog.get("household_visit", "2026.2")
    xml = visit_instance(20)

    def read():
        root, _ = instance.read_root(xml)
        instance.to_body(root, form, device_id=None)

    t = per_op(read, 500)
    print(f"read a visit instance with 20 residents ({len(xml)} bytes): {t * 1000:.2f} ms")


if __name__ == "__main__":
    main()
