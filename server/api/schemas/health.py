import marshmallow as ma
from marshmallow import fields


class _Database(ma.Schema):
    ok = fields.Boolean(required=True)
    postgis_version = fields.String(allow_none=True, required=True)


class _Media(ma.Schema):
    ok = fields.Boolean(required=True)
    backend = fields.String(required=True)


class HealthSchema(ma.Schema):
    status = fields.String(required=True, metadata={"description": "'ok', or 'unavailable' (HTTP 503)"})
    database = fields.Nested(_Database, required=True)
    media = fields.Nested(_Media, required=True)
