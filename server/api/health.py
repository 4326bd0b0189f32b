from flask import current_app
from flask.views import MethodView

from server.services import health
from server.store.db import get_db

from .base import blueprint, public
from .schemas.health import HealthSchema

blp = blueprint("health", "Service health")


@blp.route("/healthz")
class Health(MethodView):
    @public
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="A dependency is down")
    def get(self):
        """Is the service usable (database, PostGIS, media store)?"""
        # reads only; the media store's answer is kept for HEALTHZ_STORAGE_CACHE_SECONDS (services/health.py)
        storage_check = current_app.extensions.setdefault("gridwork.storage_check", health.StorageCheck())
        result = health.check(
            get_db().session,
            current_app.extensions["gridwork.media"],
            storage_check,
            max_age=current_app.config["HEALTHZ_STORAGE_CACHE_SECONDS"],
        )
        if result["status"] == "ok":
            return result, 200
        return result, 503, {"Retry-After": str(current_app.config.get("DATABASE_RETRY_AFTER_SECONDS", 30))}
