"""The small demo district `make run` loads: one county, one street, two
communities, a police station, four grids and one account per role."""

from __future__ import annotations

from shapely.geometry import box

from server.auth.actor import system
from server.services import accounts
from server.store import geometry
from server.store.models import Division, Grid, Station
from server.store.queries import accounts as account_q
from server.store.queries import areas as area_q

DEMO_PASSWORD = "gridwork-demo"

DIVISIONS = [
    # code, name, level, parent code
    ("330106", "西湖区", "county", None),
    ("330106001", "北山街道", "town", "330106"),
    ("330106001001", "曙光社区", "community", "330106001"),
    ("330106001002", "黄龙社区", "community", "330106001"),
]
STATIONS = [("330106-PS01", "北山派出所")]
# code, name, community, station, (min lon, min lat, max lon, max lat)
GRIDS = [
    ("SG-01", "曙光一网格", "330106001001", "330106-PS01", (120.1300, 30.2700, 120.1350, 30.2750)),
    ("SG-02", "曙光二网格", "330106001001", "330106-PS01", (120.1350, 30.2700, 120.1400, 30.2750)),
    ("HL-01", "黄龙一网格", "330106001002", "330106-PS01", (120.1300, 30.2750, 120.1350, 30.2800)),
    ("HL-02", "黄龙二网格", "330106001002", "330106-PS01", (120.1350, 30.2750, 120.1400, 30.2800)),
]
ACCOUNTS = [
    # username, role, display name, scope
    ("admin", "admin", "系统管理员", {}),
    ("police", "police", "王警官", {"station": "330106-PS01"}),
    ("committee", "committee", "曙光社区居委会 李主任", {"community": "330106001001"}),
    ("worker", "grid_worker", "网格员 张敏", {"grids": ["SG-01", "SG-02"]}),
    ("landlord", "landlord", "房东 陈建国", {}),
]


def load(session) -> list[tuple[str, str, str]]:
    """Create what is missing; leave what exists. Returns (username, role, password)."""
    divisions = {}
    for code, name, level, parent in DIVISIONS:
        row = area_q.division_by_code(session, code)
        if row is None:
            row = Division(code=code, name=name, level=level,
                           parent_id=divisions[parent].id if parent else None)
            session.add(row)
            session.flush()
        divisions[code] = row
    stations = {}
    for code, name in STATIONS:
        row = area_q.station_by_code(session, code)
        if row is None:
            row = Station(code=code, name=name)
            session.add(row)
            session.flush()
        stations[code] = row
    for code, name, community, station, bounds in GRIDS:
        if area_q.grid_by_code(session, code) is None:
            session.add(Grid(code=code, name=name, community_id=divisions[community].id,
                             station_id=stations[station].id,
                             geom=geometry.to_db(geometry.as_multipolygon(box(*bounds)))))
    session.flush()
    actor = system("demo")
    logins = []
    for username, role, display_name, scope in ACCOUNTS:
        if account_q.by_username(session, username) is None:
            accounts.create(session, actor, username=username, password=DEMO_PASSWORD, role=role,
                            display_name=display_name, **scope)
        logins.append((username, role, DEMO_PASSWORD))
    return logins
