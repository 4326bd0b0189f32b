"""Field-work targets: numerators and denominators per grid, community, station or worker, and the gaps.

One statement per request: the grids in scope (``:grids``) are mapped to the group they count for (``_GROUPS``),
facts are counted per grid in one pass over houses, one over residences and one over the workers' visits of the
week, and then summed per group. A worker's group is the grids they are assigned to; their workload is their own.
Every moment is compared with the UTC bounds of local days computed by the caller (index-friendly ranges on
``visits.visited_at``); only ``residences.reported_at`` is turned into a local day, in SQL, with ``:zone``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Uuid, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from server.store.models import Grid

# ``JOIN unnest(:grids)``, not ``= ANY(:grids)``: an array parameter is searched element by element for every row
# (a district's 1,200 grids against 1,200 grids: 20 ms), a join hashes it once.
_IN_SCOPE = "JOIN unnest(CAST(:grids AS uuid[])) AS scope(id) ON scope.id = g.id"
_GROUPS = {
    "grid": f"SELECT g.id AS grid_id, g.id AS key FROM grids g {_IN_SCOPE}",
    "community": f"SELECT g.id AS grid_id, g.community_id AS key FROM grids g {_IN_SCOPE} "
    "WHERE g.community_id IS NOT NULL",
    "station": f"SELECT g.id AS grid_id, g.station_id AS key FROM grids g {_IN_SCOPE} WHERE g.station_id IS NOT NULL",
    "worker": "SELECT ag.grid_id, ag.account_id AS key FROM account_grids ag JOIN accounts a ON a.id = ag.account_id "
    "JOIN unnest(CAST(:grids AS uuid[])) AS scope(id) ON scope.id = ag.grid_id "
    "WHERE a.role = 'grid_worker' AND a.disabled_at IS NULL",
}
# A visit that counts: field work (not a landlord's self-check) where someone was seen or the house found empty.
_COUNTS = "v.kind IN ('visit', 'inspection') AND (v.outcome IS NULL OR v.outcome NOT IN ('not_home', 'refused'))"
_LET = "h.use IN ('rented', 'mixed')"
_COMPLETE = "(h.landlord_person_id IS NOT NULL OR h.landlord_account_id IS NOT NULL) AND h.rental_mode IS NOT NULL \
AND h.rooms IS NOT NULL"
_REPORT_DAY = "(r.reported_at AT TIME ZONE :zone)::date"
_VERIFIED = f"""r.verification = 'confirmed' AND EXISTS (
    SELECT 1 FROM visits v WHERE v.house_id = r.house_id AND {_COUNTS}
      AND v.visited_at >= ({_REPORT_DAY})::timestamp AT TIME ZONE :zone
      AND v.visited_at < ({_REPORT_DAY} + :within_days + 1)::timestamp AT TIME ZONE :zone)"""
_ARRIVED = "r.category = 'floating' AND r.arrived_on BETWEEN :first_day AND :as_of"
_ON_TIME = f"{_REPORT_DAY} <= r.arrived_on + :deadline_days"
_DUE_REPORT = f"r.source = 'landlord' AND {_REPORT_DAY} BETWEEN :report_first AND :report_last"
_LIVING = "r.category = 'floating' AND r.arrived_on <= :as_of AND (r.left_on IS NULL OR r.left_on > :as_of)"
_VISITED = f"""EXISTS (SELECT 1 FROM visits v WHERE v.house_id = h.id AND {_COUNTS}
    AND v.visited_at >= :coverage_from AND v.visited_at < :as_of_end)"""

COUNT_COLUMNS = (
    "houses",
    "visited",
    "let",
    "complete",
    "signed",
    "arrived",
    "on_time",
    "reported",
    "verified",
    "floating",
)
# The house and residence counts per grid, counted now (``_LIVE``) or read from the nightly table (``_STORED``).
_LIVE = f"""
hv AS (
    SELECT h.grid_id,
           count(*) FILTER (WHERE h.use <> 'vacant') AS houses,
           count(*) FILTER (WHERE h.use <> 'vacant' AND {_VISITED}) AS visited,
           count(*) FILTER (WHERE {_LET}) AS let,
           count(*) FILTER (WHERE {_LET} AND {_COMPLETE}) AS complete,
           count(*) FILTER (WHERE {_LET} AND h.agreement_signed_on <= :as_of) AS signed
    FROM houses h WHERE h.grid_id = ANY(:grids) GROUP BY h.grid_id
),
rv AS (
    SELECT h.grid_id,
           count(*) FILTER (WHERE {_ARRIVED}) AS arrived,
           count(*) FILTER (WHERE {_ARRIVED} AND {_ON_TIME}) AS on_time,
           count(*) FILTER (WHERE {_DUE_REPORT}) AS reported,
           count(*) FILTER (WHERE {_DUE_REPORT} AND {_VERIFIED}) AS verified,
           count(*) FILTER (WHERE {_LIVING}) AS floating
    FROM residences r JOIN houses h ON h.id = r.house_id
    WHERE h.grid_id = ANY(:grids) AND r.verification <> 'rejected'
      AND (r.left_on IS NULL OR r.left_on >= :report_first OR r.arrived_on >= :report_first
           OR r.reported_at >= :report_from)
    GROUP BY h.grid_id
),
c AS (
    SELECT coalesce(hv.grid_id, rv.grid_id) AS grid_id,
           {", ".join(f"coalesce({n}, 0) AS {n}" for n in COUNT_COLUMNS)}
    FROM hv FULL JOIN rv ON rv.grid_id = hv.grid_id
)"""
_STORED = f"""
c AS (SELECT grid_id, {", ".join(COUNT_COLUMNS)} FROM target_counts WHERE week = :week)"""

_FIGURES = f"""
WITH grp AS ({{groups}}),
{{counts}},
workers AS ({{workers}}),
wk AS ({{workload}}),
w AS (
    SELECT workers.key, count(*) AS workers,
           count(*) FILTER (WHERE coalesce(wk.total, 0) >= :weekly_total
                            AND coalesce(wk.residential, 0) >= :weekly_residential) AS at_workload
    FROM workers LEFT JOIN wk ON wk.account_id = workers.account_id GROUP BY workers.key
),
f AS (
    SELECT grp.key, {", ".join(f"sum(coalesce(c.{n}, 0)) AS {n}" for n in COUNT_COLUMNS)}
    FROM grp LEFT JOIN c ON c.grid_id = grp.grid_id
    GROUP BY grp.key
)
SELECT f.key, n.code, n.name, {", ".join(f"f.{n}::int" for n in COUNT_COLUMNS)},
       coalesce(w.workers, 0)::int AS workers, coalesce(w.at_workload, 0)::int AS at_workload
FROM f LEFT JOIN w ON w.key = f.key LEFT JOIN ({{names}}) n ON n.id = f.key
"""
# Which workers each group has: a worker group is its worker (``_GROUPS`` already keeps only active grid workers);
# an area's are those assigned to its grids. (One statement with ``:group_by = 'worker' OR ...`` made the planner
# expect one worker in all, and join them row by row: 80 ms at 1,200 workers.)
_WORKERS_OF_GROUP = """
    SELECT DISTINCT grp.key, ag.account_id FROM grp
    JOIN account_grids ag ON ag.grid_id = grp.grid_id
    JOIN accounts a ON a.id = ag.account_id AND a.role = 'grid_worker' AND a.disabled_at IS NULL"""
_WORKERS = {"worker": "SELECT DISTINCT key, key AS account_id FROM grp"}
# Each worker's visits of the week: counted now, or as the nightly job kept them (``target_worker_counts``).
_WEEK_VISITS = f"""
    SELECT v.account_id, count(*) AS total, count(*) FILTER (WHERE v.subject_type = 'house') AS residential
    FROM visits v
    WHERE {{workers}} AND {_COUNTS} AND v.visited_at >= :week_from AND v.visited_at < :week_to
    GROUP BY v.account_id"""
_WORKLOAD_LIVE = _WEEK_VISITS.format(workers="v.account_id IN (SELECT account_id FROM workers)")
_WORKLOAD_STORED = "SELECT account_id, total, residential FROM target_worker_counts WHERE week = :week"
# What a group is called: a grid's, community's or station's code and name, a worker's username and name.
_NAMES = {
    "grid": "SELECT id, code, name FROM grids",
    "community": "SELECT id, code, name FROM divisions",
    "station": "SELECT id, code, name FROM stations",
    "worker": "SELECT id, username AS code, display_name AS name FROM accounts",
}
# The trend's earlier weeks when the nightly job kept them: _FIGURES for many weeks at once (``:weeks`` with the UTC
# bounds of each, ``:week_froms`` and ``:week_tos``) and only the groups ``:keys`` (the page shown).
_STORED_WEEKS = f"""
WITH grp AS (SELECT * FROM ({{groups}}) grp0 WHERE grp0.key = ANY(CAST(:keys AS uuid[]))),
weeks AS (
    SELECT * FROM unnest(CAST(:weeks AS text[]), CAST(:week_froms AS timestamptz[]), CAST(:week_tos AS timestamptz[]))
        AS x(week, week_from, week_to)
),
c AS (SELECT grid_id, week, {", ".join(COUNT_COLUMNS)} FROM target_counts WHERE week = ANY(CAST(:weeks AS text[]))),
workers AS ({{workers}}),
wk AS (SELECT week, account_id, total, residential FROM target_worker_counts WHERE week = ANY(CAST(:weeks AS text[]))),
w AS (
    SELECT weeks.week, workers.key, count(*) AS workers,
           count(*) FILTER (WHERE coalesce(wk.total, 0) >= :weekly_total
                            AND coalesce(wk.residential, 0) >= :weekly_residential) AS at_workload
    FROM weeks CROSS JOIN workers LEFT JOIN wk ON wk.week = weeks.week AND wk.account_id = workers.account_id
    GROUP BY weeks.week, workers.key
),
f AS (
    SELECT weeks.week, grp.key, {", ".join(f"sum(coalesce(c.{n}, 0)) AS {n}" for n in COUNT_COLUMNS)}
    FROM weeks CROSS JOIN grp LEFT JOIN c ON c.grid_id = grp.grid_id AND c.week = weeks.week
    GROUP BY weeks.week, grp.key
)
SELECT f.week, f.key, {", ".join(f"f.{n}::int" for n in COUNT_COLUMNS)},
       coalesce(w.workers, 0)::int AS workers, coalesce(w.at_workload, 0)::int AS at_workload
FROM f LEFT JOIN w ON w.key = f.key AND w.week = f.week
"""
_MATERIALISE = f"""
WITH {_LIVE.strip()}
INSERT INTO target_counts (grid_id, week, as_of, policy_version, computed_at, {", ".join(COUNT_COLUMNS)})
SELECT g.id, :week, :as_of, :version, now(), {", ".join(f"coalesce(c.{n}, 0)" for n in COUNT_COLUMNS)}
FROM grids g LEFT JOIN c ON c.grid_id = g.id WHERE g.id = ANY(:grids)
ON CONFLICT (grid_id, week) DO UPDATE SET
    as_of = excluded.as_of, policy_version = excluded.policy_version, computed_at = excluded.computed_at,
    {", ".join(f"{n} = excluded.{n}" for n in COUNT_COLUMNS)}
"""
_MATERIALISE_WORKERS = f"""
WITH wk AS ({_WEEK_VISITS.format(workers="true")})
INSERT INTO target_worker_counts (account_id, week, policy_version, computed_at, total, residential)
SELECT a.id, :week, :version, now(), coalesce(wk.total, 0), coalesce(wk.residential, 0)
FROM accounts a LEFT JOIN wk ON wk.account_id = a.id WHERE a.role = 'grid_worker'
ON CONFLICT (account_id, week) DO UPDATE SET
    policy_version = excluded.policy_version, computed_at = excluded.computed_at,
    total = excluded.total, residential = excluded.residential
"""

_GRIDS = bindparam("grids", type_=ARRAY(Uuid()))


def figures(
    session: Session,
    *,
    group_by: str,
    grids: list[uuid.UUID],
    stored: bool = False,
    **params,
) -> list:
    """One row per group: key, code, name and the counts every indicator is made of (see the column names);
    with ``stored`` the house and residence counts come from the nightly ``target_counts`` of ``:week`` and the
    workers' visits from ``target_worker_counts`` (the job writes both in one transaction), else both are counted now.

    JIT compilation is off for this statement's transaction: the planner's estimate for the correlated
    EXISTS probes is high enough to trigger it, and compiling took 2.4 s for a query that runs in 0.2 s
    (measured with bench/targets.py at 20,000 households)."""
    session.execute(text("SET LOCAL jit = off"))
    sql = _FIGURES.format(
        groups=_GROUPS[group_by],
        counts=(_STORED if stored else _LIVE).strip(),
        workers=_WORKERS.get(group_by, _WORKERS_OF_GROUP),
        workload=_WORKLOAD_STORED if stored else _WORKLOAD_LIVE,
        names=_NAMES[group_by],
    )
    return list(session.execute(text(sql).bindparams(_GRIDS), {"grids": grids, "group_by": group_by, **params}))


def stored_figures(
    session: Session, *, group_by: str, grids: list[uuid.UUID], keys: list, weeks: list[tuple], **params
) -> list:
    """``figures`` with ``stored`` for several weeks in one statement, for the groups ``keys`` only: one row per
    week and group (``week``, ``key`` and the same counts). ``weeks`` are (label, UTC start, UTC end) of each
    week (the workers' visits are those the nightly job kept, ``target_worker_counts``); the workload thresholds
    (``:weekly_total``, ``:weekly_residential``) are the policy's, the same every week."""
    session.execute(text("SET LOCAL jit = off"))
    sql = _STORED_WEEKS.format(groups=_GROUPS[group_by], workers=_WORKERS.get(group_by, _WORKERS_OF_GROUP))
    stmt = text(sql).bindparams(_GRIDS)
    labels, froms, tos = (list(column) for column in zip(*weeks, strict=True)) if weeks else ([], [], [])
    values = {"grids": grids, "keys": keys, "group_by": group_by, "weeks": labels, "week_froms": froms}
    return list(session.execute(stmt, values | {"week_tos": tos, **params}))


def stored_weeks(session: Session, weeks: list[str], version: str) -> dict[str, int]:
    """{week: how many grids have nightly counts of it under policy ``version``}, for those of ``weeks`` with any."""
    rows = session.execute(
        text(
            "SELECT week, count(*) AS grids FROM target_counts "
            "WHERE week = ANY(CAST(:weeks AS text[])) AND policy_version = :version GROUP BY week"
        ),
        {"weeks": weeks, "version": version},
    )
    return {r.week: r.grids for r in rows}


def materialise(session: Session, *, grids: list[uuid.UUID], **params) -> int:
    """Count the house and residence facts of every grid in ``grids`` for ``:week`` into ``target_counts``,
    and every grid worker's visits of the week into ``target_worker_counts``."""
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text(_MATERIALISE).bindparams(_GRIDS), {"grids": grids, **params})
    session.execute(text(_MATERIALISE_WORKERS), params)
    return len(grids)


def stored_week(session: Session, week: str, version: str):
    """(oldest computed_at, as_of) of the nightly counts of ``week`` under policy ``version``, or None."""
    row = session.execute(
        text(
            "SELECT min(computed_at) AS at, min(as_of) AS as_of FROM target_counts "
            "WHERE week = :week AND policy_version = :version"
        ),
        {"week": week, "version": version},
    ).one()
    return row if row.at is not None else None


def grid_ids(session: Session, condition) -> list[uuid.UUID]:
    """The grids a scope condition (``scoping.grid_condition``) lets through."""
    return list(session.scalars(select(Grid.id).where(condition)))


def grid_by_code(session: Session, condition, code: str) -> Grid | None:
    return session.scalars(select(Grid).where(condition, Grid.code == code)).first()


# -- gaps: what makes an indicator fall short, in id order (keyset pages) --------------------------------------

_HOUSE_GAP = """
SELECT h.id, h.grid_id, g.code AS grid_code, a.full_text AS address, h.use, h.rental_mode, h.rooms,
       (h.landlord_person_id IS NOT NULL OR h.landlord_account_id IS NOT NULL) AS has_landlord,
       h.agreement_signed_on,
       (SELECT max(v.visited_at) FROM visits v WHERE v.house_id = h.id AND {counts}) AS last_visit_at
FROM houses h JOIN grids g ON g.id = h.grid_id JOIN addresses a ON a.id = h.address_id
WHERE h.grid_id = ANY(:grids) AND ({where}) AND (CAST(:after AS uuid) IS NULL OR h.id > :after)
ORDER BY h.id LIMIT :limit
"""
_HOUSE_WHERE = {
    "houses_visited": f"h.use <> 'vacant' AND NOT {_VISITED}",
    "rental_info_complete": f"{_LET} AND NOT ({_COMPLETE})",
    "agreements_signed": f"{_LET} AND (h.agreement_signed_on IS NULL OR h.agreement_signed_on > :as_of)",
}
_RESIDENCE_GAP = f"""
SELECT r.id, r.person_id, r.house_id, h.grid_id, g.code AS grid_code, a.full_text AS address, p.name AS person_name,
       r.category, r.source, r.verification, r.arrived_on, r.reported_at, {_REPORT_DAY} AS reported_on
FROM residences r JOIN houses h ON h.id = r.house_id JOIN grids g ON g.id = h.grid_id
JOIN addresses a ON a.id = h.address_id JOIN persons p ON p.id = r.person_id
WHERE h.grid_id = ANY(:grids) AND r.verification <> 'rejected' AND ({{where}})
  AND (CAST(:after AS uuid) IS NULL OR r.id > :after)
ORDER BY r.id LIMIT :limit
"""
_RESIDENCE_WHERE = {
    "floating_registered_on_time": f"{_ARRIVED} AND NOT ({_ON_TIME})",
    "landlord_reports_verified": f"{_DUE_REPORT} AND NOT ({_VERIFIED})",
}
_WORKER_GAP = f"""
SELECT a.id, a.username, a.display_name,
       (SELECT array_agg(g.code ORDER BY g.code) FROM account_grids x JOIN grids g ON g.id = x.grid_id
        WHERE x.account_id = a.id AND x.grid_id = ANY(:grids)) AS grid_codes,
       coalesce(wk.total, 0) AS total, coalesce(wk.residential, 0) AS residential
FROM accounts a
LEFT JOIN LATERAL (
    SELECT count(*) AS total, count(*) FILTER (WHERE v.subject_type = 'house') AS residential FROM visits v
    WHERE v.account_id = a.id AND {_COUNTS} AND v.visited_at >= :week_from AND v.visited_at < :week_to
) wk ON true
WHERE a.role = 'grid_worker' AND a.disabled_at IS NULL
  AND a.id IN (SELECT account_id FROM account_grids WHERE grid_id = ANY(:grids))
  AND (coalesce(wk.total, 0) < :weekly_total OR coalesce(wk.residential, 0) < :weekly_residential)
  AND (CAST(:after AS uuid) IS NULL OR a.id > :after)
ORDER BY a.id LIMIT :limit
"""
_GRID_GAP = f"""
SELECT * FROM (SELECT g.id, g.code, g.name,
       (SELECT count(*) FROM residences r JOIN houses h ON h.id = r.house_id
        WHERE h.grid_id = g.id AND r.verification <> 'rejected' AND {_LIVING}) AS floating,
       (SELECT count(*) FROM account_grids ag JOIN accounts a ON a.id = ag.account_id
        WHERE ag.grid_id = g.id AND a.role = 'grid_worker' AND a.disabled_at IS NULL) AS workers
FROM grids g WHERE g.id = ANY(:grids) AND (CAST(:after AS uuid) IS NULL OR g.id > :after)) s
WHERE s.floating > :max_ratio * s.workers
ORDER BY s.id LIMIT :limit
"""


def _run(session: Session, sql: str, params: dict) -> list:
    stmt = text(sql).bindparams(_GRIDS, bindparam("after", type_=Uuid()))
    return list(session.execute(stmt, params))


def house_gaps(session: Session, fact: str, **params) -> list:
    return _run(session, _HOUSE_GAP.format(counts=_COUNTS, where=_HOUSE_WHERE[fact]), params)


def residence_gaps(session: Session, fact: str, **params) -> list:
    return _run(session, _RESIDENCE_GAP.format(where=_RESIDENCE_WHERE[fact]), params)


def worker_gaps(session: Session, **params) -> list:
    return _run(session, _WORKER_GAP, params)


def grid_staffing(session: Session, **params) -> list:
    """The grids in scope with more floating residents than ``max_ratio`` per worker (or any and no worker)."""
    return _run(session, _GRID_GAP, params)
