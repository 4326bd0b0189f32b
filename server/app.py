"""The application factory. Importing this module has no side effects."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from . import config as settings
from .errors import register_error_handlers


class JSONProvider(DefaultJSONProvider):
    """ISO 8601 for dates and times everywhere, also inside free-form bodies (the change
    feed's records), where Flask's default would write an HTTP date; Chinese text readable."""

    ensure_ascii = False

    @staticmethod
    def default(o):
        if isinstance(o, (date, datetime)):
            return o.isoformat()
        if isinstance(o, Decimal):
            return float(o)
        return DefaultJSONProvider.default(o)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.json_provider_class = JSONProvider
    app.json = JSONProvider(app)
    app.config.update(settings.from_environment())
    app.config.update(config or {})

    from .media.storage import from_config
    from .store.db import Database, init_app as init_db
    from . import api

    def database_url() -> str:
        if app.config.get("DATABASE_URL"):
            return app.config["DATABASE_URL"]
        from .devdb import private_url
        return private_url()

    init_db(app, Database(database_url))
    app.extensions["gridwork.media"] = from_config(app.config)
    register_error_handlers(app)
    api.init_app(app)
    return app
