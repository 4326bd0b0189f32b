"""Running Alembic from code (the `gridwork db` commands and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from server.config import project_home


def alembic_config(url: str) -> Config:
    home = project_home()
    cfg = Config(str(home / "alembic.ini"))
    cfg.set_main_option("script_location", str(home / "migrations"))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def include_object(obj, name, type_, reflected, compare_to):
    """What Alembic compares: our tables, not PostGIS's own (spatial_ref_sys, ...)."""
    from geoalchemy2 import alembic_helpers

    from server.store.models import Base

    if type_ == "table" and reflected and compare_to is None and name not in Base.metadata.tables:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)
