"""The demo district `make run` loads: a small synthetic district (the seeder,
1,500 households) and one account per role scoped to part of it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from server.auth.actor import system
from server.errors import Conflict
from server.services import accounts, tiers
from server.services import seed as seeder
from server.store.queries import accounts as account_q
from server.store.queries import demo as q

DEMO_PASSWORD = "gridwork-demo"  # noqa: S105 (the demo's published password, README)
DEMO_HOUSEHOLDS = 1500
DEMO_SEED = 1


def load(session: Session, zone: str | None = None) -> list[tuple[str, str, str]]:
    """Seed the district unless it is there; create missing accounts. Returns (username, role, password)."""
    try:
        seeder.run(session, households=DEMO_HOUSEHOLDS, seed=DEMO_SEED)
    except Conflict as exc:
        if exc.code != "seed.exists":
            raise
    county = seeder.Generator(DEMO_HOUSEHOLDS, DEMO_SEED, seeder.AS_OF).county_code
    area = q.first_area(session, county)
    scopes: dict[str, tuple[str, str, dict[str, Any]]] = {
        "admin": ("admin", "系统管理员", {}),
        "police": ("police", f"{area.station.name} 王警官", {"station": area.station.code}),
        "committee": ("committee", f"{area.community.name}居委会 李主任", {"community": area.community.code}),
        "worker": ("grid_worker", "网格员 张敏", {"grids": [g.code for g in area.grids[:2]]}),
        "landlord": ("landlord", "房东 陈建国", {}),
    }
    actor = system("demo")
    logins = []
    for username, (role, display_name, scope) in scopes.items():
        account = account_q.by_username(session, username)
        if account is None:
            account = accounts.create(
                session, actor, username=username, password=DEMO_PASSWORD, role=role, display_name=display_name, **scope
            )
        if role == "landlord":
            q.give_rentals(session, account.id, [g.id for g in area.grids[:2]], count=3)
        logins.append((username, role, DEMO_PASSWORD))
    # Tiers and due inspections, so the due lists are not empty (what the nightly recompute does).
    tiers.recompute(session, tiers.local_today(zone), zone=zone)
    return logins
