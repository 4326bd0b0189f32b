"""Landlords report tenants arriving and leaving within 7 days (人来登记、人走注销).

Every report leaves a compliance event (on time or late); household visits add
missed arrivals and departures (services/apply.py records them as events,
services/after_submission.py calls ``record_event`` / ``record_report``). The tier rules and the
police count these. Accounts and house claims: services/landlord_accounts.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.id_numbers import check_document
from server.domain.landlords import Timeliness, permit_required, timeliness
from server.domain.reporting import local_date
from server.domain.windows import Window
from server.errors import Conflict, NotFound, ValidationFailed
from server.policies.tiers import current_policy
from server.services import identities
from server.services import persons as person_service
from server.services import tiers as tier_service
from server.store import audit, scoping, unique
from server.store.models import Address, ComplianceEvent, House, Person, Residence
from server.store.queries import houses as house_q
from server.store.queries import landlords as q
from server.store.queries import residences as residence_q
from server.store.queries import tiers as tier_q


@dataclass(frozen=True)
class ArrivalReport:
    residence: Residence
    person: Person
    timeliness: Timeliness
    permit_required: bool


@dataclass(frozen=True)
class DepartureReport:
    residence: Residence
    timeliness: Timeliness


# -- the landlord's own view and reports ------------------------------------------


def _my_house(session: Session, actor: Actor, house_id: uuid.UUID) -> House:
    require(actor, "landlord.report")
    house = house_q.visible(session, scoping.visible_houses(actor), house_id)
    if house is None:
        raise NotFound("No such house among yours.", code="house.not_found")
    return house


def my_houses(
    session: Session, actor: Actor, *, after: list | None = None, limit: int | None = None
) -> list[tuple[House, Address]]:
    """The landlord's houses by address; with ``limit``, up to ``limit`` + 1 of them (a page and one)."""
    require(actor, "landlord.report")
    return q.houses_with_addresses(
        session, scoping.visible_houses(actor), after=after, limit=None if limit is None else limit + 1
    )


def report_arrival(
    session: Session,
    actor: Actor,
    house_id: uuid.UUID,
    *,
    identity: dict,
    category: str,
    arrived_on: date,
    expected_stay_months: int | None,
    today: date,
    zone: str,
    deadline_days: int,
) -> ArrivalReport:
    house = _my_house(session, actor, house_id)
    if arrived_on > today:
        raise ValidationFailed(errors={"arrived_on": ["Must not be in the future."]})
    try:
        person = _tenant(session, actor, house, identity, today)
    except ValidationFailed as problem:  # the identity is nested under "tenant" in the request
        raise ValidationFailed(problem.message, errors={f"tenant.{k}": v for k, v in problem.errors.items()}) from None
    now = datetime.now(UTC)
    residence, created = unique.find_or_add(
        session,
        lambda: residence_q.open_residence(session, person.id, house.id),
        lambda: Residence(
            person_id=person.id,
            house_id=house.id,
            category=category,
            arrived_on=arrived_on,
            reported_at=now,
            reported_by=actor.account_id,
            source="landlord",
            verification="pending",
        ),
    )
    if not created:
        raise Conflict("This tenant is already registered in this house.", code="residence.exists")
    when = record_report(session, house, residence, "arrival", arrived_on, _local(now, zone), deadline_days)
    tier_service.refresh_houses(session, [house.id], today, zone=zone)  # tenants and reporting are tier facts
    audit.record(
        session,
        actor,
        "landlord.report_arrival",
        subject_type="person",
        subject_ids=[person.id],
        fields=["residence"],
        details={"house_id": str(house.id), "days_late": when.days_late},
    )
    return ArrivalReport(residence, person, when, permit_required(category, expected_stay_months))


def _tenant(session: Session, actor: Actor, house: House, identity: dict, today: date) -> Person:
    """The tenant's person record: one of the landlord's own tenants with this
    document (what they typed differently goes to the officers as a conflict),
    else a new record of what they typed. A person registered elsewhere is never
    shown to the landlord nor linked to the house: the police confirm the
    identity first (decision 0008, in person_service.create)."""
    values = {k: identity.get(k) for k in person_service.EDITABLE}
    check = check_document(  # ArrivalSchema requires a tenant's document type and number
        identity["document_type"],
        identity["document_number"],
        birth_date=values.get("birth_date"),
        sex=values.get("sex"),
        today=today,
    )
    if check.problems:
        raise ValidationFailed(errors={"document_number": check.problems})
    person, created = person_service.find_or_create(
        session, actor, today=today, source="landlord_report", house=house, **values
    )
    if not created:  # one of their own tenants: what they typed differently goes to the officers
        typed = {k: v for k, v in values.items() if k in identities.COMPARED}
        identities.file_disagreements(session, actor, person, typed, grid_id=house.grid_id)
    return person


def report_departure(
    session: Session,
    actor: Actor,
    house_id: uuid.UUID,
    *,
    residence_id: uuid.UUID,
    left_on: date,
    today: date,
    zone: str,
    deadline_days: int,
) -> DepartureReport:
    house = _my_house(session, actor, house_id)
    residence = session.get(Residence, residence_id)
    if residence is None or residence.house_id != house.id:
        raise NotFound("No such tenant in this house.", code="residence.not_found")
    if residence.left_on is not None:
        raise Conflict("This tenant's departure is already registered.", code="residence.closed")
    if left_on > today or left_on < residence.arrived_on:
        raise ValidationFailed(errors={"left_on": [f"Must be between {residence.arrived_on.isoformat()} and today."]})
    now = datetime.now(UTC)
    residence.left_on, residence.departure_reported_at = left_on, now
    session.flush()
    when = record_report(session, house, residence, "departure", left_on, _local(now, zone), deadline_days)
    tier_service.refresh_houses(session, [house.id], today, zone=zone)
    audit.record(
        session,
        actor,
        "landlord.report_departure",
        subject_type="person",
        subject_ids=[residence.person_id],
        fields=["left_on"],
        details={"house_id": str(house.id), "days_late": when.days_late},
    )
    return DepartureReport(residence, when)


def _local(moment: datetime, zone: str) -> date:
    return local_date(moment, zone)


def record_report(
    session: Session,
    house: House,
    residence: Residence,
    event: str,
    event_on: date,
    reported_on: date,
    deadline_days: int,
) -> Timeliness:
    """A landlord reported an arrival or departure (API or tenant_report form): on time or late.
    The event is dated on the day of the report (how late it came is ``days_late``)."""
    when = timeliness(event_on, reported_on, deadline_days)
    record_event(
        session, f"{event}_{'on_time' if when.on_time else 'late'}", house, residence, when.days_late, reported_on
    )
    return when


def record_event(
    session: Session, kind: str, house: House, residence: Residence | None, days_late: int, occurred_on: date
) -> None:
    """``occurred_on``: the local day the report was made or the miss was found, never the day
    of the arrival or departure itself (domain/windows.py)."""
    session.add(
        ComplianceEvent(
            kind=kind,
            house_id=house.id,
            landlord_account_id=house.landlord_account_id,
            residence_id=residence.id if residence else None,
            days_late=days_late,
            occurred_on=occurred_on,
        )
    )
    session.flush()


def house_compliance(session: Session, actor: Actor, house_id: uuid.UUID, today: date):
    """For officers of the area (and the landlord): the figures and each event behind them."""
    require(actor, "house.read")
    house = house_q.visible(session, scoping.visible_houses(actor), house_id)
    if house is None:
        raise NotFound("No such house in your area.", code="house.not_found")
    return house, compliance(session, house, today), q.events_of(session, house.id, _window(today))


def _window(today: date) -> Window:
    """The reporting window of the tier policy in force: the record and the tier facts count alike."""
    return tier_service.windows(current_policy(), today)["reporting"]


def compliance(session: Session, house: House, today: date) -> dict:
    """The house's reporting record over the last 180 days, for landlords, police and the tier rules."""
    return compliance_of(session, [house], today)[house.id]


def compliance_of(session: Session, houses: list[House], today: date) -> dict:
    """{house id: its reporting record}, for several houses in one statement."""
    window = _window(today)
    counts = q.event_counts_by_house(session, [h.id for h in houses], window)
    return {
        h.id: _figures(counts.get(h.id, {}), window) | {"agreement_signed": h.agreement_signed_on is not None}
        for h in houses
    }


def landlord_compliance(session: Session, actor: Actor, account_id: uuid.UUID, today: date) -> dict:
    """A landlord's record over all their houses the officer can see (404 when none)."""
    require(actor, "house.read")
    held = [
        h for h, _ in q.houses_with_addresses(session, house_q.of_landlord(scoping.visible_houses(actor), account_id))
    ]
    if not held:
        raise NotFound("No landlord holding houses in your area.", code="landlord.not_found")
    condition = ComplianceEvent.house_id.in_([h.id for h in held]) & (ComplianceEvent.landlord_account_id == account_id)
    window = _window(today)
    counts = q.event_counts(session, condition, window)
    per_house = compliance_of(session, held, today)
    return {
        "landlord_account_id": account_id,
        "houses": [per_house[h.id] | {"house_id": h.id} for h in held],
        "compliance": _figures(counts, window) | {"agreement_signed": all(h.agreement_signed_on for h in held)},
    }


def _figures(counts: dict[str, int], window: Window) -> dict:
    return {
        "window_days": window.days,
        "reports_on_time": counts.get("arrival_on_time", 0) + counts.get("departure_on_time", 0),
        "reports_late": counts.get("arrival_late", 0) + counts.get("departure_late", 0),
        "missed_arrivals": counts.get("missed_arrival", 0),
        "missed_departures": counts.get("missed_departure", 0),
    }


def overviews(session: Session, actor: Actor, houses: list[House], today: date) -> dict:
    """{house id: the landlord's overview of it} for a page of the landlord's houses: one statement per kind
    (tenants, tier states, self-check dues, compliance, last self-checks) for all of them, and one audit row per
    house naming the tenants shown."""
    ids = [h.id for h in houses]
    tenants = q.open_residences_with_people(session, ids)
    person_service.audit_reads(
        session, actor, [[p for _, p in tenants.get(i, [])] for i in ids], purpose="landlord's own tenants"
    )
    states = tier_q.states(session, "house", ids)
    dues = tier_q.dues_of(session, "house", ids)
    figures = compliance_of(session, houses, today)
    last_self_checks = q.last_self_checks(session, ids)
    found = {}
    for i in ids:
        shown, state = tenants.get(i, []), states.get(i)
        self_check = dues.get(i, {}).get("landlord")
        found[i] = {
            "tenants": shown,
            "pending_reports": sum(1 for r, _ in shown if r.verification == "pending"),
            "compliance": figures[i],
            "last_self_check_at": last_self_checks.get(i),
            "tier": state.tier if state is not None else None,
            # Only trusted rentals owe a monthly self-check (the tier policy's schedule); None: nothing due.
            "next_self_check_due": self_check.due_on if self_check is not None else None,
        }
    return found


def permits_due(session: Session, actor: Actor, *, today: date, after: list | None = None, limit: int = 200):
    """People in the area whose residence permit is missing, expired or due for renewal: a page of
    ``limit`` and the next row, if any (it only tells that there is a next page: not on record as read)."""
    require(actor, "person.read")
    rows = q.permit_candidates_page(session, scoping.visible_residences(actor), today, after, limit + 1)
    person_service.audit_read(session, actor, [p for _, p in rows[:limit]], purpose="residence permit reminders")
    return rows


def permits_due_key(row) -> list:
    """The cursor values of a row of ``permits_due`` (its ``after``)."""
    return q.permit_key(*row)
