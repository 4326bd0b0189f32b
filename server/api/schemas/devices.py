"""Device credentials for ODK Collect."""

import marshmallow as ma
from marshmallow import fields, validate

from .common import PageSchema, StrictSchema


class DeviceRequestSchema(StrictSchema):
    label = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata={"description": "Which phone"}
    )
    account_id = fields.UUID(
        load_default=None, metadata={"description": "Admins: issue for this account (default: your own)"}
    )
    days = fields.Integer(load_default=30, validate=validate.Range(min=1, max=365))


class IssuedDeviceSchema(ma.Schema):
    id = fields.UUID()
    account_id = fields.UUID()
    label = fields.String()
    username = fields.String(metadata={"description": "Collect's username"})
    password = fields.String(metadata={"description": "Collect's password: shown once, only its Digest HA1 is kept"})
    server_url = fields.String(metadata={"description": "Collect's server URL"})
    expires_at = fields.DateTime()
    qr_payload = fields.String(metadata={"description": "Collect's settings QR text: zlib+base64 JSON"})
    qr_png = fields.String(metadata={"description": "The QR code as a base64 PNG, to scan in Collect"})


class DeviceSchema(ma.Schema):
    id = fields.UUID()
    label = fields.String()
    username = fields.String()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class DeviceListItemSchema(ma.Schema):
    """One listed credential (a ``services.devices.Listed``); never its secret."""

    id = fields.UUID(attribute="credential.id")
    label = fields.String(attribute="credential.label")
    username = fields.String(attribute="credential.username", metadata={"description": "Collect's username"})
    account_id = fields.UUID(attribute="credential.account_id")
    account_username = fields.String(metadata={"description": "Whose phone it is"})
    created_at = fields.DateTime(attribute="credential.created_at")
    expires_at = fields.DateTime(attribute="credential.expires_at")
    revoked_at = fields.DateTime(attribute="credential.revoked_at", allow_none=True)
    last_used_at = fields.DateTime(attribute="credential.last_used_at", allow_none=True)


class DeviceListSchema(PageSchema):
    items = fields.List(fields.Nested(DeviceListItemSchema), required=True)
