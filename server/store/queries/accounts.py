"""Queries on accounts, tokens and login failures."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload

from server.store.models import Account, AuditEvent, Grid, Token


def by_username(session: Session, username: str) -> Account | None:
    return session.scalar(select(Account).where(Account.username == username))


def by_id(session: Session, account_id: uuid.UUID) -> Account | None:
    return session.get(Account, account_id)


def token_with_account(session: Session, token_hash: bytes) -> tuple[Token, Account] | None:
    # The account's grid links load only when read (grid workers: services/auth.actor_for), not for
    # every request of every role: one query instead of two (docs/performance.md).
    row = session.execute(
        select(Token, Account)
        .join(Account, Account.id == Token.account_id)
        .where(Token.token_hash == token_hash)
        .options(lazyload(Account.grid_links))
    ).first()
    return (row[0], row[1]) if row else None


SIGN_IN_LOCKS = 0x6777  # the advisory-lock key space of sign-in attempts ("gw")


def serialise_sign_ins(session: Session, username: str) -> None:
    """Hold the sign-in lock of ``username`` until this transaction ends.

    Counting recent failures, checking the password and recording a failure
    is a read-then-write: parallel attempts would all count the same failures
    and all get a password check. Under this lock the attempts for one
    username take turns, so each sees the failures committed before it and no
    more than the limit are ever checked. Works for usernames that do not
    exist (no row to lock, no existence oracle)."""
    session.execute(select(func.pg_advisory_xact_lock(SIGN_IN_LOCKS, func.hashtext(username))))


def recent_failures(session: Session, username: str, since: datetime) -> list[datetime]:
    """Times of failed logins for ``username`` since ``since`` and since its last success."""
    last_success = (
        select(func.max(AuditEvent.at))
        .where(AuditEvent.action == "auth.login", AuditEvent.subject_ids == [username])
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(AuditEvent.at)
            .where(
                AuditEvent.action == "auth.login_failed",
                AuditEvent.subject_ids == [username],
                AuditEvent.at >= since,
                AuditEvent.at > func.coalesce(last_success, since),
            )
            .order_by(AuditEvent.at)
        )
    )


def grids_by_codes(session: Session, codes: list[str]) -> dict[str, Grid]:
    if not codes:
        return {}
    return {g.code: g for g in session.scalars(select(Grid).where(Grid.code.in_(codes)))}


def page(session: Session, *, after: str | None, limit: int, role: str | None = None) -> list[Account]:
    query = select(Account).order_by(Account.username).limit(limit)
    if after is not None:
        query = query.where(Account.username > after)
    if role:
        query = query.where(Account.role == role)
    return list(session.scalars(query))


def grids_by_ids(session: Session, grid_ids) -> list[Grid]:
    if not grid_ids:
        return []
    return list(session.scalars(select(Grid).where(Grid.id.in_(list(grid_ids))).order_by(Grid.code)))


def live_tokens(session: Session, account_id: uuid.UUID) -> list[Token]:
    return list(session.scalars(select(Token).where(Token.account_id == account_id, Token.revoked_at.is_(None))))
