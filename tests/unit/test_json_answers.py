"""Answers are written by orjson (server/app.py): the same JSON the standard encoder wrote before, for what
answers hold, and what orjson refuses still answers (the standard encoder takes over)."""

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider

from server.app import JSONProvider, create_app

ANSWER = {
    "id": uuid.UUID("4895435d-341b-456a-838a-49e5580c910d"),
    "名称": "幸福里 3 号",
    "visited_at": datetime(2026, 12, 7, 23, 30, 5, 120, tzinfo=UTC),
    "due_on": date(2026, 12, 8),
    "value": 0.8333,
    "count": 12,
    "rent": Decimal("1200.50"),
    "nested": [{"z": None, "a": True}, ("tuple", 1)],
}


def _standard(app, obj) -> str:
    """What the standard encoder writes with this provider's settings (the answers before orjson)."""
    return DefaultJSONProvider.dumps(app.json, obj, separators=(",", ":"))


def test_an_answer_reads_the_same_as_with_the_standard_encoder_keys_sorted_and_chinese_readable():
    app = create_app({"TESTING": True})
    assert isinstance(app.json, JSONProvider)
    written = app.json.dumps(ANSWER)
    assert written == _standard(app, ANSWER)
    assert '"due_on":"2026-12-08"' in written and "幸福里" in written
    assert list(json.loads(written)) == sorted(ANSWER)


def test_what_orjson_refuses_is_written_by_the_standard_encoder():
    app = create_app({"TESTING": True})
    huge = {"n": 10**40}  # beyond 64 bits: orjson refuses it
    assert json.loads(app.json.dumps(huge)) == huge
    lone = {"s": "\ud800"}  # a lone surrogate: orjson refuses, the standard encoder writes it as before
    assert json.loads(app.json.dumps(lone)) == lone
    with app.test_request_context():
        indented = app.json.dumps({"b": 1, "a": 2}, indent=2)
    assert indented == '{\n  "a": 2,\n  "b": 1\n}'
