"""The nightly recompute: every let house and unit gets a tier and its due inspections; re-running
it changes nothing and tells no phone anything new."""

from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from server.cli import main
from server.store.models import Change, InspectionDue, TierChange, TierState


def _recompute(app):
    return CliRunner().invoke(main, ["tiers", "recompute", "--batch", "2"], obj=ScriptInfo(create_app=lambda: app))


def test_recompute_tiers_everything_in_batches_and_is_safe_to_repeat(app, db, session, build, district):
    grid = district.grids[0]
    let = [build.house(build.address(grid, 120.001 + i / 1000, 30.005)) for i in range(3)]
    let[0].rental_mode = "by_bed"
    own = build.house(build.address(grid, 120.009, 30.005), use="self_occupied")
    hotel = build.unit(build.address(grid, 120.008, 30.006))
    hotel.kind = "hotel"
    session.flush()
    result = _recompute(app)
    assert result.exit_code == 0, result.output
    assert "houses and" in result.output and "tier changes" in result.output
    tiers = dict(
        session.execute(select(TierState.house_id, TierState.tier).where(TierState.house_id.is_not(None))).all()
    )
    assert tiers[let[0].id] == "focus" and tiers[let[1].id] == "focus"  # by bed; no agreement
    assert own.id not in tiers
    assert session.scalar(select(TierState.tier).where(TierState.unit_id == hotel.id)) == "key"
    roles = session.execute(select(InspectionDue.role, InspectionDue.tier).where(InspectionDue.house_id == let[0].id))
    assert [tuple(r) for r in roles] == [("police", "focus")]

    changes_before = session.scalar(select(func.count()).select_from(Change))
    history_before = session.scalar(select(func.count()).select_from(TierChange))
    again = _recompute(app)
    assert again.exit_code == 0, again.output
    assert "(0 tier changes)" in again.output
    assert session.scalar(select(func.count()).select_from(Change)) == changes_before
    assert session.scalar(select(func.count()).select_from(TierChange)) == history_before
