"""Visits: door-to-door visits, inspections and self-checks, with their photos and plausibility flags."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView

from server.services import areas as area_service
from server.services import houses as house_service
from server.services import visits as service
from server.store import geometry
from server.store.db import request_session

from . import geojson, pagination
from .base import blueprint, current_actor
from .schemas.presenting import Joined
from .schemas.visits import TimelineQuery, VisitPageSchema, VisitQuery, VisitSchema

blp = blueprint("visits", "Visits, inspections and self-checks, with photos and plausibility flags")


def _bound(value, *, end: bool):
    """A query day means the whole local calendar day; an instant is used as given."""
    if value is None or isinstance(value, dt.datetime):
        return value
    day = value + dt.timedelta(days=1) if end else value
    return dt.datetime.combine(day, dt.time(), ZoneInfo(current_app.config["TIMEZONE"]))


def _page(session, rows, limit):
    return pagination.respond(
        rows,
        limit,
        key=lambda v: [v.visited_at.isoformat(), str(v.id)],
        present=lambda page: _present(session, page),
        geometry=lambda item: geometry.lonlat_to_geojson(item["location"]),
        item_schema=VisitSchema,
    )


def _present(session, visits):
    shown = service.shown(session, visits)
    return [Joined(v, shown=shown) for v in visits]


def _after(cursor):
    return pagination.decode(cursor, (dt.datetime.fromisoformat, uuid.UUID))


@blp.route("/visits")
class Visits(MethodView):
    @blp.arguments(VisitQuery, location="query")
    @blp.response(200, VisitPageSchema)
    @geojson.alternative(blp, "With `Accept: application/geo+json`: visit points for a map")
    def get(self, args):
        """Visits in your area, newest first, by house, unit, grid, actor, time or flag (GeoJSON with
        `Accept: application/geo+json`)."""
        session = request_session()
        grid_id = None
        if args.get("grid"):
            grid = area_service.grid_by_code(session, args["grid"])
            grid_id = grid.id if grid else uuid.UUID(int=0)
        rows = service.search(
            session,
            current_actor(),
            house_id=args.get("house"),
            unit_id=args.get("unit"),
            grid_id=grid_id,
            account_id=args.get("actor"),
            since=_bound(args.get("from_"), end=False),
            until=_bound(args.get("to"), end=True),
            flag=args.get("flag"),
            after=_after(args["cursor"]),
            limit=args["limit"],
        )
        return _page(session, rows, args["limit"])


@blp.route("/houses/<uuid:house_id>/visits")
class HouseVisits(MethodView):
    @blp.arguments(TimelineQuery, location="query")
    @blp.response(200, VisitPageSchema)
    @geojson.alternative(blp, "With `Accept: application/geo+json`: visit points for a map")
    @blp.alt_response(404, description="Unknown house or outside your area")
    def get(self, args, house_id: uuid.UUID):
        """A house's visits as a timeline, newest first."""
        session = request_session()
        actor = current_actor()
        house = house_service.get(session, actor, house_id)
        rows = service.search(session, actor, house_id=house.id, after=_after(args["cursor"]), limit=args["limit"])
        return _page(session, rows, args["limit"])
