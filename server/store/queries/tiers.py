"""Tier facts, states and due rows: set-based queries in batches."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, Uuid, and_, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session, aliased

from server.domain.windows import Window
from server.store.models import InspectionDue, TierChange, TierRefresh, TierState

INSPECTION_KINDS = ("inspection", "visit")
RECENT_INSPECTIONS = 30  # enough to count clean runs and holds

# {col}: house_id or unit_id, filled in below
_VISITS = f"""
LEFT JOIN LATERAL (
    SELECT array_agg(x.visited_at ORDER BY x.visited_at DESC) AS insp_at,
           array_agg(array_to_string(x.hazards, ',') ORDER BY x.visited_at DESC) AS insp_hazards,
           array_agg(x.received_at ORDER BY x.visited_at DESC) AS insp_received
    FROM (SELECT visited_at, hazards, received_at FROM visits
          WHERE {{col}} = s.id AND kind IN ('inspection', 'visit') AND outcome = 'met'
          ORDER BY visited_at DESC LIMIT {RECENT_INSPECTIONS:d}) x
) i ON true
LEFT JOIN LATERAL (
    SELECT jsonb_object_agg(l.role || ':' || l.kind, l.at) AS last_visits
    FROM (SELECT role, kind, max(visited_at) AS at FROM visits
          WHERE {{col}} = s.id AND (outcome IS NULL OR outcome NOT IN ('not_home', 'refused'))
          GROUP BY role, kind) l
) lv ON true
LEFT JOIN tier_states t ON t.{{col}} = s.id
"""

_HOUSES = """
SELECT s.id, s.grid_id, s.use, s.rental_mode, s.rooms, s.rented_since, s.agreement_signed_on,
       coalesce(r.residents, 0) AS residents, coalesce(r.turnover, 0) AS turnover,
       coalesce(c.late, 0) AS late_reports, coalesce(c.missed_arrivals, 0) AS missed_arrivals,
       coalesce(c.missed_departures, 0) AS missed_departures, coalesce(c.on_time, 0) AS on_time_reports,
       i.insp_at, i.insp_hazards, i.insp_received, lv.last_visits, {state}
FROM houses s
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE left_on IS NULL AND verification <> 'rejected') AS residents,
           count(*) FILTER (WHERE arrived_on BETWEEN :turnover_first AND :turnover_last
                            AND verification <> 'rejected')
           + count(*) FILTER (WHERE left_on BETWEEN :turnover_first AND :turnover_last) AS turnover
    FROM residences WHERE house_id = s.id
) r ON true
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE kind IN ('arrival_late', 'departure_late')) AS late,
           count(*) FILTER (WHERE kind = 'missed_arrival') AS missed_arrivals,
           count(*) FILTER (WHERE kind = 'missed_departure') AS missed_departures,
           count(*) FILTER (WHERE kind IN ('arrival_on_time', 'departure_on_time')) AS on_time
    FROM compliance_events WHERE house_id = s.id AND occurred_on BETWEEN :reporting_first AND :reporting_last
) c ON true
""" + _VISITS.format(col="house_id")
# only what can have a tier: a let house, or one that had a tier (it moves to none); every unit
_HOUSES_WHERE = " WHERE (s.use IN ('rented', 'mixed') OR t.id IS NOT NULL)"

_UNITS = """
SELECT s.id, s.grid_id, s.kind, i.insp_at, i.insp_hazards, i.insp_received, lv.last_visits, {state}
FROM units s
""" + _VISITS.format(col="unit_id")
_UNITS_WHERE = " WHERE true"
# the stored state (without its JSON facts and reasons: bulk.update_changed compares those in the database)
STATE_COLUMNS = (
    "id",
    "grid_id",
    "tier",
    "tier_since",
    "computed_tier",
    "computed_since",
    "policy_version",
    "hold_started",
    "override_tier",
    "override_reason",
    "override_expires_on",
    "override_by",
    "override_at",
)
_STATE = ", ".join(f"t.{c} AS state_{c}" for c in STATE_COLUMNS)


def subject_rows(
    session: Session,
    subject: str,
    *,
    ids=None,
    after=None,
    until=None,
    limit=None,
    turnover: Window,
    reporting: Window,
) -> list:
    """Raw facts per house or unit, with its stored state (``state_*`` columns, NULL when none): by ``ids``,
    or the next ``limit`` after id ``after`` and up to id ``until`` (batches of one slice). Houses that are not
    let and never had a tier are left out (nothing to evaluate or keep). Turnover and the reporting record count
    within the given windows (domain/windows.py)."""
    sql = (_HOUSES + _HOUSES_WHERE if subject == "house" else _UNITS + _UNITS_WHERE).format(state=_STATE)
    params: dict[str, object] = (
        {
            "turnover_first": turnover.first_day,
            "turnover_last": turnover.last_day,
            "reporting_first": reporting.first_day,
            "reporting_last": reporting.last_day,
        }
        if subject == "house"
        else {}
    )
    if ids is not None:
        sql += " AND s.id = ANY(:ids)"
        params["ids"] = list(ids)
    else:
        sql += (
            " AND (CAST(:after AS uuid) IS NULL OR s.id > CAST(:after AS uuid))"
            " AND (CAST(:until AS uuid) IS NULL OR s.id <= CAST(:until AS uuid)) ORDER BY s.id LIMIT :limit"
        )
        params |= {"after": after, "until": until, "limit": limit}
    return list(session.execute(text(sql), params))


def slices(session: Session, subject: str, parts: int) -> list[tuple]:
    """``parts`` slices of the houses or units in id order, as (after, until) ids (None: an open end), of
    about equal size; together they hold every id once, also ids added later (the last slice is open)."""
    table = "houses" if subject == "house" else "units"
    # the last id of each ntile (DISTINCT ON: PostgreSQL has no max(uuid))
    sql = f"SELECT DISTINCT ON (t) id FROM (SELECT id, ntile(:parts) OVER (ORDER BY id) AS t FROM {table}) x "
    sql += "ORDER BY t, id DESC"
    edges = list(session.scalars(text(sql), {"parts": parts}))[:-1]  # the last slice has no upper end
    cuts = [None, *edges, None]
    return [(cuts[k], cuts[k + 1]) for k in range(len(cuts) - 1)]


def dues_of(session: Session, subject: str, ids) -> dict:
    """{subject id: {role: due row}} (plain rows)."""
    table = InspectionDue.__table__
    col = table.c.house_id if subject == "house" else table.c.unit_id
    found: dict = {}
    for row in session.execute(select(table).where(col == _any(ids))):
        found.setdefault(row.house_id or row.unit_id, {})[row.role] = row
    return found


def _any(ids):
    """``= ANY(:ids)`` with one array parameter (an IN list of thousands of parameters is slow to send)."""
    return any_(bindparam("ids", list(ids), type_=ARRAY(Uuid)))


def history(session: Session, subject: str, subject_id) -> list[TierChange]:
    col = TierChange.house_id if subject == "house" else TierChange.unit_id
    return list(
        session.scalars(
            select(TierChange).where(col == subject_id).order_by(TierChange.changed_at.desc(), TierChange.id.desc())
        )
    )


def state(session: Session, subject: str, subject_id) -> TierState | None:
    col = TierState.house_id if subject == "house" else TierState.unit_id
    return session.scalar(select(TierState).where(col == subject_id))


def states(session: Session, subject: str, ids) -> dict:
    """{subject id: its stored TierState}, for the subjects that have one (a page's at once)."""
    col = TierState.house_id if subject == "house" else TierState.unit_id
    return {row.house_id or row.unit_id: row for row in session.scalars(select(TierState).where(col == _any(ids)))}


def count(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0  # a count is never NULL


def status_condition(status: str | None, today: date, within_days: int | None):
    due = InspectionDue.due_on
    conditions: list[ColumnElement[bool]] = [due.is_not(None)]
    if status == "overdue":
        conditions.append(due < today)
    elif status == "due_today":
        conditions.append(due == today)
    elif status == "upcoming":
        conditions.append(due > today)
    if within_days is not None:
        conditions.append(due <= today + timedelta(days=within_days))
    return and_(*conditions)


# Made once: an alias built per request cost more CPU than the page's query itself (its columns'
# expressions are memoised on the alias; docs/performance.md, "Due lists and summaries").
_HOUSE_STATE = aliased(TierState, name="house_state")
_UNIT_STATE = aliased(TierState, name="unit_state")


def due_rows(session: Session, scoped, *, after, limit: int) -> list:
    """(due, address text, lon, lat, grid id, code, name, unit name, rental mode, reasons), due date first.

    The page of due rows is chosen first (index on role / grid and due date), and
    only its rows are joined to addresses and reasons.
    """
    from server.store.models import Address, Grid, House, Unit
    from server.store.queries.filters import keyset

    d = InspectionDue
    page = keyset(scoped.with_only_columns(d.id), (d.due_on, d.id), after, limit).subquery()
    hs, us = _HOUSE_STATE, _UNIT_STATE
    query = (
        select(
            d,
            Address.full_text,
            func.ST_X(Address.geom),
            func.ST_Y(Address.geom),
            Grid.id,
            Grid.code,
            Grid.name,
            Unit.name,
            House.rental_mode,
            func.coalesce(hs.reasons, us.reasons),
        )
        .join(page, page.c.id == d.id)
        .outerjoin(House, House.id == d.house_id)
        .outerjoin(Unit, Unit.id == d.unit_id)
        .join(Address, Address.id == func.coalesce(House.address_id, Unit.address_id))
        .join(Grid, Grid.id == d.grid_id)
        .outerjoin(hs, hs.house_id == d.house_id)
        .outerjoin(us, us.unit_id == d.unit_id)
        .order_by(d.due_on, d.id)
    )
    return list(session.execute(query))


def due_summary(session: Session, scoped, *, group_by: str, today: date) -> list[dict]:
    from sqlalchemy.orm import aliased

    from server.store.models import Grid

    d = aliased(InspectionDue, scoped.subquery())
    counts = (
        func.count().filter(d.due_on < today),
        func.count().filter(d.due_on == today),
        func.count().filter(d.due_on > today),
    )
    if group_by == "grid":  # count per grid id first, then name the (few) grids
        per = (
            select(d.grid_id, *(c.label(n) for c, n in zip(counts, ("o", "t", "u"), strict=True)))
            .group_by(d.grid_id)
            .subquery()
        )
        query = (
            select(Grid.id, Grid.code, Grid.name, per.c.o, per.c.t, per.c.u)
            .join(per, per.c.grid_id == Grid.id)
            .order_by(Grid.code)
        )
        return [
            {"key": code, "grid": {"id": gid, "code": code, "name": name}, "overdue": o, "due_today": t, "upcoming": u}
            for gid, code, name, o, t, u in session.execute(query)
        ]
    column = d.tier if group_by == "tier" else d.role
    query = select(column, *counts).group_by(column).order_by(column)
    return [
        {"key": key, "grid": None, "overdue": o, "due_today": t, "upcoming": u}
        for key, o, t, u in session.execute(query)
    ]


def due_counts_by_grid(session: Session, scoped, *, today: date, bbox) -> list:
    """The map zoomed out: per grid whose polygon meets the box (min_lon, min_lat, max_lon, max_lat), its
    (grid id, code, name, label lon, label lat, tier, due rows, overdue rows), one row per tier it has.

    Each grid counts all its rows of ``scoped`` (the caller's due list), not only those whose address
    lies in the box: a number on a grid means that grid, and the grids in view add up to the due list
    of those grids. The label is a point inside the polygon (``ST_PointOnSurface``)."""
    from sqlalchemy.orm import aliased

    from server.store.models import Grid

    in_view = select(Grid.id).where(Grid.geom.intersects(func.ST_MakeEnvelope(*bbox, 4326)))
    d = aliased(InspectionDue, scoped.where(InspectionDue.grid_id.in_(in_view)).subquery())
    per = (
        select(d.grid_id, d.tier, func.count().label("n"), func.count().filter(d.due_on < today).label("overdue"))
        .group_by(d.grid_id, d.tier)
        .subquery()
    )
    label = func.ST_PointOnSurface(Grid.geom)
    query = (
        select(Grid.id, Grid.code, Grid.name, func.ST_X(label), func.ST_Y(label), per.c.tier, per.c.n, per.c.overdue)
        .join(per, per.c.grid_id == Grid.id)
        .order_by(Grid.code, per.c.tier)
    )
    return list(session.execute(query))


def dues_filtered(visible_dues: Select, *, status, today: date, within_days, tier, role, grid, bbox=None) -> Select:
    """The caller's due inspections narrowed by status (as of ``today``), tier, role, grid code and a box
    (min_lon, min_lat, max_lon, max_lat) around their address point (the map's visible area)."""
    from server.store.models import Address, House, Unit
    from server.store.queries.filters import in_grid, within_bbox

    query = visible_dues.where(status_condition(status, today, within_days))
    if tier:
        query = query.where(InspectionDue.tier == tier)
    if role:
        query = query.where(InspectionDue.role == role)
    if grid:
        query = query.where(in_grid(InspectionDue.grid_id, grid))
    if bbox is not None:  # the address point of the house or unit lies in the box (GiST index on addresses.geom)
        boxed = within_bbox(select(Address.id), *bbox)
        query = query.where(
            InspectionDue.house_id.in_(select(House.id).where(House.address_id.in_(boxed.scalar_subquery())))
            | InspectionDue.unit_id.in_(select(Unit.id).where(Unit.address_id.in_(boxed.scalar_subquery())))
        )
    return query


def queue_refresh(session: Session, subject: str, ids) -> None:
    """Ask the refresh job to re-evaluate these subjects (one INSERT; duplicates are fine)."""
    rows = [{"subject_type": subject, "subject_id": i} for i in ids]
    if rows:
        session.execute(insert(TierRefresh), rows)


def take_refreshes(session: Session, limit: int) -> list:
    """Up to ``limit`` of the oldest queued refreshes, deleted (the caller's transaction keeps them until it
    commits; rows another job is taking are skipped): (subject_type, subject_id) rows, duplicates included."""
    return list(
        session.execute(
            text(
                "DELETE FROM tier_refreshes WHERE id IN (SELECT id FROM tier_refreshes ORDER BY id "
                "LIMIT :limit FOR UPDATE SKIP LOCKED) RETURNING subject_type, subject_id"
            ),
            {"limit": limit},
        )
    )


def queued_refreshes(session: Session) -> int:
    return session.scalar(text("SELECT count(*) FROM tier_refreshes")) or 0
