"""Landlord accounts and the houses they hold.

Accounts come two ways: an officer of the area creates one (police, admin), or
a landlord requests one (name, phone, document, the houses they let) and a grid
worker or police officer of the area activates it. Each house a landlord says
they let is a claim; it stays pending until an officer whose area holds it
confirms it against a registered house (or rejects it). Only confirmed houses
are the landlord's to report for.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.accounts import normalise_username, username_problems
from server.domain.id_numbers import check_document
from server.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from server.services import accounts as account_service
from server.services import identities
from server.store import audit, scoping
from server.store.models import Account, House, LandlordClaim, Person
from server.store.queries import accounts as account_q
from server.store.queries import areas as area_q
from server.store.queries import filters
from server.store.queries import houses as house_q
from server.store.queries import landlords as q

# Anyone may ask for an account; one address may ask this many times an hour.
REQUESTS_PER_HOUR = 5


def _landlord_person(
    session: Session, actor: Actor, identity: dict, today: date, *, source: str, grid_id=None
) -> Person:
    """The landlord's own person record: one the caller may see with this document,
    else a new one. A document registered to someone the caller may not see (an
    anonymous requester sees nobody) links nothing: what was typed is kept on a
    provisional person and the police confirm the identity (decision 0008)."""
    check = check_document(identity["document_type"], identity["document_number"], sex=identity.get("sex"), today=today)
    if check.problems or check.number is None:  # a number comes back exactly when there are no problems
        raise ValidationFailed(errors={"document_number": check.problems})
    sex = identity.get("sex") or check.sex
    if sex is None:
        raise ValidationFailed(errors={"sex": ["Give the sex (it cannot be read from this document)."]})
    found = identities.match(session, actor, identity["document_type"], check.number)
    if found.person is not None:
        return found.person
    values = {
        "name": identity["name"],
        "sex": sex,
        "birth_date": check.birth_date,
        "document_type": identity["document_type"],
        "document_number": check.number,
        "phone": identity.get("phone"),
    }
    if found.outside is not None:
        return identities.provisional(session, actor, values, found.outside, source=source, grid_id=grid_id)
    person = Person(created_by=actor.account_id, **values)
    session.add(person)
    session.flush()
    return person


def _grid_at(session: Session, house: dict):
    return area_q.grid_containing(session, filters.point(house["location"]["lon"], house["location"]["lat"]))


def _new_claim(session: Session, account: Account, house: dict) -> LandlordClaim:
    point = filters.point(house["location"]["lon"], house["location"]["lat"])
    grid = area_q.grid_containing(session, point)
    claim = LandlordClaim(
        account_id=account.id, address_text=house["address"], location=point, grid_id=grid.id if grid else None
    )
    session.add(claim)
    return claim


def count_attempt(session: Session, actor: Actor) -> None:
    """Every account request counts against its address, whatever it is answered
    (checked before the request is even read, and kept when the request fails)."""
    since = datetime.now(UTC) - timedelta(hours=1)
    if actor.client_addr and q.recent_requests(session, actor.client_addr, since) >= REQUESTS_PER_HOUR:
        raise TooManyRequests(
            "Too many account requests from this address; try again in an hour.",
            code="landlord.too_many_requests",
            retry_after=3600,
        )
    audit.record(session, actor, "landlord.request_attempt", subject_type="account")
    session.commit()  # the attempt must count even though the request may fail


def request_account(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    name: str,
    phone: str,
    document_type: str,
    document_number: str,
    houses: list[dict],
    today: date,
    sex: str | None = None,
) -> Account:
    """A landlord asks for an account; it stays disabled until an officer of the area activates it.

    The answer never says whether the username or the document is known: a taken
    username waits for the activating officer to give another, a document
    registered to someone else waits for the police to confirm the identity."""
    wanted = normalise_username(username)
    if problems := username_problems(wanted):
        raise ValidationFailed(errors={"username": problems})
    grid = _grid_at(session, houses[0]) if houses else None
    person = _landlord_person(
        session,
        actor,
        {"name": name, "phone": phone, "document_type": document_type, "document_number": document_number, "sex": sex},
        today,
        source="landlord_account",
        grid_id=grid.id if grid else None,
    )
    taken = account_q.by_username(session, wanted) is not None
    account = account_service.new_account(
        session,
        actor,
        username=f"pending.{uuid.uuid4().hex}" if taken else wanted,
        password=password,
        role="landlord",
        display_name=name,
        phone=phone,
    )
    account.requested_username = wanted if taken else None
    account.person_id = person.id
    account.disabled_at = datetime.now(UTC)
    account.awaiting_activation = True
    for house in houses:
        _new_claim(session, account, house)
    session.flush()
    audit.record(
        session,
        actor,
        "landlord.request",
        subject_type="account",
        subject_ids=[account.id],
        person_ids=[person.id],
        details={"username_taken": taken},
    )
    return account


def claims_of(session: Session, account_id: uuid.UUID) -> list[LandlordClaim]:
    """The houses an account claims, for showing its request."""
    return q.claims_of(session, account_id)


def shown_username(account: Account) -> str:
    """The username the landlord asked for (the account may wait under a placeholder)."""
    return account.requested_username or account.username


def pending_requests(
    session: Session, actor: Actor, *, audited: bool = True, after: list | None = None, limit: int | None = None
) -> list[tuple[Account, list[LandlordClaim]]]:
    """Requests with at least one claim in the officer's area (names and phones: an audited read of
    those shown). With ``limit``: up to ``limit`` + 1 of them, oldest first, after the cursor ``after``."""
    require(actor, "landlord.activate")
    accounts = q.awaiting_activation(
        session,
        scoping.grid_condition(actor, LandlordClaim.grid_id),
        after=after,
        limit=None if limit is None else limit + 1,
    )
    shown = accounts if limit is None else accounts[:limit]
    if audited and shown:
        audit.record(
            session,
            actor,
            "landlord.request_read",
            subject_type="account",
            subject_ids=[a.id for a in shown],
            person_ids=[a.person_id for a in shown],
            fields=["username", "name", "phone"],
            purpose="landlord account requests to activate",
        )
    return [(a, q.claims_of(session, a.id)) for a in accounts]


def _rename(session: Session, account: Account, username: str | None) -> None:
    """The officer gives a requested account the username it will sign in with."""
    if username is None:
        raise ValidationFailed(
            errors={
                "username": [
                    f"The username {account.requested_username!r} the landlord asked for is taken; give another "
                    "and tell the landlord."
                ]
            }
        )
    wanted = normalise_username(username)
    if problems := username_problems(wanted):
        raise ValidationFailed(errors={"username": problems})
    if wanted != account.username and account_q.by_username(session, wanted) is not None:
        raise Conflict(
            f"The username {wanted!r} is taken.", code="account.username_taken", errors={"username": ["Already taken."]}
        )
    account.username = wanted
    account.requested_username = None
    session.flush()


def activate(
    session: Session,
    actor: Actor,
    account_id: uuid.UUID,
    *,
    confirm: list[dict],
    reject: list[uuid.UUID],
    username: str | None = None,
) -> Account:
    """Enable a requested account, deciding its claims at the same time (houses in the officer's area only).
    A request whose username was taken needs ``username``: a free one, to tell the landlord."""
    require(actor, "landlord.activate")
    found = [a for a, _ in pending_requests(session, actor, audited=False) if a.id == account_id]
    if not found:
        raise NotFound("No pending landlord request in your area.", code="landlord.request_not_found")
    account = found[0]
    if account.requested_username is not None or username is not None:
        _rename(session, account, username)
    for item in confirm:
        decide(session, actor, item["claim_id"], "confirm", house_id=item["house_id"], account=account)
    for claim_id in reject:
        decide(session, actor, claim_id, "reject", account=account)
    account.disabled_at = None
    account.awaiting_activation = False
    session.flush()
    audit.record(
        session,
        actor,
        "landlord.activate",
        subject_type="account",
        subject_ids=[account.id],
        details={"confirmed": [str(i["house_id"]) for i in confirm], "rejected": [str(r) for r in reject]},
    )
    return account


def claim(session: Session, actor: Actor, house: dict) -> LandlordClaim:
    """An active landlord says they let one more house (pending until an officer confirms it)."""
    require(actor, "landlord.report")
    account = session.get_one(Account, actor.account_id)  # landlord.report: a signed-in landlord
    row = _new_claim(session, account, house)
    session.flush()
    audit.record(
        session,
        actor,
        "landlord.claim",
        subject_type="account",
        subject_ids=[account.id],
        details={"claim_id": str(row.id)},
    )
    return row


def claims(
    session: Session, actor: Actor, *, status: str | None, after: list | None, limit: int
) -> list[LandlordClaim]:
    """A landlord's own claims; for officers, the claims in their area: up to ``limit`` + 1, oldest first."""
    if actor.role == "landlord":
        condition = LandlordClaim.account_id == actor.account_id
    else:
        require(actor, "landlord.activate")
        condition = scoping.grid_condition(actor, LandlordClaim.grid_id)
    return q.claims_where(session, condition, status, after=after, limit=limit + 1)


def decide(
    session: Session,
    actor: Actor,
    claim_id: uuid.UUID,
    decision: str,
    *,
    house_id: uuid.UUID | None = None,
    account: Account | None = None,
) -> LandlordClaim:
    """Confirm a claim against a registered house of the officer's area, or reject it."""
    require(actor, "landlord.activate")
    row = q.claim(session, scoping.grid_condition(actor, LandlordClaim.grid_id), claim_id)
    if row is None or (account is not None and row.account_id != account.id):
        raise ValidationFailed(
            errors={"claim_id": [f"{claim_id} is not a claim in your area" + (" of this request." if account else ".")]}
        )
    if row.status != "pending":
        raise Conflict(f"This claim was already {row.status}.", code="landlord.claim_decided")
    if decision == "confirm":
        house = house_q.visible(session, scoping.visible_houses(actor), house_id) if house_id else None
        if house is None:
            raise ValidationFailed(errors={"house_id": ["Name a registered house in your area."]})
        hold(session, house, session.get_one(Account, row.account_id))
        row.house_id = house.id
    row.status = "confirmed" if decision == "confirm" else "rejected"
    row.decided_at, row.decided_by = datetime.now(UTC), actor.account_id
    session.flush()
    audit.record(
        session,
        actor,
        f"landlord.claim_{row.status}",
        subject_type="account",
        subject_ids=[row.account_id],
        details={"claim_id": str(row.id), "house_id": str(row.house_id) if row.house_id else None},
    )
    return row


def hold(session: Session, house: House, account: Account) -> None:
    """The account now reports for the house (and its person is the house's landlord)."""
    if house.landlord_account_id not in (None, account.id):
        raise Conflict(
            "Another landlord account holds this house.", code="landlord.house_held", extra={"house_id": str(house.id)}
        )
    house.landlord_account_id = account.id
    if house.landlord_person_id is None:
        house.landlord_person_id = account.person_id
    session.flush()


def create(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    name: str,
    phone: str,
    document_type: str,
    document_number: str,
    house_ids: list[uuid.UUID],
    today: date,
    sex: str | None = None,
) -> Account:
    """An officer creates an active landlord account holding houses of their area."""
    require(actor, "account.create_landlord")
    found = [house_q.visible(session, scoping.visible_houses(actor), hid) for hid in house_ids]
    houses = [h for h in found if h is not None]
    if len(houses) != len(found):
        raise ValidationFailed(errors={"house_ids": ["Every house must be registered in your area."]})
    person = _landlord_person(
        session,
        actor,
        {"name": name, "phone": phone, "document_type": document_type, "document_number": document_number, "sex": sex},
        today,
        source="landlord_account",
        grid_id=houses[0].grid_id if houses else None,
    )
    account = account_service.new_account(
        session, actor, username=username, password=password, role="landlord", display_name=name, phone=phone
    )
    account.person_id = person.id
    for house in houses:
        hold(session, house, account)
    session.flush()
    audit.record(
        session,
        actor,
        "landlord.create",
        subject_type="account",
        subject_ids=[account.id],
        details={"houses": [str(h.id) for h in houses]},
    )
    return account
