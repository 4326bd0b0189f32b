"""HTTP only: one flask-smorest Blueprint per resource."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from . import docs_assets
from .base import PREFIX, SecurityPlugin, add_request_id, authenticate_request
from .schemas.common import ErrorSchema


class GridworkApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        """Errors are rendered by server.errors (one shape for all)."""


def init_app(app: Flask) -> Api:
    from . import (
        addresses,
        areas,
        audit,
        auth,
        conflicts,
        devices,
        forms,
        health,
        houses,
        identities,
        inspections,
        landlords,
        persons,
        photos,
        submissions,
        sync,
        targets,
        tiers,
        units,
        users,
        visits,
    )

    app.config.setdefault("API_TITLE", "Gridwork")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    docs_assets.init_app(app)  # Swagger UI from our own server, no CDN
    api = GridworkApi(
        app,
        spec_kwargs={
            "extra_plugins": [SecurityPlugin()],
            "info": {
                "description": "Field data collection for community grid management: one standard "
                "address, three realities (一标三实). All times are UTC; days are local "
                "calendar days in the configured zone."
            },
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "Token from POST /api/v1/auth/tokens (web: 12 h; device: 30 days).",
        },
    )
    app.extensions["gridwork.api"] = api
    for module in (
        health,
        auth,
        users,
        areas,
        addresses,
        houses,
        persons,
        units,
        forms,
        submissions,
        sync,
        conflicts,
        landlords,
        visits,
        photos,
        tiers,
        inspections,
        targets,
        identities,
        audit,
        devices,
    ):
        api.register_blueprint(module.blp)
    app.before_request(authenticate_request)
    app.after_request(add_request_id)
    return api
