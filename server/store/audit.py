"""Writing audit rows (in the caller's transaction)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.store.models import AuditEvent


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    subject_type: str | None = None,
    subject_ids=(),
    fields=(),
    purpose: str | None = None,
    details: dict | None = None,
    person_ids=(),
) -> None:
    """Append one audit row; it commits or rolls back with the request.

    ``person_ids``: whose personal data the action showed or changed when the
    subject is not a person (a house's landlord, a submission's residents)."""
    session.add(
        AuditEvent(
            actor_id=actor.account_id,
            actor_role=actor.role,
            action=action,
            subject_type=subject_type,
            subject_ids=[str(s) for s in subject_ids],
            person_ids=sorted({str(p) for p in person_ids if p is not None}),
            fields=list(fields),
            purpose=purpose,
            request_id=actor.request_id,
            client_addr=actor.client_addr,
            details=details or {},
        )
    )
    session.flush()
