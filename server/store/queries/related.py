"""Records a response shows beside the one it is about (an address's community and grid, a house's
address...), by id: one at a time (the session's identity map first) or a page's at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.store.models import Account, Address, Division, Grid, Person, Station

KINDS: dict[str, type] = {
    "division": Division,
    "grid": Grid,
    "station": Station,
    "address": Address,
    "person": Person,
    "account": Account,
}


def one(session: Session, kind: str, id_):
    return session.get(KINDS[kind], id_)


def by_ids(session: Session, kind: str, ids: Iterable) -> dict:
    model: Any = KINDS[kind]
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows: list[Any] = list(session.scalars(select(model).where(model.id.in_(wanted))))
    return {row.id: row for row in rows}
