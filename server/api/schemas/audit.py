"""The audit log as the API shows it (api/audit.py)."""

import marshmallow as ma
from marshmallow import fields, validate

from .common import PageSchema
from .presenting import computed, masked_text, related, strings
from .visits import DayOrTimeRange

FORMATS = (
    "A page of JSON by default. With `Accept: text/csv` or `format=csv`: the whole filtered log "
    "(up to 100,000 rows, newest first; a longer log is cut there and says so in the `X-Export-Truncated` "
    "header)"
)


class AuditQuery(DayOrTimeRange):
    person = fields.UUID(metadata={"description": "Events that read or changed this person's data"})
    actor = fields.UUID(metadata={"description": "Events by this account"})
    action = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "An action (person.read), or a family of them (person.*)"},
    )
    format = fields.String(validate=validate.OneOf(("json", "csv")), metadata={"description": FORMATS})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None, metadata={"description": "The `next_cursor` of the previous page"})


def _actor(event) -> dict | None:
    if not (event.actor_id or event.actor_role):
        return None
    account = related().get("account", event.actor_id)  # a page prefetches them (api/audit.py present_events)
    return {"id": event.actor_id, "username": account.username if account else None, "role": event.actor_role}


class AuditEventSchema(ma.Schema):
    """Dumps an ``AuditEvent``. Reasons and details are free text: a number typed there is masked like any
    other."""

    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = computed(
        fields.Dict, _actor, allow_none=True, required=True, metadata={"description": "{id, username, role}"}
    )
    action = fields.String(required=True)
    subject_type = fields.String(allow_none=True, required=True)
    subject_ids = strings("subject_ids", required=True)
    person_ids = strings(
        "person_ids",
        required=True,
        metadata={"description": "Whose data was shown or changed when the subject is another record"},
    )
    fields_ = strings(
        "fields", data_key="fields", required=True, metadata={"description": "Which fields were shown or changed"}
    )
    purpose = computed(fields.String, lambda e: masked_text(e.purpose), allow_none=True, required=True)
    request_id = fields.String(allow_none=True, required=True)
    client_addr = fields.String(allow_none=True, required=True)
    details = computed(fields.Dict, lambda e: masked_text(e.details or {}), required=True)


class AuditPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuditEventSchema), required=True)
