"""Administrators: grids listed, created or re-drawn from an uploaded GeoJSON polygon, shown on the map."""

from __future__ import annotations

import uuid

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext

from server.api import json_body
from server.errors import ApiError, ValidationFailed, render_message
from server.services import areas as area_service
from server.store.db import request_session

from . import bp, page_language, present
from .field_messages import localised

MAX_UPLOAD = 2 * 1024 * 1024  # a grid's outline; MAX_CONTENT_LENGTH bounds the request anyway


def uploaded_polygon() -> dict:
    """The polygon of the uploaded GeoJSON file: a geometry, a Feature, or a FeatureCollection of one."""
    upload = request.files.get("polygon")
    if upload is None or not upload.filename:
        raise ValidationFailed(errors={"polygon": [gettext("Choose a GeoJSON file.")]})
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed(errors={"polygon": [gettext("The file is too large.")]})
    try:
        obj = json_body.loads(data)
    except Exception as exc:
        raise ValidationFailed(errors={"polygon": [gettext("The file is not GeoJSON.")]}) from exc
    if isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
        features = obj.get("features") or []
        if len(features) != 1:
            raise ValidationFailed(errors={"polygon": [gettext("Give one feature: the grid's outline.")]})
        obj = features[0]
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = obj.get("geometry")
    if not isinstance(obj, dict):
        raise ValidationFailed(errors={"polygon": [gettext("The file is not GeoJSON.")]})
    return obj


def _grids_page(*, form=None, errors=None, status=200, done=None):
    session, actor = request_session(), g.actor
    grids = area_service.list_grids(session, actor, limit=500)[:500]
    page = render_template(
        "grids.html",
        grids=present.grids(grids),
        form=form or {},
        errors=errors or {},
        done=done,
    )
    return page, status


@bp.route("/grids")
def grids():
    return _grids_page()


def _failed(exc: ApiError, form: dict, key: str = "_create"):
    request_session().rollback()
    summary = render_message(exc.code, exc.message, None, exc.params, lang=page_language())
    return _grids_page(form=form, errors={key: [summary]} | localised(exc.errors), status=exc.status)


@bp.route("/grids", methods=["POST"])
def create_grid():
    session, actor = request_session(), g.actor
    form = {k: request.form.get(k, "").strip() for k in ("code", "name", "community", "station")}
    try:
        row = area_service.create_grid(
            session,
            actor,
            code=form["code"],
            name=form["name"],
            community=form["community"],
            station=form["station"] or None,
            polygon=uploaded_polygon(),
        )
    except ApiError as exc:
        return _failed(exc, form)
    return _grids_page(done=row.code)


@bp.route("/grids/<uuid:grid_id>/polygon", methods=["POST"])
def replace_polygon(grid_id: uuid.UUID):
    session, actor = request_session(), g.actor
    row = area_service.get_grid(session, actor, grid_id)
    try:
        area_service.update_grid(session, actor, row, polygon=uploaded_polygon())
    except ApiError as exc:
        return _failed(exc, {}, key=str(grid_id))
    return redirect(url_for("web.grids"))
