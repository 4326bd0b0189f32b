"""Submissions from phones: one at a time, or a batch of up to 100."""

import uuid
from datetime import datetime

import marshmallow as ma
from flask import current_app, request
from flask.views import MethodView

from server import metrics
from server.domain.plausibility import Limits
from server.errors import ApiError, ValidationFailed, error_body, flatten_errors
from server.services import submissions as service
from server.store.db import request_session

from .base import blueprint, current_actor, today
from .forms import catalog
from .schemas.common import instant_problem
from .schemas.presenting import Joined
from .schemas.sync import (
    BatchResultSchema,
    BatchSchema,
    SubmissionDetailSchema,
    SubmissionResultSchema,
    SubmissionSchema,
)

blp = blueprint("submissions", "Submissions (filled forms) from phones")


def _device_time_header():
    raw = request.headers.get("X-Device-Time")
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            errors={"X-Device-Time": ["Use ISO 8601 with an offset, e.g. 2026-11-23T09:00:00+08:00."]}
        ) from None
    if value.tzinfo is None:
        raise ValidationFailed(errors={"X-Device-Time": ["Give the time zone offset."]})
    problem = instant_problem(value)
    if problem:
        raise ValidationFailed(errors={"X-Device-Time": [problem]})
    return value


def _receive(session, actor, body, *, batch=False):
    receive = service.receive_in_batch if batch else service.receive
    received = receive(
        session,
        actor,
        body,
        form_lookup=catalog().get,
        header_device_time=_device_time_header(),
        today=today(),
        zone=current_app.config["TIMEZONE"],
        deadline_days=current_app.config["REPORT_DEADLINE_DAYS"],
        limits=Limits.from_settings(current_app.config),
    )
    if received.status == "created":  # a replay arrived before: counted then
        s = received.submission
        metrics.observe_sync_lag(s.completed_at, s.server_received_at, s.device_clock_skew_s)
    return received


def _answers(row) -> dict:
    """A submission's answers as shown: every document number masked, at any depth."""
    from server.domain.privacy import mask_answers

    from .forms import catalog

    return mask_answers(catalog().get(row.form_id, row.form_version), row.answers)


def view(session, submission, status) -> Joined:
    """A submission as its response schema (SubmissionResultSchema) shows it, with what applying it left behind."""
    return Joined(
        submission,
        status=status,
        missing_attachments=service.missing_attachments(session, submission),
        photos=service.photo_states(session, submission),
    )


@blp.route("/submissions")
class Submissions(MethodView):
    @blp.arguments(SubmissionSchema)
    @blp.response(201, SubmissionResultSchema)
    @blp.alt_response(200, schema=SubmissionResultSchema, description="An exact replay: the first answer again")
    @blp.alt_response(409, description="instance_id already used for other content, or edit of a non-current version")
    def post(self, body):
        """Send one filled form. Resending the same instance is safe; an edit names deprecated_id."""
        session = request_session()
        received = _receive(session, current_actor(), body)
        return view(session, received.submission, received.status), 201 if received.status == "created" else 200


@blp.route("/submissions/<uuid:instance_id>")
class SubmissionDetail(MethodView):
    @blp.response(200, SubmissionDetailSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, instance_id: uuid.UUID):
        """One submission: its answers, what it did, and which declared attachments are still missing."""
        session = request_session()
        row = service.read(session, current_actor(), instance_id)
        return Joined(view(session, row, "stored"), answers=_answers(row))


@blp.route("/sync/submissions")
class Batch(MethodView):
    @blp.arguments(BatchSchema)
    @blp.response(200, BatchResultSchema)
    def post(self, body):
        """Up to 100 submissions at once; one result per item; a bad item never blocks the others."""
        session = request_session()
        actor = current_actor()
        results = []
        for index, raw in enumerate(body["submissions"]):
            instance_id = raw.get("instance_id") if isinstance(raw, dict) else None
            try:
                item = SubmissionSchema().load(raw)
            except ma.ValidationError as exc:
                errors = flatten_errors(exc.messages)
                results.append(_failed(index, instance_id, ValidationFailed(errors=errors)))
                continue
            try:
                received = _receive(session, actor, item, batch=True)
            except ApiError as exc:
                results.append(_failed(index, str(item["instance_id"]), exc))
                continue
            status = 201 if received.status == "created" else 200
            results.append(
                {
                    "index": index,
                    "instance_id": str(item["instance_id"]),
                    "outcome": received.status,
                    "status": status,
                    "result": view(session, received.submission, received.status),
                    "error": None,
                }
            )
        return {"items": results}


def _failed(index, instance_id, exc: ApiError) -> dict:
    outcome = "conflict" if exc.status == 409 else "rejected"
    return {
        "index": index,
        "instance_id": None if instance_id is None else str(instance_id),
        "outcome": outcome,
        "status": exc.status,
        "result": None,
        "error": error_body(exc.code, exc.status, exc.message, exc.errors, **exc.extra),
    }
