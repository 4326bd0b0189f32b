"""A form version as an XLSForm spreadsheet (``gridwork forms xlsform``), so teams can review it.

The sheets hold exactly the rows pyxform turns into the served XForm (server/forms/xforms.py).
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from server.domain.forms.definition import Form
from server.forms.xforms import workbook


def xlsx(form: Form) -> bytes:
    """The .xlsx bytes: sheets survey, choices and settings, one column per key used."""
    book = Workbook()
    book.remove(book.active)
    for sheet, rows in workbook(form).items():
        columns: list[str] = []
        for row in rows:
            columns += [key for key in row if key not in columns]
        page = book.create_sheet(sheet)
        page.append(columns)
        for row in rows:
            page.append([row.get(key) for key in columns])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
