"""Reading the change feed below the snapshot horizon (docs/decisions/0003-change-feed.md)."""

from __future__ import annotations

from sqlalchemy import BigInteger, ColumnElement, Text, cast, func, or_, select, tuple_
from sqlalchemy.orm import Session

from server.store.models import Change


def _horizon() -> ColumnElement[bool]:
    # xid8 has no direct cast to bigint; through text it is exact.
    xmin = cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)
    own = cast(cast(func.pg_current_xact_id_if_assigned(), Text), BigInteger)
    return or_(Change.xid < xmin, Change.xid == own)


def after(session: Session, condition: ColumnElement[bool], cursor: tuple[int, int] | None,
          limit: int) -> list[Change]:
    query = select(Change).where(condition, _horizon())
    if cursor is not None:
        query = query.where(tuple_(Change.xid, Change.seq) > tuple_(*cursor))
    return list(session.scalars(query.order_by(Change.xid, Change.seq).limit(limit)))
