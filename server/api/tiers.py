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


def tier_view(view: service.TierView) -> dict:
    state = view.state
    override = None
    if view.override_active:
        override = {
            "tier": state.override_tier,
            "reason": state.override_reason,
            "expires_on": state.override_expires_on,
            "by": state.override_by,
            "at": state.override_at,
        }
    return {
        "subject_type": view.subject_type,
        "id": view.subject_id,
        "tier": view.effective,
        "tier_since": (state.tier_since if state.tier == view.effective else state.computed_since) if state else None,
        "computed_tier": state.computed_tier if state else "none",
        "computed_since": state.computed_since if state else None,
        "reasons": state.reasons if state else [],
        "facts": state.facts if state else {},
        "policy_version": state.policy_version if state else None,
        "evaluated_at": state.evaluated_at if state else None,
        "override": override,
        "history": [
            {
                "from_tier": h.from_tier,
                "to_tier": h.to_tier,
                "computed_tier": h.computed_tier,
                "cause": h.cause,
                "policy_version": h.policy_version,
                "changed_at": h.changed_at,
                "by": h.actor_id,
            }
            for h in view.history
        ],
    }


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
        return tier_view(service.house_tier(session, actor, house, today()))


@blp.route("/houses/<uuid:house_id>/tier-override")
class HouseTierOverride(MethodView):
    @blp.arguments(TierOverrideSchema)
    @blp.response(200, TierSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def put(self, body, house_id: uuid.UUID):
        """Set the house's tier by hand until `expires_on` (police; a reason is required and audited)."""
        session, actor, house = _caller_and(house_service, house_id)
        return tier_view(service.set_override(session, actor, house, today=today(), **body))

    @blp.response(200, TierSchema)
    @blp.alt_response(404, description="Unknown, outside your area, or no override to lift")
    def delete(self, house_id: uuid.UUID):
        """Lift the override: the computed tier applies again."""
        session, actor, house = _caller_and(house_service, house_id)
        return tier_view(service.lift_override(session, actor, house, today()))


@blp.route("/units/<uuid:unit_id>/tier")
class UnitTier(MethodView):
    @blp.response(200, TierSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, unit_id: uuid.UUID):
        """A unit's tier (key / general) with its reasons and history."""
        session, actor, unit = _caller_and(unit_service, unit_id)
        return tier_view(service.unit_tier(session, actor, unit, today()))
