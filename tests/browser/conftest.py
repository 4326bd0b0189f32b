"""Browser tests: the app served for real on a loopback port, driven by Debian's Chromium through Playwright.

The server runs ``committed_app`` (its own database, whose requests really commit) in a thread with
werkzeug's ``make_server``; the browser is /usr/bin/chromium (scripts/ensure-system.sh installs it),
never a browser Playwright would download. Screenshots of each page go to the test output directory,
``var/test-output/pages/`` (or BROWSER_SHOTS).
"""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def live_url(committed_app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, committed_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/ensure-system.sh` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_url):
    """A fresh browser context (no cookies) at desktop size, Chinese pages by default."""
    context = chromium.new_context(base_url=live_url, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def phone(chromium, live_url):
    context = chromium.new_context(base_url=live_url, viewport=PHONE, locale="zh-CN", is_mobile=True)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    folder = Path(os.environ.get("BROWSER_SHOTS") or Path(__file__).resolve().parents[2] / "var/test-output/pages")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page, username: str, password: str = "correct horse battery") -> None:
    page.goto("/web/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def anon_api(committed):
    """The API without a token, on the committed app (account requests, sign-ins)."""
    from tests.conftest import ApiClient

    return ApiClient(committed.app.test_client())


LANDLORD_PASSWORD = "landlord secret 1"


def landlord_of_a_rental(committed, page, *, username: str, name: str, phone: str, born: date) -> dict:
    """A police officer registers a landlord for a new rental in grid 0, and the landlord signs in on
    ``page``; returns the rental house."""
    from tests.builders import citizen_id
    from tests.e2e.tier_helpers import rental

    d = committed.district
    worker = committed.login("grid_worker", grids=[d.grids[0].code])
    police = committed.login("police", station=d.station.code)
    house = rental(worker)
    r = police.post(
        "/api/v1/landlords",
        json={
            "username": username,
            "password": LANDLORD_PASSWORD,
            "name": name,
            "phone": phone,
            "document_type": "citizen_id",
            "document_number": citizen_id(born),
            "house_ids": [house["id"]],
        },
    )
    assert r.status_code == 201, r.get_json()
    sign_in(page, username, LANDLORD_PASSWORD)
    page.wait_for_url("**/web/landlord")
    return house
