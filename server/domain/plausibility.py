"""Plausibility of a visit: flags that are recorded and shown, never a refusal.

A flag says "look at this": the phone stood far from the house, its GPS was
poor, a photo was taken elsewhere or at another time, or the form reached the
server long after it was filled. Every flag carries what was measured and the
limit it was compared with, so an officer can judge it.

Pure rules over plain values: distances are measured by the caller (on the
geography, in metres) and handed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

FAR_FROM_SUBJECT = "far_from_subject"  # visit point farther than the limit from the house / unit
POOR_ACCURACY = "poor_accuracy"  # GPS accuracy worse than the limit
PHOTO_FAR_FROM_VISIT = "photo_far_from_visit"  # a photo's EXIF position far from the visit point
PHOTO_TIME_OFF = "photo_time_off"  # a photo's EXIF time far from the visit time
LATE_SYNC = "late_sync"  # received long after completion

VISIT_FLAGS = (FAR_FROM_SUBJECT, POOR_ACCURACY, LATE_SYNC)
PHOTO_FLAGS = (PHOTO_FAR_FROM_VISIT, PHOTO_TIME_OFF)
ALL_FLAGS = VISIT_FLAGS + PHOTO_FLAGS


@dataclass(frozen=True)
class Limits:
    distance_m: float = 100.0  # visit point to the subject's address point
    accuracy_m: float = 50.0  # reported GPS accuracy
    photo_distance_m: float = 200.0  # photo EXIF position to the visit point
    photo_time_min: float = 30.0  # photo EXIF time to the visit time
    late_sync_h: float = 72.0  # completion to receipt

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> Limits:
        return cls(
            distance_m=float(config["VISIT_MAX_DISTANCE_M"]),
            accuracy_m=float(config["VISIT_MAX_ACCURACY_M"]),
            photo_distance_m=float(config["PHOTO_MAX_DISTANCE_M"]),
            photo_time_min=float(config["PHOTO_MAX_TIME_DIFF_MIN"]),
            late_sync_h=float(config["LATE_SYNC_HOURS"]),
        )


def _detail(measured: float, limit: float, unit: str) -> dict[str, Any]:
    return {"measured": round(measured, 1), "limit": limit, "unit": unit}


def visit_flags(
    *, distance_m: float | None, accuracy_m: float | None, visited_at: datetime, received_at: datetime, limits: Limits
) -> dict[str, dict[str, Any]]:
    """Flags of the visit itself: {flag: {measured, limit, unit}}. Unknown values raise no flag."""
    flags: dict[str, dict[str, Any]] = {}
    if distance_m is not None and distance_m > limits.distance_m:
        flags[FAR_FROM_SUBJECT] = _detail(distance_m, limits.distance_m, "m")
    if accuracy_m is not None and accuracy_m > limits.accuracy_m:
        flags[POOR_ACCURACY] = _detail(accuracy_m, limits.accuracy_m, "m")
    delay_h = (received_at - visited_at).total_seconds() / 3600
    if delay_h > limits.late_sync_h:
        flags[LATE_SYNC] = _detail(delay_h, limits.late_sync_h, "h")
    return flags


def photo_flags(
    *, distance_m: float | None, taken_at: datetime | None, visited_at: datetime, limits: Limits
) -> dict[str, dict[str, Any]]:
    """Flags of one photo against its visit. A photo without EXIF position or time raises none."""
    flags: dict[str, dict[str, Any]] = {}
    if distance_m is not None and distance_m > limits.photo_distance_m:
        flags[PHOTO_FAR_FROM_VISIT] = _detail(distance_m, limits.photo_distance_m, "m")
    if taken_at is not None:
        off_min = abs((taken_at - visited_at).total_seconds()) / 60
        if off_min > limits.photo_time_min:
            flags[PHOTO_TIME_OFF] = _detail(off_min, limits.photo_time_min, "min")
    return flags


def combine(
    visit: dict[str, dict[str, Any]], photos: dict[str, dict[str, dict[str, Any]]]
) -> tuple[list[str], dict[str, Any]]:
    """The visit's flag list and details: its own flags, plus each photo flag with the photos that raised it
    (``{"photo_time_off": {"limit": 30.0, "unit": "min", "photos": {"door.jpg": 95.0}}}``)."""
    details: dict[str, Any] = dict(visit)
    for name in sorted(photos):
        for flag, detail in photos[name].items():
            entry = details.setdefault(flag, {"limit": detail["limit"], "unit": detail["unit"], "photos": {}})
            entry["photos"][name] = detail["measured"]
    return [f for f in ALL_FLAGS if f in details], details
