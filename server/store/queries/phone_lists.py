"""The lists a phone carries offline (ODK Collect's houses.csv): one scoped query, no personal data."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.store.models import Address, InspectionDue, TierState


def houses_for_phone(session: Session, visible_houses) -> list:
    """id, address parts, tier, next due day and version of every house the scoped select shows, by address."""
    houses = visible_houses.subquery()
    due = (
        select(InspectionDue.house_id, func.min(InspectionDue.due_on).label("due_on"))
        .where(InspectionDue.house_id.is_not(None), InspectionDue.due_on.is_not(None))
        .group_by(InspectionDue.house_id)
        .subquery()
    )
    query = (
        select(
            houses.c.id,
            houses.c.version,
            Address.street,
            Address.door,
            Address.building,
            Address.unit,
            Address.floor,
            Address.room,
            TierState.tier,
            due.c.due_on,
        )
        .join(Address, Address.id == houses.c.address_id)
        .outerjoin(TierState, TierState.house_id == houses.c.id)
        .outerjoin(due, due.c.house_id == houses.c.id)
        .order_by(Address.street, Address.door, Address.building, Address.unit, Address.room, houses.c.id)
    )
    return list(session.execute(query))
