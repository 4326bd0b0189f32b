"""The application factory. Importing this module has no side effects."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import orjson
from flask import Flask
from flask.json.provider import DefaultJSONProvider

from . import config as settings
from .errors import register_error_handlers

_COMPACT = (",", ":")
_ORJSON_SAYS_SAME = {"separators", "default", "ensure_ascii", "sort_keys"}  # as set here; indent is not


class JSONProvider(DefaultJSONProvider):
    """ISO 8601 for dates and times everywhere, also inside free-form bodies (the change
    feed's records), where Flask's default would write an HTTP date; Chinese text readable.

    Answers are written by orjson, with the same output as the standard library's encoder
    here (sorted keys, ISO dates, UUIDs as text, UTF-8), about ten times faster: a district's
    targets board is 0.9 MB of JSON, 20 ms with ``json`` and 2 ms with orjson
    (docs/performance.md). What orjson refuses (an integer beyond 64 bits, a lone surrogate, an
    indented dump) goes to the standard encoder, so nothing answers differently than before."""

    ensure_ascii = False
    _OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS

    @staticmethod
    def default(o):
        if isinstance(o, (date, datetime)):
            return o.isoformat()
        if isinstance(o, Decimal):
            return float(o)
        return DefaultJSONProvider.default(o)

    def dumps(self, obj, **kwargs) -> str:
        if kwargs.get("separators", _COMPACT) == _COMPACT and not kwargs.keys() - _ORJSON_SAYS_SAME:
            try:
                return orjson.dumps(obj, default=self.default, option=self._OPTIONS).decode()
            except TypeError:
                pass  # beyond what orjson writes: the standard encoder decides, as it always did
        return super().dumps(obj, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.json_provider_class = JSONProvider
    app.json = JSONProvider(app)
    app.config.update(settings.from_environment())
    app.config.update(config or {})

    from . import api, logs, metrics, web
    from .media.storage import from_config
    from .store.db import Database
    from .store.db import init_app as init_db

    def database_url() -> str:
        if app.config.get("DATABASE_URL"):
            return app.config["DATABASE_URL"]
        from devtools.devdb import private_url

        return private_url()

    # first: their hooks time the whole request, the commit in init_db's hook included
    logs.init_app(app)
    metrics.init_app(app)
    init_db(app, Database(database_url))
    app.extensions["gridwork.media"] = from_config(app.config)
    register_error_handlers(app)
    api.init_app(app)
    web.init_app(app)
    from .openrosa.views import blp as openrosa_blp

    app.register_blueprint(openrosa_blp)  # ODK Collect (docs/openrosa.md); not in openapi.yaml
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_COUNT reverse proxies (TLS terminators, load balancers), take the client's
    address, scheme, host and path prefix from their X-Forwarded-* headers. Without it, rate
    limits would count the proxy's address, and every client would share one limit. Never set it
    higher than the number of proxies really in front: a client could then forge its address."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap the WSGI app
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count, x_prefix=count
        )
