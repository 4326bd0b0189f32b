"""An administrator issues an ODK Collect device credential for a grid worker in the browser, sees the QR code
and the one-time password, finds it in the list and revokes it; the phone's Digest requests then get 401."""

from __future__ import annotations

from tests.browser.conftest import sign_in
from tests.e2e.openrosa_helpers import Phone


def test_an_admin_issues_a_device_for_a_worker_and_revokes_it(committed, page, shots):
    d = committed.district
    admin = committed.login("admin")
    worker = committed.login("grid_worker", grids=[d.grids[0].code])

    sign_in(page, admin.username)
    page.click("text=Collect 设备")
    page.fill("#d-label", "张三的手机")
    page.fill("#d-worker", worker.username)
    page.click("#issue-device button[type=submit]")
    page.wait_for_selector("#issued")
    assert "只在此时显示一次" in page.inner_text("#once")
    assert page.evaluate("document.getElementById('qr').naturalWidth") > 100  # the PNG loaded (CSP allows data:)
    username = page.inner_text("#issued-username").strip()
    password = page.inner_text("#issued-password").strip()
    assert username.startswith(worker.username) and len(password) >= 24
    assert page.inner_text("#issued-url").strip().endswith("/openrosa")
    page.screenshot(path=str(shots / "devices-qr.png"), full_page=True)

    row = page.locator("#devices-table tbody tr", has_text=username)
    assert "张三的手机" in row.inner_text() and worker.username in row.inner_text()
    collect = Phone(committed.app.test_client(), username, password)
    assert collect.request("GET", "/openrosa/formList").status_code == 200

    page.goto("/web/devices")
    assert password not in page.content()  # shown once only
    page.locator("#devices-table tbody tr", has_text=username).locator("button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator("#devices-table tbody tr", has_text=username)
    assert row.locator("button").count() == 0 and row.locator(".revoked").inner_text().strip() != "—"
    r = collect.request("GET", "/openrosa/formList")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Digest")
