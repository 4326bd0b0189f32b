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


def test_the_message_names_the_fields_in_either_language_and_field_errors_stay(anon):
    zh = anon.post("/api/v1/auth/tokens", json={"username": "a"}).get_json()
    en = anon.post("/api/v1/auth/tokens", json={"username": "a"}, headers={"Accept-Language": "en"}).get_json()
    assert zh["message"] == "部分字段无效：password。" and en["message"] == "Some fields are invalid: password."
    assert zh["errors"] == en["errors"] == {"password": ["Missing data for required field."]}


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
