"""The landlord's self-check page: the field_schema form, sent as a submission with its photo through the photo
service; errors at their field, nothing stored when something is refused."""

import io
import re

from PIL import Image
from sqlalchemy import func, select

from server.store.models import Visit
from tests.e2e.landlord_helpers import active_landlord


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 200)).save(out, "JPEG")
    return out.getvalue()


def _page(app, api_client):
    client = app.test_client()
    client.set_cookie("gw_session", api_client.token)
    return client


def _form(client, url):
    html = client.get(url).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    instance = re.search(r'name="instance_id" value="([^"]+)"', html).group(1)
    return html, {"csrf_token": csrf, "instance_id": instance}


def _opened(app, anon, as_worker, as_police, username: str, name: str):
    """An active landlord's self-check page, opened: (their API client, their house, page client, url, html,
    hidden fields)."""
    landlord, h = active_landlord(anon, as_worker, as_police, username=username, name=name)
    client = _page(app, landlord)
    url = f"/web/landlord/houses/{h['id']}/self-check"
    return (landlord, h, client, url, *_form(client, url))


GOOD = {"extinguisher_present": "yes", "exits_clear": "yes", "wiring_safe": "yes", "tenants_all_reported": "yes"}


def test_a_landlord_fills_the_self_check_with_a_photo_and_it_counts_as_their_self_check(
    app, anon, as_worker, as_police, session
):
    landlord, _h, client, url, html, hidden = _opened(app, anon, as_worker, as_police, "self.check", "李房东")
    assert "配备灭火器且在有效期内" in html and "房屋现场照片" in html  # labels from field_schema
    data = hidden | GOOD | {"hazards": ["none"], "photo": (io.BytesIO(_jpeg()), "IMG_0001.JPG")}
    r = client.post(url, data=data, content_type="multipart/form-data")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert "自查已提交" in r.get_data(as_text=True)
    [mine] = landlord.get("/api/v1/landlord/houses").get_json()["items"]
    assert mine["last_self_check_at"] is not None
    [visit] = landlord.get("/api/v1/visits").get_json()["items"]
    assert visit["kind"] == "self_check", visit
    assert [(p["name"], p["status"]) for p in visit["photos"]] == [("photo.jpg", "received")]


def test_missing_answers_and_a_photo_that_is_no_image_are_shown_at_their_fields_and_nothing_is_stored(
    app, anon, as_worker, as_police, session
):
    _landlord, h, client, url, _html, hidden = _opened(app, anon, as_worker, as_police, "self.check2", "赵房东")
    r = client.post(url, data=hidden | {"hazards": ["none", "coal_stove"]}, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="err-extinguisher_present"' in html and 'id="err-photo"' in html
    assert "“无隐患”不能与其他选项同时选择" in re.search(r'id="err-hazards"[^>]*>([^<]+)', html).group(1)
    not_an_image = hidden | GOOD | {"hazards": ["none"], "photo": (io.BytesIO(b"%PDF-1.4 not a photo"), "x.jpg")}
    r = client.post(url, data=not_an_image, content_type="multipart/form-data")
    assert r.status_code == 422
    assert re.search(r'id="err-photo"[^>]*>[^<]+', r.get_data(as_text=True))
    assert session.scalar(select(func.count()).select_from(Visit).where(Visit.house_id == h["id"])) == 0


def test_another_landlords_house_has_no_self_check_page(app, anon, as_worker, as_police):
    _mine, h = active_landlord(anon, as_worker, as_police, username="self.check3", name="钱房东")
    other, _theirs = active_landlord(anon, as_worker, as_police, username="self.check4", name="孙房东")
    assert _page(app, other).get(f"/web/landlord/houses/{h['id']}/self-check").status_code == 404
