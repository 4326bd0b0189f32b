"""Find-or-insert under a unique key, safe against concurrent first registrations.

Two phones registering the same new address, person or residence at the same
moment both look, both find nothing, and both insert; the database's unique
index lets one through and makes the other wait for it, then fail. Every
record with a natural unique key is therefore created through ``find_or_add``:

1. ``find()``: the existing row, if any;
2. otherwise insert the new row inside a SAVEPOINT;
3. if the insert breaks a unique index (a concurrent transaction committed the
   same key meanwhile), roll back to the savepoint only and ``find()`` again.
   Under READ COMMITTED each statement sees what committed before it began, so
   the second look sees the winner's row.

The caller decides what an existing row means (200 with the same id, 409 with
``existing_id``, or merging a submission into it); the race itself never
surfaces as a server error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from psycopg import errors as pg_errors
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def find_or_add(
    session: Session, find: Callable[[], T | None], make: Callable[[], T], *, looked: bool = False
) -> tuple[T, bool]:
    """(the existing row, False), or (the new row from ``make()``, True) once inserted. ``looked``: the
    caller has just found nothing itself (or the key is one no other transaction can hold yet, such as a
    residence of a person this transaction created), so step 1 is skipped; a row committed meanwhile is
    still found by step 3."""
    existing = None if looked else find()
    if existing is not None:
        return existing, False
    session.flush()  # what is already pending is not this row's business: keep it outside the savepoint
    row = make()
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        if not isinstance(exc.orig, pg_errors.UniqueViolation):
            raise
        # Only the savepoint was rolled back (``row`` left the session with it); the
        # transaction goes on, and the winner's row is visible to the next statement.
        existing = find()
        if existing is None:  # another unique key of the row: not a race this helper knows
            raise
        return existing, False
    return row, True
