"""How pages show records: the API's own response schemas (issue 14), so a page shows exactly the fields, the
masking and the names the API does. A template reads the dumped dicts."""

from __future__ import annotations

from server.api.areas import present_grids
from server.api.audit import present_events
from server.api.conflicts import ConflictSchema
from server.api.landlords import present_my_houses
from server.api.schemas.accounts import UserSchema
from server.api.schemas.areas import GridSchema
from server.api.schemas.audit import AuditEventSchema
from server.api.schemas.houses import HouseSchema
from server.api.schemas.landlords import LandlordHouseSchema
from server.api.schemas.persons import DuplicateGroupSchema, PersonSchema, ResidenceSchema
from server.api.schemas.presenting import Joined
from server.api.schemas.tiers import TierSchema
from server.api.schemas.visits import VisitSchema
from server.services import visits as visit_service

_person, _residence, _house = PersonSchema(), ResidenceSchema(), HouseSchema()
_visits, _user, _conflict = VisitSchema(many=True), UserSchema(), ConflictSchema()
_grids, _audit_events, _tier = GridSchema(many=True), AuditEventSchema(many=True), TierSchema()
_duplicate_groups, _landlord_houses = DuplicateGroupSchema(many=True), LandlordHouseSchema(many=True)


def person(row) -> dict:
    return _person.dump(row)


def residence(row) -> dict:
    return _residence.dump(row)


def house(row) -> dict:
    return _house.dump(row)


def user(row) -> dict:
    return _user.dump(row)


def conflict(row, *, properties, current_version) -> dict:
    return _conflict.dump(Joined(row, properties=properties, current_version=current_version))


def visits(session, rows) -> list[dict]:
    """Visits with their photos, actors and subjects' addresses, fetched for all of them at once."""
    shown = visit_service.shown(session, rows)
    return _visits.dump([Joined(v, shown=shown) for v in rows])


def grids(rows) -> list[dict]:
    """Grids with their communities, stations and workers, fetched for all of them at once."""
    return _grids.dump(present_grids(rows))


def audit_events(rows) -> list[dict]:
    """Audit events with the usernames of those who acted, fetched for all of them at once."""
    return _audit_events.dump(present_events(rows))


def tier(view) -> dict:
    """A house's or unit's tier (services/tiers.py ``TierView``) as GET /houses/{id}/tier shows it."""
    return _tier.dump(view)


def duplicate_groups(groups) -> list[dict]:
    """Groups of likely duplicate people (services/persons.py ``duplicates``)."""
    return _duplicate_groups.dump(groups)


def landlord_houses(rows) -> list[dict]:
    """The landlord's ``(house, address)`` rows with tenants, tiers, self-checks and compliance, as
    GET /landlord/houses shows them (fetched for all of them at once; the tenants shown are put on record)."""
    return _landlord_houses.dump(present_my_houses(rows))
