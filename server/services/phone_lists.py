"""houses.csv: the houses of the worker's own area for ODK Collect's house picker (decision 0018).

Built per account from scoping.visible_houses, so a grid worker's phone carries only their grids.
Columns: name (house id, the answer), label (address), tier, due (next inspection day), version
(the house's version, sent back as the submission's base_version). No personal data: no audit row.
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


def houses_csv(session: Session, actor: Actor) -> bytes:
    require(actor, "house.read")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in q.houses_for_phone(session, scoping.visible_houses(actor)):
        writer.writerow(
            [row.id, _label(row), row.tier or "", row.due_on.isoformat() if row.due_on else "", row.version]
        )
    return out.getvalue().encode("utf-8")
