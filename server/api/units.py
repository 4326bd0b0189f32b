import uuid
from datetime import date

from flask.views import MethodView

from server.services import units as service
from server.store.db import request_session

from . import pagination
from .base import ETAG, blueprint, current_actor, today, with_etag
from .schemas.presenting import Joined, related
from .schemas.units import (
    EmployeesQuery,
    EmployeesSchema,
    EmploymentCreateSchema,
    EmploymentEndSchema,
    EmploymentSchema,
    UnitCreateSchema,
    UnitPageSchema,
    UnitQuery,
    UnitSchema,
    UnitUpdateSchema,
)

blp = blueprint("units", "Actual units (实有单位) and their employees")


def _present(units):
    """A page of units: their addresses and areas fetched for the page at once."""
    rel = related()
    rel.addresses_with_areas([u.address_id for u in units])
    rel.areas_of(units)
    return units


@blp.route("/units")
class Units(MethodView):
    @blp.arguments(UnitQuery, location="query")
    @blp.response(200, UnitPageSchema)
    def get(self, args):
        """Units in your area, by name."""
        session = request_session()
        after = pagination.decode(args["cursor"], (str, uuid.UUID))
        rows = service.search(
            session,
            current_actor(),
            grid=args.get("grid"),
            kind=args.get("kind"),
            q_text=args.get("q"),
            after=after,
            limit=args["limit"] + 1,
        )
        return pagination.respond(rows, args["limit"], key=lambda u: [u.name, str(u.id)], present=_present)

    @blp.arguments(UnitCreateSchema)
    @blp.response(201, UnitSchema)
    def post(self, body):
        """Register a unit at a standard address."""
        session = request_session()
        return service.create(session, current_actor(), **body)


@blp.route("/units/<uuid:unit_id>")
class Unit(MethodView):
    @blp.response(200, UnitSchema, headers=ETAG)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, unit_id: uuid.UUID):
        """One unit."""
        session = request_session()
        return with_etag(service.read(session, current_actor(), unit_id))

    @blp.arguments(UnitUpdateSchema)
    @blp.response(200, UnitSchema, headers=ETAG)
    @blp.alt_response(404, description="Unknown or outside your area")
    def patch(self, body, unit_id: uuid.UUID):
        """Change a unit's name, kind, responsible person or phone."""
        session = request_session()
        actor = current_actor()
        row = service.update(session, actor, service.get(session, actor, unit_id), **body)
        return with_etag(row)


@blp.route("/units/<uuid:unit_id>/employees")
class Employees(MethodView):
    @blp.arguments(EmployeesQuery, location="query")
    @blp.response(200, EmployeesSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, args, unit_id: uuid.UUID):
        """The people a unit employs (current=true) or employed, latest start first."""
        session = request_session()
        actor = current_actor()
        after = pagination.decode(args["cursor"], (date.fromisoformat, uuid.UUID))
        unit = service.get(session, actor, unit_id)
        rows = service.employees(session, actor, unit, current=args.get("current"), after=after, limit=args["limit"])
        return pagination.respond(
            rows,
            args["limit"],
            key=lambda row: [row[0].started_on.isoformat(), str(row[0].id)],
            present=lambda page: [Joined(e, person=p) for e, p in page],
        )

    @blp.arguments(EmploymentCreateSchema)
    @blp.response(201, EmploymentSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    @blp.alt_response(409, description="Already employed here (existing_id)")
    def post(self, body, unit_id: uuid.UUID):
        """Report that the unit employs a person (due within 7 days of the start)."""
        session = request_session()
        actor = current_actor()
        row = service.hire(session, actor, service.get(session, actor, unit_id), today=today(), **body)
        return row


@blp.route("/units/<uuid:unit_id>/employees/<uuid:employment_id>")
class EmploymentView(MethodView):
    @blp.arguments(EmploymentEndSchema)
    @blp.response(200, EmploymentSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    @blp.alt_response(409, description="Already ended")
    def patch(self, body, unit_id: uuid.UUID, employment_id: uuid.UUID):
        """Record that an employment ended."""
        session = request_session()
        actor = current_actor()
        unit = service.get(session, actor, unit_id)
        return service.end_employment(session, actor, unit, employment_id, today=today(), **body)
