"""`gridwork tiers recompute --processes N`: N processes, each a slice of the houses and units, evaluate
exactly what one process does (a single-process run afterwards finds nothing to change)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

GRIDWORK = str(Path(sys.executable).with_name("gridwork"))


@pytest.fixture(scope="module")
def url(make_database):
    from server.services import seed as seeder
    from server.store import migrate

    url = make_database()
    migrate.upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        seeder.run(session, households=400, seed=3)
        session.commit()
    engine.dispose()
    return url


def _recompute(url, processes: int) -> tuple[int, int, int]:
    done = subprocess.run(
        [GRIDWORK, "tiers", "recompute", "--batch", "25", "--processes", str(processes)],
        env=dict(os.environ, DATABASE_URL=url),
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = re.search(r"evaluated ([\d,]+) houses and ([\d,]+) units .*\(([\d,]+) tier changes\)", done.stdout)
    assert found, done.stdout + done.stderr
    return tuple(int(n.replace(",", "")) for n in found.groups())


def test_three_processes_evaluate_every_house_and_unit_once(url):
    houses, units, changed = _recompute(url, 3)
    assert houses > 0 and units > 0 and changed > 0
    engine = create_engine(url)
    with engine.connect() as conn:
        states = conn.scalar(text("SELECT count(*) FROM tier_states"))
        doubled = conn.scalar(
            text(
                "SELECT count(*) FROM (SELECT coalesce(house_id, unit_id) FROM tier_states "
                "GROUP BY 1 HAVING count(*) > 1) d"
            )
        )
    engine.dispose()
    assert states == changed and doubled == 0  # each subject got its tier once
    assert _recompute(url, 1) == (houses, units, 0)  # one process finds the same: nothing missed


def test_slices_cover_every_id_once_even_with_more_slices_than_rows(app, db, session, build, district):
    from server.store.queries import tiers as tier_q

    units = sorted(build.unit(build.address(district.grids[0], 120.001 + i / 1000, 30.005)).id for i in range(2))
    session.flush()
    everything = sorted(session.scalars(text("SELECT id FROM units")))
    for parts in (1, 2, 5):
        cuts = tier_q.slices(session, "unit", parts)
        assert len(cuts) == min(parts, len(everything))
        held = [i for i in everything if any((a is None or i > a) and (b is None or i <= b) for a, b in cuts)]
        assert held == everything and set(units) <= set(held)
        assert sum(1 for i in everything for a, b in cuts if (a is None or i > a) and (b is None or i <= b)) == len(
            everything
        )
