"""Swagger UI's script and styles, served by the API itself.

flask-smorest's docs page loads them from OPENAPI_SWAGGER_UI_URL, by default a CDN,
which leaves /api/v1/docs blank on an office network without internet (issue #11).
The files come from the PyPI package swagger-ui-bundle (Apache-2.0, licence in its
dist-info), installed by pyproject.toml like every other dependency."""

from __future__ import annotations

from flask import Blueprint, Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from .base import PREFIX

NAME = "api-docs-assets"
URL = f"{PREFIX}/docs/assets/"

blp = Blueprint(NAME, __name__)


@blp.get(f"{URL}<path:filename>")
def asset(filename: str):
    # send_from_directory refuses paths that leave the folder; a week of caching,
    # the package version is in the folder name.
    return send_from_directory(str(swagger_ui_path), filename, max_age=7 * 24 * 3600)


def init_app(app: Flask) -> None:
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", URL)
    app.register_blueprint(blp)
