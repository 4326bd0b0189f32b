"""Tiers of houses and units: the tier with its reasons and history, and police overrides."""

import uuid

from flask.views import MethodView

from server.services import houses as house_service
from server.services import tiers as service
from server.services import units as unit_service
from server.store.db import request_session

from .base import blueprint, current_actor, today
from .schemas.tiers import TierOverrideSchema, TierSchema

blp = blueprint("tiers", "Rental tiers (重点户 / 不放心户 / 放心户) and key units")


def _caller_and(subject_service, subject_id: uuid.UUID):
    """This request's session and actor, and the house or unit it is about (404 outside the caller's area)."""
    session, actor = request_session(), current_actor()
    return session, actor, subject_service.get(session, actor, subject_id)


@blp.route("/houses/<uuid:house_id>/tier")
class HouseTier(MethodView):
    @blp.response(200, TierSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, house_id: uuid.UUID):
        """A house's tier: effective and computed, the rules and facts behind it, override and history."""
        session, actor, house = _caller_and(house_service, house_id)
        return service.house_tier(session, actor, house, today())


@blp.route("/houses/<uuid:house_id>/tier-override")
class HouseTierOverride(MethodView):
    @blp.arguments(TierOverrideSchema)
    @blp.response(200, TierSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def put(self, body, house_id: uuid.UUID):
        """Set the house's tier by hand until `expires_on` (police; a reason is required and audited)."""
        session, actor, house = _caller_and(house_service, house_id)
        return service.set_override(session, actor, house, today=today(), **body)

    @blp.response(200, TierSchema)
    @blp.alt_response(404, description="Unknown, outside your area, or no override to lift")
    def delete(self, house_id: uuid.UUID):
        """Lift the override: the computed tier applies again."""
        session, actor, house = _caller_and(house_service, house_id)
        return service.lift_override(session, actor, house, today())


@blp.route("/units/<uuid:unit_id>/tier")
class UnitTier(MethodView):
    @blp.response(200, TierSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, unit_id: uuid.UUID):
        """A unit's tier (key / general) with its reasons and history."""
        session, actor, unit = _caller_and(unit_service, unit_id)
        return service.unit_tier(session, actor, unit, today())
