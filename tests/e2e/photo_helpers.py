"""Photos the way a phone takes and sends them (built with Pillow; no image files are committed)."""

import hashlib
import io
import secrets
from datetime import UTC, datetime, timedelta

from PIL import Image

from tests.e2e.registry_helpers import IN_G0
from tests.e2e.submission_helpers import resident, visit
from tests.unit.test_images import make_exif, photo


def exif_time(moment: datetime) -> dict:
    return {"taken": moment.astimezone(UTC).strftime("%Y:%m:%d %H:%M:%S"), "offset": "+00:00"}


def camera_jpeg(size=(640, 480), *, at=None, gps=(IN_G0["lon"], IN_G0["lat"])) -> bytes:
    """A unique photo with EXIF (camera, GPS, capture time: a minute ago unless given)."""
    img = photo(size)
    img.paste(tuple(secrets.token_bytes(3)), (0, 0, 24, 24))  # unique content, so unique SHA-256
    exif = make_exif(gps=gps, **exif_time(at or datetime.now(UTC) - timedelta(minutes=1)))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def manifest(files: dict[str, bytes]) -> list[dict]:
    return [
        {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "content_type": "image/jpeg"}
        for name, data in files.items()
    ]


def visit_with_photos(house: dict, files: dict[str, bytes], **extra) -> dict:
    """A household visit naming each file in photo_1, photo_2... and declaring them all."""
    body = visit(house, [resident()], attachments=manifest(files), **extra)
    for index, name in enumerate(files, start=1):
        body["answers"][f"photo_{index}"] = name
    return body


def put(client, instance_id, name, data, content_type="image/jpeg", *, jobs=True):
    """Upload; then (``jobs``) let the background jobs run, as a worker would within moments. The answer is
    the upload's own: its ``processing`` is ``queued`` and its evidence not read yet."""
    r = client.put(
        f"/api/v1/submissions/{instance_id}/attachments/{name}", data=data, headers={"Content-Type": content_type}
    )
    if jobs and r.status_code < 300:
        run_jobs(_app(client))
    return r


def _app(client):
    return getattr(client, "client", client).application


def served(client, url, **kw):
    """GET a photo URL once the background jobs ran; returns (response, Pillow image)."""
    run_jobs(_app(client))
    r = client.get(url, **kw)
    assert r.status_code == 200, r.get_json()
    return r, Image.open(io.BytesIO(r.data))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def only_visit(client, house):
    """The one visit on a house's timeline."""
    [v] = client.get(f"/api/v1/houses/{house['id']}/visits").get_json()["items"]
    return v


def run_jobs(app) -> int:
    """Run the queued background jobs (photo derivatives) in the test's transaction, until none is left."""
    from server.jobs.inline import run_due
    from server.store.db import get_db

    with app.app_context():
        session = get_db(app).session()
        try:
            ran = run_due(app, session)
            session.commit()
        finally:
            session.close()
    return ran
