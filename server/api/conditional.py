"""Weak ETags for lists read again and again (the due list, the summary), and 304 for an unchanged one.

The tag is a digest of everything the answer is made of: the caller's scope (role and area), the
request (path and query string: filters, cursor, limit, format), and the rows the services
returned, before they are presented. So the tag changes exactly when the answer would, whatever
changed it (a due date, a tier's reasons, an address, a grid's name, the day), and two callers
of different scopes never share a tag.

Reading the rows again only to find the same tag would cost the query. So each worker process
remembers, per (scope, request, day, commit marker), the tag it computed (tags only, never rows):
the commit marker (``services.inspections.commit_marker``, the database's snapshot, taken before
the rows are read) is equal only while nothing at all was committed, and then the rows are the
same and the remembered tag is the answer's tag; the 304 skips the query. Any commit changes the
marker, and the tag is computed from the rows again (docs/performance.md).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from flask import Response, request

from server.auth.actor import Actor

NOT_MODIFIED = "Not modified: If-None-Match named this answer's ETag (no body)"
HEADERS = {
    "ETag": {
        "description": 'A weak ETag of this answer, e.g. W/"3f2a..."; send it back as If-None-Match to get a 304 '
        "while the answer is unchanged",
        "schema": {"type": "string"},
    }
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of an earlier answer to this same request: 304 (no body) if it has not changed",
    "schema": {"type": "string"},
}


def scope_of(actor: Actor) -> tuple:
    """What decides which rows the actor sees (not who they are: two officers of one station share it)."""
    return (actor.role, actor.station_id, actor.community_id, tuple(sorted(actor.grid_ids)), _own(actor))


def _own(actor: Actor):
    return actor.account_id if actor.role == "landlord" else None  # a landlord's scope is their own houses


def etag(actor: Actor, rows) -> str:
    """The tag of an answer made of ``rows`` (plain values: dicts, lists, UUIDs, dates) for ``actor``."""
    material = repr((scope_of(actor), request.path, request.query_string, rows))
    return hashlib.blake2b(material.encode(), digest_size=16).hexdigest()


class Remembered:
    """The tags this process computed, by (scope, request, day, commit marker); the oldest go first."""

    def __init__(self, size: int = 4096):
        self._tags: OrderedDict[tuple, str] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()  # gthread workers serve several requests at once

    def get(self, key: tuple) -> str | None:
        with self._lock:
            tag = self._tags.get(key)
            if tag is not None:
                self._tags.move_to_end(key)
            return tag

    def put(self, key: tuple, tag: str) -> None:
        with self._lock:
            self._tags[key] = tag
            self._tags.move_to_end(key)
            while len(self._tags) > self._size:
                self._tags.popitem(last=False)


REMEMBERED = Remembered()


def key(actor: Actor, marker: str | None, *extra) -> tuple | None:
    """What a remembered tag is for: this scope, this request, ``extra`` (the day, the format) and
    the commit marker taken before the rows were read (no marker: nothing is remembered)."""
    return None if marker is None else (scope_of(actor), request.path, request.query_string, extra, marker)


def remember(at: tuple | None, tag: str) -> None:
    if at is not None:
        REMEMBERED.put(at, tag)


def known_unchanged(at: tuple | None) -> Response | None:
    """A 304 without reading anything, when this process remembers the tag at ``at`` and the
    request's If-None-Match names it."""
    if at is None or not request.if_none_match:
        return None
    tag = REMEMBERED.get(at)
    return not_modified(tag) if tag is not None else None


def not_modified(tag: str) -> Response | None:
    """A 304 carrying the tag when the request's If-None-Match names it (weak comparison), else None."""
    if not request.if_none_match.contains_weak(tag):
        return None
    response = Response(status=304)
    response.set_etag(tag, weak=True)
    return response


def by_content(actor: Actor, response: Response) -> Response:
    """Tag a finished answer by its bytes (and the caller's scope and request, as ``etag``), and answer 304
    when If-None-Match names the tag. For large answers whose rows are not kept in order to be tagged (the
    targets board: 0.9 MB for a district): the 304 saves sending it again, not making it."""
    material = repr((scope_of(actor), request.path, request.query_string)).encode() + response.get_data()
    tag = hashlib.blake2b(material, digest_size=16).hexdigest()
    unchanged = not_modified(tag)
    return unchanged if unchanged is not None else tagged(response, tag)


def tagged(response: Response, tag: str) -> Response:
    response.set_etag(tag, weak=True)
    return response
