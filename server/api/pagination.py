"""Opaque keyset cursors: stable order, no skipped or repeated rows between pages."""

from __future__ import annotations

import base64
import json

from server.errors import ValidationFailed


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
        return [kind(value) for kind, value in zip(types, values)]
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        raise ValidationFailed(errors={"cursor": ["Not a cursor from this list; start again without it."]})


def page_of(items: list, limit: int, key) -> dict:
    """``items`` fetched with limit + 1: the page and the cursor to the next one."""
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": encode(key(items[-1])) if more and items else None}
