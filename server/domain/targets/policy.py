"""A targets policy: one versioned file of indicators (``field_schema/policies/targets/<version>.yaml``).

``load_policy(data)`` checks the plain data of one file (read by ``server/policies/targets.py``) and builds a
``Policy``, or raises ``PolicyError`` listing every problem. Each indicator names a ``fact`` from the closed
vocabulary ``FACTS``: a numerator over a denominator the store can count, with the parameters it takes. A file
cannot define a new kind of count, only choose among these, set their parameters, names and thresholds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.domain.tiers.policy import PolicyError

# fact -> (what the numerator and denominator count, the parameters it takes with their bounds)
FACTS: dict[str, tuple[str, dict[str, tuple[int, int]]]] = {
    "houses_visited": ("houses visited in window_days / houses not vacant", {"window_days": (1, 3650)}),
    "floating_registered_on_time": (
        "floating arrivals registered within deadline_days / floating arrivals in the period",
        {"deadline_days": (0, 366)},
    ),
    "landlord_reports_verified": (
        "landlord reports confirmed at a visit within within_days / landlord reports due in the period",
        {"within_days": (1, 366)},
    ),
    "rental_info_complete": ("let houses with landlord, rental mode and rooms / let houses", {}),
    "agreements_signed": ("let houses with a signed agreement / let houses", {}),
    "workers_at_workload": (
        "grid workers with weekly_total visits (weekly_residential to households) in the week / grid workers",
        {"weekly_total": (0, 1000), "weekly_residential": (0, 1000)},
    ),
    "floating_per_worker": ("floating residents living in the area / grid workers", {"guide_min": (0, 100000)}),
}
# What the gaps of an indicator list: the houses, residences or workers that make it fall short.
GAP_SUBJECTS = {
    "houses_visited": "house",
    "floating_registered_on_time": "residence",
    "landlord_reports_verified": "residence",
    "rental_info_complete": "house",
    "agreements_signed": "house",
    "workers_at_workload": "worker",
    "floating_per_worker": "grid",
}
OPS = (">=", "<=")
MET, SHORT = "met", "short"
_VERSION_RE = re.compile(r"^\d+(\.\d+)*$")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Target:
    op: str  # >= : a share that must reach value; <= : a ratio that must not pass value
    value: float


@dataclass(frozen=True)
class Indicator:
    id: str
    fact: str
    name: dict[str, str]
    description: dict[str, str]
    source: dict[str, str]
    params: dict[str, int]
    target: Target

    @property
    def gap_subject(self) -> str:
        return GAP_SUBJECTS[self.fact]


@dataclass(frozen=True)
class Policy:
    version: str
    description: dict[str, str]
    indicators: tuple[Indicator, ...]

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)


def _text(value: object) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"zh", "en"}
        and all(isinstance(v, str) and v.strip() for v in value.values())
    )


def load_policy(data: object) -> Policy:
    """Check a targets file's data and build the Policy (PolicyError lists all problems)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise PolicyError(["the policy must be a mapping"])
    for key in data:
        if key not in ("version", "description", "indicators"):
            problems.append(f"policy.{key}: unknown key")
    version = data.get("version")
    if not isinstance(version, str) or not _VERSION_RE.match(version):
        problems.append('version: a quoted version such as "2026.1"')
    if not _text(data.get("description")):
        problems.append("description: zh and en text")
    raw = data.get("indicators")
    if not isinstance(raw, list) or not raw:
        problems.append("indicators: a non-empty list")
        raw = []
    indicators, seen = [], set()
    for i, item in enumerate(raw):
        indicator = _indicator(f"indicators[{i}]", item, problems)
        if indicator is not None:
            if indicator.id in seen:
                problems.append(f"indicators[{i}].id: '{indicator.id}' is used twice")
            seen.add(indicator.id)
            indicators.append(indicator)
    if problems:
        raise PolicyError(problems)
    return Policy(version=str(version), description=dict(data["description"]), indicators=tuple(indicators))


def _indicator(where: str, raw: object, problems: list[str]) -> Indicator | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: a mapping with id, fact, name, description, source, params, target")
        return None
    keys = {"id", "fact", "name", "description", "source", "params", "target"}
    before = len(problems)
    for key in raw:
        if key not in keys:
            problems.append(f"{where}.{key}: unknown key")
    for key in keys - set(raw):
        problems.append(f"{where}.{key}: required")
    if not isinstance(raw.get("id"), str) or not _ID_RE.match(raw.get("id") or ""):
        problems.append(f"{where}.id: lower-case letters, digits and _")
    fact = raw.get("fact")
    if fact not in FACTS:
        problems.append(f"{where}.fact: one of {', '.join(FACTS)}")
    for key in ("name", "description", "source"):
        if key in raw and not _text(raw[key]):
            problems.append(f"{where}.{key}: zh and en text")
    params = raw.get("params") or {}
    allowed = FACTS[fact][1] if fact in FACTS else {}
    if not isinstance(params, dict):
        problems.append(f"{where}.params: a mapping")
        params = {}
    for name, value in params.items():
        if name not in allowed:
            problems.append(f"{where}.params.{name}: unknown for {fact} (known: {', '.join(allowed) or 'none'})")
        elif not isinstance(value, int) or isinstance(value, bool) or not allowed[name][0] <= value <= allowed[name][1]:
            problems.append(f"{where}.params.{name}: a whole number, {allowed[name][0]} to {allowed[name][1]}")
    for name in allowed:
        if name not in params:
            problems.append(f"{where}.params.{name}: required for {fact}")
    target = raw.get("target")
    if not isinstance(target, dict) or set(target) != {"op", "value"}:
        problems.append(f"{where}.target: {{op, value}}")
        target = {"op": ">=", "value": 0}
    op, value = target.get("op"), target.get("value")
    if op not in OPS:
        problems.append(f"{where}.target.op: one of {', '.join(OPS)}")
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        problems.append(f"{where}.target.value: a number, 0 or more")
        value = 0
    elif op == ">=" and value > 1:
        problems.append(f"{where}.target.value: a share, 0 to 1")
    if len(problems) > before:
        return None
    return Indicator(
        id=raw["id"],
        fact=str(fact),
        name=dict(raw["name"]),
        description=dict(raw["description"]),
        source=dict(raw["source"]),
        params=dict(params),
        target=Target(str(op), float(value)),
    )
