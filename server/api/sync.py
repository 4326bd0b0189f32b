"""Offline sync: the change feed (and, in submissions.py, the uploads)."""

from flask.views import MethodView

from server.errors import ValidationFailed
from server.services import feed
from server.store.db import request_session

from . import pagination
from .base import blueprint, current_actor
from .conflicts import ConflictSchema
from .schemas.addresses import AddressSchema
from .schemas.houses import HouseSchema
from .schemas.persons import ResidentSchema
from .schemas.presenting import Joined, related
from .schemas.sync import ChangesQuery, ChangesSchema, InspectionDueSchema
from .schemas.units import UnitSchema

blp = blueprint("sync", "Offline sync for phones")


# A changed record as its own GET shows it (residences with their person).
SHOWN_AS = {
    "address": AddressSchema(),
    "house": HouseSchema(),
    "unit": UnitSchema(),
    "residence": ResidentSchema(),
    "inspection_due": InspectionDueSchema(),
    "conflict": ConflictSchema(),
}


def _prefetch(items) -> None:
    """What the page's records show beside them (a house's address, areas), fetched together."""
    shown = [i for i in items if i.record is not None]
    rel = related()
    rel.seed("address", [i.record for i in shown if i.entity_type == "address"])
    rel.addresses_with_areas([i.record.address_id for i in shown if i.entity_type in ("house", "unit")])
    rel.areas_of([i.record for i in shown if i.entity_type in ("address", "house", "unit")])


def _data(item):
    if item.record is None:
        return None
    record = Joined(item.record, person=item.person) if item.entity_type == "residence" else item.record
    return SHOWN_AS[item.entity_type].dump(record)


@blp.route("/sync/changes")
class Changes(MethodView):
    @blp.arguments(ChangesQuery, location="query")
    @blp.response(200, ChangesSchema)
    def get(self, args):
        """Everything in your area that changed since your cursor (tombstones included); safe to repeat."""
        session = request_session()
        actor = current_actor()
        page = feed.changes(session, actor, cursor=_cursor(args["cursor"]), limit=args["limit"])
        _prefetch(page.items)
        return {
            "items": [{"type": i.entity_type, "id": i.entity_id, "op": i.op, "data": _data(i)} for i in page.items],
            "next_cursor": pagination.encode(
                [page.cursor.epoch, page.cursor.pos, page.cursor.scope, page.cursor.horizon]
            ),
            "more": page.more,
            "reset": page.reset,
        }


def _cursor(text: str | None) -> feed.Cursor | None:
    """An empty cursor is the start. A cursor from before epochs existed
    ([xid, seq, scope]) reads as one of an unknown epoch: the phone starts over. A cursor from before
    compaction ([epoch, pos, scope]) was read under horizon 0."""
    if not text:
        return None
    try:
        values = pagination.decode(text, (str, int, str, int)) or []
    except ValidationFailed:
        values = pagination.decode(text, (str, int, str)) or []
    return feed.Cursor(*values)
