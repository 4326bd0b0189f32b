"""Submissions from phones: one at a time, or a batch of up to 100."""

import uuid
from dataclasses import dataclass
from datetime import datetime

import marshmallow as ma
from flask import current_app, request
from flask.views import MethodView

from server import metrics
from server.domain.plausibility import Limits
from server.errors import ApiError, ValidationFailed, error_body, flatten_errors
from server.services import intake as intake_service
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


def _receiving() -> dict:
    """What receiving needs from the request and the settings, read once per request (not per batch item)."""
    return {
        "form_lookup": catalog().get,
        "header_device_time": _device_time_header(),
        "today": today(),
        "zone": current_app.config["TIMEZONE"],
        "deadline_days": current_app.config["REPORT_DEADLINE_DAYS"],
        "limits": Limits.from_settings(current_app.config),
    }


def _observed(received: service.Received) -> service.Received:
    if received.status == "created":  # a replay arrived before: counted then
        s = received.submission
        metrics.observe_sync_lag(s.completed_at, s.server_received_at, s.device_clock_skew_s)
    return received


def _answers(row) -> dict:
    """A submission's answers as shown: every document number masked, at any depth."""
    from server.domain.privacy import mask_answers

    from .forms import catalog

    return mask_answers(catalog().get(row.form_id, row.form_version), row.answers)


def view(session, received: service.Received) -> Joined:
    """A submission as its response schema (SubmissionResultSchema) shows it, with what applying it left
    behind: what receiving it already knew, else read now (a replay, a stored submission, an edit's photos)."""
    submission = received.submission
    missing, photos = received.missing, received.photos
    return Joined(
        submission,
        status=received.status,
        missing_attachments=missing if missing is not None else service.missing_attachments(session, submission),
        photos=photos if photos is not None else service.photo_states(session, submission),
    )


@dataclass(frozen=True)
class BatchItem:
    """One item's outcome in a batch, as BatchItemSchema shows it: what it received, or why it was refused."""

    index: int
    instance_id: str | None
    result: Joined | None = None  # what POST /submissions would have answered for it
    refused: ApiError | None = None

    @property
    def outcome(self) -> str:
        if self.refused is not None:
            return "conflict" if self.refused.status == 409 else "rejected"
        return self.result.status if self.result is not None else "rejected"

    @property
    def status(self) -> int:
        if self.refused is not None:
            return self.refused.status
        return 201 if self.outcome == "created" else 200

    @property
    def error(self) -> dict | None:
        exc = self.refused
        return None if exc is None else error_body(exc.code, exc.status, exc.message, exc.errors, **exc.extra)


@dataclass(frozen=True)
class BatchResult:
    items: list[BatchItem]


_ITEM = SubmissionSchema()  # one instance for every item: building a marshmallow schema is not free


@blp.route("/submissions")
class Submissions(MethodView):
    @blp.arguments(SubmissionSchema)
    @blp.response(201, SubmissionResultSchema)
    @blp.alt_response(200, schema=SubmissionResultSchema, description="An exact replay: the first answer again")
    @blp.alt_response(409, description="instance_id already used for other content, or edit of a non-current version")
    def post(self, body):
        """Send one filled form. Resending the same instance is safe; an edit names deprecated_id."""
        session = request_session()
        received = _observed(service.receive(session, current_actor(), body, **_receiving()))
        return view(session, received), 201 if received.status == "created" else 200


@blp.route("/submissions/<uuid:instance_id>")
class SubmissionDetail(MethodView):
    @blp.response(200, SubmissionDetailSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, instance_id: uuid.UUID):
        """One submission: its answers, what it did, and which declared attachments are still missing."""
        session = request_session()
        row = service.read(session, current_actor(), instance_id)
        return Joined(view(session, service.Received(row, "stored")), answers=_answers(row))


@blp.route("/sync/submissions")
class Batch(MethodView):
    @blp.arguments(BatchSchema)
    @blp.response(200, BatchResultSchema)
    def post(self, body):
        """Up to 100 submissions at once; one result per item; a bad item never blocks the others."""
        session = request_session()
        actor = current_actor()
        items, loaded = [], []
        for index, raw in enumerate(body["submissions"]):
            try:
                loaded.append((index, _ITEM.load(raw)))
            except ma.ValidationError as exc:
                instance_id = raw.get("instance_id") if isinstance(raw, dict) else None
                refused = ValidationFailed(errors=flatten_errors(exc.messages))
                items.append(BatchItem(index, None if instance_id is None else str(instance_id), refused=refused))
        try:
            receiving, unreadable = _receiving(), None
        except ApiError as exc:  # a bad X-Device-Time header: every item is refused with it, as on its own
            receiving, unreadable = {}, exc
        intake = intake_service.prepare(session, actor, [item for _, item in loaded])
        for index, item in loaded:
            try:
                if unreadable is not None:
                    raise unreadable
                received = _observed(service.receive_in_batch(session, actor, item, intake=intake, **receiving))
            except ApiError as exc:
                items.append(BatchItem(index, str(item["instance_id"]), refused=exc))
                continue
            items.append(BatchItem(index, str(item["instance_id"]), result=view(session, received)))
        intake_service.finish(session, intake)
        return BatchResult(sorted(items, key=lambda i: i.index))
