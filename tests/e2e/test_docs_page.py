"""The API docs page works on a network with no internet: every script and style it
loads comes from the server itself (issue #11)."""

import re


def test_docs_page_loads_swagger_ui_from_the_server_itself(anon):
    page = anon.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for url in assets:
        assert url.startswith("/api/v1/docs/assets/"), f"{url} is not served by Gridwork"
        r = anon.get(url)
        assert r.status_code == 200, url
        assert len(r.data) > 1000, url
        expected = "javascript" if url.endswith(".js") else "css"
        assert expected in r.headers["Content-Type"], url


def test_docs_page_points_at_the_spec_it_serves(anon):
    html = anon.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/openapi.json" in html
    assert anon.get("/api/v1/openapi.json").status_code == 200


def test_docs_assets_do_not_serve_files_outside_their_folder(anon):
    assert anon.get("/api/v1/docs/assets/../../../../etc/passwd").status_code == 404
    assert anon.get("/api/v1/docs/assets/%2e%2e/%2e%2e/__init__.py").status_code == 404
