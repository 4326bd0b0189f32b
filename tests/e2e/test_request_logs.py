"""Every request leaves one JSON log line with its request id, the URL rule, the status, the time taken
and who asked (account id and role), and never a token, a password or personal data."""

import json
import logging

import pytest

from server.logs import JsonFormatter
from tests.e2e.registry_helpers import house


@pytest.fixture
def lines(caplog):
    """The JSON lines logged so far (as the server writes them)."""
    caplog.set_level(logging.INFO)
    formatter = JsonFormatter()
    return lambda: [json.loads(formatter.format(r)) for r in caplog.records]


def _request_lines(all_lines):
    return [line for line in all_lines if line["logger"] == "gridwork.request"]


def test_a_signed_in_request_logs_one_line_with_the_route_rule_actor_and_request_id(as_worker, lines):
    h = house(as_worker)
    before = len(_request_lines(lines()))
    r = as_worker.get(f"/api/v1/houses/{h['id']}", headers={"X-Request-ID": "req-42.a"})
    assert r.status_code == 200 and r.headers["X-Request-ID"] == "req-42.a"
    [line] = _request_lines(lines())[before:]
    assert line["request_id"] == "req-42.a" and line["level"] == "info" and line["message"] == "request"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/api/v1/houses/<uuid:house_id>", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert (line["actor_id"], line["actor_role"]) == (str(as_worker.account_id), "grid_worker")
    assert line["time"].endswith("+00:00")
    assert h["id"] not in json.dumps(line)  # the rule, not the path with the record's id


def test_sign_in_and_anonymous_requests_log_no_token_password_or_username(app, build, lines):
    account = build.account("landlord", password="correct horse battery")
    client = app.test_client()
    r = client.post("/api/v1/auth/tokens", json={"username": account.username, "password": "correct horse battery"})
    assert r.status_code == 201
    token = r.get_json()["token"]
    assert client.get("/api/v1/houses", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    assert client.get("/api/v1/healthz").status_code == 200
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines())
    assert token not in text and token[:16] not in text
    assert "correct horse battery" not in text and account.username not in text
    sign_in, refused, health = _request_lines(lines())[-3:]
    assert (sign_in["route"], sign_in["status"], sign_in["actor_id"]) == ("/api/v1/auth/tokens", 201, None)
    assert (refused["route"], refused["status"], refused["actor_id"]) == ("/api/v1/houses", 401, None)
    assert (health["route"], health["status"]) == ("/api/v1/healthz", 200)
    assert len({sign_in["request_id"], refused["request_id"], health["request_id"]}) == 3


def test_an_unknown_path_is_logged_without_a_route(anon, lines):
    assert anon.get("/api/v1/no-such-thing/123").status_code == 404
    line = _request_lines(lines())[-1]
    assert (line["route"], line["status"]) == (None, 404) and "no-such-thing" not in json.dumps(line)
