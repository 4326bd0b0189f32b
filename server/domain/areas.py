"""Rules for divisions (GB/T 2260 county codes and their children) and grid polygons."""

from __future__ import annotations

import re
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.validation import explain_validity

LEVELS = ("county", "town", "community")
PARENT_LEVEL = {"county": None, "town": "county", "community": "town"}
CODE_DIGITS = {"county": 6, "town": 9, "community": 12}


def division_code_problems(level: str, code: str, parent_code: str | None) -> dict[str, list[str]]:
    """County: the six-digit GB/T 2260 code; town: county code + 3 digits;
    community: town code + 3 digits."""
    problems: dict[str, list[str]] = {}
    digits = CODE_DIGITS.get(level)
    if digits is None:
        return {"level": [f"Must be one of: {', '.join(LEVELS)}."]}
    if not re.fullmatch(rf"\d{{{digits}}}", code):
        problems["code"] = [f"A {level} code has {digits} digits."]
    elif level == "county" and code.endswith("00"):
        problems["code"] = ["A county code (GB/T 2260) does not end in 00; that is a province or city."]
    if PARENT_LEVEL[level] is None:
        if parent_code is not None:
            problems["parent"] = ["A county has no parent here."]
    elif parent_code is None:
        problems["parent"] = [f"A {level} needs its {PARENT_LEVEL[level]}."]
    elif "code" not in problems and not code.startswith(parent_code):
        problems["code"] = [f"A {level} code starts with its {PARENT_LEVEL[level]}'s code {parent_code}."]
    return problems


def grid_polygon(geojson: dict[str, Any]) -> tuple[MultiPolygon | None, list[str]]:
    """A grid boundary from GeoJSON (lon, lat): a valid Polygon or MultiPolygon."""
    try:
        geom = shape(geojson)
    except Exception:  # noqa: BLE001 - shapely raises many kinds for malformed input
        return None, ["Not a GeoJSON geometry."]
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    if not isinstance(geom, MultiPolygon):
        return None, [f"A grid boundary is a Polygon or MultiPolygon, not a {geom.geom_type}."]
    if geom.is_empty:
        return None, ["The polygon is empty."]
    min_x, min_y, max_x, max_y = geom.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        return None, ["Coordinates are (longitude, latitude) in degrees: longitude within ±180, latitude within ±90."]
    if not geom.is_valid:
        return None, [f"The polygon is not valid: {explain_validity(geom)}."]
    return geom, []
