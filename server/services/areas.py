"""Divisions, police station areas and grids: admins write, others read their area."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.areas import PARENT_LEVEL, division_code_problems, grid_polygon
from server.errors import Conflict, NotFound, ValidationFailed
from server.store import audit, geometry, scoping
from server.store.models import Division, Grid, Station
from server.store.queries import areas as q

# -- divisions ------------------------------------------------------------------


def list_divisions(session: Session, actor: Actor, *, level=None, parent=None, after=None, limit=50):
    require(actor, "area.read")
    query = q.divisions_filtered(scoping.visible_divisions(actor), level=level, parent=parent)
    return q.by_code_page(session, query, Division, after=after, limit=limit)


def get_division(session: Session, actor: Actor, division_id: uuid.UUID) -> Division:
    require(actor, "area.read")
    row = q.visible_one(session, scoping.visible_divisions(actor), Division, division_id)
    if row is None:
        raise NotFound("No such division.", code="division.not_found")
    return row


def create_division(
    session: Session, actor: Actor, *, code: str, name: str, level: str, parent: str | None = None
) -> Division:
    require(actor, "area.create")
    errors = division_code_problems(level, code, parent)
    parent_row = None
    if parent is not None and "parent" not in errors:
        parent_row = q.division_by_code(session, parent)
        if parent_row is None or parent_row.level != PARENT_LEVEL[level]:
            errors["parent"] = [f"No {PARENT_LEVEL[level]} with code {parent!r}."]
    if errors:
        raise ValidationFailed(errors=errors)
    if q.division_by_code(session, code) is not None:
        raise Conflict(
            f"A division with code {code} exists.", code="division.code_taken", errors={"code": ["Already used."]}
        )
    row = Division(code=code, name=name, level=level, parent_id=parent_row.id if parent_row else None)
    session.add(row)
    session.flush()
    audit.record(session, actor, "division.create", subject_type="division", subject_ids=[row.id])
    return row


def update_division(session: Session, actor: Actor, division: Division, *, name: str) -> Division:
    require(actor, "area.update")
    division.name = name
    session.flush()
    audit.record(session, actor, "division.update", subject_type="division", subject_ids=[division.id], fields=["name"])
    return division


# -- stations -------------------------------------------------------------------


def list_stations(session: Session, actor: Actor, *, after=None, limit=50):
    require(actor, "area.read")
    query = scoping.visible_stations(actor)
    return q.by_code_page(session, query, Station, after=after, limit=limit)


def create_station(session: Session, actor: Actor, *, code: str, name: str) -> Station:
    require(actor, "area.create")
    if q.station_by_code(session, code) is not None:
        raise Conflict(
            f"A station with code {code} exists.", code="station.code_taken", errors={"code": ["Already used."]}
        )
    row = Station(code=code, name=name)
    session.add(row)
    session.flush()
    audit.record(session, actor, "station.create", subject_type="station", subject_ids=[row.id])
    return row


# -- grids ----------------------------------------------------------------------


def list_grids(session: Session, actor: Actor, *, community=None, station=None, after=None, limit=50):
    require(actor, "area.read")
    query = q.grids_filtered(scoping.visible_grids(actor), community=community, station=station)
    return q.by_code_page(session, query, Grid, after=after, limit=limit)


def get_grid(session: Session, actor: Actor, grid_id: uuid.UUID) -> Grid:
    require(actor, "area.read")
    row = q.visible_one(session, scoping.visible_grids(actor), Grid, grid_id)
    if row is None:
        raise NotFound("No such grid.", code="grid.not_found")
    return row


def _grid_refs(session: Session, community: str | None, station: str | None, errors: dict):
    community_row = station_row = None
    if community is not None:
        community_row = q.division_by_code(session, community)
        if community_row is None or community_row.level != "community":
            errors["community"] = [f"No community with code {community!r}."]
    if station is not None:
        station_row = q.station_by_code(session, station)
        if station_row is None:
            errors["station"] = [f"No station with code {station!r}."]
    return community_row, station_row


def create_grid(
    session: Session, actor: Actor, *, code: str, name: str, polygon: dict, community: str, station: str | None = None
) -> Grid:
    require(actor, "area.create")
    errors: dict = {}
    geom, problems = grid_polygon(polygon)
    if problems:
        errors["polygon"] = problems
    community_row, station_row = _grid_refs(session, community, station, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    if q.grid_by_code(session, code) is not None:
        raise Conflict(f"A grid with code {code} exists.", code="grid.code_taken", errors={"code": ["Already used."]})
    row = Grid(
        code=code,
        name=name,
        geom=geometry.to_db(geom),
        community_id=community_row.id,
        station_id=station_row.id if station_row else None,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "grid.create", subject_type="grid", subject_ids=[row.id])
    return row


_UNSET = object()


def update_grid(
    session: Session, actor: Actor, grid: Grid, *, name=_UNSET, polygon=_UNSET, community=_UNSET, station=_UNSET
) -> Grid:
    require(actor, "area.update")
    errors: dict = {}
    changed = []
    if polygon is not _UNSET:
        geom, problems = grid_polygon(polygon)
        if problems:
            errors["polygon"] = problems
        else:
            grid.geom = geometry.to_db(geom)
            changed.append("polygon")
    community_row, station_row = _grid_refs(
        session, None if community is _UNSET else community, None if station in (_UNSET, None) else station, errors
    )
    if errors:
        raise ValidationFailed(errors=errors)
    if name is not _UNSET:
        grid.name = name
        changed.append("name")
    if community is not _UNSET:
        grid.community_id = community_row.id
        changed.append("community")
    if station is not _UNSET:
        grid.station_id = station_row.id if station_row else None
        changed.append("station")
    session.flush()
    audit.record(session, actor, "grid.update", subject_type="grid", subject_ids=[grid.id], fields=changed)
    return grid


def grid_workers(session: Session, grids) -> dict[uuid.UUID, list]:
    """{grid id: its active workers} for the grids a response shows (one statement for all of them)."""
    return q.grid_workers(session, [g.id for g in grids])


def grid_counts(session: Session, grid: Grid) -> dict:
    return q.grid_counts(session, grid.id)


def grid_by_code(session: Session, code: str) -> Grid | None:
    """A grid by its code (a filter's value; no scope: the list it filters is scoped)."""
    return q.grid_by_code(session, code)
