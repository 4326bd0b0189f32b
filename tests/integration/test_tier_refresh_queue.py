"""Submissions queue their tier refresh (issue 17): the job re-evaluates each queued house once, and what it
took leaves the queue with the new tier."""

from datetime import date

from sqlalchemy import func, select

from server.services import tiers as tier_service
from server.store.models import TierChange, TierRefresh, TierState


def test_a_queued_house_gets_its_tier_when_the_refresh_job_runs_once_however_often_it_was_queued(
    session, build, district
):
    house = build.house(build.address(district.grids[0], 120.003, 30.004))
    house.rental_mode = "by_bed"
    session.flush()
    for _ in range(3):  # three submissions about the same house
        tier_service.request_refresh(session, "house", [house.id])
    assert session.scalar(select(TierState.tier).where(TierState.house_id == house.id)) is None  # not yet

    took = tier_service.refresh_queued(session, date.today())

    assert took == 3
    assert session.scalar(select(TierState.tier).where(TierState.house_id == house.id)) == "focus"
    assert session.scalar(select(func.count()).select_from(TierChange).where(TierChange.house_id == house.id)) == 1
    assert session.scalar(select(func.count()).select_from(TierRefresh)) == 0
    assert tier_service.refresh_queued(session, date.today()) == 0  # nothing left
