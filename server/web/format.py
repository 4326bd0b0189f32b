"""Template filters: tiers, statuses and roles in words, times in the configured zone."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint
from flask_babel import format_date, format_datetime, get_locale, lazy_gettext

TIERS = {
    "focus": lazy_gettext("Focus household"),
    "uncertain": lazy_gettext("Uncertain household"),
    "trusted": lazy_gettext("Trusted household"),
    "key": lazy_gettext("Key unit"),
    "general": lazy_gettext("General unit"),
    "none": lazy_gettext("No tier (not let)"),
}
STATUSES = {
    "overdue": lazy_gettext("Overdue"),
    "due_today": lazy_gettext("Due today"),
    "upcoming": lazy_gettext("Upcoming"),
}
ROLES = {
    "admin": lazy_gettext("Administrator"),
    "police": lazy_gettext("Police officer"),
    "committee": lazy_gettext("Committee staff"),
    "grid_worker": lazy_gettext("Grid worker"),
    "landlord": lazy_gettext("Landlord"),
}
CAUSES = {
    "evaluation": lazy_gettext("rules"),
    "override": lazy_gettext("override by hand"),
    "override_lifted": lazy_gettext("override lifted"),
    "override_expired": lazy_gettext("override expired"),
}
FACTS = {
    "use": lazy_gettext("use"),
    "rental_mode": lazy_gettext("rental mode"),
    "rooms": lazy_gettext("rooms"),
    "residents": lazy_gettext("residents"),
    "residents_per_room": lazy_gettext("residents per room"),
    "turnover": lazy_gettext("arrivals and departures recently"),
    "late_reports": lazy_gettext("late reports"),
    "missed_arrivals": lazy_gettext("arrivals not reported"),
    "missed_departures": lazy_gettext("departures not reported"),
    "on_time_reports": lazy_gettext("reports on time"),
    "serious_hazards": lazy_gettext("serious hazards"),
    "minor_hazards": lazy_gettext("minor hazards"),
    "hazard_days_open": lazy_gettext("days a hazard is open"),
    "agreement_signed": lazy_gettext("safety agreement signed"),
    "days_rented": lazy_gettext("days let"),
    "clean_inspections": lazy_gettext("clean inspections in a row"),
    "inspected": lazy_gettext("ever inspected"),
    "days_since_inspection": lazy_gettext("days since the last inspection"),
}
WORDS = {
    # house uses and rental modes (domain/houses.py)
    "self_occupied": lazy_gettext("lived in by the owner"),
    "rented": lazy_gettext("let"),
    "vacant": lazy_gettext("vacant"),
    "business": lazy_gettext("business"),
    "mixed": lazy_gettext("let and business"),
    "whole": lazy_gettext("let whole"),
    "shared": lazy_gettext("let by the room"),
    "by_bed": lazy_gettext("let by the bed"),
    # residence categories (domain/registry.py)
    "permanent": lazy_gettext("registered here"),
    "lodger": lazy_gettext("registered elsewhere in the city"),
    "floating": lazy_gettext("from outside the city"),
    "foreign": lazy_gettext("from outside mainland China"),
    "unregistered": lazy_gettext("no household registration"),
    # visit kinds and outcomes
    "visit": lazy_gettext("visit"),
    "inspection": lazy_gettext("inspection"),
    "self_check": lazy_gettext("self-check"),
    "met": lazy_gettext("met the occupants"),
    "refused": lazy_gettext("refused"),
    "not_home": lazy_gettext("nobody at home"),
    # who registered a residence (targets' gap lists), what a let house lacks
    "landlord": lazy_gettext("landlord"),
    "worker": lazy_gettext("grid worker"),
    "self": lazy_gettext("the person themself"),
    # record types of conflicts and the properties they name
    "person": lazy_gettext("person"),
    "house": lazy_gettext("house"),
    "name": lazy_gettext("name"),
    "sex": lazy_gettext("sex"),
    "birth_date": lazy_gettext("date of birth"),
    "phone": lazy_gettext("phone"),
    "ethnicity": lazy_gettext("ethnicity"),
    "hukou_address": lazy_gettext("household registration address"),
    "rooms": lazy_gettext("rooms"),
    "rental_mode": lazy_gettext("rental mode"),
    "use": lazy_gettext("use"),
}
OPS = {"=": "=", "!=": "≠", ">=": "≥", "<=": "≤", ">": ">", "<": "<", "in": "∈", "not_in": "∉"}


def lang() -> str:
    return str(get_locale() or "zh")


def tier_label(code) -> str:
    return str(TIERS.get(code, code or "—"))


def status_label(code) -> str:
    return str(STATUSES.get(code, code))


def role_label(code) -> str:
    return str(ROLES.get(code, code))


def cause_label(code) -> str:
    return str(CAUSES.get(code, code))


def _parsed(value):
    """A moment or a day as a response schema dumped it (ISO 8601 text; pages show the schemas' dumps), else as
    it is."""
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return value


def when(value) -> str:
    """A moment in the configured zone, or a calendar day, in the page's language."""
    value = _parsed(value)
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, "yyyy-MM-dd HH:mm")
    if isinstance(value, date):
        return format_date(value, "yyyy-MM-dd")
    return str(value)


def word(code) -> str:
    """A stored code (a house use, a category, a visit kind...) in the page's language; unknown codes as they are."""
    return str(WORDS.get(code, code if code is not None else ""))


def value_text(value) -> str:
    if value is True:
        return str(lazy_gettext("yes"))
    if value is False:
        return str(lazy_gettext("no"))
    if value is None:
        return str(lazy_gettext("unknown"))
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    return str(value)


def reason_text(reason: dict) -> str:
    """A tier reason in words: the rule's description, then each fact with its threshold and the value found."""
    description = (reason.get("description") or {}).get(lang()) or reason.get("rule", "")
    found = str(lazy_gettext("found"))
    facts = [
        f"{FACTS.get(f['fact'], f['fact'])} {OPS.get(f['op'], f['op'])} {word(value_text(f['threshold']))} "
        f"({found}: {word(value_text(f['value']))})"
        for f in reason.get("facts") or []
    ]
    return description + ("：" if lang() == "zh" else ": ") + "; ".join(facts) if facts else description


def register_filters(bp: Blueprint) -> None:
    for name, fn in {
        "tier": tier_label,
        "status": status_label,
        "role": role_label,
        "cause": cause_label,
        "when": when,
        "reason": reason_text,
        "word": word,
    }.items():
        bp.app_template_filter(name)(fn)
