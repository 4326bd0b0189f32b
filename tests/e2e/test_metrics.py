"""GET /metrics: Prometheus' text format, only to the holder of METRICS_TOKEN; request latency by URL rule
and status class, and how late phones sync."""

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.registry_helpers import house
from tests.e2e.submission_helpers import visit

TOKEN = "m" * 40


@pytest.fixture
def metrics_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)


def _scrape(client) -> dict:
    """{(sample name, frozen labels): value} from a real scrape."""
    r = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.mimetype == "text/plain"
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.get_data(as_text=True))
        for s in family.samples
    }


def _requests(scrape, method, route, status_class) -> float:
    labels = frozenset({"method": method, "route": route, "status_class": status_class}.items())
    return scrape.get(("gridwork_http_request_duration_seconds_count", labels), 0.0)


def test_metrics_are_not_served_without_a_configured_token(app, anon, as_admin, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    assert anon.get("/metrics").status_code == 404
    assert as_admin.get("/metrics").status_code == 404  # not even to an administrator


def test_metrics_need_the_token_not_an_account_token(anon, as_admin, metrics_on):
    assert anon.get("/metrics").status_code == 401
    assert anon.get("/metrics", headers={"Authorization": f"Bearer {TOKEN[:-1]}"}).status_code == 401
    assert as_admin.get("/metrics").status_code == 401


def test_a_request_is_counted_under_its_url_rule_and_status_class(anon, as_worker, metrics_on):
    h = house(as_worker)
    rule = "/api/v1/houses/<uuid:house_id>"
    before = _scrape(anon)
    assert as_worker.get(f"/api/v1/houses/{h['id']}").status_code == 200
    assert anon.get(f"/api/v1/houses/{h['id']}").status_code == 401
    after = _scrape(anon)
    assert _requests(after, "GET", rule, "2xx") == _requests(before, "GET", rule, "2xx") + 1
    assert _requests(after, "GET", rule, "4xx") == _requests(before, "GET", rule, "4xx") + 1
    assert not any(h["id"] in str(labels) for _, labels in after)  # the rule, never the path with an id


def test_sync_lag_is_observed_when_a_submission_arrives(anon, as_worker, metrics_on):
    h = house(as_worker)
    before = _scrape(anon)
    completed = datetime.now(UTC) - timedelta(hours=2)
    body = visit(
        h,
        [],
        outcome="not_home",
        completed_at=completed.isoformat(),
        started_at=(completed - timedelta(minutes=5)).isoformat(),
    )
    assert as_worker.post("/api/v1/submissions", json=body).status_code == 201
    assert as_worker.post("/api/v1/submissions", json=body).status_code == 200  # a replay is not counted again
    after = _scrape(anon)
    count = ("gridwork_sync_lag_seconds_count", frozenset())
    total = ("gridwork_sync_lag_seconds_sum", frozenset())
    assert after[count] == before.get(count, 0) + 1
    assert 2 * 3600 <= after[total] - before.get(total, 0) < 2 * 3600 + 60


def test_a_short_metrics_token_is_refused_at_start_up(database_url, tmp_path):
    from server.app import create_app

    with pytest.raises(RuntimeError, match="METRICS_TOKEN"):
        create_app({"DATABASE_URL": database_url, "MEDIA_ROOT": str(tmp_path), "METRICS_TOKEN": "secret"})
