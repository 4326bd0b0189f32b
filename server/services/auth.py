"""Signing in and out, and turning a bearer token into an actor."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from server.auth import passwords, tokens
from server.auth.actor import Actor
from server.domain.accounts import normalise_username
from server.errors import TooManyRequests, Unauthenticated
from server.store import audit
from server.store.models import Account, Token
from server.store.queries import accounts as q


@dataclass(frozen=True)
class LoginPolicy:
    web_hours: int = 12
    device_days: int = 30
    max_failures: int = 5
    lock_minutes: int = 15

    @classmethod
    def from_settings(cls, c) -> LoginPolicy:
        """The configured policy (server/config.py): the API and the sign-in page share it, and one throttle."""
        return cls(
            web_hours=c["WEB_TOKEN_HOURS"],
            device_days=c["DEVICE_TOKEN_DAYS"],
            max_failures=c["LOGIN_MAX_FAILURES"],
            lock_minutes=c["LOGIN_LOCK_MINUTES"],
        )


@dataclass(frozen=True)
class IssuedToken:
    token: str
    row: Token
    account: Account


def _now() -> datetime:
    return datetime.now(UTC)


def login(
    session: Session, actor: Actor, *, username: str, password: str, device_id: str | None, policy: LoginPolicy
) -> IssuedToken:
    """Check the password and issue a token; failures are recorded and throttled.

    After ``max_failures`` failed attempts for one username within
    ``lock_minutes`` (and since its last success), further attempts answer 429
    until the oldest of them leaves the window, even with the right password.
    """
    username = normalise_username(username)
    q.serialise_sign_ins(session, username)  # count, check and record as one step per username
    now = _now()
    window_start = now - timedelta(minutes=policy.lock_minutes)
    failures = q.recent_failures(session, username, window_start)
    if len(failures) >= policy.max_failures:
        retry = failures[-policy.max_failures] + timedelta(minutes=policy.lock_minutes) - now
        seconds = max(1, math.ceil(retry.total_seconds()))
        raise TooManyRequests(
            f"Too many failed sign-ins for this account; try again in {math.ceil(seconds / 60)} minute(s).",
            code="auth.locked",
            retry_after=seconds,
        )

    account = q.by_username(session, username)
    ok = passwords.verify_password(account.password_hash if account else None, password)
    if not ok or account is None:  # an unknown username never verifies (a dummy hash is checked: same time)
        audit.record(session, actor, "auth.login_failed", subject_type="account", subject_ids=[username])
        session.commit()  # the failure must count even though this request fails
        raise Unauthenticated("Wrong username or password.", code="auth.invalid_credentials")
    if account.disabled_at is not None:
        audit.record(
            session,
            actor,
            "auth.login_refused",
            subject_type="account",
            subject_ids=[username],
            details={"reason": "disabled"},
        )
        session.commit()
        raise Unauthenticated("This account is disabled; ask an administrator.", code="auth.account_disabled")

    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    token, token_hash = tokens.new_token()
    kind = "device" if device_id else "web"
    lifetime = timedelta(days=policy.device_days) if device_id else timedelta(hours=policy.web_hours)
    row = Token(
        account_id=account.id,
        token_hash=token_hash,
        kind=kind,
        device_id=device_id,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        _as(actor, account),
        "auth.login",
        subject_type="account",
        subject_ids=[username],
        details={"kind": kind, "device_id": device_id, "token_id": str(row.id)},
    )
    return IssuedToken(token=token, row=row, account=account)


def authenticate(session: Session, raw_token: str, *, request_id: str | None, client_addr: str | None) -> Actor:
    """The actor behind a bearer token, or 401 with a code saying what is wrong."""
    found = q.token_with_account(session, tokens.digest(raw_token))
    if found is None:
        raise Unauthenticated("This token is not valid; sign in again.", code="auth.token_invalid")
    token, account = found
    now = _now()
    if token.revoked_at is not None:
        raise Unauthenticated("This token was signed out; sign in again.", code="auth.token_revoked")
    if token.expires_at <= now:
        raise Unauthenticated("This token has expired; sign in again.", code="auth.token_expired")
    if account.disabled_at is not None:
        raise Unauthenticated("This account is disabled; ask an administrator.", code="auth.account_disabled")
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now  # coarse, so most requests do not write
    return actor_for(account, token_id=token.id, request_id=request_id, client_addr=client_addr)


def actor_for(account: Account, *, token_id=None, request_id=None, client_addr=None) -> Actor:
    return Actor(
        account_id=account.id,
        role=account.role,
        username=account.username,
        # only grid workers have grids (domain/accounts.scope_problems); others need not load the links
        grid_ids=frozenset(link.grid_id for link in account.grid_links)
        if account.role == "grid_worker"
        else frozenset(),
        community_id=account.community_id,
        station_id=account.station_id,
        token_id=token_id,
        request_id=request_id,
        client_addr=client_addr,
    )


def logout(session: Session, actor: Actor) -> None:
    token = session.get(Token, actor.token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = _now()
    audit.record(
        session,
        actor,
        "auth.logout",
        subject_type="account",
        subject_ids=[actor.username],
        details={"token_id": str(actor.token_id)},
    )


def current_token(session: Session, actor: Actor) -> Token | None:
    return session.get(Token, actor.token_id) if actor.token_id else None


def _as(actor: Actor, account: Account) -> Actor:
    return actor_for(account, request_id=actor.request_id, client_addr=actor.client_addr)
