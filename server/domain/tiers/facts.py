"""Turning what the database holds about a subject into the facts rules read.

Inputs are plain values (the store fetches them in batches); nothing here
knows about people beyond counts. Inspections are visits of kind ``inspection``
or ``visit`` whose outcome was ``met`` (someone went inside and looked); a
landlord's self-check is the landlord's own word and does not make a house
clean or inspected for the tier rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .schedule import local_day


@dataclass(frozen=True)
class Inspection:
    at: datetime  # when it was done (the phone's completion time)
    hazards: tuple[str, ...]  # () = clean
    received_at: datetime | None = None  # when the server heard of it


def inspection_facts(
    inspections: list[Inspection],
    *,
    severity: dict[str, str],
    today: date,
    zone: str,
    hold_started: datetime | None = None,
) -> dict[str, Any]:
    """Facts from the inspections, most recent first."""
    latest = inspections[0] if inspections else None
    clean_run = 0
    for inspection in inspections:
        if inspection.hazards:
            break
        clean_run += 1
    open_hazards = latest.hazards if latest else ()
    days_open = None
    if open_hazards:
        first = inspections[0]  # the latest: its hazards are the open ones
        for inspection in inspections:  # back to the first of the current run that found hazards
            if not inspection.hazards:
                break
            first = inspection
        days_open = (today - local_day(first.at, zone)).days
    since_hold = 0
    if hold_started is not None:
        # counted by arrival: an inspection the server hears of after the hold began is new evidence
        # (the one that found the facts gone started the hold and does not count for it)
        since_hold = sum(1 for i in inspections if (i.received_at or i.at) > hold_started and not i.hazards)
    return {
        "serious_hazards": sum(1 for h in open_hazards if severity.get(h) == "serious"),
        "minor_hazards": sum(1 for h in open_hazards if severity.get(h, "minor") == "minor"),
        "open_hazards": sorted(open_hazards),
        "hazard_days_open": days_open,
        "clean_inspections": clean_run,
        "inspected": latest is not None,
        "days_since_inspection": (today - local_day(latest.at, zone)).days if latest else None,
        "clean_inspections_since_hold": since_hold,
    }


def house_facts(
    *,
    use: str,
    rental_mode: str | None,
    rooms: int | None,
    rented_since: date | None,
    agreement_signed_on: date | None,
    residents: int,
    turnover: int,
    late_reports: int,
    missed_arrivals: int,
    missed_departures: int,
    on_time_reports: int,
    inspections: list[Inspection],
    severity: dict[str, str],
    today: date,
    zone: str,
    hold_started: datetime | None = None,
) -> dict[str, Any]:
    facts = {
        "use": use,
        "rental_mode": rental_mode,
        "rooms": rooms,
        "residents": residents,
        "residents_per_room": round(residents / rooms, 2) if rooms else None,
        "turnover": turnover,
        "late_reports": late_reports,
        "missed_arrivals": missed_arrivals,
        "missed_departures": missed_departures,
        "on_time_reports": on_time_reports,
        "agreement_signed": agreement_signed_on is not None and agreement_signed_on <= today,
        "days_rented": (today - rented_since).days if rented_since is not None else None,
    }
    return facts | inspection_facts(inspections, severity=severity, today=today, zone=zone, hold_started=hold_started)


def unit_facts(
    *,
    kind: str,
    inspections: list[Inspection],
    severity: dict[str, str],
    today: date,
    zone: str,
    hold_started: datetime | None = None,
) -> dict[str, Any]:
    return {"unit_kind": kind} | inspection_facts(
        inspections, severity=severity, today=today, zone=zone, hold_started=hold_started
    )
