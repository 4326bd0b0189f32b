"""Applying a submission to the registry, in the same transaction that stores it.

Form fields carry bindings (``house.use``, ``person.name``, ``residence.present``
...). Applying gathers the bound values and creates or updates the records they
describe. Collected data is never thrown away or silently overwritten:

* a property the record does not have yet is filled in;
* a property that differs is applied only when the phone saw the record's
  current version (``subject.base_version`` for the form's subject record);
  otherwise it becomes a Conflict for an officer, with both values.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.domain.events import Event, HouseChanged, ReportMissed, ResidenceReported, UnitChanged
from server.domain.forms.definition import BINDINGS
from server.domain.reporting import DEFAULT_DEADLINE_DAYS, days_late
from server.domain.values import coerce, plain, same
from server.errors import ValidationFailed
from server.services import addresses as address_service
from server.services import houses as house_service
from server.services import identities
from server.services import persons as person_service
from server.services import units as unit_service
from server.store import audit, unique
from server.store.models import Conflict, House, Person, Residence
from server.store.queries import persons as person_q
from server.store.queries import residences as residence_q

HOUSE_PROPS = ("use", "rental_mode", "rooms", "floor_area_m2", "agreement_signed_on", "rented_since")
PERSON_PROPS = ("name", "sex", "ethnicity", "birth_date", "document_type", "document_number", "phone", "hukou_address")
ADDRESS_PARTS = ("street", "door", "building", "unit", "floor", "room")


@dataclass
class Applied:
    created: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    closed: list[dict] = field(default_factory=list)  # residences closed (departures)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "conflicts": self.conflicts,
            "closed_residences": self.closed,
        }


@dataclass(frozen=True)
class Context:
    session: Session
    actor: Actor
    instance_id: uuid.UUID
    today: date
    visit_date: date  # the local day the form was completed (departures, arrivals by default)
    location: dict | None  # the submission's own GPS fix
    deadline_days: int = DEFAULT_DEADLINE_DAYS  # landlords' reporting deadline (missed arrivals)
    grid_id: uuid.UUID | None = None  # the grid of the form's subject: where its conflicts are raised
    applied: Applied = field(default_factory=Applied)
    events: list[Event] = field(default_factory=list)  # for services/after_submission.py (decision 0014)

    def emit(self, event: Event) -> None:
        self.events.append(event)


def bound_values(form, answers: dict) -> tuple[dict, dict[str, list[dict]]]:
    """{binding: value} for top-level fields, and {repeat name: [{binding: value}, ...]}."""
    top: dict = {}
    repeats: dict[str, list[dict]] = {}
    for fdef in form.fields:
        if fdef.type == "repeat":
            entries = []
            for entry in answers.get(fdef.name) or []:
                values: dict = {}
                for child in fdef.fields:
                    _put(values, child.binding, entry.get(child.name))
                entries.append(values)
            repeats[fdef.name] = entries
        else:
            _put(top, fdef.binding, answers.get(fdef.name))
    return top, repeats


def _put(values: dict, binding: str | None, value) -> None:
    """One value per binding; a binding several fields share for many values
    (visit.photos) collects a list."""
    if binding is None or value is None:
        return
    if BINDINGS[binding].many:
        values.setdefault(binding, []).append(value)
    else:
        values[binding] = value


def _props(values: dict, prefix: str) -> dict:
    return {k[len(prefix) + 1 :]: v for k, v in values.items() if k.startswith(prefix + ".")}


def merge(ctx: Context, record, record_type: str, submitted: dict, base_version: int | None, updater) -> bool:
    """Fill what is missing, apply differences the phone was entitled to make,
    and turn the rest into a conflict. Returns True when anything changed."""
    submitted = {k: coerce(k, v) for k, v in submitted.items()}
    differing = {k: v for k, v in submitted.items() if not same(getattr(record, k), v)}
    if not differing:
        return False
    current_version = record.version
    if base_version is not None and base_version == current_version:
        apply_now, clash = differing, {}
    else:
        apply_now = {k: v for k, v in differing.items() if getattr(record, k) is None}
        clash = {
            k: {"current": plain(getattr(record, k)), "submitted": plain(v)}
            for k, v in differing.items()
            if k not in apply_now
        }
    if clash:
        record_grid = _grid_of(ctx, record, record_type)
        conflict = Conflict(
            record_type=record_type,
            record_id=record.id,
            grid_id=ctx.grid_id or record_grid,
            record_grid_id=record_grid,
            instance_id=ctx.instance_id,
            raised_by=ctx.actor.account_id,
            base_version=base_version or 0,
            current_version=current_version,
            properties=clash,
        )
        ctx.session.add(conflict)
        ctx.session.flush()
        audit.record(
            ctx.session,
            ctx.actor,
            "conflict.create",
            subject_type=record_type,
            subject_ids=[record.id],
            fields=sorted(clash),
            details={"conflict_id": str(conflict.id)},
        )
        ctx.applied.conflicts.append(str(conflict.id))
    if apply_now:
        updater(apply_now)
    return bool(apply_now)


def _grid_of(ctx: Context, record, record_type: str):
    if record_type in ("house", "unit", "address"):
        return record.grid_id
    if record_type == "person":
        house_id = person_q.any_house_of_person(ctx.session, record.id)
        house = ctx.session.get(House, house_id) if house_id else None
        return house.grid_id if house else None
    return None


# -- the kinds of forms ---------------------------------------------------------


def apply(ctx: Context, form, answers: dict, *, subject, base_version: int | None) -> Applied:
    """Apply one submission's bound answers; returns what it created, updated and raised."""
    top, repeats = bound_values(form, answers)
    if form.kind == "registration":
        _register(ctx, top)
    elif form.kind == "visit" and subject is not None:
        _merge_house(ctx, subject, _props(top, "house"), base_version)
        for entries in repeats.values():
            for entry in entries:
                _resident(ctx, subject, entry, source="worker")
    elif form.kind == "report" and subject is not None:
        _tenant_report(ctx, subject, top)
    # inspection and self_check forms change no registry record: services/visits.py
    # makes every visit-kind submission a visit, with its findings.
    return ctx.applied


def _register(ctx: Context, top: dict) -> None:
    parts = _props(top, "address")
    location = parts.pop("location", None) or ctx.location
    if "street" not in parts:
        return
    if location is None:
        raise ValidationFailed(errors={"location": ["A registration needs the address's location."]})
    resolved = address_service.resolve(
        ctx.session,
        ctx.actor,
        location={"lon": location["lon"], "lat": location["lat"]},
        **cast(dict[str, Any], {k: parts.get(k) for k in ADDRESS_PARTS}),  # resolve names a missing part
    )
    address = resolved.address
    (ctx.applied.created if resolved.created else ctx.applied.updated).append(
        {"type": "address", "id": str(address.id)}
    )
    house_values = _props(top, "house")
    if house_values:
        house, created = house_service.find_or_create(
            ctx.session,
            ctx.actor,
            address_id=address.id,
            today=ctx.today,
            **{k: coerce(k, v) for k, v in house_values.items()},
        )
        if created:
            ctx.applied.created.append({"type": "house", "id": str(house.id)})
            ctx.emit(HouseChanged(house.id))
        else:
            _merge_house(ctx, house, house_values, None)
    unit_values = _props(top, "unit")
    if unit_values.get("name"):
        person = _find_or_create_person(ctx, _props(top, "person"))[0] if _props(top, "person") else None
        unit = unit_service.create(
            ctx.session,
            ctx.actor,
            address_id=address.id,
            name=unit_values["name"],
            kind=unit_values.get("kind", "other"),
            phone=unit_values.get("phone"),
            responsible_person_id=person.id if person else None,
        )
        ctx.applied.created.append({"type": "unit", "id": str(unit.id)})
        ctx.emit(UnitChanged(unit.id))


def _merge_house(ctx: Context, house: House, values: dict, base_version: int | None) -> None:
    if not values:
        return

    def update(changes):
        house_service.update(ctx.session, ctx.actor, house, today=ctx.today, **changes)

    if merge(ctx, house, "house", values, base_version, update):
        ctx.applied.updated.append({"type": "house", "id": str(house.id)})
        ctx.emit(HouseChanged(house.id))


def _find_or_create_person(ctx: Context, values: dict, house: House | None = None) -> tuple[Person, bool]:
    """By document among the people the caller may see; else, without a document,
    by name and birth date among the house's residents; else a new person. A
    document registered outside the caller's area links nothing and reveals
    nothing: person_service.create keeps what was typed on a provisional person
    and asks the police to confirm the identity (decision 0008)."""
    person = matched = None
    number = identities.normalised(values.get("document_type"), values.get("document_number"), ctx.today)
    if number is not None:
        matched = identities.match(ctx.session, ctx.actor, values["document_type"], number)
        person = matched.person
    elif house is not None and values.get("name") and not values.get("document_number"):
        person = residence_q.resident_named(
            ctx.session, house.id, values["name"], coerce("birth_date", values.get("birth_date"))
        )
    if person is None:  # new here; or registered by a concurrent submission a moment ago: merged like one found
        person, created = person_service.find_or_create(
            ctx.session,
            ctx.actor,
            today=ctx.today,
            source="submission",
            house=house,
            grid_id=ctx.grid_id,
            instance_id=ctx.instance_id,
            matched=matched,  # asked once: the same question again would get the same answer
            **{k: coerce(k, v) for k, v in values.items() if k in PERSON_PROPS},
        )
        if created:
            ctx.applied.created.append({"type": "person", "id": str(person.id)})
            return person, True

    def update(changes):
        person_service.update(ctx.session, ctx.actor, person, today=ctx.today, **changes)

    submitted = {k: v for k, v in values.items() if k in PERSON_PROPS}
    if person.unconfirmed_document_number == number:
        submitted.pop("document_number", None)  # the number it holds unconfirmed: no difference
    if merge(ctx, person, "person", submitted, None, update):
        ctx.applied.updated.append({"type": "person", "id": str(person.id)})
    return person, False


def _resident(ctx: Context, house: House, entry: dict, *, source: str) -> None:
    """One resident found (or not found) at a household visit."""
    person_values = _props(entry, "person")
    if not person_values.get("name") and not person_values.get("document_number"):
        return
    person, new = _find_or_create_person(ctx, person_values, house)
    residence_values = _props(entry, "residence")
    # a person this transaction created has no residence anywhere yet, nor can another transaction give
    # them one before this commits: nothing to look for
    open_residence = None if new else residence_q.open_residence(ctx.session, person.id, house.id)
    present = residence_values.get("present")
    if present in ("no", False):
        if open_residence is not None:
            _verify(ctx, open_residence, "rejected")
            _close(ctx, open_residence, ctx.visit_date)
            if house.landlord_account_id is not None:  # gone, and the landlord never said so
                ctx.emit(ReportMissed("missed_departure", house.id, open_residence.id, 0, ctx.visit_date))
        return
    if open_residence is not None:
        _verify(ctx, open_residence, "confirmed")
        return
    arrived = coerce("arrived_on", residence_values.get("arrived_on")) or ctx.visit_date
    residence = _open(
        ctx,
        person,
        house,
        residence_values.get("category") or "floating",
        arrived,
        source,
        "confirmed" if source != "landlord" else "pending",
        looked=True,  # just above
        new_person=new,
    )
    if residence is None:  # a concurrent submission registered them a moment ago: this visit confirms it
        registered = residence_q.open_residence(ctx.session, person.id, house.id)
        if registered is not None:  # (and did not close it since)
            _verify(ctx, registered, "confirmed")
        return
    ctx.applied.created.append({"type": "residence", "id": str(residence.id)})
    late = days_late(residence.arrived_on, ctx.visit_date, ctx.deadline_days)
    if house.landlord_account_id is not None and late > 0:  # living here past the deadline, never reported
        ctx.emit(ReportMissed("missed_arrival", house.id, residence.id, late, ctx.visit_date))


def _verify(ctx: Context, residence: Residence, outcome: str) -> None:
    """A visit settles a landlord's report: the tenant was found (confirmed) or not (rejected)."""
    if residence.verification != "pending":
        return
    residence.verification = outcome
    ctx.session.flush()
    ctx.applied.updated.append({"type": "residence", "id": str(residence.id), "verification": outcome})


def _open(
    ctx: Context,
    person: Person,
    house: House,
    category: str,
    arrived_on: date,
    source: str,
    verification: str,
    *,
    looked: bool = False,
    new_person: bool = False,
) -> Residence | None:
    """A new open residence; None when a concurrent submission opened the same one first. ``looked``: the
    caller just found none open (``unique.find_or_add``); ``new_person``: of a person this transaction
    created, whom no other transaction can give a residence: added as it is, no race to guard against."""

    def make() -> Residence:
        return Residence(
            person_id=person.id,
            house_id=house.id,
            category=category,
            arrived_on=min(arrived_on, ctx.today),
            reported_at=datetime.now(UTC),
            reported_by=ctx.actor.account_id,
            source=source,
            verification=verification,
        )

    if new_person:
        residence, created = make(), True
        ctx.session.add(residence)
        ctx.session.flush()  # its id (a column default) is named below
    else:
        residence, created = unique.find_or_add(
            ctx.session, lambda: residence_q.open_residence(ctx.session, person.id, house.id), make, looked=looked
        )
    if not created:
        return None
    audit.record(
        ctx.session,
        ctx.actor,
        "residence.create",
        subject_type="person",
        subject_ids=[person.id],
        fields=["residence"],
        details={"house_id": str(house.id), "residence_id": str(residence.id), "instance_id": str(ctx.instance_id)},
    )
    return residence


def _close(ctx: Context, residence: Residence, left_on: date) -> date:
    """Close a residence on ``left_on`` (not after today, not before its arrival); the day it was closed on."""
    closed_on = max(min(left_on, ctx.today), residence.arrived_on)
    residence.left_on = closed_on
    residence.departure_reported_at = datetime.now(UTC)
    ctx.session.flush()
    audit.record(
        ctx.session,
        ctx.actor,
        "residence.update",
        subject_type="person",
        subject_ids=[residence.person_id],
        fields=["left_on"],
        details={"residence_id": str(residence.id), "instance_id": str(ctx.instance_id)},
    )
    ctx.applied.closed.append({"type": "residence", "id": str(residence.id), "source": residence.source})
    return closed_on


def _tenant_report(ctx: Context, house: House, top: dict) -> None:
    """A landlord reports a tenant arriving or leaving (pending until a visit confirms it)."""
    event = top.get("tenant.event")
    person, new = _find_or_create_person(ctx, _props(top, "person"), house)
    residence_values = _props(top, "residence")
    open_residence = None if new else residence_q.open_residence(ctx.session, person.id, house.id)
    if event == "departure":
        if open_residence is not None:
            left_on = _close(ctx, open_residence, coerce("left_on", residence_values.get("left_on")) or ctx.visit_date)
            _reported(ctx, house, open_residence, "departure", left_on)
        return
    if open_residence is None:
        arrived = coerce("arrived_on", residence_values.get("arrived_on")) or ctx.visit_date
        residence = _open(
            ctx,
            person,
            house,
            residence_values.get("category") or "floating",
            arrived,
            "landlord",
            "pending",
            looked=True,
            new_person=new,
        )
        if residence is None:  # the same arrival, reported by a concurrent submission a moment ago
            return
        ctx.applied.created.append({"type": "residence", "id": str(residence.id)})
        _reported(ctx, house, residence, "arrival", residence.arrived_on)


def _reported(ctx: Context, house: House, residence: Residence, event: str, event_on: date) -> None:
    """A landlord's report through the form counts like one through the landlord API
    (services/after_submission.py records it)."""
    ctx.emit(ResidenceReported(house.id, residence.id, event, event_on))
