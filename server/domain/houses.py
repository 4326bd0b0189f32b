"""Rules for actual houses (实有房屋)."""

from __future__ import annotations

from datetime import date

USES = ("self_occupied", "rented", "vacant", "business", "mixed")
RENTAL_MODES = ("whole", "shared", "by_bed")
LETTING_USES = ("rented", "mixed")


def house_problems(
    *, use: str, rental_mode: str | None, rented_since: date | None, agreement_signed_on: date | None, today: date
) -> dict[str, list[str]]:
    """What is inconsistent in a house's facts (empty when they fit together)."""
    problems: dict[str, list[str]] = {}
    if use == "rented" and rental_mode is None:
        problems["rental_mode"] = ["A rented house needs its rental mode: whole, shared or by_bed."]
    if use not in LETTING_USES:
        if rental_mode is not None:
            problems["rental_mode"] = [f"Only a rented or mixed-use house has a rental mode, not a {use} one."]
        if rented_since is not None:
            problems["rented_since"] = [f"Only a rented or mixed-use house has a letting date, not a {use} one."]
    for name, value in (("rented_since", rented_since), ("agreement_signed_on", agreement_signed_on)):
        if value is not None and value > today:
            problems.setdefault(name, []).append("Must not be in the future.")
    return problems
