"""Tables as downloads: CSV (UTF-8 with BOM, so spreadsheet programs read Chinese) and XLSX."""

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


def csv_response(header: list[str], rows: list[list], filename: str) -> Response:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return Response(out.getvalue().encode("utf-8"), mimetype=CSV, headers={
        "Content-Disposition": f'attachment; filename="{filename}.csv"'})


def xlsx_response(header: list[str], rows: list[list], filename: str, sheet: str) -> Response:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{filename}.xlsx"'})
