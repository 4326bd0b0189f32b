"""What a response shows beside its records, looked up once per request: a page's related records
are fetched together (``prefetch``), so a list costs a fixed number of statements."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from server.store.queries import related as q


class Related:
    def __init__(self, session: Session):
        self.session = session
        self._found: dict = {}

    def seed(self, kind: str, rows: Iterable) -> None:
        """Rows the caller already has (e.g. joined into the page's query)."""
        for row in rows:
            self._found[(kind, row.id)] = row

    def prefetch(self, kind: str, ids: Iterable) -> list:
        """Fetch the records named by ``ids`` in one statement; returns them in the order of ``ids``."""
        ids = [i for i in ids if i is not None]
        missing = {i for i in ids if (kind, i) not in self._found}
        for id_, row in q.by_ids(self.session, kind, missing).items():
            self._found[(kind, id_)] = row
        return [self._found.get((kind, i)) for i in ids]

    def get(self, kind: str, id_):
        if id_ is None:
            return None
        key = (kind, id_)
        if key not in self._found:
            self._found[key] = q.one(self.session, kind, id_)
        return self._found[key]

    def addresses_with_areas(self, address_ids: Iterable) -> None:
        """Addresses and their communities and grids, for a page that shows addresses."""
        addresses = [a for a in self.prefetch("address", address_ids) if a is not None]
        self.areas_of(addresses)

    def areas_of(self, rows: Iterable) -> None:
        rows = list(rows)
        self.prefetch("division", [getattr(r, "community_id", None) for r in rows])
        self.prefetch("grid", [r.grid_id for r in rows])
