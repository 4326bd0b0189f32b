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
        suffix = {"county": "区", "town": "街道", "community": "社区"}[level]
        return self._add(
            Division(
                code=code, name=name or f"测试{code[-4:]}{suffix}", level=level, parent_id=parent.id if parent else None
            )
        )

    def station(self) -> Station:
        return self._add(Station(code=ref("PS-"), name=f"派出所 {ref()}"))

    def grid(self, community: Division, station: Station | None, bounds=(120.0, 30.0, 120.01, 30.01)) -> Grid:
        return self._add(
            Grid(
                code=ref("G-"),
                name=f"网格 {ref()}",
                community_id=community.id,
                station_id=station.id if station else None,
                geom=geometry.to_db(geometry.as_multipolygon(box(*bounds))),
            )
        )

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

    def account(
        self, role: str, *, password: str = "correct horse battery", username: str | None = None, **scope
    ) -> Account:
        return accounts.create(
            self.session,
            system("test"),
            username=username or ref(f"{role[:4]}-"),
            password=password,
            role=role,
            **scope,
        )


def citizen_id(birth=None, sex="male", area=None) -> str:
    """A valid, random citizen ID number for a person of that birth date and sex."""
    from datetime import date, timedelta

    from server.domain.id_numbers import make_citizen_id

    # A random birth date unless one is given: a fixed date leaves only 500 numbers per sex, and
    # two people drawing the same one in a test would be a (rare, confusing) duplicate.
    birth = birth or date(1950, 1, 1) + timedelta(days=secrets.randbelow(20000))
    area = area or f"3301{secrets.randbelow(90) + 10}"  # a random county of Hangzhou: fewer collisions
    seq = secrets.randbelow(500) * 2 + (1 if sex == "male" else 0)
    return make_citizen_id(area, birth, seq)


def _registry_builders():
    """Registry rows built directly (no API), for integration tests."""
    from datetime import UTC, date, datetime

    from server.domain.addresses import AddressParts, canonical_key, canonical_text, normalise_parts, search_text
    from server.store.models import Address, Employment, House, Person, Residence, Unit
    from server.store.queries.filters import point

    def address(self, grid, lon, lat, street="幸福路"):
        parts = normalise_parts(AddressParts(street=street, door=str(secrets.randbelow(900000) + 1)))
        full = canonical_text(parts)
        return self._add(
            Address(
                community_id=grid.community_id,
                grid_id=grid.id,
                street=parts.street,
                door=parts.door,
                full_text=full,
                canonical_key=canonical_key(parts),
                search_text=search_text(full),
                geom=point(lon, lat),
            )
        )

    def house(self, address, use="rented", landlord_account=None, landlord_person=None):
        return self._add(
            House(
                address_id=address.id,
                grid_id=address.grid_id,
                use=use,
                rental_mode="whole" if use == "rented" else None,
                landlord_account_id=landlord_account.id if landlord_account else None,
                landlord_person_id=landlord_person.id if landlord_person else None,
            )
        )

    def person(self, name=None, created_by=None):
        return self._add(
            Person(
                name=name or f"人{ref()}",
                sex="male",
                document_type="citizen_id",
                document_number=citizen_id(),
                created_by=created_by.id if created_by else None,
            )
        )

    def residence(self, person, house, arrived_on=date(2026, 1, 1), left_on=None):
        return self._add(
            Residence(
                person_id=person.id,
                house_id=house.id,
                category="floating",
                arrived_on=arrived_on,
                left_on=left_on,
                reported_at=datetime.now(UTC),
                source="worker",
                verification="confirmed",
            )
        )

    def unit(self, address, responsible=None):
        return self._add(
            Unit(
                name=f"单位{ref()}",
                kind="company",
                address_id=address.id,
                grid_id=address.grid_id,
                responsible_person_id=responsible.id if responsible else None,
            )
        )

    def employment(self, person, unit):
        return self._add(
            Employment(unit_id=unit.id, person_id=person.id, started_on=date(2026, 1, 1), reported_at=datetime.now(UTC))
        )

    def visit(self, account, when, *, house=None, unit=None, outcome="met"):
        """A visit to a house or a unit at ``when``, with the submission it came from."""
        import uuid

        from server.store.models import Submission, Visit

        subject, subject_type = (house, "house") if house is not None else (unit, "unit")
        instance_id = uuid.uuid4()
        common = {
            "form_id": "visit",
            "form_version": "2026.1",
            "subject_type": subject_type,
            "grid_id": subject.grid_id,
        }
        actor = {"account_id": account.id, "role": account.role}
        self._add(
            Submission(
                instance_id=instance_id,
                subject_id=subject.id,
                server_received_at=when,
                answers={},
                content_hash=ref().ljust(64, "0")[:64],
                **common,
                **actor,
            )
        )
        return self._add(
            Visit(
                instance_id=instance_id,
                kind="visit",
                house_id=house.id if house is not None else None,
                unit_id=unit.id if unit is not None else None,
                outcome=outcome,
                visited_at=when,
                received_at=when,
                **common,
                **actor,
            )
        )

    for fn in (address, house, person, residence, unit, employment, visit):
        setattr(Builders, fn.__name__, fn)


_registry_builders()
