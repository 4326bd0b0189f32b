"""The one list contract (docs/decisions/0013-list-contract.md): opaque keyset cursors (stable
order, no skipped or repeated rows between pages), limit + 1 rows fetched to know whether a next
page exists, ``next_cursor`` and ``links`` (rel=next) in every page, and the GeoJSON variant."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

from flask import request

from server.errors import ValidationFailed

from . import geojson


def encode(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, types: tuple) -> list | None:
    """The values of a cursor, each converted by its type (``str``, ``uuid.UUID``...)."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError
        return [kind(value) for kind, value in zip(types, values, strict=True)]
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        raise ValidationFailed(errors={"cursor": ["Not a cursor from this list; start again without it."]}) from None


def decode_one(cursor: str | None, kind):
    """The value of a cursor on one column (a code, a username, an id) converted by ``kind``; None on the first
    page."""
    after = decode(cursor, (kind,))
    return after[0] if after else None


def shown(rows: list, limit: int) -> list:
    """The rows a page shows of ``rows`` fetched with limit + 1 (what a read is audited for)."""
    return rows[:limit]


def next_link(cursor: str | None) -> list[dict]:
    """``links`` of a page: rel=next to this same request with the cursor to the next page."""
    if cursor is None:
        return []
    args = request.args.copy()
    args["cursor"] = cursor
    return [{"rel": "next", "href": f"{request.script_root}{request.path}?{urlencode(list(args.items(multi=True)))}"}]


def page_of(items: list, limit: int, key) -> dict:
    """``items`` fetched with limit + 1: the page, the cursor to the next one and its link."""
    more = len(items) > limit
    items = shown(items, limit)
    cursor = encode(key(items[-1])) if more and items else None
    return {"items": items, "next_cursor": cursor, "links": next_link(cursor)}


def respond(
    rows: list, limit: int, key, present=None, *, geometry=None, item_schema=None, as_geojson: bool | None = None
):
    """A list response. ``rows`` fetched with limit + 1 and ordered by ``key`` (a row's cursor
    values); ``present`` (optional) gives what the response schema shows for the page's rows (a list
    in, a list out, in one go so that it can fetch what they show in one query). With ``geometry`` (a
    shown item's GeoJSON geometry) the list has a GeoJSON variant, given when asked for (``Accept:
    application/geo+json``); ``item_schema`` then shows each item (the JSON variant is shown by the
    endpoint's response schema)."""
    page = page_of(rows, limit, key)
    if present is not None:
        page["items"] = present(page["items"])
    wanted = geojson.wanted() if as_geojson is None else as_geojson
    if geometry is not None and wanted:
        items = item_schema(many=True).dump(page["items"]) if item_schema is not None else page["items"]
        return geojson.feature_collection(items, geometry, page["next_cursor"], page["links"])
    return page
