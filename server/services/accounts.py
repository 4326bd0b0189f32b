"""Managing accounts: create, change, disable, list (admins; the CLI acts as 'system')."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.auth import passwords
from server.auth.actor import Actor
from server.auth.verbs import ROLES, require
from server.domain.accounts import normalise_username, password_problems, scope_problems, username_problems
from server.errors import Conflict, NotFound, ValidationFailed
from server.store import audit
from server.store.models import Account, AccountGrid, Division, Station
from server.store.queries import accounts as q
from server.store.queries import areas as area_q

_UNSET = object()


def _authorise(actor: Actor, verb: str) -> None:
    if actor.role != "system":
        require(actor, verb)


def _resolve_scope(
    session: Session, role: str, grids: list[str], community: str | None, station: str | None
) -> tuple[list, uuid.UUID | None, uuid.UUID | None]:
    errors = scope_problems(role, grids=grids, community=community, station=station)
    grid_rows = q.grids_by_codes(session, grids)
    missing = [c for c in grids if c not in grid_rows]
    if missing:
        errors.setdefault("grids", []).append(f"Unknown grid code(s): {', '.join(missing)}.")
    community_id = station_id = None
    if community is not None:
        row = area_q.division_by_code(session, community)
        if row is None or row.level != "community":
            errors.setdefault("community", []).append(f"No community with code {community!r}.")
        else:
            community_id = row.id
    if station is not None:
        station_row = area_q.station_by_code(session, station)
        if station_row is None:
            errors.setdefault("station", []).append(f"No station with code {station!r}.")
        else:
            station_id = station_row.id
    if errors:
        raise ValidationFailed(errors=errors)
    return [grid_rows[c].id for c in grids], community_id, station_id


def _check_password(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise ValidationFailed(errors={"password": problems})


def create(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    phone: str | None = None,
    grids: list[str] | None = None,
    community: str | None = None,
    station: str | None = None,
) -> Account:
    """An account created by an administrator (or the CLI)."""
    _authorise(actor, "account.create")
    return new_account(
        session,
        actor,
        username=username,
        password=password,
        role=role,
        display_name=display_name,
        phone=phone,
        grids=grids,
        community=community,
        station=station,
    )


def new_account(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    phone: str | None = None,
    grids: list[str] | None = None,
    community: str | None = None,
    station: str | None = None,
) -> Account:
    """Create an account; the caller has decided that ``actor`` may (audited as them)."""
    username = normalise_username(username)
    errors = {}
    if problems := username_problems(username):
        errors["username"] = problems
    if role not in ROLES:
        errors["role"] = [f"Must be one of: {', '.join(ROLES)}."]
    if problems := password_problems(password):
        errors["password"] = problems
    if errors:
        raise ValidationFailed(errors=errors)
    grid_ids, community_id, station_id = _resolve_scope(session, role, grids or [], community, station)
    if q.by_username(session, username) is not None:
        raise Conflict(
            f"The username {username!r} is taken.",
            code="account.username_taken",
            errors={"username": ["Already taken."]},
        )
    account = Account(
        username=username,
        display_name=display_name or username,
        role=role,
        password_hash=passwords.hash_password(password),
        phone=phone,
        community_id=community_id,
        station_id=station_id,
        password_changed_at=datetime.now(UTC),
        grid_links=[AccountGrid(grid_id=g) for g in grid_ids],
    )
    session.add(account)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # a concurrent create of the same username
        raise Conflict(
            f"The username {username!r} is taken.",
            code="account.username_taken",
            errors={"username": ["Already taken."]},
        ) from exc
    audit.record(
        session,
        actor,
        "account.create",
        subject_type="account",
        subject_ids=[account.id],
        fields=["username", "role", "scope"],
        details={"role": role},
    )
    return account


def get(session: Session, actor: Actor, account_id: uuid.UUID) -> Account:
    _authorise(actor, "account.read")
    account = q.by_id(session, account_id)
    if account is None:
        raise NotFound("No such account.", code="account.not_found")
    return account


def read(session: Session, actor: Actor, account_id: uuid.UUID) -> Account:
    """One account as shown to an administrator: names and phones are personal data (audited)."""
    account = get(session, actor, account_id)
    audit_read(session, actor, [account])
    return account


def audit_read(session: Session, actor: Actor, accounts) -> None:
    accounts = list(accounts)
    if accounts:
        audit.record(
            session,
            actor,
            "account.read",
            subject_type="account",
            subject_ids=[a.id for a in accounts],
            person_ids=[a.person_id for a in accounts],
            fields=["display_name", "phone", "scope"],
        )


def own(session: Session, actor: Actor) -> Account:
    """Everyone may read their own account (a signed-in account: the system actor has none)."""
    account = q.by_id(session, actor.account_id) if actor.account_id is not None else None
    if account is None:
        raise NotFound("No such account.", code="account.not_found")
    return account


def by_username(session: Session, actor: Actor, username: str) -> Account:
    _authorise(actor, "account.read")
    account = q.by_username(session, normalise_username(username))
    if account is None:
        raise NotFound(f"No account named {username!r}.", code="account.not_found")
    return account


def update(
    session: Session,
    actor: Actor,
    account: Account,
    *,
    display_name=_UNSET,
    phone=_UNSET,
    password=_UNSET,
    disabled=_UNSET,
    role=_UNSET,
    grids=_UNSET,
    community=_UNSET,
    station=_UNSET,
) -> Account:
    """Change an account. Disabling or a new password signs out all its tokens."""
    _authorise(actor, "account.update")
    changed = []
    if role is not _UNSET and role not in ROLES:
        raise ValidationFailed(errors={"role": [f"Must be one of: {', '.join(ROLES)}."]})
    scope_touched = any(v is not _UNSET for v in (role, grids, community, station))
    if scope_touched:
        new_role = account.role if role is _UNSET else role
        current_grids = [link.grid_id for link in account.grid_links]
        grid_codes = grids if grids is not _UNSET else _codes_of(session, current_grids)
        community_code = community if community is not _UNSET else _division_code(session, account.community_id)
        station_code = station if station is not _UNSET else _station_code(session, account.station_id)
        grid_ids, community_id, station_id = _resolve_scope(
            session, new_role, grid_codes or [], community_code, station_code
        )
        account.role = new_role
        account.community_id, account.station_id = community_id, station_id
        account.grid_links = [AccountGrid(grid_id=g) for g in grid_ids]
        changed += ["role", "scope"]
    if display_name is not _UNSET:
        account.display_name = display_name
        changed.append("display_name")
    if phone is not _UNSET:
        account.phone = phone
        changed.append("phone")
    revoke = False
    if password is not _UNSET:
        _check_password(password)
        account.password_hash = passwords.hash_password(password)
        account.password_changed_at = datetime.now(UTC)
        changed.append("password")
        revoke = True
    if disabled is not _UNSET:
        if disabled and account.disabled_at is None:
            account.disabled_at = datetime.now(UTC)
            revoke = True
        elif not disabled:
            account.disabled_at = None
        changed.append("disabled")
    if revoke or "role" in changed:
        _revoke_tokens(session, account.id)
    session.flush()
    audit.record(session, actor, "account.update", subject_type="account", subject_ids=[account.id], fields=changed)
    return account


def _revoke_tokens(session: Session, account_id: uuid.UUID) -> None:
    now = datetime.now(UTC)
    for token in q.live_tokens(session, account_id):
        token.revoked_at = now


def _codes_of(session, grid_ids):
    return [g.code for g in q.grids_by_ids(session, grid_ids)]


def _division_code(session, division_id):
    return session.get(Division, division_id).code if division_id else None


def _station_code(session, station_id):
    return session.get(Station, station_id).code if station_id else None


def page(session: Session, actor: Actor, *, after: str | None, limit: int, role: str | None = None):
    _authorise(actor, "account.read")
    rows = q.page(session, after=after, limit=limit, role=role)
    audit_read(session, actor, rows)
    return rows


def scope_of(session: Session, account: Account) -> dict:
    """The account's area, as codes and names (for /me and the admin views)."""
    grids = q.grids_by_ids(session, [link.grid_id for link in account.grid_links])
    community = session.get(Division, account.community_id) if account.community_id else None
    station = session.get(Station, account.station_id) if account.station_id else None
    return {
        "grids": [{"id": g.id, "code": g.code, "name": g.name} for g in grids],
        "community": {"id": community.id, "code": community.code, "name": community.name} if community else None,
        "station": {"id": station.id, "code": station.code, "name": station.name} if station else None,
    }
