"""Queries for landlords: pending requests, claims, compliance counts, tenants, permits."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from server.domain.windows import Window
from server.store.models import (
    Account,
    Address,
    AuditEvent,
    ComplianceEvent,
    House,
    LandlordClaim,
    Person,
    Residence,
    Visit,
)
from server.store.queries.filters import keyset


def awaiting_activation(session: Session, claim_condition, *, after: list | None = None, limit=None) -> list[Account]:
    """Accounts awaiting activation with a claim meeting ``claim_condition``, oldest request first."""
    query = select(Account).where(
        Account.awaiting_activation.is_(True),
        Account.id.in_(select(LandlordClaim.account_id).where(claim_condition)),
    )
    return list(session.scalars(keyset(query, (Account.created_at, Account.id), after, limit)))


def claims_select(condition) -> Select:
    return select(LandlordClaim).where(condition).order_by(LandlordClaim.created_at, LandlordClaim.id)


def claim(session: Session, condition, claim_id: uuid.UUID) -> LandlordClaim | None:
    """The claim, if it meets ``condition`` (the caller's area)."""
    return session.scalar(claims_select(condition).where(LandlordClaim.id == claim_id))


def claims_of(session: Session, account_id: uuid.UUID) -> list[LandlordClaim]:
    return list(session.scalars(claims_select(LandlordClaim.account_id == account_id)))


def claims_where(
    session: Session, condition, status: str | None, *, after: list | None, limit: int
) -> list[LandlordClaim]:
    """Claims meeting ``condition``, oldest first, after the cursor ``after`` ([created_at, id])."""
    query = select(LandlordClaim).where(condition)
    if status is not None:
        query = query.where(LandlordClaim.status == status)
    return list(session.scalars(keyset(query, (LandlordClaim.created_at, LandlordClaim.id), after, limit)))


def recent_requests(session: Session, client_addr: str, since: datetime) -> int:
    return session.scalar(  # type: ignore[return-value]  # a count is never NULL
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "landlord.request_attempt",
            AuditEvent.at >= since,
            AuditEvent.client_addr == client_addr,
        )
    )


def _within(window: Window):
    return ComplianceEvent.occurred_on.between(window.first_day, window.last_day)


def event_counts(session: Session, condition, window: Window) -> dict[str, int]:
    rows = session.execute(
        select(ComplianceEvent.kind, func.count()).where(condition, _within(window)).group_by(ComplianceEvent.kind)
    )
    return dict(rows.all())


def event_counts_by_house(session: Session, house_ids, window: Window) -> dict[uuid.UUID, dict[str, int]]:
    """{house id: {event kind: count}} within the window, for a page of houses in one statement."""
    found: dict[uuid.UUID, dict[str, int]] = {}
    rows = session.execute(
        select(ComplianceEvent.house_id, ComplianceEvent.kind, func.count())
        .where(ComplianceEvent.house_id.in_(set(house_ids)), _within(window))
        .group_by(ComplianceEvent.house_id, ComplianceEvent.kind)
    )
    for house_id, kind, n in rows:
        found.setdefault(house_id, {})[kind] = n
    return found


def open_residences_with_people(session: Session, house_ids) -> dict[uuid.UUID, list[tuple[Residence, Person]]]:
    """{house id: its open residences with their people, in order of arrival}, for a page of houses at once."""
    found: dict[uuid.UUID, list[tuple[Residence, Person]]] = {}
    rows = session.execute(
        select(Residence, Person)
        .join(Person, Person.id == Residence.person_id)
        .where(Residence.house_id.in_(set(house_ids)), Residence.left_on.is_(None))
        .order_by(Residence.arrived_on, Residence.id)
    )
    for residence, person in rows:
        found.setdefault(residence.house_id, []).append((residence, person))
    return found


def last_self_checks(session: Session, house_ids) -> dict:
    """{house id: when its last self-check was made}, for the houses that had one."""
    rows = session.execute(
        select(Visit.house_id, func.max(Visit.visited_at))
        .where(Visit.house_id.in_(set(house_ids)), Visit.kind == "self_check")
        .group_by(Visit.house_id)
    )
    return dict(rows.all())


def permit_candidates(
    session: Session, visible_residences: Select, today: date, limit: int, after_days: int = 30, renew_days: int = 30
) -> list[tuple[Residence, Person]]:
    """Open residences whose person's permit is missing (floating, stayed past the limit), expired or expiring."""
    return permit_candidates_page(session, visible_residences, today, None, limit, after_days, renew_days)


NO_PERMIT = date(1, 1, 1)  # a missing permit sorts first, as if it had expired the longest ago


def permit_candidates_page(
    session: Session,
    visible_residences: Select,
    today: date,
    after: list | None,
    limit: int,
    after_days: int = 30,
    renew_days: int = 30,
) -> list[tuple[Residence, Person]]:
    """Open residences whose person's permit is missing (floating, stayed past the limit), expired or
    expiring, as keyset pages: ordered by (permit expiry, missing first; arrival; residence),
    after the cursor values ``after`` (``permit_key`` of the last row shown)."""
    visible = visible_residences.where(Residence.left_on.is_(None)).subquery()
    condition = or_(
        and_(
            Person.permit_expires_on.is_(None),
            visible.c.category == "floating",
            visible.c.arrived_on < today - timedelta(days=after_days),
        ),
        Person.permit_expires_on <= today + timedelta(days=renew_days),
    )
    expires = func.coalesce(Person.permit_expires_on, NO_PERMIT)
    query = (
        select(Residence, Person)
        .join(visible, visible.c.id == Residence.id)
        .join(Person, Person.id == Residence.person_id)
        .where(condition)
    )
    if after is not None:
        query = query.where(tuple_(expires, Residence.arrived_on, Residence.id) > tuple_(*after))
    rows = session.execute(query.order_by(expires, Residence.arrived_on, Residence.id).limit(limit))
    return [(r, p) for r, p in rows]


def permit_key(residence: Residence, person: Person) -> list:
    """The cursor values of a row of ``permit_candidates_page``."""
    return [(person.permit_expires_on or NO_PERMIT).isoformat(), residence.arrived_on.isoformat(), str(residence.id)]


def events_of(session: Session, house_id: uuid.UUID, window: Window) -> list[ComplianceEvent]:
    return list(
        session.scalars(
            select(ComplianceEvent)
            .where(ComplianceEvent.house_id == house_id, _within(window))
            .order_by(ComplianceEvent.occurred_on.desc(), ComplianceEvent.recorded_at.desc())
        )
    )


def houses_with_addresses(
    session: Session, visible_houses: Select, *, after: list | None = None, limit=None
) -> list[tuple[House, Address]]:
    """Houses with their addresses, by address text, after the cursor ``after`` ([full_text, house id])."""
    houses = visible_houses.subquery()
    query = select(House, Address).join(houses, houses.c.id == House.id).join(Address, Address.id == House.address_id)
    return [tuple(row) for row in session.execute(keyset(query, (Address.full_text, House.id), after, limit))]  # type: ignore[misc]
