"""The nightly recompute: every let house and unit gets a tier and its due inspections; re-running
it changes nothing and tells no phone anything new."""

from datetime import date

from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, select, text

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


def _row_versions(session):
    """Each state's and due's row version (xmin changes whenever a row is written, even to the same values)."""
    return {
        table: dict(session.execute(text(f"SELECT id, xmin::text FROM {table}")).all())
        for table in ("tier_states", "inspection_dues")
    }


def test_a_rerun_rewrites_only_what_changed(app, db, session, build, district):
    grid = district.grids[0]
    signed, unsigned = (build.house(build.address(grid, 120.001 + i / 1000, 30.005)) for i in range(2))
    signed.rental_mode = unsigned.rental_mode = "whole"
    session.flush()
    assert _recompute(app).exit_code == 0
    session.expire_all()
    before = _row_versions(session)
    assert before["tier_states"] and before["inspection_dues"]

    unsigned.agreement_signed_on = signed.agreement_signed_on = None
    signed.agreement_signed_on = signed.rented_since or date(2026, 1, 5)
    session.commit()
    again = _recompute(app)
    assert again.exit_code == 0, again.output
    session.expire_all()
    after = _row_versions(session)
    state_of = dict(session.execute(select(TierState.house_id, TierState.id)).all())
    rewritten = {i for i, version in after["tier_states"].items() if before["tier_states"].get(i) != version}
    assert rewritten == {state_of[signed.id]}  # its facts changed; the other house's did not
