"""Queries on submissions and their attachment manifests."""

from __future__ import annotations

import uuid

from geoalchemy2 import Geography
from sqlalchemy import Float, Select, Text, Uuid, bindparam, cast, column, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from server.store.models import Address, Attachment, Conflict, Submission


def by_instance(session: Session, instance_id: uuid.UUID) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.instance_id == instance_id))


def by_instances(session: Session, instance_ids) -> dict[uuid.UUID, Submission]:
    """The stored submissions among these instance ids (one statement for a whole batch)."""
    ids = list(set(instance_ids))
    if not ids:
        return {}
    return {s.instance_id: s for s in session.scalars(select(Submission).where(Submission.instance_id.in_(ids)))}


# made once: a fresh alias per call would rebuild its ~20 column proxies every time
_PLACE = aliased(Address, name="place")


INSTANCE_LOCKS = 0x6769  # the advisory-lock key space of submissions' instance ids ("gi")


def lock_instances(session: Session, instance_ids) -> None:
    """Hold a lock on each of these instance ids until this transaction ends, taken in one order (no
    deadlock between two batches sharing ids). A request receiving an instance another one is receiving
    waits for it to commit, and then finds it stored (a replay): no unique-index race is left to lose."""
    ids = sorted({str(i) for i in instance_ids})
    if ids:
        given = func.unnest(bindparam("ids", ids, type_=ARRAY(Text))).table_valued("id").render_derived(name="i")
        keys = select(func.hashtext(given.c.id).label("k")).distinct().order_by("k").subquery()
        session.execute(select(func.count(func.pg_advisory_xact_lock(INSTANCE_LOCKS, keys.c.k))))


def records_with_distances(session: Session, visible: Select, model, points) -> tuple[list, dict[tuple, float | None]]:
    """The houses or units among ``visible`` (the caller's scoped query of ``model``) that ``points`` name, as
    (id, lon, lat) with lon and lat None where a submission has no location, in one statement: the records, and
    {(id, lon, lat): metres from that point to the record's address point (None without a point)}."""
    points = list(set(points))
    if not points:
        return [], {}
    # unnest of three array parameters, not VALUES: a VALUES of literal rows is a new statement to compile
    # for every request (SQLAlchemy caches statements by shape, and the rows are part of a VALUES' shape)
    ids, lons, lats = zip(*points, strict=True)
    given = (
        func.unnest(
            bindparam("ids", list(ids), type_=ARRAY(Uuid)),
            bindparam("lons", list(lons), type_=ARRAY(Float)),
            bindparam("lats", list(lats), type_=ARRAY(Float)),
        )
        .table_valued(column("id", Uuid), column("lon", Float), column("lat", Float))
        .render_derived(name="given")
    )
    place = _PLACE
    here = cast(func.ST_SetSRID(func.ST_MakePoint(given.c.lon, given.c.lat), 4326), Geography)
    query = (
        visible.join(given, given.c.id == model.id)
        .join(place, place.id == model.address_id)
        .add_columns(given.c.lon, given.c.lat, func.ST_Distance(here, cast(place.geom, Geography)))
    )
    rows = session.execute(query).all()
    return list({r[0].id: r[0] for r in rows}.values()), {(r[0].id, r[1], r[2]): r[3] for r in rows}


def records(session: Session, visible: Select, model, ids) -> list:
    """The records among ``visible`` (the caller's scoped query of ``model``) with these ids."""
    ids = list(set(ids))
    return list(session.scalars(visible.where(model.id.in_(ids)))) if ids else []


def attachments_of(session: Session, instance_id: uuid.UUID) -> list[Attachment]:
    return list(
        session.scalars(select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.name))
    )


def conflicts_page(session: Session, condition, *, status: str | None, after, limit: int) -> list[Conflict]:
    query = select(Conflict).where(condition)
    if status:
        query = query.where(Conflict.status == status)
    if after is not None:
        query = query.where(Conflict.id > after)
    return list(session.scalars(query.order_by(Conflict.id).limit(limit)))


def attachment(session: Session, instance_id: uuid.UUID, name: str) -> Attachment | None:
    """The attachment ``name`` a submission declares."""
    return session.scalar(select(Attachment).where(Attachment.instance_id == instance_id, Attachment.name == name))


def visible(session: Session, visible_submissions: Select, submission_id: uuid.UUID) -> Submission | None:
    """The submission, if it is among ``visible_submissions`` (the caller's scoped query)."""
    return session.scalar(visible_submissions.where(Submission.id == submission_id))


def declare_attachment(session: Session, instance_id: uuid.UUID, name: str, sha256: str, size: int, content_type: str):
    """A file an OpenRosa resend brings that the first part did not (Collect's isIncomplete splits)."""
    session.add(Attachment(instance_id=instance_id, name=name, sha256=sha256, bytes=size, content_type=content_type))
    session.flush()
