"""GET /api/v1/devices: the credentials one may revoke, newest first, paged; never a secret."""

from tests.e2e.openrosa_helpers import issue


def test_a_worker_lists_their_own_devices_newest_first_without_secrets(as_worker, as_police):
    first, second = issue(as_worker, "旧手机"), issue(as_worker, "新手机")
    issue(as_police, "派出所手机")
    body = as_worker.get("/api/v1/devices").get_json()
    assert [d["id"] for d in body["items"]] == [second["id"], first["id"]]
    assert body["items"][0]["label"] == "新手机" and body["items"][0]["account_username"] == as_worker.username
    assert body["items"][0]["revoked_at"] is None and body["next_cursor"] is None
    assert second["password"] not in str(body) and "ha1" not in str(body)


def test_the_list_pages_with_a_cursor_and_shows_revocations(as_worker):
    ids = [issue(as_worker, f"手机{i}")["id"] for i in range(3)]
    assert as_worker.delete(f"/api/v1/devices/{ids[0]}").status_code == 200
    page1 = as_worker.get("/api/v1/devices?limit=2").get_json()
    assert [d["id"] for d in page1["items"]] == [ids[2], ids[1]]
    assert page1["links"][0]["rel"] == "next"
    page2 = as_worker.get(page1["links"][0]["href"]).get_json()
    assert [d["id"] for d in page2["items"]] == [ids[0]] and page2["next_cursor"] is None
    assert page2["items"][0]["revoked_at"] is not None


def test_admins_see_every_device_others_only_their_own(as_admin, as_worker, as_police):
    mine = issue(as_worker)
    theirs = issue(as_police)
    seen_by_admin = {d["id"] for d in as_admin.get("/api/v1/devices").get_json()["items"]}
    assert {mine["id"], theirs["id"]} <= seen_by_admin
    assert [d["id"] for d in as_police.get("/api/v1/devices").get_json()["items"]] == [theirs["id"]]
