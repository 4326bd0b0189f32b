"""Signing in to the pages: the API's own web token in an HttpOnly, SameSite=Strict cookie, CSRF tokens
on every form, logout revoking the token, one login throttle with the API, and an API that ignores cookies."""

import re

import pytest

PASSWORD = "correct horse battery"


def _csrf(client, url="/web/login") -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _sign_in(client, username, password=PASSWORD, **extra):
    return client.post(
        "/web/login", data={"username": username, "password": password, "csrf_token": _csrf(client)} | extra
    )


@pytest.fixture
def police(build, district):
    return build.account("police", password=PASSWORD, station=district.station.code)


def _cookie_header(response, name) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_signing_in_sets_an_httponly_strict_cookie_holding_a_twelve_hour_web_token(app, db, police):
    client = app.test_client()
    r = _sign_in(client, police.username)
    assert r.status_code == 302 and r.headers["Location"] == "/web/due"
    cookie = _cookie_header(r, "gw_session")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    assert "Max-Age=43200" in cookie
    assert client.get("/web/due").status_code == 200


def test_over_https_the_cookie_is_secure(app, db, police):
    client = app.test_client()
    csrf = _csrf(client)
    r = client.post(
        "/web/login",
        data={"username": police.username, "password": PASSWORD, "csrf_token": csrf},
        base_url="https://localhost",
    )
    assert "Secure" in _cookie_header(r, "gw_session")


def test_the_json_api_refuses_the_pages_cookie(app, db, police):
    client = app.test_client()
    _sign_in(client, police.username)
    assert client.get("/web/due").status_code == 200
    r = client.get("/api/v1/me")  # the cookie goes along, no Authorization header
    assert r.status_code == 401 and r.get_json()["code"] == "auth.required"


def test_a_form_without_the_csrf_token_changes_nothing(app, db, police):
    client = app.test_client()
    r = client.post("/web/login", data={"username": police.username, "password": PASSWORD})
    assert r.status_code == 400 and "gw_session" not in r.headers.get("Set-Cookie", "")
    _sign_in(client, police.username)
    r = client.post("/web/logout", data={"csrf_token": "forged"})
    assert r.status_code == 400
    assert client.get("/web/due").status_code == 200  # still signed in


def test_logout_revokes_the_token(app, db, police):
    client = app.test_client()
    r = _sign_in(client, police.username)
    token = _cookie_header(r, "gw_session").split(";")[0].split("=", 1)[1]
    assert client.post("/web/logout", data={"csrf_token": _csrf(client, "/web/due")}).status_code == 302
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401 and api.get_json()["code"] == "auth.token_revoked"
    assert client.get("/web/due").status_code == 302  # back to the login page


def test_wrong_password_is_said_in_chinese_and_the_throttle_is_the_apis(app, db, police):
    client = app.test_client()
    r = _sign_in(client, police.username, "wrong password")
    assert r.status_code == 401 and "用户名或密码错误" in r.get_data(as_text=True)
    for _ in range(4):  # the API's failures count for the pages too
        client.post("/api/v1/auth/tokens", json={"username": police.username, "password": "wrong"})
    r = _sign_in(client, police.username)  # right password, but locked
    assert r.status_code == 429 and "分钟" in r.get_data(as_text=True)


def test_pages_ask_to_sign_in_and_never_redirect_off_site(app, db, police):
    client = app.test_client()
    r = client.get("/web/due?status=overdue")
    assert r.status_code == 302 and r.headers["Location"].startswith("/web/login?next=")
    r = _sign_in(client, police.username, next="//evil.example/x")
    assert r.headers["Location"] == "/web/due"


def test_english_is_a_choice_and_chinese_the_default(app, db):
    client = app.test_client()
    assert "登录" in client.get("/web/login").get_data(as_text=True)
    client.get("/web/lang/en")
    assert "Sign in" in client.get("/web/login").get_data(as_text=True)
