"""What a gap list shows of a person: a masked name (the first character, then one * per character left).
The figures behind a target never need to say who someone is; the officer opens the residence to find out."""

from __future__ import annotations


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def missing_rental_fields(*, has_landlord: bool, rental_mode: str | None, rooms: int | None) -> list[str]:
    """Which of the rental-information fields a let house lacks, in a fixed order."""
    missing = []
    if not has_landlord:
        missing.append("landlord")
    if rental_mode is None:
        missing.append("rental_mode")
    if rooms is None:
        missing.append("rooms")
    return missing
