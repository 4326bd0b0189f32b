"""Rental tiers: evaluating houses and units, overrides, and the inspections due.

Other services call ``refresh_houses(session, house_ids, today)`` (or
``refresh_units``) after changing a fact a tier rule reads: a visit, a house's
rental facts or agreement, a tenant report. It re-evaluates those subjects in
the caller's transaction, stores the result (history row when the tier
changes) and keeps their due inspections up to date. ``recompute`` does the
same for everything, in batches (``gridwork tiers recompute``, nightly).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.tiers import rules, schedule
from server.domain.tiers.facts import Inspection, house_facts, unit_facts
from server.domain.tiers.policy import Policy
from server.domain.windows import Window, last_days
from server.errors import ValidationFailed
from server.policies.tiers import current_policy
from server.store import audit
from server.store.models import House, InspectionDue, TierChange, TierState, Unit
from server.store.models.base import new_id
from server.store.queries import bulk
from server.store.queries import tiers as q

# the tables the recompute writes in bulk (a mapped class's __table__ is typed as any FromClause)
_STATES = cast(Table, TierState.__table__)
_CHANGES = cast(Table, TierChange.__table__)
_DUES = cast(Table, InspectionDue.__table__)

BATCH = 2000
DEFAULT_ZONE = "Asia/Shanghai"


def zone_of(session: Session | None, zone: str | None = None) -> str:
    """The local zone for "days": the one passed in, else the one the unit of work carries
    (``session.info["zone"]``, set from the settings where the session is opened), else the default.
    Services never read the web framework's configuration themselves."""
    if zone:
        return zone
    if session is not None and session.info.get("zone"):
        return session.info["zone"]
    return DEFAULT_ZONE


# -- evaluation -----------------------------------------------------------------------------------


def refresh_houses(
    session: Session,
    house_ids,
    today: date,
    *,
    zone: str | None = None,
    now: datetime | None = None,
    policy: Policy | None = None,
) -> int:
    """Re-evaluate these houses now (in the caller's transaction); returns how many tiers changed."""
    return _refresh(session, "house", house_ids, today, zone, now, policy)


def refresh_units(
    session: Session,
    unit_ids,
    today: date,
    *,
    zone: str | None = None,
    now: datetime | None = None,
    policy: Policy | None = None,
) -> int:
    """Re-evaluate these units now (in the caller's transaction); returns how many tiers changed."""
    return _refresh(session, "unit", unit_ids, today, zone, now, policy)


def _refresh(session: Session, subject: str, subject_ids, today: date, zone, now, policy) -> int:
    ids = list({i for i in subject_ids if i is not None})
    if not ids:
        return 0
    session.flush()
    policy = policy or current_policy()
    rows = q.subject_rows(session, subject, ids=ids, **windows(policy, today))
    return _evaluate(session, subject, rows, today, zone_of(session, zone), now or datetime.now(UTC), policy)


def request_refresh(session: Session, subject: str, subject_ids) -> None:
    """Queue these subjects for the refresh job (``refresh_queued``), in the caller's transaction: the
    request that changed their facts commits them with its data, and their tier and dues follow within
    seconds (docs/tiers.md, "How fresh"). Submissions use this; a request about one subject whose
    answer shows its tier refreshes it at once instead (``refresh_houses``)."""
    ids = sorted({i for i in subject_ids if i is not None})
    q.queue_refresh(session, subject, ids)


def refresh_queued(session: Session, today: date, *, zone: str | None = None, batch: int = BATCH) -> int:
    """Re-evaluate up to ``batch`` queued subjects (each once, however often it was queued) and remove
    them from the queue, in the caller's transaction; how many queue rows it took (0: the queue is empty)."""
    taken = q.take_refreshes(session, batch)
    for subject in ("house", "unit"):
        ids = {row.subject_id for row in taken if row.subject_type == subject}
        _refresh(session, subject, ids, today, zone, None, None)
    return len(taken)


def windows(policy: Policy, today: date) -> dict[str, Window]:
    """The policy's counting windows ending today: ``turnover`` and ``reporting`` (the landlord's
    compliance record counts over the same ``reporting`` window)."""
    return {
        "turnover": last_days(policy.windows["turnover_days"], today),
        "reporting": last_days(policy.windows["reporting_days"], today),
    }


def recompute(
    session: Session,
    today: date,
    *,
    zone: str | None = None,
    batch: int = BATCH,
    progress=None,
    after_batch=None,
    bounds: dict[str, tuple] | None = None,
) -> dict[str, int]:
    """Evaluate every house and unit, ``batch`` at a time. ``progress(n)`` hears of each batch;
    ``after_batch()`` may commit. Safe to re-run: unchanged subjects write no history or due changes.
    ``bounds`` ({"house": (after, until), "unit": ...}, ids, None for an open end): only that slice of each
    subject named, and none of a subject not named, so that processes can share the work
    (``server/jobs/recompute.py`` cuts the slices)."""
    policy, zone, now = current_policy(), zone_of(session, zone), datetime.now(UTC)
    totals = {"houses": 0, "units": 0, "changed": 0}
    for subject, key in (("house", "houses"), ("unit", "units")):
        if bounds is not None and subject not in bounds:
            continue
        after, until = bounds[subject] if bounds is not None else (None, None)
        while True:
            rows = q.subject_rows(session, subject, after=after, until=until, limit=batch, **windows(policy, today))
            if not rows:
                break
            totals["changed"] += _evaluate(session, subject, rows, today, zone, now, policy)
            totals[key] += len(rows)
            after = rows[-1].id
            if after_batch:
                after_batch()
            if progress:
                progress(len(rows))
    return totals


def _inspections(row) -> list[Inspection]:
    return [
        Inspection(at, tuple(h.split(",")) if h else (), received)
        for at, h, received in zip(row.insp_at or (), row.insp_hazards or (), row.insp_received or (), strict=False)
    ]


@dataclass
class _Plan:
    """What one evaluation batch writes."""

    new_states: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    new_dues: list = field(default_factory=list)
    updated_dues: list = field(default_factory=list)


@dataclass(frozen=True)
class _State:
    """The stored state of one subject, as its batch row carries it (``state_*`` columns; no JSON)."""

    id: uuid.UUID
    grid_id: uuid.UUID
    tier: str
    tier_since: date
    computed_tier: str
    computed_since: date
    policy_version: str
    hold_started: datetime | None
    override_tier: str | None
    override_reason: str | None
    override_expires_on: date | None
    override_by: uuid.UUID | None
    override_at: datetime | None


def _state_of(row) -> _State | None:
    if row.state_id is None:
        return None
    return _State(*(getattr(row, f"state_{c}") for c in q.STATE_COLUMNS))


def _evaluate(session: Session, subject: str, rows, today: date, zone: str, now: datetime, policy: Policy) -> int:
    """Evaluate a batch of subjects, then write states, history and dues in a few statements."""
    sp = policy.for_subject(subject)
    stated = [r.id for r in rows if r.state_id is not None]
    dues = q.dues_of(session, subject, stated) if stated else {}
    plan = _Plan()
    fk = "house_id" if subject == "house" else "unit_id"
    for row in rows:
        _evaluate_one(subject, fk, row, _state_of(row), dues.get(row.id, {}), sp, policy, today, zone, now, plan)
    _write(session, plan)
    return len(plan.changes)


def _facts(subject: str, row, policy: Policy, today: date, zone: str, hold):
    """The tier facts of one subject, from its batch row."""
    if subject == "house":
        return house_facts(
            use=row.use,
            rental_mode=row.rental_mode,
            rooms=row.rooms,
            rented_since=row.rented_since,
            agreement_signed_on=row.agreement_signed_on,
            residents=row.residents,
            turnover=row.turnover,
            late_reports=row.late_reports,
            missed_arrivals=row.missed_arrivals,
            missed_departures=row.missed_departures,
            on_time_reports=row.on_time_reports,
            inspections=_inspections(row),
            severity=policy.hazards,
            today=today,
            zone=zone,
            hold_started=hold,
        )
    return unit_facts(
        kind=row.kind, inspections=_inspections(row), severity=policy.hazards, today=today, zone=zone, hold_started=hold
    )


def _evaluate_one(
    subject: str,
    fk: str,
    row,
    st,
    existing_dues: dict,
    sp,
    policy: Policy,
    today: date,
    zone: str,
    now: datetime,
    plan: _Plan,
) -> None:
    """One subject: its computed tier, the override still in force, the state and history rows, its dues."""
    facts = _facts(subject, row, policy, today, zone, st.hold_started if st else None)
    previous = rules.Previous(st.computed_tier, st.hold_started) if st else None
    outcome = rules.evaluate(sp, facts, previous, now=now)
    if st is None and outcome.tier == rules.NONE:
        return  # never let, never tiered: nothing to keep
    override_tier, override_expires_on = (st.override_tier, st.override_expires_on) if st else (None, None)
    # an override without an expiry never applies (rules.effective): it goes like an expired one
    expired = override_tier is not None and (override_expires_on is None or override_expires_on < today)
    if expired:
        override_tier = override_expires_on = None
    tier = rules.effective(outcome.tier, override_tier, override_expires_on, today)
    values = {
        "grid_id": row.grid_id,
        "tier": tier,
        "tier_since": st.tier_since if st and st.tier == tier else today,
        "computed_tier": outcome.tier,
        "computed_since": st.computed_since if st and st.computed_tier == outcome.tier else today,
        "reasons": outcome.reasons,
        "facts": facts,
        "policy_version": policy.version,
        "evaluated_at": now,
        "hold_started": outcome.hold_started,
    }
    _plan_state(subject, fk, row, st, values, expired, plan)
    if st is None or st.tier != tier or st.computed_tier != outcome.tier:
        plan.changes.append(
            {
                "id": new_id(),
                "subject_type": subject,
                fk: row.id,
                "from_tier": st.tier if st else None,
                "to_tier": tier,
                "computed_tier": outcome.tier,
                "cause": "override_expired" if expired else "evaluation",
                "reasons": outcome.reasons,
                "policy_version": policy.version,
                "actor_id": None,
                "changed_at": now,
            }
        )
    _plan_dues(
        subject, fk, row, sp, tier, values["tier_since"], existing_dues, zone, now, plan.new_dues, plan.updated_dues
    )


def _plan_state(subject: str, fk: str, row, st, values: dict, expired: bool, plan: _Plan) -> None:
    """A new state row, or the changes to the existing one (an expired override is cleared)."""
    if st is None:
        plan.new_states.append(
            values
            | {
                "id": new_id(),
                "subject_type": subject,
                fk: row.id,
                "override_tier": None,
                "override_reason": None,
                "override_expires_on": None,
                "override_by": None,
                "override_at": None,
            }
        )
        return
    values |= {
        "override_tier": st.override_tier,
        "override_reason": st.override_reason,
        "override_expires_on": st.override_expires_on,
        "override_by": st.override_by,
        "override_at": st.override_at,
    }
    if expired:
        values |= {
            "override_tier": None,
            "override_reason": None,
            "override_expires_on": None,
            "override_by": None,
            "override_at": None,
        }
    plan.updated.append(values | {"id": st.id})  # written only if it differs (bulk.update_changed)


def _write(session: Session, plan: _Plan) -> None:
    """New rows inserted, existing ones written only where they differ (evaluated_at alone is no difference:
    it says when this result was first reached)."""
    bulk.insert_rows(session, _STATES, plan.new_states)
    written = bulk.update_changed(session, _STATES, plan.updated, ignore=("evaluated_at",))
    bulk.insert_rows(session, _CHANGES, plan.changes)
    bulk.insert_rows(session, _DUES, plan.new_dues)
    written += bulk.update_changed(session, _DUES, plan.updated_dues, ignore=("updated_at",))
    if written:
        session.expire_all()  # ORM copies of these rows (if any) are stale now


def _plan_dues(subject, fk, row, sp, tier, tier_since, existing: dict, zone, now, new_dues, updated_dues) -> None:
    last_visits = row.last_visits or {}
    wanted = {}
    for ob in sp.schedules.get(tier, ()) if tier != rules.NONE else ():
        seen = [last_visits[f"{ob.role}:{k}"] for k in ob.kinds if f"{ob.role}:{k}" in last_visits]
        last = max(datetime.fromisoformat(s) for s in seen) if seen else None
        due = schedule.due_on(
            every_days=ob.every_days,
            tier_since=tier_since,
            last_visit_on=schedule.local_day(last, zone) if last else None,
        )
        wanted[ob.role] = {
            "tier": tier,
            "every_days": ob.every_days,
            "due_on": due,
            "last_visit_at": last,
            "grid_id": row.grid_id,
        }
    for role, values in wanted.items():
        found = existing.get(role)
        if found is None:
            new_dues.append(
                values | {"id": new_id(), "subject_type": subject, fk: row.id, "role": role, "updated_at": now}
            )
        elif any(getattr(found, k) != v for k, v in values.items()):
            updated_dues.append(values | {"id": found.id, "updated_at": now})
    for role, found in existing.items():
        if role not in wanted and found.due_on is not None:
            updated_dues.append(
                {
                    "tier": tier,
                    "every_days": found.every_days,
                    "due_on": None,
                    "last_visit_at": found.last_visit_at,
                    "grid_id": row.grid_id,
                    "id": found.id,
                    "updated_at": now,
                }
            )


# -- reading and overriding ------------------------------------------------------------------------


@dataclass
class TierView:
    subject_type: str
    subject_id: uuid.UUID
    state: TierState | None
    history: list
    today: date

    @property
    def effective(self) -> str:
        if self.state is None:
            return rules.NONE
        return rules.effective(
            self.state.computed_tier, self.state.override_tier, self.state.override_expires_on, self.today
        )

    @property
    def override_active(self) -> bool:
        s = self.state
        return (
            s is not None
            and s.override_tier is not None
            and s.override_expires_on is not None
            and s.override_expires_on >= self.today
        )


def house_tier(session: Session, actor: Actor, house: House, today: date) -> TierView:
    return _tier(session, actor, "house", house.id, today)


def unit_tier(session: Session, actor: Actor, unit: Unit, today: date) -> TierView:
    return _tier(session, actor, "unit", unit.id, today)


def _tier(session: Session, actor: Actor, subject: str, subject_id: uuid.UUID, today: date) -> TierView:
    require(actor, "tier.read")
    state = q.state(session, subject, subject_id)
    if state is not None:
        session.refresh(state)
    return TierView(subject, subject_id, state, q.history(session, subject, subject_id), today)


def set_override(
    session: Session, actor: Actor, house: House, *, tier: str, reason: str, expires_on: date, today: date
) -> TierView:
    require(actor, "tier.override")
    policy = current_policy()
    tiers = policy.house.tiers if policy.house is not None else ()
    errors = {}
    if house.use not in rules.LET_USES:
        errors["tier"] = ["Only rented and mixed-use houses have a tier."]
    elif tier not in tiers:
        errors["tier"] = [f"One of {', '.join(tiers)}."]
    if expires_on < today:
        errors["expires_on"] = ["Must be today or later."]
    if not reason.strip():
        errors["reason"] = ["Say why."]
    if errors:
        raise ValidationFailed(errors=errors)
    refresh_houses(session, [house.id], today, policy=policy)
    state = q.state(session, "house", house.id)
    if state is None:  # refresh_houses just gave every let house its state
        raise LookupError(f"house {house.id} has no tier state after its refresh")
    session.refresh(state)
    before = rules.effective(state.computed_tier, state.override_tier, state.override_expires_on, today)
    now = datetime.now(UTC)
    state.override_tier, state.override_reason, state.override_expires_on = tier, reason.strip(), expires_on
    state.override_by, state.override_at = actor.account_id, now
    if before != tier:
        _record_change(session, state, before, tier, "override", actor, now, policy)
        state.tier, state.tier_since = tier, today
    session.flush()
    refresh_houses(session, [house.id], today, policy=policy)  # dues follow the effective tier
    audit.record(
        session,
        actor,
        "tier.override",
        subject_type="house",
        subject_ids=[house.id],
        fields=["tier"],
        purpose=reason.strip(),
        details={"tier": tier, "from": before, "expires_on": expires_on.isoformat()},
    )
    return house_tier(session, actor, house, today)


def lift_override(session: Session, actor: Actor, house: House, today: date) -> TierView:
    require(actor, "tier.override")
    policy = current_policy()
    state = q.state(session, "house", house.id)
    if state is None or state.override_tier is None:
        from server.errors import NotFound

        raise NotFound("This house has no tier override.", code="tier.no_override")
    session.refresh(state)
    before = rules.effective(state.computed_tier, state.override_tier, state.override_expires_on, today)
    lifted = state.override_tier
    now = datetime.now(UTC)
    state.override_tier = state.override_reason = state.override_expires_on = None
    state.override_by = state.override_at = None
    if before != state.computed_tier:
        _record_change(session, state, before, state.computed_tier, "override_lifted", actor, now, policy)
        state.tier, state.tier_since = state.computed_tier, today
    session.flush()
    refresh_houses(session, [house.id], today, policy=policy)
    audit.record(
        session,
        actor,
        "tier.override_lift",
        subject_type="house",
        subject_ids=[house.id],
        fields=["tier"],
        details={"lifted": lifted, "tier": state.computed_tier},
    )
    return house_tier(session, actor, house, today)


def _record_change(session, state: TierState, before: str, after: str, cause: str, actor: Actor, now, policy):
    bulk.insert_rows(
        session,
        _CHANGES,
        [
            {
                "id": new_id(),
                "subject_type": state.subject_type,
                "house_id": state.house_id,
                "unit_id": state.unit_id,
                "from_tier": before,
                "to_tier": after,
                "computed_tier": state.computed_tier,
                "cause": cause,
                "reasons": state.reasons,
                "policy_version": policy.version,
                "actor_id": actor.account_id,
                "changed_at": now,
            }
        ],
    )


def local_today(zone: str | None = None, session: Session | None = None) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(zone_of(session, zone))).date()
