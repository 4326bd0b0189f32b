"""Landlords: account requests and activation, house claims, tenant arrival and
departure reports (人来登记、人走注销), compliance and residence permits."""

import functools
import uuid
from datetime import date, datetime

from flask import current_app, g, request
from flask.views import MethodView

from server.auth.actor import anonymous
from server.domain.landlords import permit_status
from server.services import landlord_accounts as account_service
from server.services import landlords as service
from server.store.db import request_session

from . import pagination
from .base import blueprint, current_actor, public, today
from .schemas.accounts import UserSchema
from .schemas.common import PageQuery
from .schemas.landlords import (
    AccountRequestSchema,
    AccountRequestsSchema,
    AccountRequestViewSchema,
    ActivationSchema,
    ArrivalResultSchema,
    ArrivalSchema,
    ClaimDecisionSchema,
    ClaimQuery,
    ClaimSchema,
    ClaimsSchema,
    DepartureResultSchema,
    DepartureSchema,
    HouseClaimSchema,
    HouseComplianceSchema,
    LandlordComplianceSchema,
    LandlordCreateSchema,
    LandlordHousesSchema,
    PermitsDueQuery,
    PermitsDueSchema,
)
from .schemas.presenting import Joined

blp = blueprint("landlords", "Landlords: accounts, houses, tenant reports and compliance")


def _request(session, account) -> Joined:
    """An account request as AccountRequestViewSchema shows it: the account and the houses it claims."""
    return Joined(account, claims=account_service.claims_of(session, account.id))


def _counted(view):
    """Count the request against its address before its body is read: every
    attempt counts, whatever it is answered (422, 201...)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        account_service.count_attempt(request_session(), anonymous(g.request_id, request.remote_addr))
        return view(*args, **kwargs)

    return wrapper


def _deadline() -> dict:
    return {"zone": current_app.config["TIMEZONE"], "deadline_days": current_app.config["REPORT_DEADLINE_DAYS"]}


@blp.route("/landlord/account-requests")
class AccountRequests(MethodView):
    @public
    @_counted
    @blp.arguments(AccountRequestSchema)
    @blp.response(201, AccountRequestViewSchema)
    @blp.alt_response(429, description="Too many requests from this address; see Retry-After")
    def post(self, body):
        """A landlord asks for an account (no sign-in). It stays disabled until an officer of the area activates it.

        The answer is the same whether or not the username or the document is already known (an officer
        sorts that out at activation); every request counts against the address's hourly limit."""
        session = request_session()
        account = account_service.request_account(
            session, anonymous(g.request_id, request.remote_addr), today=today(), **body
        )
        return _request(session, account), 201

    @blp.arguments(PageQuery, location="query")
    @blp.response(200, AccountRequestsSchema)
    def get(self, args):
        """Requests waiting for activation with a house in your area (grid workers, police, admins), oldest first."""
        after = pagination.decode(args["cursor"], (datetime.fromisoformat, uuid.UUID))
        rows = account_service.pending_requests(request_session(), current_actor(), after=after, limit=args["limit"])
        return pagination.respond(
            rows,
            args["limit"],
            key=lambda row: [row[0].created_at.isoformat(), str(row[0].id)],
            present=lambda page: [Joined(a, claims=claims) for a, claims in page],
        )


@blp.route("/landlord/account-requests/<uuid:account_id>/activation")
class Activation(MethodView):
    @blp.arguments(ActivationSchema)
    @blp.response(200, AccountRequestViewSchema)
    @blp.alt_response(404, description="No pending request in your area")
    @blp.alt_response(409, description="A claim already decided, or a house held by another landlord")
    def post(self, body, account_id: uuid.UUID):
        """Activate a requested account, confirming its claims against registered houses (or rejecting them)."""
        session = request_session()
        account = account_service.activate(session, current_actor(), account_id, **body)
        return _request(session, account)


@blp.route("/landlords")
class Landlords(MethodView):
    @blp.arguments(LandlordCreateSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, description="Username taken, or a house held by another landlord")
    def post(self, body):
        """Create an active landlord account holding houses of your area (police, admins)."""
        session = request_session()
        account = account_service.create(session, current_actor(), today=today(), **body)
        return account, 201


@blp.route("/landlord/claims")
class Claims(MethodView):
    @blp.arguments(ClaimQuery, location="query")
    @blp.response(200, ClaimsSchema)
    def get(self, args):
        """A landlord's own house claims; for officers, the claims in their area."""
        after = pagination.decode(args["cursor"], (datetime.fromisoformat, uuid.UUID))
        rows = account_service.claims(
            request_session(), current_actor(), status=args.get("status"), after=after, limit=args["limit"]
        )
        return pagination.respond(rows, args["limit"], key=lambda c: [c.created_at.isoformat(), str(c.id)])

    @blp.arguments(HouseClaimSchema)
    @blp.response(201, ClaimSchema)
    def post(self, body):
        """A landlord says they let one more house; it is theirs once an officer of the area confirms it."""
        return account_service.claim(request_session(), current_actor(), body), 201


@blp.route("/landlord/claims/<uuid:claim_id>/decision")
class ClaimDecision(MethodView):
    @blp.arguments(ClaimDecisionSchema)
    @blp.response(200, ClaimSchema)
    @blp.alt_response(409, description="Already decided, or the house is held by another landlord")
    def post(self, body, claim_id: uuid.UUID):
        """Confirm a claim against a registered house of your area, or reject it."""
        row = account_service.decide(
            request_session(), current_actor(), claim_id, body["decision"], house_id=body.get("house_id")
        )
        return row


@blp.route("/landlord/houses")
class MyHouses(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, LandlordHousesSchema)
    def get(self, args):
        """Your houses by address: current tenants (ID masked), reports awaiting verification, self-checks,
        compliance."""
        session, actor = request_session(), current_actor()
        after = pagination.decode(args["cursor"], (str, uuid.UUID))
        rows = service.my_houses(session, actor, after=after, limit=args["limit"])
        return pagination.respond(
            rows,
            args["limit"],
            key=lambda row: [row[1].full_text, str(row[0].id)],
            present=present_my_houses,
        )


def present_my_houses(rows: list) -> list[Joined]:
    """``(house, address)`` rows as LandlordHouseSchema shows them: each house's address, current tenants and the
    landlord's overview, fetched for all of them at once (and the tenants shown put on record)."""
    overviews = service.overviews(request_session(), current_actor(), [h for h, _ in rows], today())
    shown = []
    for house, address in rows:
        summary = overviews[house.id]
        tenants = [Joined(r, person=p) for r, p in summary.pop("tenants")]
        shown.append(Joined(house, address=address, tenants=tenants, **summary))
    return shown


@blp.route("/landlord/houses/<uuid:house_id>/arrivals")
class Arrivals(MethodView):
    @blp.arguments(ArrivalSchema)
    @blp.response(201, ArrivalResultSchema)
    @blp.alt_response(404, description="Not one of your houses")
    @blp.alt_response(409, description="This tenant is already registered in this house")
    def post(self, body, house_id: uuid.UUID):
        """Report a tenant's arrival (within 7 days). Says whether the report is on time and if a permit is needed."""
        session, actor = request_session(), current_actor()
        report = service.report_arrival(
            session,
            actor,
            house_id,
            identity=body["tenant"],
            category=body["category"],
            arrived_on=body["arrived_on"],
            expected_stay_months=body.get("expected_stay_months"),
            today=today(),
            **_deadline(),
        )
        return report, 201


@blp.route("/landlord/houses/<uuid:house_id>/departures")
class Departures(MethodView):
    @blp.arguments(DepartureSchema)
    @blp.response(201, DepartureResultSchema)
    @blp.alt_response(404, description="Not one of your houses, or no such tenant in it")
    @blp.alt_response(409, description="The departure is already registered")
    def post(self, body, house_id: uuid.UUID):
        """Report a tenant's departure (within 7 days); closes the residence."""
        report = service.report_departure(
            request_session(),
            current_actor(),
            house_id,
            residence_id=body["residence_id"],
            left_on=body["left_on"],
            today=today(),
            **_deadline(),
        )
        return report, 201


@blp.route("/houses/<uuid:house_id>/compliance")
class HouseCompliance(MethodView):
    @blp.response(200, HouseComplianceSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, house_id: uuid.UUID):
        """The landlord's reporting record for this house over 180 days, with each event."""
        house, figures, events = service.house_compliance(request_session(), current_actor(), house_id, today())
        return Joined(house, compliance=figures, events=events)


@blp.route("/landlords/<uuid:account_id>/compliance")
class LandlordCompliance(MethodView):
    @blp.response(200, LandlordComplianceSchema)
    @blp.alt_response(404, description="No landlord holding houses in your area")
    def get(self, account_id: uuid.UUID):
        """A landlord's reporting record over 180 days, over all their houses in your area, and per house."""
        return service.landlord_compliance(request_session(), current_actor(), account_id, today())


@blp.route("/residence-permits/due")
class PermitsDue(MethodView):
    @blp.arguments(PermitsDueQuery, location="query")
    @blp.response(200, PermitsDueSchema)
    def get(self, args):
        """People in your area who must apply for or renew a residence permit (居住证), missing and
        longest expired first."""
        session, actor, day = request_session(), current_actor(), today()
        after = pagination.decode(args["cursor"], (date.fromisoformat, date.fromisoformat, uuid.UUID))
        rows = service.permits_due(session, actor, today=day, after=after, limit=args["limit"])
        return pagination.respond(
            rows,
            args["limit"],
            key=service.permits_due_key,
            present=lambda page: [
                Joined(
                    r,
                    person=p,
                    status=permit_status(
                        category=r.category, arrived_on=r.arrived_on, permit_expires_on=p.permit_expires_on, today=day
                    ),
                )
                for r, p in page
            ],
        )
