"""Device credentials for ODK Collect: issue (secret shown once), revoke, and check a Digest request.

Only HA1 = md5(username:realm:secret) is stored (decision 0018); checking a request costs two MD5s.
Failed checks are audited and counted: after ``MAX_FAILURES`` within ``WINDOW`` one username answers 429.
"""

from __future__ import annotations

import io
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import segno
from sqlalchemy.orm import Session

from server.auth import digest
from server.auth.actor import Actor, anonymous
from server.auth.verbs import require
from server.domain import collect_settings
from server.errors import NotFound, TooManyRequests, Unauthenticated
from server.services.auth import actor_for
from server.store import audit
from server.store.models import DeviceCredential
from server.store.queries import accounts as account_q
from server.store.queries import devices as q

DEFAULT_DAYS = 30
MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Issued:
    credential: DeviceCredential
    secret: str
    qr_payload: str
    qr_png: bytes


def _now() -> datetime:
    return datetime.now(UTC)


def issue(
    session: Session, actor: Actor, *, label: str, account_id: uuid.UUID | None, days: int, server_url: str
) -> Issued:
    """A new credential for the actor's own phone, or (admins) for another account's phone."""
    require(actor, "form.read")
    target = account_id or actor.account_id
    if target != actor.account_id:
        require(actor, "account.update")
    account = account_q.by_id(session, target) if target is not None else None
    if account is None or account.disabled_at is not None:
        raise NotFound("No such account.", code="account.not_found")
    secret = secrets.token_urlsafe(24)
    username = f"{account.username}.{secrets.token_hex(3)}"[:64]
    now = _now()
    row = DeviceCredential(
        account_id=account.id,
        username=username,
        ha1=digest.ha1(username, secret),
        label=label,
        created_by=actor.account_id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "device.issue",
        subject_type="account",
        subject_ids=[account.username],
        details={"device_credential_id": str(row.id), "username": username, "expires_at": row.expires_at.isoformat()},
    )
    payload = collect_settings.qr_payload(
        collect_settings.settings(server_url=server_url, username=username, password=secret, project="Gridwork")
    )
    png = io.BytesIO()
    segno.make(payload, error="m").save(png, kind="png", scale=6)
    return Issued(row, secret, payload, png.getvalue())


@dataclass(frozen=True)
class Listed:
    credential: DeviceCredential
    account_username: str


def page(session: Session, actor: Actor, *, after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[Listed]:
    """The credentials the actor may revoke (the same rule as ``revoke``), newest first."""
    require(actor, "form.read")
    manager = None if actor.role == "admin" else actor.account_id
    rows = q.page(session, manager=manager, after=after, limit=limit)
    return [Listed(credential, username) for credential, username in rows]


def revoke(session: Session, actor: Actor, credential_id: uuid.UUID) -> DeviceCredential:
    row = q.by_id(session, credential_id)
    mine = row is not None and (row.account_id == actor.account_id or row.created_by == actor.account_id)
    if row is None or not (mine or (actor.role == "admin")):
        raise NotFound("No such device credential.", code="device.not_found")
    if row.revoked_at is None:
        row.revoked_at = _now()
    audit.record(
        session,
        actor,
        "device.revoke",
        subject_type="account",
        subject_ids=[row.username],
        details={"device_credential_id": str(row.id)},
    )
    return row


def authenticate(
    session: Session, params: dict[str, str], method: str, *, request_id: str | None, client_addr: str | None
) -> Actor:
    """The actor behind a Digest ``Authorization`` (already parsed, nonce already checked)."""
    username = params["username"][:64]
    now = _now()
    if q.failures_since(session, username, now - WINDOW) >= MAX_FAILURES:
        raise TooManyRequests(
            "Too many failed sign-ins from this device; try again later.", code="auth.locked", retry_after=900
        )
    found = q.with_account(session, username)
    ha1 = found[0].ha1 if found else digest.ha1(username, secrets.token_hex(8))  # same work either way
    if found is None or not digest.verify(params, ha1, method):
        _fail(session, username, client_addr)
        raise Unauthenticated("Wrong device username or password.", code="device.invalid_credentials")
    credential, account = found
    if credential.revoked_at is not None or credential.expires_at <= now or account.disabled_at is not None:
        _fail(session, username, client_addr)
        raise Unauthenticated("This device credential was revoked or has expired.", code="device.revoked")
    if credential.last_used_at is None or now - credential.last_used_at > timedelta(minutes=5):
        credential.last_used_at = now
    return actor_for(account, request_id=request_id, client_addr=client_addr)


def _fail(session: Session, username: str, client_addr: str | None) -> None:
    audit.record(
        session,
        anonymous(client_addr=client_addr),
        "device.auth_failed",
        subject_type="account",
        subject_ids=[username],
    )
    session.commit()  # the failure counts even though this request fails
