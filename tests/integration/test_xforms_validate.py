"""Every shipped form version becomes an XForm that ODK Validate (JavaRosa, run with Java) accepts."""

from io import BytesIO

import pytest
from click.testing import CliRunner
from defusedxml import ElementTree as ET
from openpyxl import load_workbook

from server.cli import main
from server.forms.catalog import load_catalog
from server.forms.xforms import xform

CATALOG = load_catalog()
VERSIONS = sorted(CATALOG.forms)
XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"


@pytest.mark.parametrize(("form_id", "version"), VERSIONS, ids=[f"{i}@{v}" for i, v in VERSIONS])
def test_every_form_version_passes_odk_validate(form_id, version):
    xml = xform(CATALOG.get(form_id, version), validate=True)  # raises with ODK Validate's errors
    root = ET.fromstring(xml)
    data = root.find(f"{H}head/{XF}model/{XF}instance/*")
    assert data.get("id") == form_id and data.get("version") == version
    assert data.find(f"{XF}meta/{XF}instanceID") is not None
    assert data.find(f"{XF}meta/{XF}deprecatedID") is not None


def test_the_same_form_always_gives_the_same_bytes():
    form = CATALOG.get("household_visit", "2026.2")
    assert xform(form) == xform(form)


def test_labels_are_chinese_by_default_with_english_and_fields_keep_their_rules():
    xml = xform(CATALOG.get("household_visit", "2026.2")).decode()
    assert '<translation lang="Chinese (zh)" default="true()">' in xml
    assert '<translation lang="English (en)">' in xml
    assert "<value>走访结果</value>" in xml and "<value>Outcome of the visit</value>" in xml
    assert 'mediatype="image/*"' in xml and 'orx:max-pixels="2048"' in xml
    assert "regex(., '^([0-9]{17}[0-9Xx]|[0-9]{15})$')" in xml  # citizen_id: length and form
    assert "position(..) &lt;= 60" in xml  # residents max_count
    assert 'src="jr://file-csv/houses.csv"' in xml  # the worker picks the house from their own list
    assert "/household_visit/residents/document_type" in xml  # ${...} became XPath
    assert 'src="jr://file-csv/units.csv"' in xform(CATALOG.get("unit_inspection", "2026.1")).decode()


def test_cli_writes_the_form_as_an_xlsform_workbook(tmp_path):
    out = tmp_path / "visit.xlsx"
    result = CliRunner().invoke(main, ["forms", "xlsform", "household_visit", "--version", "2026.1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(BytesIO(out.read_bytes()))
    assert book.sheetnames == ["survey", "choices", "settings"]
    names = [row[1] for row in book["survey"].iter_rows(min_row=2, values_only=True)]
    assert "outcome" in names and "residents" in names
    assert [c.value for c in book["settings"][2]][:2] == ["household_visit", "2026.1"]


def test_cli_refuses_an_unknown_version(tmp_path):
    result = CliRunner().invoke(main, ["forms", "xlsform", "household_visit", "--version", "1999.1"])
    assert result.exit_code != 0 and "no version" in result.output
