"""Field-work targets: each area's indicators against the policy in force, and the gaps behind them.

The house and residence counts of a district are too many to count at every request (a year of visits over
every house), so ``materialise`` (``gridwork targets materialise``, nightly) stores them per grid and week in
``target_counts``; the board reads them when they exist for the week and policy version, and counts live
otherwise. ``counts`` in the answer says which (``nightly`` or ``live``) and ``computed_at`` when they were
counted. The nightly job keeps each grid worker's visits of the week too (``target_worker_counts``); who works in
which grid (the workers of the workload and of the staffing ratio) is always today's assignment.

Scope: admins everything, police their station's grids, committee staff their community's, grid workers
their own grids (``store/scoping.grid_condition``); landlords have no ``target.read``. Gap lists show places
and workers; a residence's person only as a masked name, and each read of such a page is audited.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import true
from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.targets import gaps as gap_rules
from server.domain.targets.periods import Period, PeriodError, days_bounds, parse_period, week_of
from server.domain.targets.policy import Indicator, Policy, Target
from server.domain.targets.status import figure
from server.errors import NotFound, ValidationFailed
from server.policies.targets import current_policy
from server.services.tiers import zone_of
from server.store import audit, scoping
from server.store.models import Grid
from server.store.queries import targets as q

GROUPS = ("grid", "community", "station", "worker")
TREND_WEEKS = 12  # the board's trend, and so the weeks the nightly job keeps
EXPORT_LIMIT = 100_000
# numerator, denominator columns of the figures row, per fact
_COLUMNS = {
    "houses_visited": ("visited", "houses"),
    "floating_registered_on_time": ("on_time", "arrived"),
    "landlord_reports_verified": ("verified", "reported"),
    "rental_info_complete": ("complete", "let"),
    "agreements_signed": ("signed", "let"),
    "workers_at_workload": ("at_workload", "workers"),
    "floating_per_worker": ("floating", "workers"),
}


def period_of(text: str | None, today: date) -> Period:
    try:
        return parse_period(text, today)
    except PeriodError as exc:
        raise ValidationFailed(errors={"period": [str(exc)]}) from None


def _params(policy: Policy, period: Period, zone: str) -> dict:
    """The bind parameters every count takes, from the policy's indicators and the period."""
    p = {i.fact: i.params for i in policy.indicators}
    coverage = period.back(p.get("houses_visited", {}).get("window_days", 365))
    within = p.get("landlord_reports_verified", {}).get("within_days", 30)
    week_from, week_to = days_bounds(period.first_day, period.last_day, zone)
    workload = p.get("workers_at_workload", {})
    ratio = next((i.target.value for i in policy.indicators if i.fact == "floating_per_worker"), 500.0)
    report_first = period.first_day - timedelta(days=within)
    return {
        "zone": zone,
        "first_day": period.first_day,
        "as_of": period.as_of,
        "as_of_end": days_bounds(period.as_of, period.as_of, zone)[1],
        "coverage_from": days_bounds(coverage.first_day, coverage.last_day, zone)[0],
        "deadline_days": p.get("floating_registered_on_time", {}).get("deadline_days", 7),
        "within_days": within,
        # reports whose last day to be confirmed (report day + within_days) falls in the period
        "report_first": report_first,
        "report_last": period.as_of - timedelta(days=within),
        "report_from": days_bounds(report_first, report_first, zone)[0],
        "week_from": week_from,
        "week_to": week_to,
        "weekly_total": workload.get("weekly_total", 30),
        "weekly_residential": workload.get("weekly_residential", 20),
        "max_ratio": ratio,
    }


def board(session: Session, actor: Actor, *, group_by: str, period: str | None, today: date) -> dict:
    """Every indicator of every group in the actor's area for one ISO week."""
    require(actor, "target.read")
    policy, zone = current_policy(), zone_of(session)
    when = period_of(period, today)
    grids = q.grid_ids(session, scoping.grid_condition(actor, Grid.id))
    stored = q.stored_week(session, when.label, policy.version)
    params = _params(policy, when, zone) | {"week": when.label}
    rows = (
        q.figures(
            session,
            group_by=group_by,
            grids=grids,
            stored=stored is not None,
            **params,
        )
        if grids
        else []
    )
    figures = _Figures(policy, tuple(rows[0]._fields)) if rows else None
    groups = [
        {"key": {"id": row.key, "code": row.code, "name": row.name}, "figures": figures.of(row)}
        for row in rows
        if figures is not None
    ]
    groups.sort(key=lambda g: (g["key"]["code"] or "", str(g["key"]["id"])))
    return {
        "policy_version": policy.version,
        "group_by": group_by,
        "period": period_view(when) | ({"as_of": stored.as_of} if stored else {}),
        "counts": "nightly" if stored else "live",
        "indicators": [_definition(i) for i in policy.indicators],
        "computed_at": stored.at if stored else datetime.now(UTC),
        "groups": groups,
    }


def trend(
    session: Session,
    actor: Actor,
    *,
    group_by: str,
    period: str | None,
    today: date,
    weeks: int = TREND_WEEKS,
    after: tuple[str, str] | None = None,
    limit: int | None = None,
) -> tuple[dict, dict]:
    """The board of ``period`` and, for each group and indicator, its values over the ``weeks`` ISO weeks ending
    with that one (oldest first). Returns (the period's board, {group id: {indicator id: [point, ...]}}), a
    point being {"week", "value", "status"}, or value None for a week the group had no figure.

    Paged when ``limit`` is given: the board keeps the ``limit`` groups that sort (code, id; as ``board`` sorts
    them) after ``after``, and only their trend is read (a station's 110 grids x 7 indicators x 12 weeks
    took 1.6 s to count and draw). The period's week is ``board`` itself; the earlier weeks the nightly job
    kept are read in one statement, and any other week is one ``board``, counted live."""
    last = period_of(period, today)
    labels = [week_of(last.first_day - timedelta(weeks=n)).label for n in range(weeks - 1, -1, -1)]
    current = board(session, actor, group_by=group_by, period=last.label, today=today)
    groups = [g for g in current["groups"] if after is None or group_order(g) > after]
    current = current | {"groups": groups[:limit] if limit is not None else groups}
    keys = [g["key"]["id"] for g in current["groups"]]
    by_week = {last.label: {g["key"]["id"]: g["figures"] for g in current["groups"]}}
    if keys:
        by_week |= _earlier_weeks(session, actor, group_by=group_by, labels=labels[:-1], keys=keys, today=today)
    series: dict = {key: {i["id"]: [] for i in current["indicators"]} for key in keys}
    for label in labels:
        figures_of = by_week.get(label, {})
        for key, lines in series.items():
            figures = figures_of.get(key, {})
            for indicator, points in lines.items():
                f = figures.get(indicator)
                points.append({"week": label, "value": f["value"] if f else None, "status": f["status"] if f else None})
    return current, series


def group_order(group: dict) -> tuple[str, str]:
    """Where a board's group sorts (``board`` sorts by code, then id): the trend's page cursor."""
    return (group["key"]["code"] or "", str(group["key"]["id"]))


def _earlier_weeks(session: Session, actor: Actor, *, group_by: str, labels: list[str], keys: list, today: date):
    """{week: {group id: figures}} of the groups ``keys`` for the weeks ``labels``: the weeks the nightly job
    kept (under the policy in force) in one statement, the others one live ``board`` each."""
    policy, zone = current_policy(), zone_of(session)
    stored = q.stored_weeks(session, labels, policy.version)
    by_week: dict = {}
    if stored:
        bounds = []
        for label in labels:
            if label in stored:
                when = period_of(label, today)
                bounds.append((label, *days_bounds(when.first_day, when.last_day, zone)))
        params = _params(policy, period_of(labels[-1], today), zone)
        rows = q.stored_figures(
            session,
            group_by=group_by,
            grids=q.grid_ids(session, scoping.grid_condition(actor, Grid.id)),
            keys=keys,
            weeks=bounds,
            weekly_total=params["weekly_total"],
            weekly_residential=params["weekly_residential"],
        )
        figures = _Figures(policy, tuple(rows[0]._fields)) if rows else None
        for row in rows:
            if figures is not None:
                by_week.setdefault(row.week, {})[row.key] = figures.of(row)
    wanted = set(keys)
    for label in labels:
        if label not in stored:
            past = board(session, actor, group_by=group_by, period=label, today=today)
            by_week[label] = {g["key"]["id"]: g["figures"] for g in past["groups"] if g["key"]["id"] in wanted}
    return by_week


def materialise(session: Session, today: date, *, weeks: list[str] | None = None) -> dict[str, int]:
    """Store the house and residence counts of every grid for ``weeks``. By default: the week running today and
    the last complete one (recounted every night: the last complete week's figures become final on its Sunday,
    and late syncs still land in it), and of the ``TREND_WEEKS`` - 1 weeks before those any week not stored
    for every grid under the policy in force (a new installation, a new policy version, a new grid, a night
    the job did not run), so that the board's whole trend is read, never counted live. Safe to re-run: rows
    are replaced."""
    policy, zone = current_policy(), zone_of(session)
    grids = q.grid_ids(session, true())
    if not weeks:
        last = period_of(None, today)
        earlier = [week_of(last.first_day - timedelta(weeks=n)).label for n in range(TREND_WEEKS - 1, 0, -1)]
        kept = q.stored_weeks(session, earlier, policy.version)
        missing = [label for label in earlier if kept.get(label, 0) < len(grids)]
        weeks = [*missing, last.label, period_of(None, today + timedelta(days=7)).label]
    done = {}
    for label in weeks:
        when = period_of(label, today)
        params = _params(policy, when, zone) | {"week": when.label, "version": policy.version}
        done[when.label] = q.materialise(session, grids=grids, **params) if grids else 0
    return done


def default_week_stored(session: Session, today: date) -> bool:
    """Whether the board's default week (the last complete one) has nightly counts under the policy in force.
    Not yet on a new installation, after an upgrade that dropped them, with a new policy version, or when
    the nightly run failed: then ``targets.catch_up`` counts them instead of every board counting live."""
    return q.stored_week(session, period_of(None, today).label, current_policy().version) is not None


def period_view(when: Period) -> dict:
    return {"week": when.label, "first_day": when.first_day, "last_day": when.last_day, "as_of": when.as_of}


def _definition(indicator: Indicator) -> dict:
    return {
        "id": indicator.id,
        "name": indicator.name,
        "description": indicator.description,
        "source": indicator.source,
        "target": {"op": indicator.target.op, "value": indicator.target.value},
    }


class _Figures:
    """Reads each indicator's figure off the counts rows of one answer (``store/queries/targets`` names the
    columns): by column position, and each distinct (numerator, denominator) of an indicator worked out once;
    a district's board has 8,000 figures and few distinct pairs. The figure dicts are shared: never change one."""

    def __init__(self, policy: Policy, columns: tuple[str, ...]):
        at = {name: n for n, name in enumerate(columns)}
        self._readings: list[tuple[str, int, int, Target, dict]] = [
            (i.id, at[_COLUMNS[i.fact][0]], at[_COLUMNS[i.fact][1]], i.target, {}) for i in policy.indicators
        ]

    def of(self, row) -> dict:
        """{indicator id: figure} of one group's row."""
        out = {}
        for indicator, num, den, target, seen in self._readings:
            pair = (row[num], row[den])
            found = seen.get(pair)
            if found is None:
                found = seen[pair] = _figure(*pair, target)
            out[indicator] = found
        return out


def _figure(numerator: int, denominator: int, target: Target) -> dict:
    """One group's figure as plain values (the schema passes them through)."""
    f = figure(numerator, denominator, target)
    return {"value": f.value, "numerator": f.numerator, "denominator": f.denominator, "status": f.status}


def indicator_of(indicator_id: str) -> Indicator:
    indicator = current_policy().indicator(indicator_id)
    if indicator is None:
        raise NotFound(f"No indicator {indicator_id!r} in the targets policy.", code="target.unknown_indicator")
    return indicator


def gaps(
    session: Session,
    actor: Actor,
    indicator_id: str,
    *,
    grid: str | None,
    period: str | None,
    today: date,
    after: uuid.UUID | None = None,
    limit: int = 50,
    export: bool = False,
) -> tuple[Indicator, Period, list[dict]]:
    """What makes one indicator fall short in the actor's area (or one grid of it), in id order;
    ``limit`` + 1 rows for the page's look-ahead (``EXPORT_LIMIT`` + 1 for a download)."""
    require(actor, "target.read")
    indicator = indicator_of(indicator_id)
    policy, zone = current_policy(), zone_of(session)
    when = period_of(period, today)
    condition = scoping.grid_condition(actor, Grid.id)
    if grid is not None:
        found = q.grid_by_code(session, condition, grid)
        if found is None:  # unknown and outside the area answer alike
            raise NotFound("No such grid in your area.", code="target.grid_not_found")
        grids = [found.id]
    else:
        grids = q.grid_ids(session, condition)
    fetch = EXPORT_LIMIT + 1 if export else limit  # a page's limit already holds its look-ahead row
    params = _params(policy, when, zone) | {"grids": grids, "after": after, "limit": fetch}
    subject = indicator.gap_subject
    if subject == "house":
        items = [_house(r) for r in q.house_gaps(session, indicator.fact, **params)]
    elif subject == "residence":
        items = [_residence(r) for r in q.residence_gaps(session, indicator.fact, **params)]
        shown = items[: EXPORT_LIMIT if export else limit - 1]
        if shown:
            audit.record(
                session,
                actor,
                "target.gaps.read",
                subject_type="residence",
                subject_ids=[i["id"] for i in shown],
                fields=["name_masked"],
                details={"indicator": indicator.id, "period": when.label, "export": export},
                person_ids=[i["person_id"] for i in shown],
            )
    elif subject == "worker":
        items = [_worker(r) for r in q.worker_gaps(session, **params)]
    else:
        items = [_grid(r) for r in q.grid_staffing(session, **params)]
    for item in items:
        item.pop("person_id", None)
    return indicator, when, items


def _item(subject: str, row_id, **kw) -> dict:
    base = {"subject_type": subject, "id": row_id, "grid": None, "address": None, "house_id": None}
    base.update(person_name=None, worker=None, details={})
    return base | kw


def _house(r) -> dict:
    return _item(
        "house",
        r.id,
        grid={"id": r.grid_id, "code": r.grid_code},
        address=r.address,
        house_id=r.id,
        details={
            "use": r.use,
            "last_visit_at": r.last_visit_at.isoformat() if r.last_visit_at else None,
            "missing": gap_rules.missing_rental_fields(
                has_landlord=r.has_landlord, rental_mode=r.rental_mode, rooms=r.rooms
            ),
            "agreement_signed_on": r.agreement_signed_on.isoformat() if r.agreement_signed_on else None,
        },
    )


def _residence(r) -> dict:
    return _item(
        "residence",
        r.id,
        grid={"id": r.grid_id, "code": r.grid_code},
        address=r.address,
        house_id=r.house_id,
        person_name=gap_rules.mask_name(r.person_name),
        person_id=r.person_id,
        details={
            "category": r.category,
            "source": r.source,
            "verification": r.verification,
            "arrived_on": r.arrived_on.isoformat(),
            "reported_on": r.reported_on.isoformat(),
            "days_to_report": (r.reported_on - r.arrived_on).days,
        },
    )


def _worker(r) -> dict:
    return _item(
        "worker",
        r.id,
        worker={"username": r.username, "display_name": r.display_name},
        details={"grids": list(r.grid_codes or []), "visits": r.total, "residential_visits": r.residential},
    )


def _grid(r) -> dict:
    return _item(
        "grid",
        r.id,
        grid={"id": r.id, "code": r.code},
        details={"floating": r.floating, "workers": r.workers},
    )
