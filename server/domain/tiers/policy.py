"""A tier policy: one versioned file of rules, hazard severities and schedules.

``load_policy(data)`` turns the plain data of one file (read by
``server/policies/tiers.py``; the domain reads no files) into a ``Policy`` or
raises ``PolicyError`` listing every problem.

Conditions are data, never code: a leaf is ``{fact, op, value}`` and ``all`` /
``any`` combine leaves. Facts come from a closed vocabulary (``HOUSE_FACTS``,
``UNIT_FACTS``): verifiable facts about the dwelling or premises, its reporting
record and its inspections. A rule naming anything else is refused; one naming
a personal trait of the occupants (ethnicity, religion, origin, hukou,
employment, sex, age, ...) is refused with ``policy.personal_trait``, because
tier rules must never use them (DOMAIN.md, project rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# fact -> (type, allowed values or None). Types: bool, int, number, text.
HOUSE_FACTS: dict[str, tuple[str, tuple | None]] = {
    "use": ("text", ("self_occupied", "rented", "vacant", "business", "mixed")),
    "rental_mode": ("text", ("whole", "shared", "by_bed")),
    "rooms": ("int", None),
    "residents": ("int", None),  # open residences, rejected reports excluded
    "residents_per_room": ("number", None),
    "turnover": ("int", None),  # arrivals + departures within windows.turnover_days
    "late_reports": ("int", None),  # arrival_late + departure_late within windows.reporting_days
    "missed_arrivals": ("int", None),  # within windows.reporting_days
    "missed_departures": ("int", None),
    "on_time_reports": ("int", None),
    "serious_hazards": ("int", None),  # open hazards found at the last inspection, by severity
    "minor_hazards": ("int", None),
    "hazard_days_open": ("int", None),  # days since hazards were first found in the current run
    "agreement_signed": ("bool", None),
    "days_rented": ("int", None),  # days since rented_since (None: not known)
    "clean_inspections": ("int", None),  # consecutive clean inspections, most recent first
    "inspected": ("bool", None),  # has ever been inspected
    "days_since_inspection": ("int", None),
}
UNIT_FACTS: dict[str, tuple[str, tuple | None]] = {
    "unit_kind": ("text", ("company", "shop", "site", "hotel", "school", "hospital", "other")),
    "serious_hazards": ("int", None),
    "minor_hazards": ("int", None),
    "hazard_days_open": ("int", None),
    "clean_inspections": ("int", None),
    "inspected": ("bool", None),
    "days_since_inspection": ("int", None),
}

# Words that name personal traits of people. A fact whose name contains one of
# these tokens is refused with a specific error, whatever else it says.
PERSONAL_TRAITS = (
    "ethnic",
    "ethnicity",
    "nation",
    "nationality",
    "minority",
    "race",
    "religion",
    "religious",
    "faith",
    "origin",
    "hometown",
    "birthplace",
    "hukou",
    "province",
    "huji",
    "registration_place",
    "category",
    "floating",
    "foreign",
    "foreigner",
    "migrant",
    "employment",
    "employed",
    "unemployed",
    "job",
    "occupation",
    "income",
    "sex",
    "gender",
    "age",
    "birth",
    "born",
    "name",
    "surname",
    "document",
    "citizen",
    "marital",
    "education",
    "disability",
    "health",
    "political",
    "party",
)
HAZARD_SEVERITIES = ("serious", "minor")
OPS = ("=", "!=", "<", "<=", ">", ">=", "in", "not_in")
ROLES = ("police", "committee", "grid_worker", "landlord")
VISIT_KINDS = ("visit", "inspection", "self_check")
SUBJECTS = ("house", "unit")
_VERSION_RE = re.compile(r"^\d+(\.\d+)*$")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class PolicyError(ValueError):
    """The policy cannot be used; ``problems`` lists why (one line each), ``code`` the first kind."""

    def __init__(self, problems: list[str], code: str = "policy.invalid"):
        self.problems = list(problems)
        self.code = code
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Leaf:
    fact: str
    op: str
    value: object


@dataclass(frozen=True)
class Group:
    mode: str  # all | any
    items: tuple  # of Leaf | Group


@dataclass(frozen=True)
class Rule:
    id: str
    tier: str
    description: dict[str, str]
    when: Leaf | Group


@dataclass(frozen=True)
class Obligation:
    role: str
    every_days: int
    kinds: tuple[str, ...]  # visit kinds that satisfy it


@dataclass(frozen=True)
class SubjectPolicy:
    subject: str  # house | unit
    tiers: tuple[str, ...]  # strictest first: this is also the precedence
    fallback: str  # the tier of a subject no rule matches
    rules: tuple[Rule, ...]
    sticky_tier: str | None  # hysteresis: leaving it needs clean inspections
    clean_inspections_to_leave: int
    schedules: dict[str, tuple[Obligation, ...]]

    def rank(self, tier: str) -> int:
        return self.tiers.index(tier)


@dataclass(frozen=True)
class Policy:
    version: str
    hazards: dict[str, str]  # hazard -> serious | minor
    windows: dict[str, int] = field(default_factory=dict)  # turnover_days, reporting_days
    house: SubjectPolicy | None = None
    unit: SubjectPolicy | None = None

    def for_subject(self, subject: str) -> SubjectPolicy:
        return self.house if subject == "house" else self.unit


WINDOWS = {"turnover_days": 90, "reporting_days": 180}


def trait_in(name: str) -> str | None:
    """The personal-trait word in a fact name, if any ('hukou_province' -> 'hukou')."""
    tokens = [t for t in re.split(r"[^a-z0-9]+", str(name).lower()) if t]
    joined = "_".join(tokens)
    for word in PERSONAL_TRAITS:
        if word in tokens or ("_" in word and word in joined):
            return word
    for token in tokens:  # ethnic_group, religions, employers...
        if any(token.startswith(w) for w in ("ethnic", "relig", "employ", "hukou", "nationalit", "gender")):
            return token
    return None


def load_policy(data: dict, *, known_hazards: tuple[str, ...]) -> Policy:
    """Check a policy file's data and build the Policy (PolicyError lists all problems)."""
    problems: list[str] = []
    traits: list[str] = []
    if not isinstance(data, dict):
        raise PolicyError(["the policy must be a mapping"])
    _keys(data, {"version", "description", "hazards", "windows", "house", "unit"}, "policy", problems)
    version = data.get("version")
    if not isinstance(version, str) or not _VERSION_RE.match(version):
        problems.append('version: a quoted version such as "2026.1"')
    hazards = data.get("hazards") or {}
    if not isinstance(hazards, dict):
        problems.append("hazards: a mapping hazard -> serious | minor")
        hazards = {}
    for name, severity in hazards.items():
        if name not in known_hazards:
            problems.append(f"hazards.{name}: not a hazard the forms record ({', '.join(known_hazards)})")
        if severity not in HAZARD_SEVERITIES:
            problems.append(f"hazards.{name}: severity must be serious or minor")
    for name in known_hazards:
        if name not in hazards:
            problems.append(f"hazards.{name}: give its severity (serious or minor)")
    windows = dict(WINDOWS)
    raw_windows = data.get("windows") or {}
    if not isinstance(raw_windows, dict):
        problems.append("windows: a mapping")
        raw_windows = {}
    for key, value in raw_windows.items():
        if key not in WINDOWS:
            problems.append(f"windows.{key}: unknown (known: {', '.join(WINDOWS)})")
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
            problems.append(f"windows.{key}: whole days, 1 to 3650")
        else:
            windows[key] = value
    subjects = {}
    for subject, facts in (("house", HOUSE_FACTS), ("unit", UNIT_FACTS)):
        if subject not in data:
            problems.append(f"{subject}: missing")
            continue
        subjects[subject] = _subject(subject, data[subject], facts, problems, traits)
    if traits:
        raise PolicyError(traits + problems, code="policy.personal_trait")
    if problems:
        raise PolicyError(problems)
    return Policy(version=version, hazards=dict(hazards), windows=windows, **subjects)


def _keys(obj: dict, allowed: set, where: str, problems: list[str], required: set = frozenset()) -> None:
    for key in obj:
        if key not in allowed:
            problems.append(f"{where}.{key}: unknown key")
    for key in required:
        if key not in obj:
            problems.append(f"{where}.{key}: required")


def _subject(subject: str, data, facts: dict, problems: list[str], traits: list[str]) -> SubjectPolicy | None:
    where = subject
    if not isinstance(data, dict):
        problems.append(f"{where}: a mapping")
        return None
    _keys(
        data,
        {"tiers", "fallback", "rules", "hysteresis", "schedules"},
        where,
        problems,
        {"tiers", "fallback", "rules", "schedules"},
    )
    tiers = data.get("tiers") or []
    if (
        not isinstance(tiers, list)
        or len(tiers) < 2
        or len(set(tiers)) != len(tiers)
        or not all(isinstance(t, str) and _ID_RE.match(t) for t in tiers)
    ):
        problems.append(f"{where}.tiers: two or more distinct tier names, strictest first")
        tiers = []
    if "none" in tiers:
        problems.append(f"{where}.tiers: 'none' is reserved for houses that are not let")
    fallback = data.get("fallback")
    if fallback not in tiers:
        problems.append(f"{where}.fallback: one of the tiers")
    rules, seen = [], set()
    for i, raw in enumerate(data.get("rules") or []):
        rule = _rule(f"{where}.rules[{i}]", raw, tiers, facts, problems, traits)
        if rule is not None:
            if rule.id in seen:
                problems.append(f"{where}.rules[{i}].id: '{rule.id}' is used twice")
            seen.add(rule.id)
            rules.append(rule)
    sticky, clean = None, 0
    hysteresis = data.get("hysteresis")
    if hysteresis is not None:
        if not isinstance(hysteresis, dict):
            problems.append(f"{where}.hysteresis: a mapping")
        else:
            _keys(
                hysteresis,
                {"tier", "clean_inspections"},
                f"{where}.hysteresis",
                problems,
                {"tier", "clean_inspections"},
            )
            sticky, clean = hysteresis.get("tier"), hysteresis.get("clean_inspections")
            if sticky not in tiers:
                problems.append(f"{where}.hysteresis.tier: one of the tiers")
            if not isinstance(clean, int) or isinstance(clean, bool) or not 0 <= clean <= 20:
                problems.append(f"{where}.hysteresis.clean_inspections: 0 to 20")
                clean = 0
    schedules: dict[str, tuple[Obligation, ...]] = {}
    raw_schedules = data.get("schedules") or {}
    if not isinstance(raw_schedules, dict):
        problems.append(f"{where}.schedules: a mapping tier -> obligations")
        raw_schedules = {}
    for tier in tiers:
        if tier not in raw_schedules:
            problems.append(f"{where}.schedules.{tier}: missing (an empty list means no inspections)")
    for tier, items in raw_schedules.items():
        if tier not in tiers:
            problems.append(f"{where}.schedules.{tier}: not a tier")
            continue
        obligations = []
        for j, item in enumerate(items or []):
            at = f"{where}.schedules.{tier}[{j}]"
            if not isinstance(item, dict):
                problems.append(f"{at}: a mapping with role, every_days, kinds")
                continue
            _keys(item, {"role", "every_days", "kinds"}, at, problems, {"role", "every_days", "kinds"})
            role, every, kinds = item.get("role"), item.get("every_days"), item.get("kinds") or []
            if role not in ROLES:
                problems.append(f"{at}.role: one of {', '.join(ROLES)}")
            if not isinstance(every, int) or isinstance(every, bool) or not 1 <= every <= 366:
                problems.append(f"{at}.every_days: 1 to 366")
            if not kinds or not isinstance(kinds, list) or any(k not in VISIT_KINDS for k in kinds):
                problems.append(f"{at}.kinds: visit kinds from {', '.join(VISIT_KINDS)}")
                kinds = []
            if role in [o.role for o in obligations]:
                problems.append(f"{at}.role: one obligation per role and tier")
            obligations.append(Obligation(role, every if isinstance(every, int) else 0, tuple(kinds)))
        schedules[tier] = tuple(obligations)
    return SubjectPolicy(
        subject=subject,
        tiers=tuple(tiers),
        fallback=fallback,
        rules=tuple(rules),
        sticky_tier=sticky,
        clean_inspections_to_leave=clean,
        schedules=schedules,
    )


def _rule(where: str, raw, tiers, facts: dict, problems: list[str], traits: list[str]) -> Rule | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: a mapping with id, tier, description, when")
        return None
    _keys(raw, {"id", "tier", "description", "when"}, where, problems, {"id", "tier", "description", "when"})
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID_RE.match(rule_id):
        problems.append(f"{where}.id: lower-case letters, digits and _")
    if raw.get("tier") not in tiers:
        problems.append(f"{where}.tier: one of {', '.join(tiers)}")
    description = raw.get("description")
    if (
        not isinstance(description, dict)
        or set(description) != {"zh", "en"}
        or not all(isinstance(v, str) and v.strip() for v in description.values())
    ):
        problems.append(f"{where}.description: zh and en text")
        description = {}
    when = _condition(f"{where}.when", raw.get("when"), facts, problems, traits, rule_id)
    if when is None:
        return None
    return Rule(id=str(rule_id), tier=raw.get("tier"), description=dict(description), when=when)


def _condition(where: str, raw, facts: dict, problems: list[str], traits: list[str], rule_id):
    if not isinstance(raw, dict):
        problems.append(f"{where}: a condition {{fact, op, value}} or {{all: [...]}} / {{any: [...]}}")
        return None
    if "all" in raw or "any" in raw:
        if len(raw) != 1:
            problems.append(f"{where}: all or any, alone")
            return None
        mode = next(iter(raw))
        items = raw[mode]
        if not isinstance(items, list) or not items:
            problems.append(f"{where}.{mode}: a non-empty list of conditions")
            return None
        parts = [
            _condition(f"{where}.{mode}[{i}]", item, facts, problems, traits, rule_id) for i, item in enumerate(items)
        ]
        return Group(mode, tuple(parts)) if all(p is not None for p in parts) else None
    _keys(raw, {"fact", "op", "value"}, where, problems, {"fact", "op", "value"})
    fact, op, value = raw.get("fact"), raw.get("op"), raw.get("value")
    if fact not in facts:
        word = trait_in(fact) if isinstance(fact, str) else None
        if word is not None:
            traits.append(
                f"{where}.fact: rule '{rule_id}' uses '{fact}', a personal trait ({word}) of the "
                "occupants; tier rules may only use facts about the dwelling, its reporting record "
                "and its inspections"
            )
        else:
            problems.append(f"{where}.fact: unknown fact '{fact}' (known: {', '.join(facts)})")
        return None
    if op not in OPS:
        problems.append(f"{where}.op: one of {', '.join(OPS)}")
        return None
    kind, allowed = facts[fact]
    values = value if op in ("in", "not_in") else [value]
    if op in ("in", "not_in") and (not isinstance(value, list) or not value):
        problems.append(f"{where}.value: a non-empty list for '{op}'")
        return None
    if kind in ("bool", "text") and op in ("<", "<=", ">", ">="):
        problems.append(f"{where}.op: '{op}' does not apply to {kind} fact '{fact}'")
    for v in values:
        if not _fits(kind, v):
            problems.append(f"{where}.value: {v!r} is not a {kind} value for '{fact}'")
        elif allowed is not None and v not in allowed:
            problems.append(f"{where}.value: {v!r} is not one of {', '.join(allowed)}")
    return Leaf(fact, op, tuple(value) if isinstance(value, list) else value)


def _fits(kind: str, value) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)
