"""Standard addresses: the same address typed twice is one record; search finds it however it is typed."""

IN_G0 = {"lon": 120.005, "lat": 30.005}  # inside district.grids[0]
IN_G1 = {"lon": 120.015, "lat": 30.005}


def _address(client, **parts):
    body = {
        "street": "幸福路",
        "door": "12号",
        "building": "3栋",
        "unit": "2单元",
        "floor": "5层",
        "room": "502室",
        "location": IN_G0,
    } | parts
    return client.post("/api/v1/addresses", json=body)


def test_registering_an_address_builds_its_canonical_text_and_finds_its_grid(as_worker, district):
    r = _address(as_worker)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["existing"] is False
    assert body["full_text"] == f"{district.town.name}{district.community.name} 幸福路 12号 3栋 2单元 5层 502室"
    assert body["grid"]["code"] == district.grids[0].code
    assert body["community"]["code"] == district.community.code
    assert body["location"] == IN_G0


def test_the_same_address_typed_differently_resolves_to_the_same_record(as_worker):
    first = _address(as_worker).get_json()
    again = _address(
        as_worker,
        street=" 幸福路 ",
        door="１２",
        building="三幢",
        unit="2",
        floor="5",
        room="502",
        location={"lon": 120.0051, "lat": 30.0049},
    )
    assert again.status_code == 200
    assert again.get_json()["existing"] is True and again.get_json()["id"] == first["id"]


def test_a_point_outside_every_grid_is_refused(as_admin, district):
    r = _address(as_admin, location={"lon": 100.0, "lat": 20.0})
    assert r.status_code == 422
    assert r.get_json()["code"] == "address.outside_grids" and "location" in r.get_json()["errors"]


def test_a_worker_cannot_register_in_someone_elses_grid_which_is_not_found_for_them(as_worker):
    r = _address(as_worker, location=IN_G1)
    assert r.status_code == 404 and r.get_json()["code"] == "address.outside_your_area"


def test_search_by_text_tolerates_width_spacing_and_numerals(as_worker):
    created = _address(as_worker).get_json()
    _address(as_worker, street="文三路", door="8号", building=None, unit=None, floor=None, room=None)
    for q in ("幸福路１２号", "幸福路 12号", "幸福路十二号", "502室"):
        items = as_worker.get("/api/v1/addresses", query_string={"q": q}).get_json()["items"]
        assert [a["id"] for a in items] == [created["id"]], q


def test_search_near_a_point_gives_distances_and_respects_the_radius(as_worker):
    near = _address(as_worker, room="501室", location={"lon": 120.0050, "lat": 30.0050}).get_json()
    _address(as_worker, room="101室", location={"lon": 120.0090, "lat": 30.0090})  # ~580 m away
    items = as_worker.get("/api/v1/addresses", query_string={"near": "120.0050,30.0051", "radius_m": 50}).get_json()[
        "items"
    ]
    assert [a["id"] for a in items] == [near["id"]]
    assert 10 < items[0]["distance_m"] < 12  # 0.0001° of latitude ≈ 11.1 m


def test_search_in_a_box_and_by_grid(as_committee, district):
    a = _address(as_committee).get_json()
    b = _address(as_committee, door="14号", location=IN_G1).get_json()
    box = as_committee.get("/api/v1/addresses", query_string={"bbox": "120.0,30.0,120.01,30.01"}).get_json()["items"]
    assert [x["id"] for x in box] == [a["id"]]
    by_grid = as_committee.get("/api/v1/addresses", query_string={"grid": district.grids[1].code}).get_json()["items"]
    assert [x["id"] for x in by_grid] == [b["id"]]


def test_bad_search_parameters_name_the_field(as_worker):
    r = as_worker.get("/api/v1/addresses", query_string={"near": "east,west"})
    assert r.status_code == 422 and "near" in r.get_json()["errors"]
    r = as_worker.get("/api/v1/addresses", query_string={"radius_m": 100000, "near": "120,30"})
    assert r.status_code == 422 and "radius_m" in r.get_json()["errors"]


def test_addresses_page_in_a_stable_order(as_worker):
    for room in range(101, 106):
        _address(as_worker, room=f"{room}室")
    seen, cursor = [], None
    while True:
        qs = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = as_worker.get("/api/v1/addresses", query_string=qs).get_json()
        seen += [a["full_text"] for a in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert len(seen) == 5 and seen == sorted(seen)


def test_addresses_outside_your_area_are_not_found(as_committee, as_worker):
    other = _address(as_committee, door="16号", location=IN_G1).get_json()
    assert as_worker.get(f"/api/v1/addresses/{other['id']}").status_code == 404
