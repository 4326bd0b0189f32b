"""Writing audit rows (in the caller's transaction)."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.store.models import AuditEvent


def record(session: Session, actor: Actor, action: str, **what) -> None:
    """Append one audit row (``what``: ``row``'s keyword arguments); it commits or rolls back with the request."""
    record_all(session, [row(actor, action, **what)])


def record_all(session: Session, rows: list[dict]) -> None:
    """Append these audit rows (``row``s) in one INSERT: a page audited per record it shows (each house's
    tenants), or a batch of submissions, costs one statement, not one per row."""
    if rows:
        session.execute(insert(AuditEvent), rows)


def row(
    actor: Actor,
    action: str,
    *,
    subject_type: str | None = None,
    subject_ids=(),
    fields=(),
    purpose: str | None = None,
    details: dict | None = None,
    person_ids=(),
) -> dict:
    """One audit row's values: what ``actor`` did.

    ``person_ids``: whose personal data the action showed or changed when the
    subject is not a person (a house's landlord, a submission's residents)."""
    return {
        "actor_id": actor.account_id,
        "actor_role": actor.role,
        "action": action,
        "subject_type": subject_type,
        "subject_ids": [str(s) for s in subject_ids],
        "person_ids": sorted({str(p) for p in person_ids if p is not None}),
        "fields": list(fields),
        "purpose": purpose,
        "request_id": actor.request_id,
        "client_addr": actor.client_addr,
        "details": details or {},
    }
