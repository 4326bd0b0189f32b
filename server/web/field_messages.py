"""Field messages in the page's language: the API's own table (server/field_messages.py), so a page and a phone
show the same words for the same problem."""

from __future__ import annotations

from server import field_messages

from . import page_language


def localised(errors: dict) -> dict[str, list[str]]:
    return field_messages.localize(errors, page_language())
