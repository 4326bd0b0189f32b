"""The lists a phone carries offline (ODK Collect's houses.csv, units.csv): one scoped query each, no personal data."""

from __future__ import annotations

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from server.store.models import Address, InspectionDue, TierState


def for_phone(session: Session, subject: str, visible) -> list:
    """id, version, (unit) name, address parts, tier and next due day of every record the scoped select shows."""
    records = visible.subquery()
    due_key = InspectionDue.house_id if subject == "house" else InspectionDue.unit_id
    state_key = TierState.house_id if subject == "house" else TierState.unit_id
    due = (
        select(due_key.label("subject_id"), func.min(InspectionDue.due_on).label("due_on"))
        .where(due_key.is_not(None), InspectionDue.due_on.is_not(None))
        .group_by(due_key)
        .subquery()
    )
    name = records.c.name if subject == "unit" else literal("")
    query = (
        select(
            records.c.id,
            records.c.version,
            name.label("name"),
            Address.street,
            Address.door,
            Address.building,
            Address.unit,
            Address.floor,
            Address.room,
            TierState.tier,
            due.c.due_on,
        )
        .join(Address, Address.id == records.c.address_id)
        .outerjoin(TierState, state_key == records.c.id)
        .outerjoin(due, due.c.subject_id == records.c.id)
        .order_by(Address.street, Address.door, Address.building, Address.unit, Address.room, records.c.id)
    )
    return list(session.execute(query))
