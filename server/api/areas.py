import uuid

from flask.views import MethodView

from server.services import areas as service
from server.store.db import request_session

from . import geojson, pagination
from .base import blueprint, current_actor
from .schemas.areas import (
    DivisionCreateSchema,
    DivisionPageSchema,
    DivisionQuery,
    DivisionSchema,
    DivisionUpdateSchema,
    GridCreateSchema,
    GridDetailSchema,
    GridPageSchema,
    GridQuery,
    GridSchema,
    GridUpdateSchema,
    ListQuery,
    StationCreateSchema,
    StationPageSchema,
    StationSchema,
)
from .schemas.presenting import Joined, related

blp = blueprint("areas", "Divisions, police station areas and grids")


def _page(rows, limit, present=None):
    """A page of areas by code."""
    return pagination.respond(rows, limit, key=lambda r: [r.code], present=present)


def _with_parents(divisions):
    """A page of divisions: their parents (shown by code) fetched for the page at once."""
    related().prefetch("division", [d.parent_id for d in divisions])
    return divisions


def _after(args):
    return pagination.decode_one(args["cursor"], str)


def present_grids(grids: list, *, counts: bool = False) -> list[Joined]:
    """Grids as GridSchema shows them: their communities, stations and workers fetched for all of them at once
    (GridDetailSchema: with each grid's counts, for one grid)."""
    session, rel = request_session(), related()
    rel.prefetch("division", [g.community_id for g in grids])
    rel.prefetch("station", [g.station_id for g in grids])
    workers = service.grid_workers(session, grids)
    # counts: a few statements per grid, so for one grid's answer only, never for a list
    return [
        Joined(g, workers=workers.get(g.id, []), **({"counts": service.grid_counts(session, g)} if counts else {}))
        for g in grids
    ]


def _grid(row) -> Joined:
    """One grid as GridDetailSchema shows it."""
    return present_grids([row], counts=True)[0]


@blp.route("/divisions")
class Divisions(MethodView):
    @blp.arguments(DivisionQuery, location="query")
    @blp.response(200, DivisionPageSchema)
    def get(self, args):
        """Divisions in your area (county → town/street → community/village), by code."""
        session = request_session()
        rows = service.list_divisions(
            session,
            current_actor(),
            level=args.get("level"),
            parent=args.get("parent"),
            after=_after(args),
            limit=args["limit"] + 1,
        )
        return _page(rows, args["limit"], _with_parents)

    @blp.arguments(DivisionCreateSchema)
    @blp.response(201, DivisionSchema)
    @blp.alt_response(409, description="Code already used")
    def post(self, body):
        """Create a division (administrators)."""
        session = request_session()
        return service.create_division(session, current_actor(), **body)


@blp.route("/divisions/<uuid:division_id>")
class Division(MethodView):
    @blp.response(200, DivisionSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, division_id: uuid.UUID):
        """One division."""
        session = request_session()
        return service.get_division(session, current_actor(), division_id)

    @blp.arguments(DivisionUpdateSchema)
    @blp.response(200, DivisionSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def patch(self, body, division_id: uuid.UUID):
        """Rename a division (administrators; codes never change)."""
        session = request_session()
        actor = current_actor()
        row = service.get_division(session, actor, division_id)
        return service.update_division(session, actor, row, **body)


@blp.route("/stations")
class Stations(MethodView):
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, StationPageSchema)
    def get(self, args):
        """Police station areas whose grids you can see."""
        rows = service.list_stations(request_session(), current_actor(), after=_after(args), limit=args["limit"] + 1)
        return _page(rows, args["limit"])

    @blp.arguments(StationCreateSchema)
    @blp.response(201, StationSchema)
    @blp.alt_response(409, description="Code already used")
    def post(self, body):
        """Create a police station area (administrators)."""
        return service.create_station(request_session(), current_actor(), **body)


@blp.route("/grids")
class Grids(MethodView):
    @blp.arguments(GridQuery, location="query")
    @blp.response(200, GridPageSchema)
    @geojson.alternative(blp, "With `Accept: application/geo+json`")
    def get(self, args):
        """Grids in your area, by code (GeoJSON with `Accept: application/geo+json`)."""
        session = request_session()
        rows = service.list_grids(
            session,
            current_actor(),
            community=args.get("community"),
            station=args.get("station"),
            after=_after(args),
            limit=args["limit"] + 1,
        )
        return pagination.respond(
            rows,
            args["limit"],
            key=lambda r: [r.code],
            present=present_grids,
            geometry="polygon",
            item_schema=GridSchema,
        )

    @blp.arguments(GridCreateSchema)
    @blp.response(201, GridDetailSchema)
    @blp.alt_response(409, description="Code already used")
    def post(self, body):
        """Create a grid with its boundary (administrators)."""
        session = request_session()
        return _grid(service.create_grid(session, current_actor(), **body))


@blp.route("/grids/<uuid:grid_id>")
class Grid(MethodView):
    @blp.response(200, GridDetailSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, grid_id: uuid.UUID):
        """One grid, with its workers and counts of addresses, houses, rentals and residents."""
        session = request_session()
        return _grid(service.get_grid(session, current_actor(), grid_id))

    @blp.arguments(GridUpdateSchema)
    @blp.response(200, GridDetailSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def patch(self, body, grid_id: uuid.UUID):
        """Change a grid's name, boundary, community or station (administrators)."""
        session = request_session()
        actor = current_actor()
        row = service.get_grid(session, actor, grid_id)
        return _grid(service.update_grid(session, actor, row, **body))
