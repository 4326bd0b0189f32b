"""Photos of visits: uploaded before, after or between submissions, refused when they are not photos,
served re-encoded without metadata, only inside the caller's scope."""

import io
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.store.models import AuditEvent, Photo
from tests.e2e.photo_helpers import camera_jpeg, digest, manifest, only_visit, put, served, visit_with_photos
from tests.e2e.registry_helpers import house
from tests.s3 import s3_endpoint  # noqa: F401 (fixture)
from tests.unit.test_images import jpeg, png_chunk


def _submit(client, body):
    r = client.post("/api/v1/submissions", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _stored_keys(app, data):
    return sorted(app.extensions["gridwork.media"].keys(f"photos/{digest(data)}/"))


def _assert_no_metadata(img):
    assert not img.getexif(), dict(img.getexif())
    assert "exif" not in img.info and "icc_profile" not in img.info and "xmp" not in img.info
    assert not [k for k in img.info if k.startswith("comment")]


def test_a_photo_uploaded_after_its_visit_is_received_and_served_without_metadata_at_every_size(as_worker):
    h = house(as_worker)
    data = camera_jpeg((3000, 2000))
    body = visit_with_photos(h, {"door.jpg": data})
    assert _submit(as_worker, body)["missing_attachments"] == ["door.jpg"]
    assert only_visit(as_worker, h)["photos"][0] | {"urls": None} == {
        "id": None,
        "name": "door.jpg",
        "status": "missing",
        "processing": None,
        "urls": None,
        "taken_at": None,
        "taken_location": None,
        "flags": [],
    }

    r = put(as_worker, body["instance_id"], "door.jpg", data)
    assert r.status_code == 201, r.get_json()
    uploaded = r.get_json()
    assert (uploaded["status"], uploaded["sha256"], uploaded["missing_attachments"]) == ("linked", digest(data), [])
    assert as_worker.get(f"/api/v1/submissions/{body['instance_id']}").get_json()["missing_attachments"] == []

    [shown] = only_visit(as_worker, h)["photos"]
    assert (shown["id"], shown["status"]) == (uploaded["id"], "received")
    for size, long_edge in (("320", 320), ("1024", 1024), ("2048", 2048)):
        response, img = served(as_worker, shown["urls"][size])
        assert (img.format, max(img.size)) == ("JPEG", long_edge)
        _assert_no_metadata(img)
        assert b"Xiaomi" not in response.data and b"Exif" not in response.data
        assert response.headers["Cache-Control"].startswith("private")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Type"] == "image/jpeg"
        again = as_worker.get(shown["urls"][size], headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""


def test_exif_position_and_capture_time_are_kept_as_evidence(as_worker):
    h = house(as_worker)
    data = camera_jpeg(gps=(120.0061, 30.0052))
    body = visit_with_photos(h, {"door.jpg": data})
    _submit(as_worker, body)
    uploaded = put(as_worker, body["instance_id"], "door.jpg", data).get_json()
    # the upload answers before the photos.derive job reads the evidence; put() lets the job run after it
    assert (uploaded["processing"], uploaded["taken_location"], uploaded["camera"]) == ("queued", None, None)
    again = put(as_worker, body["instance_id"], "door.jpg", data).get_json()
    assert again["processing"] == "ready"
    assert again["taken_location"] == pytest.approx({"lon": 120.0061, "lat": 30.0052}, abs=1e-5)
    assert again["camera"] == "Xiaomi Redmi Note 12"
    [shown] = only_visit(as_worker, h)["photos"]
    assert shown["taken_at"][:16] == body["completed_at"][:16]  # a minute before completion, same minute or one off
    assert shown["taken_location"] == pytest.approx({"lon": 120.0061, "lat": 30.0052}, abs=1e-5)


def test_a_photo_uploaded_before_its_submission_waits_and_is_linked_when_the_submission_arrives(as_worker, session):
    h = house(as_worker)
    data = camera_jpeg()
    body = visit_with_photos(h, {"door.jpg": data})
    early = put(as_worker, body["instance_id"], "door.jpg", data)
    assert early.status_code == 201, early.get_json()
    assert (early.get_json()["status"], early.get_json()["missing_attachments"]) == ("pending", None)
    assert as_worker.get(f"/api/v1/submissions/{body['instance_id']}").status_code == 404

    assert _submit(as_worker, body)["missing_attachments"] == []
    [shown] = only_visit(as_worker, h)["photos"]
    assert (shown["id"], shown["status"]) == (early.get_json()["id"], "received")
    _, img = served(as_worker, shown["urls"]["320"])
    _assert_no_metadata(img)


def test_photos_interleaved_with_the_submission_each_end_up_received_and_the_rest_stays_missing(as_worker):
    h = house(as_worker)
    files = {"a.jpg": camera_jpeg(), "b.jpg": camera_jpeg(), "c.jpg": camera_jpeg()}
    body = visit_with_photos(h, files)
    assert put(as_worker, body["instance_id"], "b.jpg", files["b.jpg"]).status_code == 201
    assert _submit(as_worker, body)["missing_attachments"] == ["a.jpg", "c.jpg"]
    assert put(as_worker, body["instance_id"], "a.jpg", files["a.jpg"]).status_code == 201
    detail = as_worker.get(f"/api/v1/submissions/{body['instance_id']}").get_json()
    assert detail["missing_attachments"] == ["c.jpg"]
    photos = only_visit(as_worker, h)["photos"]
    assert [(p["name"], p["status"]) for p in photos] == [
        ("a.jpg", "received"),
        ("b.jpg", "received"),
        ("c.jpg", "missing"),
    ]


def test_a_replayed_upload_gets_the_same_answer_and_stores_nothing_twice(as_worker, session, app):
    h = house(as_worker)
    data = camera_jpeg()
    body = visit_with_photos(h, {"door.jpg": data})
    first = put(as_worker, body["instance_id"], "door.jpg", data)  # before the submission...
    replay = put(as_worker, body["instance_id"], "door.jpg", data).get_json()
    derived = {"processing", "taken_at", "taken_location", "camera", "width", "height"}  # the job's since
    assert {k: v for k, v in replay.items() if k not in derived} == {
        k: v for k, v in first.get_json().items() if k not in derived
    }
    assert (first.get_json()["processing"], replay["processing"]) == ("queued", "ready")
    _submit(as_worker, body)
    linked = put(as_worker, body["instance_id"], "door.jpg", data)  # ...and after it
    assert linked.status_code == 200 and linked.get_json()["id"] == first.get_json()["id"]
    again = put(as_worker, body["instance_id"], "door.jpg", data)
    assert (again.status_code, again.get_json()) == (200, linked.get_json())
    count = session.scalar(select(func.count()).select_from(Photo).where(Photo.sha256 == digest(data)))
    assert count == 1
    assert _stored_keys(app, data) == [f"photos/{digest(data)}/{s}.jpg" for s in ("1024", "2048", "320")]


def test_an_upload_whose_hash_differs_from_the_manifest_is_refused_and_not_stored(as_worker, app):
    h = house(as_worker)
    declared, sent = camera_jpeg(), camera_jpeg()
    body = visit_with_photos(h, {"door.jpg": declared})
    _submit(as_worker, body)
    r = put(as_worker, body["instance_id"], "door.jpg", sent)
    assert r.status_code == 422
    assert (r.get_json()["code"], r.get_json()["declared_sha256"]) == ("attachment.hash_mismatch", digest(declared))
    assert _stored_keys(app, sent) == []
    assert as_worker.get(f"/api/v1/submissions/{body['instance_id']}").get_json()["missing_attachments"] == ["door.jpg"]
    undeclared = put(as_worker, body["instance_id"], "other.jpg", declared)
    assert (undeclared.status_code, undeclared.get_json()["code"]) == (422, "attachment.not_declared")


def test_an_early_upload_with_another_hash_is_not_linked_when_the_submission_arrives(as_worker):
    h = house(as_worker)
    declared, sent = camera_jpeg(), camera_jpeg()
    body = visit_with_photos(h, {"door.jpg": declared})
    assert put(as_worker, body["instance_id"], "door.jpg", sent).status_code == 201
    result = _submit(as_worker, body)
    assert result["missing_attachments"] == ["door.jpg"]
    assert result["result"]["attachments_refused"] == ["door.jpg"]
    assert [p["status"] for p in only_visit(as_worker, h)["photos"]] == ["missing"]
    assert put(as_worker, body["instance_id"], "door.jpg", declared).status_code == 201
    assert [p["status"] for p in only_visit(as_worker, h)["photos"]] == ["received"]


def _bomb() -> bytes:
    """A valid 20000 x 20000 PNG (400 MP) of some tens of kilobytes."""
    width = height = 20_000
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + width // 8)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "GIF")
    return out.getvalue()


REFUSED = {
    "not_an_image": (lambda: b"%PDF-1.7\nthis is a document, not a photo\n", "photo.not_an_image"),
    "truncated": (lambda: jpeg((800, 600))[:9000], "photo.corrupt"),
    "corrupt": (lambda: jpeg((200, 150))[:600] + bytes(range(256)) * 20 + b"\xff\xd9", "photo.corrupt"),
    "zip_appended": (
        lambda: jpeg() + b"PK\x03\x04\x14\x00\x00\x00payload.html" + b"PK\x05\x06" + bytes(18),
        "photo.trailing_data",
    ),
    "html_polyglot": (lambda: jpeg() + bytes(64) + b"<html><script>alert(1)</script></html>", "photo.trailing_data"),
    "decompression_bomb": (_bomb, "photo.too_many_pixels"),
    "gif": (_gif, "photo.unsupported_type"),
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
@pytest.mark.parametrize("when", ["before", "after"])
def test_files_that_are_not_acceptable_photos_are_refused_with_a_clear_code_and_leave_nothing(
    kind, when, as_worker, session, app
):
    make, code = REFUSED[kind]
    data = make()
    h = house(as_worker)
    body = visit_with_photos(h, {"door.jpg": data})
    if when == "after":
        _submit(as_worker, body)
    r = put(as_worker, body["instance_id"], "door.jpg", data)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["code"] == code and r.get_json()["message"]
    assert session.scalar(select(func.count()).select_from(Photo).where(Photo.sha256 == digest(data))) == 0
    assert _stored_keys(app, data) == []
    if when == "after":
        detail = as_worker.get(f"/api/v1/submissions/{body['instance_id']}").get_json()
        assert detail["missing_attachments"] == ["door.jpg"]


def test_an_upload_larger_than_the_request_limit_is_refused_with_413(as_worker, app, monkeypatch, session):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50_000)
    h = house(as_worker)
    data = camera_jpeg((1200, 900))
    assert len(data) > 50_000
    body = visit_with_photos(h, {"door.jpg": data})
    _submit(as_worker, body)
    r = put(as_worker, body["instance_id"], "door.jpg", data)
    assert (r.status_code, r.get_json()["code"]) == (413, "request.too_large")
    assert _stored_keys(app, data) == []
    assert session.scalar(select(func.count()).select_from(Photo).where(Photo.sha256 == digest(data))) == 0


def test_a_chunked_upload_larger_than_the_request_limit_is_refused_with_413_not_cut(
    as_worker, app, monkeypatch, session
):
    """Without Content-Length the server cannot refuse up front; it must not process the first bytes as if whole."""
    import io

    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50_000)
    h = house(as_worker)
    data = camera_jpeg((1200, 900))
    assert len(data) > 50_000
    body = visit_with_photos(h, {"door.jpg": data})
    _submit(as_worker, body)
    r = as_worker.put(
        f"/api/v1/submissions/{body['instance_id']}/attachments/door.jpg",
        input_stream=io.BytesIO(data),
        headers={"Content-Type": "image/jpeg", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert (r.status_code, r.get_json()["code"]) == (413, "request.too_large")
    assert session.scalar(select(func.count()).select_from(Photo).where(Photo.instance_id == body["instance_id"])) == 0


def test_a_photo_over_the_pixel_limit_setting_is_refused(as_worker, app, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_PIXELS", 640 * 480 - 1)
    h = house(as_worker)
    data = camera_jpeg((640, 480))
    body = visit_with_photos(h, {"door.jpg": data})
    r = put(as_worker, body["instance_id"], "door.jpg", data)
    assert (r.status_code, r.get_json()["code"]) == (422, "photo.too_many_pixels")


def test_only_the_account_that_sent_the_submission_may_upload_its_photos(as_worker, login, district):
    h = house(as_worker)
    data = camera_jpeg()
    body = visit_with_photos(h, {"door.jpg": data})
    _submit(as_worker, body)
    colleague = login("grid_worker", grids=[district.grids[0].code])
    r = put(colleague, body["instance_id"], "door.jpg", data)
    assert (r.status_code, r.get_json()["code"]) == (403, "attachment.not_owner")
    elsewhere = login("grid_worker", grids=[district.grids[2].code])
    assert put(elsewhere, body["instance_id"], "door.jpg", data).status_code == 404
    assert as_worker.get(f"/api/v1/submissions/{body['instance_id']}").get_json()["missing_attachments"] == ["door.jpg"]


def test_photos_are_seen_only_inside_the_callers_scope(as_worker, as_committee, as_police, login, district):
    h = house(as_worker)
    data = camera_jpeg()
    body = visit_with_photos(h, {"door.jpg": data})
    _submit(as_worker, body)
    photo_id = put(as_worker, body["instance_id"], "door.jpg", data).get_json()["id"]
    url = f"/api/v1/photos/{photo_id}?size=320"
    for insider in (as_committee, as_police):
        assert insider.get(url).status_code == 200
    other_grid = login("grid_worker", grids=[district.grids[2].code])
    landlord = login("landlord")
    for outsider in (other_grid, landlord):
        r = outsider.get(url)
        assert (r.status_code, r.get_json()["code"]) == (404, "photo.not_found")
    assert as_worker.get(f"/api/v1/photos/{photo_id}?size=99").status_code == 422


def test_a_pending_photo_is_seen_only_by_its_uploader(as_worker, login, district):
    h = house(as_worker)
    data = camera_jpeg()
    body = visit_with_photos(h, {"door.jpg": data})
    pending = put(as_worker, body["instance_id"], "door.jpg", data).get_json()
    url = pending["urls"]["320"]
    assert as_worker.get(url).status_code == 200
    colleague = login("grid_worker", grids=[district.grids[0].code])
    assert colleague.get(url).status_code == 404


def test_every_photo_read_is_audited(as_worker, session):
    h = house(as_worker)
    data = camera_jpeg()
    body = visit_with_photos(h, {"door.jpg": data})
    _submit(as_worker, body)
    photo_id = put(as_worker, body["instance_id"], "door.jpg", data).get_json()["id"]
    assert as_worker.get(f"/api/v1/photos/{photo_id}?size=1024").status_code == 200
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "photo.read", AuditEvent.subject_ids.contains([photo_id]))
    )
    assert event.details["size"] == "1024"


def test_keeping_originals_stores_the_upload_as_sent(as_worker, app, monkeypatch, session):
    monkeypatch.setitem(app.config, "MEDIA_KEEP_ORIGINALS", True)
    h = house(as_worker)
    data = camera_jpeg()
    body = visit_with_photos(h, {"door.jpg": data})
    _submit(as_worker, body)
    assert put(as_worker, body["instance_id"], "door.jpg", data).status_code == 201
    assert app.extensions["gridwork.media"].get(f"photos/{digest(data)}/original") == data


def test_an_edit_keeps_the_photos_already_received(as_worker):
    h = house(as_worker)
    data = camera_jpeg()
    body = visit_with_photos(h, {"door.jpg": data})
    _submit(as_worker, body)
    assert put(as_worker, body["instance_id"], "door.jpg", data).status_code == 201
    edit = visit_with_photos(h, {"door.jpg": data}, deprecated_id=body["instance_id"])
    assert _submit(as_worker, edit)["missing_attachments"] == []
    [shown] = only_visit(as_worker, h)["photos"]
    assert shown["status"] == "received"
    assert served(as_worker, shown["urls"]["320"])[0].status_code == 200


def test_same_picture_in_two_visits_is_stored_once(as_worker, app):
    data = camera_jpeg()
    for _ in range(2):
        h = house(as_worker)
        body = visit_with_photos(h, {"door.jpg": data})
        _submit(as_worker, body)
        assert put(as_worker, body["instance_id"], "door.jpg", data).status_code == 201
    assert len(_stored_keys(app, data)) == 3
    assert manifest({"x": data})[0]["sha256"] == digest(data)


def test_upload_and_serving_work_the_same_with_s3(as_worker, app, monkeypatch, request):
    from tests.s3 import s3_store

    store = s3_store(request.getfixturevalue("s3_endpoint"), monkeypatch)
    monkeypatch.setitem(app.extensions, "gridwork.media", store)
    h = house(as_worker)
    data = camera_jpeg((1600, 1200))
    body = visit_with_photos(h, {"door.jpg": data})
    assert put(as_worker, body["instance_id"], "door.jpg", data).status_code == 201
    _submit(as_worker, body)
    assert sorted(store.keys(f"photos/{digest(data)}/")) == [
        f"photos/{digest(data)}/{s}.jpg" for s in ("1024", "2048", "320")
    ]
    [shown] = only_visit(as_worker, h)["photos"]
    for size, long_edge in (("320", 320), ("1024", 1024), ("2048", 1600)):  # never upscaled
        _response, img = served(as_worker, shown["urls"][size])
        assert max(img.size) == long_edge
        _assert_no_metadata(img)
    refused = put(as_worker, body["instance_id"], "door.jpg", jpeg() + b"PK\x05\x06" + bytes(18))
    assert refused.status_code == 422
    assert len(list(store.keys("photos/"))) == 3


def test_a_photo_whose_file_is_gone_from_storage_is_a_logged_server_fault_not_a_404(as_worker, app, caplog):
    """The database says the photo exists: a missing file is the server's fault, for the operator to repair
    (`gridwork media check`), not an absent photo the phone should give up on."""
    data = camera_jpeg()
    body = visit_with_photos(house(as_worker), {"door.jpg": data})
    _submit(as_worker, body)
    photo_id = put(as_worker, body["instance_id"], "door.jpg", data).get_json()["id"]
    app.extensions["gridwork.media"].delete(f"photos/{digest(data)}/320.jpg")
    r = as_worker.get(f"/api/v1/photos/{photo_id}?size=320", headers={"X-Request-ID": "lost-photo-1"})
    assert (r.status_code, r.get_json()["code"], r.get_json()["request_id"]) == (
        500,
        "photo.file_missing",
        "lost-photo-1",
    )
    [logged] = [rec for rec in caplog.records if rec.levelname == "ERROR" and "photo.file_missing" in rec.getMessage()]
    assert "lost-photo-1" in logged.getMessage()
    assert f"photos/{digest(data)}/320.jpg" in logged.getMessage()  # the operator sees which object to restore
    assert served(as_worker, f"/api/v1/photos/{photo_id}?size=1024")[1].format == "JPEG"


def test_a_photo_answers_202_with_retry_after_until_its_derivatives_job_ran(as_worker, app):
    from .photo_helpers import run_jobs

    h = house(as_worker)
    data = camera_jpeg((1600, 1200))
    body = visit_with_photos(h, {"door.jpg": data})
    _submit(as_worker, body)
    uploaded = put(as_worker, body["instance_id"], "door.jpg", data, jobs=False).get_json()
    assert uploaded["processing"] == "queued"
    [shown] = only_visit(as_worker, h)["photos"]
    assert (shown["status"], shown["processing"]) == ("received", "queued")
    submission = f"/api/v1/submissions/{body['instance_id']}"
    assert as_worker.get(submission).get_json()["photos"] == [{"name": "door.jpg", "processing": "queued"}]
    pending = as_worker.get(shown["urls"]["1024"])
    assert pending.status_code == 202
    assert pending.headers["Retry-After"] == "2"
    assert pending.data == b""
    assert _stored_keys(app, data) == [f"photos/{digest(data)}/upload"]  # the upload, kept for the job

    assert run_jobs(app) == 1
    [shown] = only_visit(as_worker, h)["photos"]
    assert shown["processing"] == "ready"
    assert as_worker.get(submission).get_json()["photos"] == [{"name": "door.jpg", "processing": "ready"}]
    assert as_worker.get(shown["urls"]["1024"]).status_code == 200
    assert _stored_keys(app, data) == sorted(f"photos/{digest(data)}/{s}.jpg" for s in ("320", "1024", "2048"))
    assert run_jobs(app) == 0  # nothing left, nothing run twice


def test_a_resent_photo_that_its_submission_missed_by_a_moment_is_linked(as_worker, session):
    """An upload that committed while its submission was being received (which read the pending uploads just
    before: a batch reads them for all its items first) stays pending; the phone sees the photo missing and
    sends it again, and that resend links it."""
    from server.store.models import Attachment

    h = house(as_worker)
    data = camera_jpeg()
    body = visit_with_photos(h, {"door.jpg": data})
    assert _submit(as_worker, body)["missing_attachments"] == ["door.jpg"]
    assert put(as_worker, body["instance_id"], "door.jpg", data).status_code == 201
    # what the race leaves: the upload stored as pending, the submission's manifest still waiting for it
    photo = session.scalar(select(Photo).where(Photo.instance_id == body["instance_id"]))
    entry = session.scalar(select(Attachment).where(Attachment.instance_id == body["instance_id"]))
    photo.status, photo.linked_at, entry.received_at = "pending", None, None
    session.flush()
    assert as_worker.get(f"/api/v1/submissions/{body['instance_id']}").get_json()["missing_attachments"] == ["door.jpg"]

    again = put(as_worker, body["instance_id"], "door.jpg", data)

    assert again.status_code == 200, again.get_json()
    assert (again.get_json()["status"], again.get_json()["missing_attachments"]) == ("linked", [])
    assert as_worker.get(f"/api/v1/submissions/{body['instance_id']}").get_json()["missing_attachments"] == []
    assert [p["status"] for p in only_visit(as_worker, h)["photos"]] == ["received"]
