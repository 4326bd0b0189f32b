"""Visits: door-to-door visits, inspections and self-checks, with their photos and plausibility flags."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView

from server.services import houses as house_service
from server.services import visits as service
from server.store import geometry
from server.store.db import request_session
from server.store.queries import areas as area_q
from server.store.queries import pages as pages_q
from server.store.queries import visits as q

from . import geojson, pagination
from .base import PREFIX, blueprint, current_actor
from .schemas.visits import TimelineQuery, VisitPageSchema, VisitQuery

blp = blueprint("visits", "Visits, inspections and self-checks, with photos and plausibility flags")

SIZES = ("320", "1024", "2048")


def photo_urls(photo_id) -> dict:
    return {size: f"{PREFIX}/photos/{photo_id}?size={size}" for size in SIZES}


def views(session, visits) -> list[dict]:
    """How visits are shown: one statement each for all their photos, actors and subjects' addresses."""
    photos = {}
    for photo in q.linked_photos(session, [v.instance_id for v in visits]):
        photos[(photo.instance_id, photo.account_id, photo.name)] = photo
    accounts = q.accounts(session, [v.account_id for v in visits])
    addresses = pages_q.subject_addresses(session, [v.house_id for v in visits], [v.unit_id for v in visits])
    out = []
    for v in visits:
        subject_id = v.house_id or v.unit_id
        location = geometry.to_lonlat(v.location)
        names = list(v.photo_names or [])
        names += sorted({key[2] for key in photos if key[0] == v.instance_id and key[1] == v.account_id} - set(names))
        shown = []
        for name in names:
            photo = photos.get((v.instance_id, v.account_id, name))
            shown.append(
                {
                    "id": photo.id if photo else None,
                    "name": name,
                    "status": "received" if photo else "missing",
                    "processing": photo.processing if photo else None,
                    "urls": photo_urls(photo.id) if photo else None,
                    "taken_at": photo.taken_at if photo else None,
                    "taken_location": geometry.to_lonlat(photo.taken_location) if photo else None,
                    "flags": list(photo.flags or []) if photo else [],
                }
            )
        account = accounts.get(v.account_id)
        out.append(
            {
                "id": v.id,
                "instance_id": v.instance_id,
                "kind": v.kind,
                "subject": {
                    "type": v.subject_type,
                    "id": subject_id,
                    "address": addresses.get(("house" if v.house_id else "unit", subject_id)),
                },
                "grid_id": v.grid_id,
                "actor": {"id": v.account_id, "name": account.display_name if account else None, "role": v.role},
                "outcome": v.outcome,
                "visited_at": v.visited_at,
                "received_at": v.received_at,
                "location": location | {"accuracy_m": v.location_accuracy_m} if location else None,
                "form": {"id": v.form_id, "version": v.form_version},
                "hazards": list(v.hazards or []),
                "photos": shown,
                "flags": list(v.flags or []),
                "flag_details": v.flag_details or {},
            }
        )
    return out


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
        present=lambda page: views(session, page),
        geometry=lambda item: geometry.lonlat_to_geojson(item["location"]),
    )


def _after(cursor):
    return pagination.decode(cursor, (dt.datetime.fromisoformat, uuid.UUID))


@blp.route("/visits")
class Visits(MethodView):
    @blp.arguments(VisitQuery, location="query")
    @blp.response(200, VisitPageSchema)
    @blp.alt_response(
        200,
        schema=geojson.FeatureCollectionSchema,
        content_type=geojson.GEOJSON,
        description="With `Accept: application/geo+json`: visit points for a map",
        success=True,
    )
    def get(self, args):
        """Visits in your area, newest first, by house, unit, grid, actor, time or flag (GeoJSON with
        `Accept: application/geo+json`)."""
        session = request_session()
        grid_id = None
        if args.get("grid"):
            grid = area_q.grid_by_code(session, args["grid"])
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
    @blp.alt_response(
        200,
        schema=geojson.FeatureCollectionSchema,
        content_type=geojson.GEOJSON,
        description="With `Accept: application/geo+json`: visit points for a map",
        success=True,
    )
    @blp.alt_response(404, description="Unknown house or outside your area")
    def get(self, args, house_id: uuid.UUID):
        """A house's visits as a timeline, newest first."""
        session = request_session()
        actor = current_actor()
        house = house_service.get(session, actor, house_id)
        rows = service.search(session, actor, house_id=house.id, after=_after(args["cursor"]), limit=args["limit"])
        return _page(session, rows, args["limit"])
