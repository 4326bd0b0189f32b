import marshmallow as ma
from marshmallow import fields, validate

from .common import AreaRef, BBox, Integer, Location, LonLat, PageSchema, Point, StrictSchema, version_field
from .presenting import ref

_part = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))


class AddressCreateSchema(StrictSchema):
    community = fields.String(
        validate=validate.Length(min=1, max=32),
        metadata={"description": "Optional check: the community the point must lie in"},
    )
    street = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Street, road or lane (街路巷)", "example": "幸福路"},
    )
    door = fields.String(allow_none=True, validate=validate.Length(min=1, max=32), metadata={"example": "12号"})
    building = fields.String(allow_none=True, validate=validate.Length(min=1, max=32), metadata={"example": "3栋"})
    unit = fields.String(allow_none=True, validate=validate.Length(min=1, max=32), metadata={"example": "2单元"})
    floor = fields.String(allow_none=True, validate=validate.Length(min=1, max=16), metadata={"example": "5层"})
    room = fields.String(allow_none=True, validate=validate.Length(min=1, max=32), metadata={"example": "502室"})
    location = fields.Nested(Location, required=True)


class AddressSchema(ma.Schema):
    id = fields.UUID(required=True)
    version = version_field()
    full_text = fields.String(required=True, metadata={"example": "北山街道曙光社区 幸福路 12号 3栋 2单元 5层 502室"})
    street = fields.String(required=True)
    door = fields.String(allow_none=True, required=True)
    building = fields.String(allow_none=True, required=True)
    unit = fields.String(allow_none=True, required=True)
    floor = fields.String(allow_none=True, required=True)
    room = fields.String(allow_none=True, required=True)
    community = ref(AreaRef, "division", "community_id", required=True)
    grid = ref(AreaRef, "grid", "grid_id", required=True)
    location = Point(attribute="geom", required=True)
    distance_m = fields.Float(metadata={"description": "Only with ?near="})


class AddressResolvedSchema(AddressSchema):
    existing = fields.Boolean(
        required=True,
        metadata={"description": "true (HTTP 200): this address was registered before; false (HTTP 201): created now"},
    )


class AddressPageSchema(PageSchema):
    items = fields.List(fields.Nested(AddressSchema), required=True)


class AddressQuery(StrictSchema):
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Part of the address text; width, spaces and numerals do not matter"},
    )
    near = LonLat(metadata={"description": "longitude,latitude"})
    radius_m = fields.Float(
        validate=validate.Range(min=1, max=5000),
        allow_nan=False,
        metadata={"description": "With near: metres (default 200, at most 5000)"},
    )
    bbox = BBox(metadata={"description": "min_lon,min_lat,max_lon,max_lat"})
    grid = fields.String(validate=validate.Length(min=1, max=32), metadata={"description": "Grid code"})
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None)
