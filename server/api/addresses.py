import uuid

from flask.views import MethodView

from server.services import addresses as service
from server.store.db import request_session

from . import pagination
from .base import ETAG, blueprint, current_actor, with_etag
from .schemas.addresses import (
    AddressCreateSchema,
    AddressPageSchema,
    AddressQuery,
    AddressResolvedSchema,
    AddressSchema,
)
from .schemas.presenting import Joined, related

blp = blueprint("addresses", "Standard addresses (标准地址)")


def _present(rows):
    """A page of ``(address, distance or None)`` rows: the addresses, their areas fetched for the page at once."""
    addresses = [a if d is None else Joined(a, distance_m=round(d, 1)) for a, d in rows]
    related().areas_of(addresses)
    return addresses


@blp.route("/addresses")
class Addresses(MethodView):
    @blp.arguments(AddressQuery, location="query")
    @blp.response(200, AddressPageSchema)
    def get(self, args):
        """Find addresses in your area: by text, near a point, in a box, or in a grid."""
        session = request_session()
        after = pagination.decode(args["cursor"], (str, uuid.UUID))
        rows = service.search(
            session,
            current_actor(),
            q_text=args.get("q"),
            near=args.get("near"),
            radius_m=args.get("radius_m"),
            bbox=args.get("bbox"),
            grid=args.get("grid"),
            after=after,
            limit=args["limit"] + 1,
        )
        return pagination.respond(rows, args["limit"], key=lambda r: [r[0].full_text, str(r[0].id)], present=_present)

    @blp.arguments(AddressCreateSchema)
    @blp.response(201, AddressResolvedSchema)
    @blp.alt_response(200, schema=AddressResolvedSchema, description="The address was registered before")
    @blp.alt_response(
        404,
        description="address.outside_your_area: the point lies in a grid outside your area, "
        "or so does the address already registered there",
    )
    def post(self, body):
        """Register a standard address, or get the existing one (200, existing=true)."""
        session = request_session()
        resolved = service.resolve(session, current_actor(), **body)
        return Joined(resolved.address, existing=not resolved.created), 201 if resolved.created else 200


@blp.route("/addresses/<uuid:address_id>")
class Address(MethodView):
    @blp.response(200, AddressSchema, headers=ETAG)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, address_id: uuid.UUID):
        """One standard address."""
        session = request_session()
        return with_etag(service.get(session, current_actor(), address_id))
