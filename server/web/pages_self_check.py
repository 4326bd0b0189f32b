"""The landlord's monthly self-check of one of their houses (phone first): the ``landlord_self_check`` form of
field_schema, its labels and choices, sent as the phone sends it: a submission (``services/submissions.receive``,
checked by the API's SubmissionSchema and the form) and its photo through the photo service
(``services/photos.upload``), in one transaction: a refused photo stores no self-check, and the reverse."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from flask import current_app, g, render_template, request

from server.api.base import today
from server.api.forms import catalog
from server.api.schemas.sync import SubmissionSchema
from server.domain.plausibility import Limits
from server.errors import ApiError, Conflict, ValidationFailed, load_or_refuse, render_message
from server.services import photos as photo_service
from server.services import submissions as submission_service
from server.store.db import request_session

from . import bp, page_language
from .field_messages import localised
from .pages_landlord import _my_house_address

FORM_ID = "landlord_self_check"


def self_check_form():
    """The version of the self-check form in force (the one phones get from the form list)."""
    forms = [f for f in catalog().current() if f.id == FORM_ID]
    if not forms:
        raise ValidationFailed(f"No {FORM_ID} form is published.", code="form.unknown_version")
    return forms[0]


def _page(house_id, address, form, *, answers, instance_id, errors, result=None, status=200):
    page = render_template(
        "landlord_self_check.html",
        house_id=house_id,
        address=address,
        form=form,
        answers=answers,
        instance_id=instance_id,
        errors=errors,
        result=result,
    )
    return page, status


@bp.route("/landlord/houses/<uuid:house_id>/self-check", methods=["GET", "POST"])
def landlord_self_check(house_id: uuid.UUID):
    session, actor = request_session(), g.actor
    address = _my_house_address(session, actor, house_id)  # 404 for a house that is not theirs
    form = self_check_form()
    if request.method == "GET":
        return _page(house_id, address, form, answers={}, instance_id=uuid.uuid4(), errors={})
    # one id per filled form (minted when the form was opened): sending it twice stores one self-check
    try:
        instance_id = uuid.UUID(request.form.get("instance_id", ""))
    except ValueError:
        instance_id = uuid.uuid4()
    answers, photos = _answers(form)
    body = {
        "instance_id": str(instance_id),
        "form_id": form.id,
        "form_version": form.version,
        "subject": {"type": "house", "id": str(house_id)},
        "completed_at": datetime.now(UTC).isoformat(),
        "answers": answers,
        "attachments": [
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "content_type": kind}
            for name, (_field, data, kind) in photos.items()
        ],
    }
    try:
        loaded = load_or_refuse(SubmissionSchema(), body)
        c = current_app.config
        received = submission_service.receive(
            session,
            actor,
            loaded,
            form_lookup=catalog().get,
            header_device_time=None,
            today=today(),
            zone=c["TIMEZONE"],
            deadline_days=c["REPORT_DEADLINE_DAYS"],
            limits=Limits.from_settings(c),
        )
        store, intake = current_app.extensions["gridwork.media"], photo_service.Intake.from_settings(c)
        uploaded = []
        for name, (field, data, _kind) in photos.items():
            try:
                uploaded.append(photo_service.upload(session, actor, store, instance_id, name, data, intake).photo)
            except ValidationFailed as exc:  # a photo refused (not an image, too many pixels...): shown at its field
                exc.errors = {field: [render_message(exc.code, exc.message, None, exc.params, lang=page_language())]}
                raise
    except (ValidationFailed, Conflict) as exc:  # nothing stored: the request's transaction rolls back on 4xx
        errors = _field_errors(exc)
        status = exc.status
        return _page(house_id, address, form, answers=answers, instance_id=instance_id, errors=errors, status=status)
    result = {"duplicate": received.status == "duplicate", "photos": [p.processing for p in uploaded]}
    return _page(house_id, address, form, answers={}, instance_id=uuid.uuid4(), errors={}, result=result)


def _answers(form) -> tuple[dict, dict]:
    """The form's answers from the posted fields, and its photos: {attachment name: (field, bytes, type)}."""
    answers: dict = {}
    photos: dict = {}
    for f in form.fields:
        if f.type == "select_multiple":
            chosen = request.form.getlist(f.name)
            if chosen:
                answers[f.name] = chosen
        elif f.type == "image":
            upload = request.files.get(f.name)
            data = upload.read() if upload else b""
            if upload and data:
                name = f"{f.name}.jpg"  # the type is read from the content, never from the name
                answers[f.name] = name
                photos[name] = (f.name, data, upload.mimetype or "application/octet-stream")
        else:
            value = request.form.get(f.name, "").strip()
            if value:
                answers[f.name] = value
    return answers, photos


def _field_errors(exc: ApiError) -> dict:
    """Errors by field name in the page's language (a form's own constraint message in its author's words, as
    the API gives it); the catalogue's sentence on top."""
    summary = render_message(exc.code, exc.message, None, exc.params, lang=page_language())
    return localised(exc.errors or {}) | {"_summary": [summary]}
