"""Builders for test data, with random references so tests never collide."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from shapely.geometry import box

from server.auth.actor import system
from server.services import accounts
from server.store import geometry
from server.store.models import Account, Division, Grid, Station


def ref(prefix: str = "") -> str:
    return f"{prefix}{secrets.token_hex(3)}"


@dataclass
class District:
    county: Division
    town: Division
    community: Division
    other_community: Division
    station: Station
    grids: list[Grid]  # grids[0], grids[1] in `community`; grids[2] in `other_community`


class Builders:
    def __init__(self, session):
        self.session = session

    def _add(self, obj):
        self.session.add(obj)
        self.session.flush()
        return obj

    def division(self, level: str, parent: Division | None = None, name: str | None = None) -> Division:
        digits = {"county": 6, "town": 9, "community": 12}[level]
        code = str(secrets.randbelow(10**digits)).zfill(digits)
        return self._add(Division(code=code, name=name or f"{level} {code}", level=level,
                                  parent_id=parent.id if parent else None))

    def station(self) -> Station:
        return self._add(Station(code=ref("PS-"), name=f"派出所 {ref()}"))

    def grid(self, community: Division, station: Station | None, bounds=(120.0, 30.0, 120.01, 30.01)) -> Grid:
        return self._add(Grid(code=ref("G-"), name=f"网格 {ref()}", community_id=community.id,
                              station_id=station.id if station else None,
                              geom=geometry.to_db(geometry.as_multipolygon(box(*bounds)))))

    def district(self) -> District:
        county = self.division("county")
        town = self.division("town", county)
        community = self.division("community", town)
        other = self.division("community", town)
        station = self.station()
        grids = [
            self.grid(community, station, (120.00, 30.00, 120.01, 30.01)),
            self.grid(community, station, (120.01, 30.00, 120.02, 30.01)),
            self.grid(other, None, (120.02, 30.00, 120.03, 30.01)),
        ]
        return District(county, town, community, other, station, grids)

    def account(self, role: str, *, password: str = "correct horse battery", username: str | None = None,
                **scope) -> Account:
        return accounts.create(self.session, system("test"), username=username or ref(f"{role[:4]}-"),
                               password=password, role=role, **scope)
