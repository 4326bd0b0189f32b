"""Divisions, stations and grids: administrators draw the map, everyone else reads their part of it."""

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[121.0, 31.0], [121.01, 31.0], [121.01, 31.01], [121.0, 31.01], [121.0, 31.0]]],
}


def _make_hierarchy(as_admin, county="330108"):
    assert (
        as_admin.post("/api/v1/divisions", json={"code": county, "name": "滨江区", "level": "county"}).status_code
        == 201
    )
    town = as_admin.post(
        "/api/v1/divisions", json={"code": county + "001", "name": "西兴街道", "level": "town", "parent": county}
    )
    community = as_admin.post(
        "/api/v1/divisions",
        json={"code": county + "001002", "name": "东冠社区", "level": "community", "parent": county + "001"},
    )
    assert town.status_code == community.status_code == 201
    return community.get_json()


def test_admin_builds_county_town_community_and_a_grid(as_admin):
    community = _make_hierarchy(as_admin)
    assert community["parent"] == "330108001"
    assert as_admin.post("/api/v1/stations", json={"code": "PS-XX", "name": "西兴派出所"}).status_code == 201
    r = as_admin.post(
        "/api/v1/grids",
        json={
            "code": "DG-01",
            "name": "东冠一网格",
            "polygon": SQUARE,
            "community": community["code"],
            "station": "PS-XX",
        },
    )
    assert r.status_code == 201, r.get_json()
    grid = r.get_json()
    assert grid["polygon"]["type"] == "MultiPolygon"
    assert grid["community"]["code"] == community["code"] and grid["station"]["code"] == "PS-XX"
    assert grid["counts"] == {"addresses": 0, "houses": 0, "rented_houses": 0, "residents": 0}


def test_division_codes_follow_gb_t_2260_and_nest(as_admin):
    r = as_admin.post("/api/v1/divisions", json={"code": "330100", "name": "杭州市", "level": "county"})
    assert r.status_code == 422 and "code" in r.get_json()["errors"]
    _make_hierarchy(as_admin, "330109")
    r = as_admin.post(
        "/api/v1/divisions", json={"code": "330110001001", "name": "错", "level": "community", "parent": "330109001"}
    )
    assert r.status_code == 422 and r.get_json()["errors"]["code"] == [
        "community 编码须以其上级 town 的编码 330109001 开头。"
    ]
    r = as_admin.post("/api/v1/divisions", json={"code": "330109", "name": "again", "level": "county"})
    assert r.status_code == 409


def test_invalid_polygons_are_explained(as_admin, district):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    r = as_admin.post(
        "/api/v1/grids", json={"code": "BAD", "name": "x", "polygon": bowtie, "community": district.community.code}
    )
    assert r.status_code == 422
    assert r.get_json()["errors"]["polygon"][0].startswith("多边形无效：")
    r = as_admin.post(
        "/api/v1/grids",
        json={
            "code": "BAD",
            "name": "x",
            "community": district.community.code,
            "polygon": {"type": "Point", "coordinates": [120, 30]},
        },
    )
    assert r.get_json()["errors"]["polygon"] == ["网格边界须为 Polygon 或 MultiPolygon，而不是 Point。"]


def test_each_role_sees_only_the_grids_of_its_area(district, as_worker, as_committee, as_police, as_admin, as_landlord):
    def codes(client):
        return {g["code"] for g in client.get("/api/v1/grids").get_json()["items"]}

    g0, g1, g2 = (g.code for g in district.grids)
    assert codes(as_worker) == {g0}
    assert codes(as_committee) == {g0, g1}
    assert codes(as_police) == {g0, g1}  # grid 2 has no station
    assert {g0, g1, g2} <= codes(as_admin)
    assert as_landlord.get("/api/v1/grids").status_code == 403


def test_a_grid_outside_your_area_is_not_found(district, as_worker):
    assert as_worker.get(f"/api/v1/grids/{district.grids[0].id}").status_code == 200
    r = as_worker.get(f"/api/v1/grids/{district.grids[1].id}")
    assert r.status_code == 404 and r.get_json()["code"] == "grid.not_found"


def test_grid_shows_its_workers_and_counts(district, as_admin, login):
    worker = login("grid_worker", grids=[district.grids[1].code])
    grid = as_admin.get(f"/api/v1/grids/{district.grids[1].id}").get_json()
    assert [w["username"] for w in grid["workers"]] == [worker.username]


def test_grids_as_geojson_for_maps(district, as_committee):
    r = as_committee.get("/api/v1/grids", headers={"Accept": "application/geo+json"})
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    body = r.get_json()
    assert body["type"] == "FeatureCollection"
    assert {f["properties"]["code"] for f in body["features"]} == {district.grids[0].code, district.grids[1].code}
    assert body["features"][0]["geometry"]["type"] == "MultiPolygon"


def test_only_admins_change_the_map(district, as_police):
    r = as_police.patch(f"/api/v1/grids/{district.grids[0].id}", json={"name": "renamed"})
    assert r.status_code == 403


def test_divisions_listed_for_a_worker_are_the_chain_above_their_grids(district, as_worker):
    codes = {d["code"] for d in as_worker.get("/api/v1/divisions").get_json()["items"]}
    assert codes == {district.county.code, district.town.code, district.community.code}
