import uuid
from datetime import date

from flask import current_app
from flask.views import MethodView

from server.services import persons as service
from server.services import residences as residence_service
from server.store.db import request_session

from . import pagination
from .base import ETAG, blueprint, current_actor, today, with_etag
from .schemas.common import PageQuery
from .schemas.persons import (
    DuplicatesSchema,
    PersonCreateSchema,
    PersonPageSchema,
    PersonQuery,
    PersonSchema,
    PersonUpdateSchema,
    ResidenceCreateSchema,
    ResidenceSchema,
    ResidencesSchema,
    ResidenceUpdateSchema,
    ResidentsQuery,
    ResidentsSchema,
    RevealedSchema,
    RevealSchema,
)
from .schemas.presenting import Joined

blp = blueprint("persons", "Actual population (实有人口) and residence registration")


@blp.route("/persons")
class Persons(MethodView):
    @blp.arguments(PersonQuery, location="query")
    @blp.response(200, PersonPageSchema)
    def get(self, args):
        """Find people in your area by name, or by exact document number (audited)."""
        session = request_session()
        actor = current_actor()
        after = pagination.decode(args["cursor"], (str, uuid.UUID))
        rows = service.search(session, actor, q_text=args.get("q"), after=after, limit=args["limit"])
        return pagination.respond(
            rows,
            args["limit"],
            key=lambda p: [p.name, str(p.id)],
        )

    @blp.arguments(PersonCreateSchema)
    @blp.response(201, PersonSchema)
    @blp.alt_response(409, description="A person with this document exists (existing_id when in your area)")
    def post(self, body):
        """Register a person; the document number is checked and the ID shown masked."""
        actor = current_actor()
        return service.create(request_session(), actor, today=today(), **body)


@blp.route("/persons/duplicates")
class Duplicates(MethodView):
    @blp.response(200, DuplicatesSchema)
    def get(self):
        """Likely duplicates for review: same name and birth date, different or missing documents."""
        return service.duplicates(request_session(), current_actor())


@blp.route("/persons/<uuid:person_id>")
class Person(MethodView):
    @blp.response(200, PersonSchema, headers=ETAG)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, person_id: uuid.UUID):
        """One person (ID number masked)."""
        actor = current_actor()
        return with_etag(service.get(request_session(), actor, person_id))

    @blp.arguments(PersonUpdateSchema)
    @blp.response(200, PersonSchema, headers=ETAG)
    @blp.alt_response(404, description="Unknown or outside your area")
    def patch(self, body, person_id: uuid.UUID):
        """Correct a person's details."""
        session = request_session()
        actor = current_actor()
        row = service.get(session, actor, person_id, audited=False)
        return with_etag(service.update(session, actor, row, today=today(), **body))


@blp.route("/persons/<uuid:person_id>/reveal")
class Reveal(MethodView):
    @blp.arguments(RevealSchema)
    @blp.response(200, RevealedSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    @blp.alt_response(429, description="Daily reveal limit reached")
    def post(self, body, person_id: uuid.UUID):
        """The full document number (police and administrators, with a reason; audited, every attempt rationed daily)."""  # noqa: E501 (one-line summary)
        row, number = service.reveal(
            request_session(),
            current_actor(),
            person_id,
            reason=body["reason"],
            daily_limit=current_app.config["REVEAL_DAILY_LIMIT"],
            zone=current_app.config["TIMEZONE"],
        )
        return {"person_id": row.id, "document_type": row.document_type, "document_number": number}


@blp.route("/persons/<uuid:person_id>/residences")
class PersonResidences(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, ResidencesSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, args, person_id: uuid.UUID):
        """以人找房: where this person lives or lived, in your area, latest arrival first."""
        rows = residence_service.of_person(
            request_session(), current_actor(), person_id, after=_newest_first(args["cursor"]), limit=args["limit"]
        )
        return pagination.respond(rows, args["limit"], key=_residence_key)


@blp.route("/houses/<uuid:house_id>/residents")
class HouseResidents(MethodView):
    @blp.arguments(ResidentsQuery, location="query")
    @blp.response(200, ResidentsSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, args, house_id: uuid.UUID):
        """以房找人: who lives (current=true) or lived in this house, latest arrival first."""
        rows = residence_service.of_house(
            request_session(),
            current_actor(),
            house_id,
            current=args.get("current"),
            after=_newest_first(args["cursor"]),
            limit=args["limit"],
        )
        return pagination.respond(
            rows,
            args["limit"],
            key=lambda row: _residence_key(row[0]),
            present=lambda page: [Joined(r, person=p) for r, p in page],
        )


def _residence_key(r) -> list:
    return [r.arrived_on.isoformat(), str(r.id)]


def _newest_first(cursor):
    return pagination.decode(cursor, (date.fromisoformat, uuid.UUID))


@blp.route("/residences")
class Residences(MethodView):
    @blp.arguments(ResidenceCreateSchema)
    @blp.response(201, ResidenceSchema)
    @blp.alt_response(409, description="An open residence exists (existing_id)")
    def post(self, body):
        """Register a person's residence in a house (人来登记)."""
        return residence_service.create(request_session(), current_actor(), today=today(), **body)


@blp.route("/residences/<uuid:residence_id>")
class Residence(MethodView):
    @blp.response(200, ResidenceSchema, headers=ETAG)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, residence_id: uuid.UUID):
        """One residence, with how late it was reported."""
        return with_etag(residence_service.read(request_session(), current_actor(), residence_id))

    @blp.arguments(ResidenceUpdateSchema)
    @blp.response(200, ResidenceSchema, headers=ETAG)
    @blp.alt_response(404, description="Unknown or outside your area")
    @blp.alt_response(409, description="Already closed")
    def patch(self, body, residence_id: uuid.UUID):
        """Record a departure (人走注销), a verification, or a corrected category."""
        session = request_session()
        actor = current_actor()
        row = residence_service.get(session, actor, residence_id)
        return with_etag(residence_service.update(session, actor, row, today=today(), **body))
