"""Error messages come from the one catalogue, in Chinese unless the request's Accept-Language prefers English."""

import uuid


def test_messages_are_chinese_by_default_and_english_when_preferred(as_worker):
    url = f"/api/v1/addresses/{uuid.uuid4()}"
    for headers, message in (
        ({}, "没有这个地址。"),
        ({"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, "没有这个地址。"),
        ({"Accept-Language": "en-US,en;q=0.9"}, "No such address."),
        ({"Accept-Language": "zh;q=0.3, en;q=0.7"}, "No such address."),
        ({"Accept-Language": "fr"}, "没有这个地址。"),
    ):
        r = as_worker.get(url, headers=headers)
        assert (r.status_code, r.get_json()["code"], r.get_json()["message"]) == (404, "address.not_found", message)
        assert "Accept-Language" in r.headers["Vary"]


def test_the_message_names_the_fields_and_field_errors_follow_the_language(anon):
    zh = anon.post("/api/v1/auth/tokens", json={"username": "a"}).get_json()
    en = anon.post("/api/v1/auth/tokens", json={"username": "a"}, headers={"Accept-Language": "en"}).get_json()
    assert zh["message"] == "部分字段无效：password。" and en["message"] == "Some fields are invalid: password."
    assert zh["errors"] == {"password": ["缺少必填字段。"]}
    assert en["errors"] == {"password": ["Missing data for required field."]}


def test_marshmallows_validator_messages_come_in_chinese_with_their_values(as_worker):
    r = as_worker.get("/api/v1/houses", query_string={"limit": 500, "use": "castle"})
    assert r.status_code == 422
    assert r.get_json()["errors"]["limit"] == ["必须大于等于 1 且小于等于 200。"]
    assert r.get_json()["errors"]["use"][0].startswith("必须是以下之一：")
    r = as_worker.get(
        "/api/v1/houses", query_string={"limit": 500}, headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.1"}
    )
    assert r.get_json()["errors"]["limit"] == ["Must be greater than or equal to 1 and less than or equal to 200."]


def test_our_own_field_messages_come_in_chinese_too(as_worker):
    r = as_worker.get("/api/v1/addresses", query_string={"near": "east,north"})
    assert r.status_code == 422
    assert r.get_json()["errors"] == {"near": ["请用“经度,纬度”，例如 120.1325,30.2721。"]}
    r = as_worker.get("/api/v1/addresses", query_string={"near": "east,north"}, headers={"Accept-Language": "en"})
    assert r.get_json()["errors"] == {"near": ["Use 'longitude,latitude', e.g. 120.1325,30.2721."]}
    r = as_worker.get("/api/v1/houses", query_string={"cursor": "not-a-cursor"})
    assert r.get_json()["errors"] == {"cursor": ["这不是本列表的游标，请不带游标从头开始。"]}


def test_a_locked_account_says_how_many_minutes_in_the_chosen_language(anon, build, app):
    account = build.account("police", station=build.station().code)
    body = {"username": account.username, "password": "guess guess"}
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert anon.post("/api/v1/auth/tokens", json=body).status_code == 401
    r = anon.post("/api/v1/auth/tokens", json=body, headers={"Accept-Language": "en"})
    assert (r.status_code, r.get_json()["code"]) == (429, "auth.locked")
    minutes = -(-int(r.headers["Retry-After"]) // 60)
    assert r.get_json()["message"] == f"Too many failed sign-ins for this account; try again in {minutes} minute(s)."
    r = anon.post("/api/v1/auth/tokens", json=body)
    assert r.get_json()["message"] == f"此账号登录失败次数过多，请 {minutes} 分钟后再试。"


def test_errors_the_http_layer_raises_come_from_the_catalogue_too(anon):
    r = anon.put("/api/v1/healthz", headers={"Accept-Language": "en"})
    assert (r.status_code, r.get_json()["message"]) == (405, "This method is not allowed here; see the Allow header.")
    r = anon.get("/api/v1/no-such-thing")
    assert (r.status_code, r.get_json()["message"]) == (404, "未找到。")
