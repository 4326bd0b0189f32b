"""Evaluating one subject's facts against a tier policy.

* Every rule whose condition holds *fires*; the computed tier is the strictest
  tier with a fired rule (the policy lists tiers strictest first: focus >
  uncertain > trusted). A let house that matches no rule falls to the policy's
  ``fallback`` tier (uncertain by default), with the reason ``no_rule_matched``.
* A fact that is unknown (None) never satisfies a comparison.
* Hysteresis: a subject in the sticky tier (focus) stays there after the facts
  that put it there are gone until it has passed ``clean_inspections`` clean
  inspections since (counted from when the facts were first found gone: the
  ``hold_started`` the caller keeps). The reason ``held`` says so.
* Only rented and mixed-use houses get a tier; others get ``none``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .policy import Group, Leaf, Rule, SubjectPolicy

NONE = "none"
LET_USES = ("rented", "mixed")


@dataclass(frozen=True)
class Previous:
    """What was computed last time (None when never evaluated)."""

    tier: str
    hold_started: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    tier: str
    reasons: list[dict[str, Any]]
    hold_started: datetime | None  # set while the sticky tier is held by hysteresis


def holds(condition: Group | Leaf, facts: dict[str, Any]) -> bool:
    if isinstance(condition, Group):
        results = (holds(c, facts) for c in condition.items)
        return all(results) if condition.mode == "all" else any(results)
    return _compare(facts.get(condition.fact), condition.op, condition.value)


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if actual is None:
        return False
    if op == "=":
        return bool(actual == expected)
    if op == "!=":
        return bool(actual != expected)
    if op == "in":
        return bool(actual in expected)
    if op == "not_in":
        return bool(actual not in expected)
    if isinstance(actual, (bool, str)):
        return False
    return bool(
        {"<": actual < expected, "<=": actual <= expected, ">": actual > expected, ">=": actual >= expected}[op]
    )


def evidence(condition: Group | Leaf, facts: dict[str, Any]) -> list[dict[str, Any]]:
    """The comparisons that made a condition hold: fact, op, threshold and the value found.
    Of ``any`` alternatives, every one that holds (not only the first): each is a reason."""
    if isinstance(condition, Leaf):
        value = condition.value
        return [
            {
                "fact": condition.fact,
                "op": condition.op,
                "threshold": list(value) if isinstance(value, tuple) else value,
                "value": facts.get(condition.fact),
            }
        ]
    found = []
    for part in condition.items:
        if holds(part, facts):
            found += evidence(part, facts)
    return found


def reason(rule: Rule, facts: dict[str, Any]) -> dict[str, Any]:
    return {
        "rule": rule.id,
        "tier": rule.tier,
        "description": dict(rule.description),
        "facts": evidence(rule.when, facts),
    }


def evaluate(subject: SubjectPolicy, facts: dict[str, Any], previous: Previous | None, *, now: datetime) -> Outcome:
    """The tier these facts call for, with the reasons, given last time's result.

    ``facts['clean_inspections_since_hold']``: clean inspections since
    ``previous.hold_started`` (the caller counts them; 0 when no hold runs).
    """
    if subject.subject == "house" and facts.get("use") not in LET_USES:
        return Outcome(
            NONE,
            [
                {
                    "rule": "not_let",
                    "tier": NONE,
                    "facts": [{"fact": "use", "op": "in", "threshold": list(LET_USES), "value": facts.get("use")}],
                    "description": {"zh": "非出租房屋不分级", "en": "Only rented and mixed-use houses get a tier"},
                }
            ],
            None,
        )
    fired = [rule for rule in subject.rules if holds(rule.when, facts)]
    tier = next((t for t in subject.tiers if any(r.tier == t for r in fired)), None)
    reasons = [reason(r, facts) for r in fired if r.tier == tier]
    if tier is None:
        tier = subject.fallback
        reasons = [
            {
                "rule": "no_rule_matched",
                "tier": tier,
                "facts": [],
                "description": {
                    "zh": "未命中任何规则，按默认等级管理",
                    "en": "No rule matched; the policy's fallback tier applies",
                },
            }
        ]
    sticky, needed = subject.sticky_tier, subject.clean_inspections_to_leave
    if sticky is not None and previous is not None and previous.tier == sticky and tier != sticky and needed > 0:
        hold_started = previous.hold_started or now
        passed = facts.get("clean_inspections_since_hold", 0) if previous.hold_started else 0
        if passed < needed:
            return Outcome(
                sticky,
                [
                    {
                        "rule": "held",
                        "tier": sticky,
                        "description": {
                            "zh": f"触发条件已消除，需连续{needed}次检查无隐患后方可调出",
                            "en": f"The facts that put it here are gone; it leaves after {needed} clean inspections",
                        },
                        "facts": [
                            {"fact": "clean_inspections_since_hold", "op": ">=", "threshold": needed, "value": passed}
                        ],
                        "would_be": tier,
                    }
                ]
                + reasons,
                hold_started,
            )
    return Outcome(tier, reasons, None)


def effective(computed: str, override: str | None, override_expires_on: date | None, today: date) -> str:
    """An override applies up to and including its expiry day."""
    if override is not None and override_expires_on is not None and override_expires_on >= today:
        return override
    return computed
