"""Queries over the registry: addresses, houses, persons, residences, units."""

from __future__ import annotations

import uuid
from datetime import datetime

from geoalchemy2 import Geography
from sqlalchemy import Select, cast, func, select, tuple_
from sqlalchemy.orm import Session

from server.store.models import Address, AuditEvent, Division, Employment, House, Person, Residence

MAX_RADIUS_M = 5000


def address_by_key(session: Session, community_id: uuid.UUID, key: str) -> Address | None:
    return session.scalar(select(Address).where(Address.community_id == community_id,
                                                Address.canonical_key == key))


def point(lon: float, lat: float):
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)


def within_radius(query: Select, lon: float, lat: float, radius_m: float) -> Select:
    here = cast(point(lon, lat), Geography)
    return query.where(func.ST_DWithin(cast(Address.geom, Geography), here, radius_m))


def distance_m(lon: float, lat: float):
    return func.ST_Distance(cast(Address.geom, Geography), cast(point(lon, lat), Geography))


def within_bbox(query: Select, min_lon, min_lat, max_lon, max_lat) -> Select:
    return query.where(Address.geom.intersects(func.ST_MakeEnvelope(min_lon, min_lat, max_lon, max_lat, 4326)))


def contains(column, needle: str):
    """Case-insensitive substring match, with LIKE's wildcards in ``needle`` taken literally."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%")


def text_match(query: Select, needle: str) -> Select:
    """Substring match on the normalised address text (pg_trgm GIN index)."""
    return query.where(contains(Address.search_text, needle))


def keyset(query: Select, order_cols: tuple, after: list | None, limit: int) -> Select:
    if after is not None:
        query = query.where(tuple_(*order_cols) > tuple_(*after))
    return query.order_by(*order_cols).limit(limit)


def division_names(session: Session, community_id: uuid.UUID) -> list[str]:
    """[town name, community name] for the canonical text."""
    community = session.get(Division, community_id)
    town = session.get(Division, community.parent_id) if community and community.parent_id else None
    return [n for n in ((town.name if town else None), community.name if community else None) if n]


def house_at(session: Session, address_id: uuid.UUID) -> House | None:
    return session.scalar(select(House).where(House.address_id == address_id))


def person_by_document(session: Session, document_type: str, number: str) -> Person | None:
    return session.scalar(select(Person).where(Person.document_type == document_type,
                                               Person.document_number == number))


def pending_identity_match(session: Session, provisional_id: uuid.UUID) -> uuid.UUID | None:
    """The registered person an open identity check pairs a provisional person with."""
    from server.store.models import IdentityCheck

    return session.scalar(select(IdentityCheck.matched_person_id).where(
        IdentityCheck.provisional_person_id == provisional_id, IdentityCheck.status == "open").limit(1))


def open_residence(session: Session, person_id: uuid.UUID, house_id: uuid.UUID) -> Residence | None:
    return session.scalar(select(Residence).where(Residence.person_id == person_id, Residence.house_id == house_id,
                                                  Residence.left_on.is_(None)))


def count_actions_since(session: Session, actor_id: uuid.UUID, action: str, since: datetime) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.actor_id == actor_id, AuditEvent.action == action, AuditEvent.at >= since))


def residences_count(session: Session, house_id: uuid.UUID) -> int:
    return session.scalar(select(func.count()).select_from(Residence).where(Residence.house_id == house_id))


def duplicate_groups(session: Session, visible: Select, limit: int) -> list[list[Person]]:
    """People sharing a name and birth date. Two rows never share a document
    (unique index), so such people have different or missing documents."""
    sub = visible.subquery()
    keys = (
        select(sub.c.name, sub.c.birth_date)
        .where(sub.c.birth_date.is_not(None))
        .group_by(sub.c.name, sub.c.birth_date)
        .having(func.count() > 1)
        .order_by(sub.c.name, sub.c.birth_date).limit(limit)
    )
    return [
        list(session.scalars(visible.where(Person.name == name, Person.birth_date == birth)
                             .order_by(Person.created_at, Person.id)))
        for name, birth in session.execute(keys)
    ]


def persons_by_ids(session: Session, ids) -> list[Person]:
    return list(session.scalars(select(Person).where(Person.id.in_(list(ids))))) if ids else []


def open_employment(session: Session, person_id: uuid.UUID, unit_id: uuid.UUID) -> Employment | None:
    return session.scalar(select(Employment).where(Employment.person_id == person_id, Employment.unit_id == unit_id,
                                                   Employment.ended_on.is_(None)))


def employment_of(session: Session, unit_id: uuid.UUID, employment_id: uuid.UUID) -> Employment | None:
    return session.scalar(select(Employment).where(Employment.id == employment_id, Employment.unit_id == unit_id))


def employments_of(session: Session, unit_id: uuid.UUID, current: bool | None) -> list[Employment]:
    query = select(Employment).where(Employment.unit_id == unit_id)
    if current is True:
        query = query.where(Employment.ended_on.is_(None))
    elif current is False:
        query = query.where(Employment.ended_on.is_not(None))
    return list(session.scalars(query.order_by(Employment.started_on.desc(), Employment.id)))


def any_house_of_person(session: Session, person_id: uuid.UUID) -> uuid.UUID | None:
    """The house of the person's most recent residence (to place a conflict in a grid)."""
    return session.scalar(select(Residence.house_id).where(Residence.person_id == person_id)
                          .order_by(Residence.left_on.is_(None).desc(), Residence.arrived_on.desc()).limit(1))


def resident_named(session: Session, house_id: uuid.UUID, name: str, birth_date) -> Person | None:
    """A person without a document already registered in this house, by name (and birth date if known)."""
    query = (select(Person).join(Residence, Residence.person_id == Person.id)
             .where(Residence.house_id == house_id, Person.name == name))
    if birth_date is not None:
        query = query.where(Person.birth_date == birth_date)
    return session.scalars(query.order_by(Residence.arrived_on.desc()).limit(1)).first()


def persons_of_result(session: Session, result: dict) -> list[uuid.UUID]:
    """The people a submission's result names: persons it created or updated, and
    the people of the residences it opened, verified or closed."""
    entries = [e for key in ("created", "updated", "closed_residences") for e in result.get(key) or []]
    persons = {uuid.UUID(e["id"]) for e in entries if e.get("type") == "person"}
    residences = [uuid.UUID(e["id"]) for e in entries if e.get("type") == "residence"]
    if residences:
        persons |= set(session.scalars(select(Residence.person_id).where(Residence.id.in_(residences))))
    return sorted(persons, key=str)
