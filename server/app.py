"""The application factory. Importing this module has no side effects."""

from __future__ import annotations

from flask import Flask

from . import config as settings
from .errors import register_error_handlers


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    app.json.ensure_ascii = False  # Chinese text stays readable

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
