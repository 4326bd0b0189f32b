"""Offline sync: the change feed (and, in submissions.py, the uploads)."""

from flask.views import MethodView

from server.services import feed
from server.store.db import request_session

from . import pagination, views
from .base import blueprint, current_actor
from .schemas.sync import ChangesQuery, ChangesSchema

blp = blueprint("sync", "Offline sync for phones")


def _data(session, item, role):
    if item.record is None:
        return None
    if item.entity_type == "address":
        return views.address(session, item.record)
    if item.entity_type == "house":
        return views.house(session, item.record)
    if item.entity_type == "unit":
        return views.unit(session, item.record)
    if item.entity_type == "residence":
        return views.residence(item.record) | {"person": views.person(item.person, role)}
    if item.entity_type == "inspection_due":
        return views.inspection_due(item.record)
    return views.conflict(item.record)


@blp.route("/sync/changes")
class Changes(MethodView):
    @blp.arguments(ChangesQuery, location="query")
    @blp.response(200, ChangesSchema)
    def get(self, args):
        """Everything in your area that changed since your cursor (tombstones included); safe to repeat."""
        session = request_session()
        actor = current_actor()
        page = feed.changes(session, actor, cursor=_cursor(args["cursor"]), limit=args["limit"])
        return {
            "items": [
                {"type": i.entity_type, "id": i.entity_id, "op": i.op, "data": _data(session, i, actor.role)}
                for i in page.items
            ],
            "next_cursor": pagination.encode([page.cursor.epoch, page.cursor.pos, page.cursor.scope]),
            "more": page.more,
            "reset": page.reset,
        }


def _cursor(text: str | None) -> feed.Cursor | None:
    """An empty cursor is the start. A cursor from before epochs existed
    ([xid, seq, scope]) reads as one of an unknown epoch: the phone starts over."""
    if not text:
        return None
    return feed.Cursor(*pagination.decode(text, (str, int, str)))
