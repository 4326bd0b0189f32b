"""Queries on divisions, stations and grids."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.store.models import Division, Grid, Station


def division_by_code(session: Session, code: str) -> Division | None:
    return session.scalar(select(Division).where(Division.code == code))


def station_by_code(session: Session, code: str) -> Station | None:
    return session.scalar(select(Station).where(Station.code == code))


def grid_by_code(session: Session, code: str) -> Grid | None:
    return session.scalar(select(Grid).where(Grid.code == code))
