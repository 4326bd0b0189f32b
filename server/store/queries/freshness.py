"""A cheap marker of "nothing committed since": the database's current snapshot."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def commit_marker(session: Session) -> str | None:
    """``pg_current_snapshot()`` as text (xmin:xmax:in-progress xids). Two equal markers mean that no
    transaction that wrote anything committed in between: a commit either removes its xid from the
    in-progress list or, for a transaction begun since, moved xmax past it. Reads assign no xid, so
    they leave it alone; any write anywhere in the database changes it.

    None when this transaction has written something itself: its own writes do not show in the
    snapshot, so it cannot vouch for them."""
    return session.scalar(
        text("SELECT CASE WHEN pg_current_xact_id_if_assigned() IS NULL THEN pg_current_snapshot()::text END")
    )
