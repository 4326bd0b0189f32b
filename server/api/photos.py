"""Photos: uploading a submission's attachments, and serving re-encoded photos without metadata."""

import uuid

from flask import Response, current_app, request
from flask.views import MethodView

from server.services import photos as service
from server.store.db import request_session

from .base import blueprint, current_actor, read_body
from .schemas.visits import PhotoQuery, PhotoSchema

blp = blueprint("photos", "Photos: attachments of submissions, served without metadata")

_BINARY = {"schema": {"type": "string", "format": "binary"}}
_UPLOAD_BODY = {
    "required": True,
    "description": "The image exactly as the camera saved it (JPEG, PNG or WebP; the type is decided by the content)",
    "content": {
        "image/jpeg": _BINARY,
        "image/png": _BINARY,
        "image/webp": _BINARY,
        "application/octet-stream": _BINARY,
    },
}


def store():
    return current_app.extensions["gridwork.media"]


@blp.route("/submissions/<uuid:instance_id>/attachments/<string:name>")
class AttachmentUpload(MethodView):
    @blp.doc(requestBody=_UPLOAD_BODY)
    @blp.response(201, PhotoSchema)
    @blp.alt_response(
        200, schema=PhotoSchema, description="The same bytes again: the first answer, nothing stored twice"
    )
    @blp.alt_response(403, description="Not the account that sent the submission")
    @blp.alt_response(404, description="The submission is outside your area")
    @blp.alt_response(409, description="Another upload of the same attachment arrived at the same moment")
    @blp.alt_response(413, description="Larger than MAX_CONTENT_LENGTH (request.too_large)")
    @blp.alt_response(
        422,
        description="Not an acceptable photo (photo.not_an_image, photo.unsupported_type, "
        "photo.corrupt, photo.trailing_data, photo.too_many_pixels), or "
        "attachment.hash_mismatch / attachment.not_declared",
    )
    def put(self, instance_id: uuid.UUID, name: str):
        """Upload one attachment of a submission, before or after the submission itself (safe to repeat)."""
        session = request_session()
        data = read_body(cache=False)
        uploaded = service.upload(
            session, current_actor(), store(), instance_id, name, data, service.Intake.from_settings(current_app.config)
        )
        return uploaded.photo, 201 if uploaded.created else 200


@blp.route("/photos/<uuid:photo_id>")
class PhotoFile(MethodView):
    @blp.arguments(PhotoQuery, location="query")
    @blp.response(200, content_type="image/jpeg", description="The photo re-encoded as JPEG, without metadata")
    @blp.alt_response(
        202,
        description="Its derivatives are not made yet (a background job, usually seconds): no body; "
        "ask again after Retry-After seconds",
    )
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    @blp.alt_response(404, description="Unknown, or its visit is outside your area")
    @blp.alt_response(409, description="photo.unusable: accepted, but its pixels did not decode; upload it again")
    @blp.alt_response(
        500,
        description="photo.file_missing: its file is missing from storage (logged; "
        "`gridwork media check` lists such photos)",
    )
    def get(self, args, photo_id: uuid.UUID):
        """One photo at a size (long edge 320, 1024 or 2048 px); no EXIF or other metadata."""
        session = request_session()
        size = args["size"]
        actor = current_actor()
        photo = service.get(session, actor, photo_id)
        wait = service.retry_after(photo)
        if wait is not None:  # the photos.derive job has not run yet: nothing to serve, nothing read
            pending = Response(status=202)
            pending.headers["Retry-After"] = str(wait)
            pending.headers["Cache-Control"] = "no-store"
            return pending
        etag = photo.derivatives[size]["sha256"]
        not_modified = etag in request.if_none_match
        data = service.read(session, actor, store(), photo, size, fetch=not not_modified)
        response = Response(status=304) if not_modified else Response(data, mimetype="image/jpeg")
        response.set_etag(etag)
        response.headers["Cache-Control"] = "private, max-age=86400"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Disposition"] = f'inline; filename="{photo_id}-{size}.jpg"'
        return response
