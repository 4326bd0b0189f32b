"""houses.csv and units.csv: the records of the worker's own area for ODK Collect's subject picker (decision 0018).

Built per account from scoping.visible_houses / visible_units, so a grid worker's phone carries only their
grids. Columns: name (the id, the answer), label (address; a unit's name first), tier, due (next inspection
day), version (sent back as the submission's base_version). No personal data, so no audit row.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.store import scoping
from server.store.queries import phone_lists as q

COLUMNS = ("name", "label", "tier", "due", "version")


def _label(row) -> str:
    parts = [row.street, row.door and f"{row.door}号", row.building and f"{row.building}栋"]
    parts += [row.unit and f"{row.unit}单元", row.floor and f"{row.floor}层", row.room and f"{row.room}室"]
    return "".join(p for p in parts if p)


def subject_csv(session: Session, actor: Actor, subject: str) -> bytes:
    """The CSV of the houses (subject "house") or units (subject "unit") the actor may see."""
    if subject == "house":
        require(actor, "house.read")
        rows = q.for_phone(session, "house", scoping.visible_houses(actor))
    else:
        require(actor, "unit.read")
        rows = q.for_phone(session, "unit", scoping.visible_units(actor))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        label = f"{row.name} {_label(row)}" if subject == "unit" else _label(row)
        due = row.due_on.isoformat() if row.due_on else ""
        writer.writerow([row.id, label, row.tier or "", due, row.version])
    return out.getvalue().encode("utf-8")
