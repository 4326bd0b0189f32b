"""The map: the caller's grid polygons, and the due houses of the visible area (``bbox``, optionally one grid),
coloured by tier and overdue, through the due list's own service and scope. Zoomed out (more than
``HOUSES_UP_TO_GRIDS`` grids in view) the page asks for counts per grid instead of houses."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, g, jsonify, render_template, request, url_for

from server.api.base import today
from server.api.schemas.common import BBox
from server.errors import ValidationFailed, error_body, load_or_refuse
from server.services import inspections as inspection_service
from server.store import geometry
from server.store.db import request_session

from . import bp
from .format import TIERS, status_label, tier_label
from .pages_due import grid_choices

POINTS_LIMIT = 5000  # due points in view; a grid holds a few hundred households, a station view a few thousand
# map.js shows houses while at most this many grids are in view, counts per grid beyond: a grid holds a few
# hundred households, so a few grids' houses are a few hundred points (fast to send and to draw), while a
# station's 100 grids would be thousands (a second to build; unreadable as dots anyway)
HOUSES_UP_TO_GRIDS = 6
_TIER_ORDER = {tier: n for n, tier in enumerate(TIERS)}  # focus first, as in the legend


class MapDueQuery(ma.Schema):
    bbox = BBox(required=True)
    grid = ma.fields.String(load_default=None, validate=ma.validate.Length(max=64))


class MapCountsQuery(ma.Schema):
    bbox = BBox(required=True)


def _load(schema: ma.Schema):
    """The query's arguments, or the API's error answer naming the field (the page's script asks)."""
    try:
        return load_or_refuse(schema, {k: v for k, v in request.args.items() if k in schema.fields and v}), None
    except ValidationFailed as failed:
        return None, (jsonify(error_body(failed.code, failed.status, failed.message, failed.errors)), failed.status)


@bp.route("/map")
def map_page():
    session = request_session()
    return render_template(
        "map.html",
        grids=grid_choices(session, g.actor),
        tile_url=current_app.config.get("MAP_TILE_URL") or "",
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION") or "",
        houses_up_to_grids=HOUSES_UP_TO_GRIDS,
    )


@bp.route("/map/grids.geojson")
def map_grids():
    """The polygons of the grids the caller may see (areas, no personal data)."""
    session = request_session()
    features = []
    for grid in grid_choices(session, g.actor):
        features.append(
            {
                "type": "Feature",
                "geometry": geometry.to_geojson(geometry.from_db(grid.geom)),
                "properties": {"code": grid.code, "name": grid.name},
            }
        )
    return jsonify({"type": "FeatureCollection", "features": features})


@bp.route("/map/due.geojson")
def map_due():
    """The due houses and units whose address lies in the visible area (``bbox=min_lon,min_lat,max_lon,max_lat``,
    optionally of one ``grid``), as points: places and tiers, never residents; the due list's scope."""
    args, refused = _load(MapDueQuery())
    if refused:
        return refused
    rows = inspection_service.due(
        request_session(), g.actor, today=today(), grid=args["grid"], bbox=args["bbox"], limit=POINTS_LIMIT + 1
    )
    features = []
    for item in rows[:POINTS_LIMIT]:
        point = geometry.lonlat_to_geojson(item["address"]["location"])
        if point is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": point,
                "properties": {
                    "tier": item["tier"],
                    "tier_label": tier_label(item["tier"]),
                    "status": item["status"],
                    "status_label": status_label(item["status"]),
                    "days_overdue": item["days_overdue"],
                    "address": item["address"]["full_text"],
                    "url": url_for("web.house", house_id=item["house_id"]) if item["house_id"] else None,
                },
            }
        )
    return jsonify({"type": "FeatureCollection", "features": features, "truncated": len(rows) > POINTS_LIMIT})


@bp.route("/map/due-counts.geojson")
def map_due_counts():
    """The map zoomed out: per grid meeting the visible area (``bbox``), one point inside it with the grid's due
    and overdue houses and units, in all and per tier; the due list's scope (counts only, no addresses)."""
    args, refused = _load(MapCountsQuery())
    if refused:
        return refused
    features = []
    for entry in inspection_service.due_counts(request_session(), g.actor, today=today(), bbox=args["bbox"]):
        label = geometry.lonlat_to_geojson(entry["label"])
        if label is None:
            continue
        tiers = [
            {"tier": tier, "tier_label": tier_label(tier), **counts}
            for tier, counts in sorted(entry["tiers"].items(), key=lambda kv: _TIER_ORDER.get(kv[0], len(TIERS)))
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": label,
                "properties": {
                    "code": entry["grid"]["code"],
                    "name": entry["grid"]["name"],
                    "total": entry["total"],
                    "overdue": entry["overdue"],
                    "tiers": tiers,
                },
            }
        )
    return jsonify({"type": "FeatureCollection", "features": features})
