"""Acknowledged writes survive a crash (issue #11): phones delete what the server acknowledged,
so every submission answered 201 must still be there after PostgreSQL is killed mid-stream."""

import importlib.util
from pathlib import Path

import pytest


def _crash_bench():
    path = Path(__file__).resolve().parents[2] / "bench" / "crash.py"
    spec = importlib.util.spec_from_file_location("crash_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_every_acknowledged_submission_survives_kill_9_of_the_database():
    result = _crash_bench().run(seconds=3, clients=4, quiet=True)
    assert result["acknowledged"] > 0, result  # the stream really ran before the kill
    assert result["refused_or_failed"] > 0, result  # ...and really met the outage
    assert result["lost"] == 0, result
    assert result["duplicated"] == 0, result
