"""How response schemas present stored records (issue 14): a schema reads a record's attributes; what
is derived from them is a ``computed`` field, what another record holds a ``Ref``; ID numbers and free
text are masked here, in the fields that show them (``Masked``), the one place data is presented.

A ``computed`` field keeps its declared type (``computed(fields.Boolean, ...)`` is a Boolean in the
OpenAPI spec), so moving a view to a schema does not change the documented shape."""

from __future__ import annotations

from functools import cache
from typing import Any

import marshmallow as ma
from flask import current_app, g

from server.domain import privacy
from server.services.related import Related
from server.store.db import request_session


class Joined:
    """A record and what a page joined to it (``Joined(residence, person=p)``): the record's attributes,
    and the extra ones on top."""

    def __init__(self, record, **extra):
        self._record = record
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._record, name)


def related() -> Related:
    """This request's lookups of related records (a page prefetches them; single records fetch one)."""
    if "related" not in g:
        g.related = Related(request_session())
    return g.related


class _Computed:
    def __init__(self, *args, value, **kwargs):
        self._value = value
        super().__init__(*args, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return self._value(obj)


@cache
def _computed_class(field_class: type) -> type:
    return type(f"Computed{field_class.__name__}", (_Computed, field_class), {})


def computed(field_class: type, value, *args, **kwargs) -> Any:
    """A field of ``field_class`` whose value is ``value(record)``."""
    return _computed_class(field_class)(*args, value=value, **kwargs)


def strings(attribute: str, **kwargs) -> Any:
    """A list of strings from the record's text-array ``attribute`` (flags, hazards): ``[]`` when it is null."""
    return computed(ma.fields.List, lambda obj: list(getattr(obj, attribute) or []), ma.fields.String(), **kwargs)


def ref(schema, kind: str, attribute: str, **kwargs) -> Any:
    """A nested record of ``kind`` named by the record's ``attribute`` (an id), from ``related()``."""
    return computed(ma.fields.Nested, lambda obj: related().get(kind, getattr(obj, attribute)), schema, **kwargs)


def masked_number(value: str | None) -> str | None:
    return privacy.mask_number(value)


def masked_text(value):
    """Notes and reasons: a document number typed into them is masked like any other."""
    return privacy.mask_in_values(value)


def reporting_rules() -> tuple[str, int]:
    """The time zone and the days a report is due in (arrivals, departures, employments)."""
    return current_app.config["TIMEZONE"], current_app.config["REPORT_DEADLINE_DAYS"]
