"""A web worker never loads libvips: only the job worker makes derivatives (server/media/pixels.py imports
pyvips on first use), and loading it costs every web worker ~11 MB of RSS."""

import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.photo_helpers import camera_jpeg, visit_with_photos
from tests.e2e.registry_helpers import house

# A fresh interpreter, as a gunicorn worker is: the app, a submission with a photo and its upload through
# the app, then the derivatives job the job worker would run. Prints which modules were loaded when.
SCRIPT = """
import json, sys
from server.app import create_app
from server.jobs.inline import run_due
from server.store.db import get_db

config, token, body, photo = json.loads(sys.stdin.read())
app = create_app(config)
client = app.test_client()
auth = {"Authorization": "Bearer " + token}
submitted = client.post("/api/v1/submissions", json=body, headers=auth).status_code
uploaded = client.put(
    f"/api/v1/submissions/{body['instance_id']}/attachments/door.jpg",
    data=bytes.fromhex(photo), headers=auth | {"Content-Type": "image/jpeg"},
)
after_upload = "pyvips" in sys.modules
with app.app_context():
    session = get_db(app).session()
    ran = run_due(app, session)
    session.commit()
print(json.dumps([submitted, uploaded.status_code, uploaded.get_json()["processing"], after_upload, ran,
                  "pyvips" in sys.modules]))
"""


def test_serving_a_photo_upload_does_not_load_libvips_and_making_its_derivatives_does(committed, tmp_path):
    worker = committed.login("grid_worker", grids=[committed.district.grids[0].code])
    data = camera_jpeg((1200, 900))
    body = visit_with_photos(house(worker), {"door.jpg": data})
    config = {
        "TESTING": True,
        "DATABASE_URL": committed.app.config["DATABASE_URL"],
        "MEDIA_BACKEND": "local",
        "MEDIA_ROOT": str(tmp_path),
    }

    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=json.dumps([config, worker.token, body, data.hex()]),
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )

    assert out.returncode == 0, out.stderr[-2000:]
    submitted, uploaded, processing, vips_after_upload, jobs_ran, vips_after_job = json.loads(
        out.stdout.splitlines()[-1]
    )
    assert (submitted, uploaded, processing) == (201, 201, "queued")
    assert not vips_after_upload, "the web side loaded pyvips"
    assert jobs_ran >= 1 and vips_after_job  # the derivatives job does load it: the check above can fail
