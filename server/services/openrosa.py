"""XML submissions from ODK Collect: the same receive as JSON, then the attached files through the photo pipeline.

Idempotency is by instanceID with the SHA-256 of the instance XML as the content: Collect repeats the
identical XML on an ``*isIncomplete*`` split and on a resend (201 again, new files attached); other XML
under the same instanceID is a 409. A file is declared in the submission's attachments manifest when it
arrives (its SHA-256 is known only then) and goes through services/photos.upload like a PUT of the JSON API.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.domain.forms.definition import Form
from server.errors import ValidationFailed
from server.media.storage import MediaStore
from server.services import photos
from server.services import submissions as submission_service
from server.store.queries import submissions as q


def image_names(form: Form, answers: dict) -> set[str]:
    """The file names the instance's photo answers refer to."""
    names = set()
    for field in form.fields:
        if field.type == "image" and isinstance(answers.get(field.name), str):
            names.add(answers[field.name])
        if field.type == "repeat":
            for entry in answers.get(field.name) or []:
                for sub in field.fields:
                    if sub.type == "image" and isinstance(entry.get(sub.name), str):
                        names.add(entry[sub.name])
    return names


def receive_xml(
    session: Session,
    actor: Actor,
    store: MediaStore,
    *,
    form: Form,
    body: dict,
    xml: bytes,
    files: dict[str, tuple[bytes, str]],
    intake: photos.Intake,
    **receive_kw,
) -> submission_service.Received:
    referenced = image_names(form, body["answers"])
    stray = sorted(set(files) - referenced)
    if stray:
        raise ValidationFailed(
            f"Files not named in the form's answers: {', '.join(stray)}.",
            code="attachment.not_declared",
            errors={name: ["Not named by any photo answer of this instance."] for name in stray},
        )
    body["attachments"] = [
        {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "content_type": kind}
        for name, (data, kind) in sorted(files.items())
    ]
    received = submission_service.receive(session, actor, body, digest=hashlib.sha256(xml).hexdigest(), **receive_kw)
    instance_id = received.submission.instance_id
    for name, (data, kind) in sorted(files.items()):
        if q.attachment(session, instance_id, name) is None:
            q.declare_attachment(session, instance_id, name, hashlib.sha256(data).hexdigest(), len(data), kind)
        photos.upload(session, actor, store, instance_id, name, data, intake)
    return received
