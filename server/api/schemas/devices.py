"""Device credentials for ODK Collect."""

import marshmallow as ma
from marshmallow import fields, validate

from .common import StrictSchema


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
