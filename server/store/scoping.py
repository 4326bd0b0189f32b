"""What each actor may see. Every list and every lookup starts here.

Area scope by role: admins everything; grid workers their grids; committee
staff the grids of their community; police the grids of their station area;
landlords no area at all, only the houses they hold and the people living in
them. An object outside the scope is treated as absent (404).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, or_, select, true

from server.auth.actor import Actor
from server.store.models import Address, Division, Employment, Grid, House, Person, Residence, Station, Unit


def grid_condition(actor: Actor, grid_column) -> ColumnElement[bool]:
    """A condition on a ``grid_id`` column: is that grid inside the actor's area?"""
    if actor.role in ("admin", "system"):
        return true()
    if actor.role == "grid_worker":
        return grid_column.in_(list(actor.grid_ids)) if actor.grid_ids else false()
    if actor.role == "committee" and actor.community_id:
        return grid_column.in_(select(Grid.id).where(Grid.community_id == actor.community_id))
    if actor.role == "police" and actor.station_id:
        return grid_column.in_(select(Grid.id).where(Grid.station_id == actor.station_id))
    return false()


def station_accounts(station_id):
    """The accounts working in a station's area: its police, the grid workers and
    committee staff of its grids, the landlords holding houses there."""
    from server.store.models import Account, AccountGrid

    grids = select(Grid.id).where(Grid.station_id == station_id)
    return (
        select(Account.id)
        .where(Account.station_id == station_id)
        .union(
            select(AccountGrid.account_id).where(AccountGrid.grid_id.in_(grids)),
            select(Account.id).where(
                Account.community_id.in_(select(Grid.community_id).where(Grid.station_id == station_id))
            ),
            select(House.landlord_account_id).where(House.grid_id.in_(grids), House.landlord_account_id.is_not(None)),
        )
    )


def visible_grids(actor: Actor) -> Select:
    return select(Grid).where(grid_condition(actor, Grid.id))


def visible_stations(actor: Actor) -> Select:
    if actor.role in ("admin", "system"):
        return select(Station)
    return select(Station).where(Station.id.in_(select(Grid.station_id).where(grid_condition(actor, Grid.id))))


def visible_divisions(actor: Actor) -> Select:
    """Divisions containing at least one visible grid, and their ancestors."""
    if actor.role in ("admin", "system"):
        return select(Division)
    communities = select(Grid.community_id).where(grid_condition(actor, Grid.id))
    towns = select(Division.parent_id).where(Division.id.in_(communities))
    counties = select(Division.parent_id).where(Division.id.in_(towns))
    return select(Division).where(or_(Division.id.in_(communities), Division.id.in_(towns), Division.id.in_(counties)))


def _landlord_houses(actor: Actor):
    return select(House.id).where(House.landlord_account_id == actor.account_id)


def visible_houses(actor: Actor) -> Select:
    if actor.role == "landlord":
        return select(House).where(House.landlord_account_id == actor.account_id)
    return select(House).where(grid_condition(actor, House.grid_id))


def visible_addresses(actor: Actor) -> Select:
    if actor.role == "landlord":
        return select(Address).where(
            Address.id.in_(select(House.address_id).where(House.landlord_account_id == actor.account_id))
        )
    return select(Address).where(grid_condition(actor, Address.grid_id))


def visible_units(actor: Actor) -> Select:
    return select(Unit).where(grid_condition(actor, Unit.grid_id))


def visible_residences(actor: Actor) -> Select:
    if actor.role == "landlord":
        return select(Residence).where(Residence.house_id.in_(_landlord_houses(actor)))
    return select(Residence).join(House, House.id == Residence.house_id).where(grid_condition(actor, House.grid_id))


def visible_person_ids(actor: Actor):
    """People linked to something in the actor's area: residents (past or
    present), employees, landlords and responsible persons, and the people the
    actor registered themselves (not yet linked to a house)."""
    if actor.role == "landlord":
        return select(Residence.person_id).where(Residence.house_id.in_(_landlord_houses(actor)))
    houses = select(House.id).where(grid_condition(actor, House.grid_id))
    units = select(Unit.id).where(grid_condition(actor, Unit.grid_id))
    return (
        select(Residence.person_id)
        .where(Residence.house_id.in_(houses))
        .union(
            select(Employment.person_id).where(Employment.unit_id.in_(units)),
            select(House.landlord_person_id).where(House.id.in_(houses), House.landlord_person_id.is_not(None)),
            select(Unit.responsible_person_id).where(Unit.id.in_(units), Unit.responsible_person_id.is_not(None)),
            select(Person.id).where(Person.created_by == actor.account_id),
        )
    )


def visible_persons(actor: Actor) -> Select:
    if actor.role in ("admin", "system"):
        return select(Person)
    if actor.account_id is None:  # anonymous (a landlord asking for an account) sees nobody
        return select(Person).where(false())
    return select(Person).where(Person.id.in_(visible_person_ids(actor)))


def feed_condition(actor: Actor) -> ColumnElement[bool]:
    """Which change-feed rows concern the actor: those of their grids; for a
    landlord, those of their houses and the residences in them."""
    from server.store.models import Change

    if actor.role == "landlord":
        houses = _landlord_houses(actor)
        return or_(
            (Change.entity_type == "house") & Change.entity_id.in_(houses),
            (Change.entity_type == "residence")
            & Change.entity_id.in_(select(Residence.id).where(Residence.house_id.in_(houses))),
            (Change.entity_type == "inspection_due")
            & Change.entity_id.in_(visible_dues(actor).with_only_columns(_due_id())),
        )
    if actor.role in OBLIGATION_ROLES:  # due inspections: only those of the caller's own role
        return grid_condition(actor, Change.grid_id) & (
            (Change.entity_type != "inspection_due")
            | Change.entity_id.in_(visible_dues(actor).with_only_columns(_due_id()))
        )
    return grid_condition(actor, Change.grid_id)


def _due_id():
    from server.store.models import InspectionDue

    return InspectionDue.id


def visible_submissions(actor: Actor) -> Select:
    """Your own submissions, and those about records in your area."""
    from server.store.models import Submission

    if actor.role in ("admin", "system"):
        return select(Submission)
    own = Submission.account_id == actor.account_id
    if actor.role == "landlord":
        return select(Submission).where(own)
    return select(Submission).where(or_(own, grid_condition(actor, Submission.grid_id)))


def visible_visits(actor: Actor) -> Select:
    """Visits in the actor's area; a landlord sees only the visits (self-checks) they made."""
    from server.store.models import Visit

    if actor.role in ("admin", "system"):
        return select(Visit)
    if actor.role == "landlord":
        return select(Visit).where(Visit.account_id == actor.account_id)
    return select(Visit).where(grid_condition(actor, Visit.grid_id))


def visible_photos(actor: Actor) -> Select:
    """A photo is visible with its submission (linked), or to the account that uploaded it (pending)."""
    from server.store.models import Photo, Submission

    if actor.role in ("admin", "system"):
        return select(Photo)
    submissions = visible_submissions(actor).with_only_columns(Submission.instance_id)
    return select(Photo).where(
        or_(
            Photo.account_id == actor.account_id,
            (Photo.status == "linked") & Photo.instance_id.in_(submissions),
        )
    )


OBLIGATION_ROLES = ("police", "committee", "grid_worker", "landlord")


def visible_dues(actor: Actor) -> Select:
    """Inspections the actor must do: their role's obligations in their area (a
    landlord: self-checks of their own houses). Admins see every role's."""
    from server.store.models import InspectionDue

    query = select(InspectionDue)
    if actor.role == "landlord":
        return query.where(InspectionDue.role == "landlord", InspectionDue.house_id.in_(_landlord_houses(actor)))
    query = query.where(grid_condition(actor, InspectionDue.grid_id))
    if actor.role in OBLIGATION_ROLES:
        query = query.where(InspectionDue.role == actor.role)
    return query
