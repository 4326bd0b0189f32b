"""Due lists: which inspections the caller must do, and counts by grid, tier or role.

Rows show the place (address, grid), the tier and why, the last inspection
and the due date; never the residents.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.tiers import schedule
from server.store import scoping
from server.store.queries import freshness
from server.store.queries import tiers as q

EXPORT_LIMIT = 100_000


def _scoped(session: Session, actor: Actor, *, status, within_days, tier, grid, role, today: date, bbox=None):
    return q.dues_filtered(
        scoping.visible_dues(actor),
        status=status,
        today=today,
        within_days=within_days,
        tier=tier,
        role=role,
        grid=grid,
        bbox=bbox,
    )


def commit_marker(session: Session, actor: Actor) -> str | None:
    """Equal markers mean nothing was committed in between (so no list or count changed); take it
    before reading what it vouches for (None: this transaction wrote, no marker). Only for those who
    may read the lists."""
    require(actor, "inspection.due.read")
    return freshness.commit_marker(session)


def due(
    session: Session,
    actor: Actor,
    *,
    today: date,
    status=None,
    within_days=None,
    tier=None,
    grid=None,
    role=None,
    bbox=None,
    after=None,
    limit=50,
    export=False,
) -> list[dict]:
    """Most overdue first (due date, then id); ``after`` is the last (due_on, id) of the previous page;
    ``bbox`` (min_lon, min_lat, max_lon, max_lat) keeps the rows whose address point lies in it (the map)."""
    require(actor, "inspection.due.read")
    scoped = _scoped(
        session, actor, status=status, within_days=within_days, tier=tier, grid=grid, role=role, today=today, bbox=bbox
    )
    # An export gets one row past its limit, so that the download can say it was cut.
    found = q.due_rows(session, scoped, after=after, limit=EXPORT_LIMIT + 1 if export else limit)
    # Places and tiers, no personal data: like GET /houses, reading the list writes no audit row.
    # (Changing a tier by hand is audited: services/tiers.set_override.)
    return [_item(r, today) for r in found]


def due_counts(session: Session, actor: Actor, *, today: date, bbox) -> list[dict]:
    """The due list counted per grid, for the grids whose polygon meets ``bbox`` (the map zoomed out): each grid
    with a point to label it, its due and overdue rows in all and per tier. The due list's scope: a grid
    outside the caller's area has no rows here, so it is neither counted nor named."""
    require(actor, "inspection.due.read")
    scoped = _scoped(session, actor, status=None, within_days=None, tier=None, grid=None, role=None, today=today)
    grids: dict = {}
    for grid_id, code, name, lon, lat, tier, n, overdue in q.due_counts_by_grid(
        session, scoped, today=today, bbox=bbox
    ):
        entry = grids.setdefault(
            grid_id,
            {
                "grid": {"id": grid_id, "code": code, "name": name},
                "label": {"lon": lon, "lat": lat},
                "total": 0,
                "overdue": 0,
                "tiers": {},
            },
        )
        entry["total"] += n
        entry["overdue"] += overdue
        entry["tiers"][tier] = {"total": n, "overdue": overdue}
    return list(grids.values())


def _item(row, today: date) -> dict:
    (due_row, full_text, lon, lat, grid_id, grid_code, grid_name, unit_name, rental_mode, reasons) = row
    return {
        "id": due_row.id,
        "subject_type": due_row.subject_type,
        "house_id": due_row.house_id,
        "unit_id": due_row.unit_id,
        "unit_name": unit_name,
        "rental_mode": rental_mode,
        "address": {"full_text": full_text, "location": {"lon": lon, "lat": lat}},
        "grid": {"id": grid_id, "code": grid_code, "name": grid_name},
        "tier": due_row.tier,
        "role": due_row.role,
        "every_days": due_row.every_days,
        "reasons": [
            {"rule": r["rule"], "tier": r["tier"], "description": r["description"], "facts": r["facts"]}
            for r in (reasons or [])
        ],
        "last_visit_at": due_row.last_visit_at,
        "due_on": due_row.due_on,
        "status": schedule.status(due_row.due_on, today),
        "days_overdue": schedule.days_overdue(due_row.due_on, today),
    }


def summary(session: Session, actor: Actor, *, today: date, group_by: str, tier=None, grid=None, role=None) -> list:
    require(actor, "inspection.due.read")
    scoped = _scoped(session, actor, status=None, within_days=None, tier=tier, grid=grid, role=role, today=today)
    return q.due_summary(session, scoped, group_by=group_by, today=today)
