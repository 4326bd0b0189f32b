import uuid

from flask.views import MethodView

from server.services import houses as service
from server.store import geometry
from server.store.db import request_session

from . import geojson, pagination
from .base import ETAG, blueprint, current_actor, today, with_etag
from .schemas.houses import HouseCreateSchema, HousePageSchema, HouseQuery, HouseSchema, HouseUpdateSchema
from .schemas.presenting import related

blp = blueprint("houses", "Actual houses (实有房屋)")


def _present(rows):
    """A page of ``(house, address)`` rows: the houses, their addresses and areas fetched for the page at once."""
    rel = related()
    rel.seed("address", [a for _, a in rows])
    rel.prefetch("division", [a.community_id for _, a in rows])
    rel.prefetch("grid", [g for h, a in rows for g in (h.grid_id, a.grid_id)])
    return [h for h, _ in rows]


@blp.route("/houses")
class Houses(MethodView):
    @blp.arguments(HouseQuery, location="query")
    @blp.response(200, HousePageSchema)
    @geojson.alternative(blp, "With `Accept: application/geo+json`: points for a map")
    def get(self, args):
        """Houses in your area, by address (GeoJSON with `Accept: application/geo+json`)."""
        session = request_session()
        after = pagination.decode(args["cursor"], (str, uuid.UUID))
        rows = service.search(
            session,
            current_actor(),
            grid=args.get("grid"),
            use=args.get("use"),
            q_text=args.get("q"),
            after=after,
            limit=args["limit"],
        )
        return pagination.respond(
            rows,
            args["limit"],
            key=lambda r: [r[1].full_text, str(r[0].id)],
            present=_present,
            geometry=lambda item: geometry.lonlat_to_geojson(item["address"]["location"]),
            item_schema=HouseSchema,
        )

    @blp.arguments(HouseCreateSchema)
    @blp.response(201, HouseSchema)
    @blp.alt_response(409, description="A house is already registered at this address (existing_id)")
    def post(self, body):
        """Register the house at a standard address."""
        session = request_session()
        return service.create(session, current_actor(), today=today(), **body)


@blp.route("/houses/<uuid:house_id>")
class House(MethodView):
    @blp.response(200, HouseSchema, headers=ETAG)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, house_id: uuid.UUID):
        """One house."""
        session = request_session()
        return with_etag(service.read(session, current_actor(), house_id))

    @blp.arguments(HouseUpdateSchema)
    @blp.response(200, HouseSchema, headers=ETAG)
    @blp.alt_response(404, description="Unknown or outside your area")
    def patch(self, body, house_id: uuid.UUID):
        """Change a house's use, rental facts, landlord or agreement."""
        session = request_session()
        actor = current_actor()
        row = service.get(session, actor, house_id)
        return with_etag(service.update(session, actor, row, today=today(), **body))

    @blp.response(204)
    @blp.alt_response(404, description="Unknown or outside your area")
    @blp.alt_response(409, description="The house has residence records")
    def delete(self, house_id: uuid.UUID):
        """Remove a house registered by mistake (only while nobody was ever registered there)."""
        session = request_session()
        actor = current_actor()
        service.delete(session, actor, service.get(session, actor, house_id))
