from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from server.auth.verbs import ROLES

from .common import AreaRef, Integer, PageSchema, StrictSchema
from .presenting import computed


def _scope(account):
    from server.services import accounts as account_service
    from server.store.db import request_session

    return account_service.scope_of(request_session(), account)


class ScopeSchema(ma.Schema):
    grids = fields.List(fields.Nested(AreaRef), required=True)
    community = fields.Nested(AreaRef, allow_none=True, required=True)
    station = fields.Nested(AreaRef, allow_none=True, required=True)


class UserSchema(ma.Schema):
    id = fields.UUID(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    phone = fields.String(allow_none=True, required=True)
    disabled = computed(fields.Boolean, lambda a: a.disabled_at is not None, required=True)
    created_at = fields.DateTime(required=True)
    scope = computed(fields.Nested, _scope, ScopeSchema, required=True)


class UserPageSchema(PageSchema):
    items = fields.List(fields.Nested(UserSchema), required=True)


class UserQuery(StrictSchema):
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None)
    role = fields.String(validate=validate.OneOf(ROLES))


_password = fields.String(
    validate=validate.Length(min=1, max=1024), metadata={"format": "password", "description": "8 to 128 characters"}
)
_codes = fields.List(fields.String(validate=validate.Length(min=1, max=32)), validate=validate.Length(max=500))
_code = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))


class UserCreateSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024), metadata={"format": "password"})
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    display_name = fields.String(validate=validate.Length(min=1, max=100))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    grids = _codes
    community = _code
    station = _code


class UserUpdateSchema(StrictSchema):
    display_name = fields.String(validate=validate.Length(min=1, max=100))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    password = _password
    disabled = fields.Boolean()
    role = fields.String(validate=validate.OneOf(ROLES))
    grids = _codes
    community = _code
    station = _code


class LoginSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024), metadata={"format": "password"})
    device_id = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "Phones send their device id and get a 30-day device token; "
            "without it the token is a 12-hour web token."
        },
    )


class TokenInfoSchema(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["web", "device"]))
    device_id = fields.String(allow_none=True, required=True)
    expires_at = fields.DateTime(required=True)


class IssuedTokenSchema(TokenInfoSchema):
    token = fields.String(
        required=True, metadata={"description": "Send as 'Authorization: Bearer <token>'. Shown once."}
    )
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    account = fields.Nested(UserSchema, required=True)


class MeSchema(UserSchema):
    verbs = fields.List(fields.String(), required=True, metadata={"description": "What this account may do"})
    token = fields.Nested(TokenInfoSchema, required=True)
