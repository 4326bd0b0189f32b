"""How registry records are shown: one function per kind, shared by all endpoints.

Records a submission can change carry their ``version`` (+1 on every change);
a phone sends the version it saw as ``subject.base_version`` (docs/sync.md)."""

from __future__ import annotations

from server.store import geometry
from server.store.models import Division, Grid


def _free_text(value):
    """Notes and reasons: a document number typed into them is masked like any other."""
    from server.domain.privacy import mask_in_values

    return mask_in_values(value)


def area_ref(row) -> dict | None:
    return {"id": row.id, "code": row.code, "name": row.name} if row else None


def address(session, row, areas: dict | None = None, **extra) -> dict:
    """``areas``: the page's divisions and grids by id, fetched at once (else one by one)."""
    area = areas.get if areas is not None else (lambda key: None)
    return {
        "id": row.id,
        "version": row.version,
        "full_text": row.full_text,
        "street": row.street,
        "door": row.door,
        "building": row.building,
        "unit": row.unit,
        "floor": row.floor,
        "room": row.room,
        "community": area_ref(area(row.community_id) or session.get(Division, row.community_id)),
        "grid": area_ref(area(row.grid_id) or session.get(Grid, row.grid_id)),
        "location": geometry.to_lonlat(row.geom),
        **extra,
    }


def house(session, row, address_row=None, areas: dict | None = None) -> dict:
    from server.store.models import Address

    address_row = address_row or session.get(Address, row.address_id)
    grid = (areas or {}).get(row.grid_id) or session.get(Grid, row.grid_id)
    return {
        "id": row.id,
        "version": row.version,
        "address": address(session, address_row, areas),
        "grid": area_ref(grid),
        "use": row.use,
        "rental_mode": row.rental_mode,
        "rooms": row.rooms,
        "floor_area_m2": float(row.floor_area_m2) if row.floor_area_m2 is not None else None,
        "rented_since": row.rented_since,
        "landlord_person_id": row.landlord_person_id,
        "landlord_account_id": row.landlord_account_id,
        "agreement_signed_on": row.agreement_signed_on,
        "note": _free_text(row.note),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def houses(session, rows) -> list[dict]:
    """A page of ``(house, address)`` rows as shown: their areas fetched for the page at once."""
    from server.store.queries import pages

    areas = pages.areas_by_id(
        session, [a.community_id for _, a in rows], [g for h, a in rows for g in (h.grid_id, a.grid_id)]
    )
    return [house(session, h, a, areas) for h, a in rows]


def person(row, role: str) -> dict:
    from server.domain.privacy import mask_number, person_fields_for

    # A provisional person (decision 0008) shows the number as typed, masked like any other.
    number = row.document_number or row.unconfirmed_document_number
    full = {
        "id": row.id,
        "name": row.name,
        "sex": row.sex,
        "ethnicity": row.ethnicity,
        "birth_date": row.birth_date,
        "document_type": row.document_type,
        "document_number_masked": mask_number(number) if number else None,
        "hukou_address": row.hukou_address,
        "phone": row.phone,
    }
    return {"id": row.id, "version": row.version} | {k: full[k] for k in person_fields_for(role)}


def residence(row) -> dict:
    from flask import current_app

    from server.domain.reporting import days_late, local_date, report_due_on

    zone, deadline = current_app.config["TIMEZONE"], current_app.config["REPORT_DEADLINE_DAYS"]
    departure_late = None
    if row.left_on is not None and row.departure_reported_at is not None:
        departure_late = days_late(row.left_on, local_date(row.departure_reported_at, zone), deadline)
    return {
        "id": row.id,
        "version": row.version,
        "person_id": row.person_id,
        "house_id": row.house_id,
        "category": row.category,
        "arrived_on": row.arrived_on,
        "left_on": row.left_on,
        "current": row.left_on is None,
        "source": row.source,
        "verification": row.verification,
        "reported_at": row.reported_at,
        "to_verify": row.verification == "pending",
        "report_due_on": report_due_on(row.arrived_on, deadline),
        "days_late": days_late(row.arrived_on, local_date(row.reported_at, zone), deadline),
        "departure_reported_at": row.departure_reported_at,
        "departure_days_late": departure_late,
    }


def unit(session, row) -> dict:
    from server.store.models import Address

    return {
        "id": row.id,
        "version": row.version,
        "name": row.name,
        "kind": row.kind,
        "address": address(session, session.get(Address, row.address_id)),
        "grid": area_ref(session.get(Grid, row.grid_id)),
        "responsible_person_id": row.responsible_person_id,
        "phone": row.phone,
        "created_at": row.created_at,
    }


def employment(row) -> dict:
    from flask import current_app

    from server.domain.reporting import days_late, local_date, report_due_on

    zone, deadline = current_app.config["TIMEZONE"], current_app.config["REPORT_DEADLINE_DAYS"]
    return {
        "id": row.id,
        "unit_id": row.unit_id,
        "person_id": row.person_id,
        "started_on": row.started_on,
        "ended_on": row.ended_on,
        "current": row.ended_on is None,
        "reported_at": row.reported_at,
        "report_due_on": report_due_on(row.started_on, deadline),
        "days_late": days_late(row.started_on, local_date(row.reported_at, zone), deadline),
    }


def conflict(row) -> dict:
    from server.domain.privacy import mask_properties

    return {
        "id": row.id,
        "record_type": row.record_type,
        "record_id": row.record_id,
        "instance_id": row.instance_id,
        "base_version": row.base_version,
        "current_version": row.current_version,
        "properties": mask_properties(row.properties),
        "status": row.status,
        "created_at": row.created_at,
        "resolved_at": row.resolved_at,
        "resolution": _free_text(row.resolution),
    }


def inspection_due(row) -> dict:
    """A due inspection as phones keep it (GET /inspections/due has the address and reasons)."""
    return {
        "id": row.id,
        "subject_type": row.subject_type,
        "house_id": row.house_id,
        "unit_id": row.unit_id,
        "grid_id": row.grid_id,
        "role": row.role,
        "tier": row.tier,
        "every_days": row.every_days,
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "last_visit_at": row.last_visit_at.isoformat() if row.last_visit_at else None,
    }


def submission_answers(row) -> dict:
    """A submission's answers as shown: every document number masked, at any depth."""
    from server.api.forms import catalog
    from server.domain.privacy import mask_answers

    return mask_answers(catalog().get(row.form_id, row.form_version), row.answers)


def identity_check(row, provisional, registered, role: str) -> dict:
    """An identity to confirm, for the officers who decide it: what was typed and who is registered."""
    from server.domain.privacy import mask_number

    return {
        "id": row.id,
        "status": row.status,
        "source": row.source,
        "document_type": row.document_type,
        "document_number_masked": mask_number(row.document_number),
        "typed": row.typed,
        "provisional_person": person(provisional, role) if provisional is not None else None,
        "registered_person": person(registered, role),
        "house_id": row.house_id,
        "instance_id": row.instance_id,
        "raised_by": row.raised_by,
        "raised_role": row.raised_role,
        "created_at": row.created_at,
        "decided_at": row.decided_at,
        "decided_by": row.decided_by,
        "note": _free_text(row.note),
    }
