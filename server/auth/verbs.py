"""The single table of what each role may do.

Services call ``require(actor, verb)`` before acting; whether a particular
object is inside the actor's area is decided by the scoped queries in
``server/store/scoping.py`` (an object outside it answers 404, as if absent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.errors import Forbidden

if TYPE_CHECKING:
    from .actor import Actor

ROLES = ("admin", "police", "committee", "grid_worker", "landlord")

_FIELD_WORK = {
    "area.read",
    "address.read",
    "address.create",
    "house.read",
    "house.create",
    "house.update",
    "person.read",
    "person.create",
    "person.update",
    "residence.read",
    "residence.create",
    "residence.update",
    "unit.read",
    "unit.create",
    "unit.update",
    "form.read",
    "submission.create",
    "submission.read",
    "visit.read",
    "visit.create",
    "photo.read",
    "tier.read",
    "inspection.due.read",
    "target.read",
    "conflict.read",
    "attachment.upload",
}

ROLE_VERBS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        _FIELD_WORK
        | {
            "account.read",
            "account.create",
            "account.create_landlord",
            "account.update",
            "area.create",
            "area.update",
            "person.reveal_id",
            "tier.override",
            "audit.read",
            "form.manage",
            "policy.manage",
            "landlord.activate",
            "conflict.resolve",
            "identity.read",
            "identity.resolve",
        }
    ),
    "police": frozenset(
        _FIELD_WORK
        | {
            "person.reveal_id",
            "tier.override",
            "landlord.activate",
            "account.create_landlord",
            "conflict.resolve",
            "identity.read",
            "identity.resolve",  # identities to confirm (decision 0008)
            "audit.read",  # within their station: who read whose data
        }
    ),
    "committee": frozenset(_FIELD_WORK | {"conflict.resolve"}),
    "grid_worker": frozenset(_FIELD_WORK | {"landlord.activate"}),
    "landlord": frozenset(
        {
            "form.read",
            "submission.create",
            "submission.read",
            "house.read",
            "residence.read",
            "person.create",  # the tenants they report
            "landlord.report",
            "photo.read",
            "tier.read",
            "inspection.due.read",
            "visit.read",
            "attachment.upload",  # their own self-checks and the photos they send
        }
    ),
}


def allowed(role: str | None, verb: str) -> bool:
    """Whether ``role`` carries ``verb`` (no role, as for an anonymous caller: nothing)."""
    return role is not None and verb in ROLE_VERBS.get(role, ())


def require(actor: Actor, verb: str) -> None:
    """Refuse (403) unless the actor's role carries ``verb``."""
    if not allowed(actor.role, verb):
        raise Forbidden(f"The role '{actor.role}' may not do '{verb}'.", code="auth.forbidden", extra={"verb": verb})
