"""The due list's hand-written presentation (server/api/schemas/due_rows.py) shows exactly what its
documented schema (DueSchema, DuePageSchema in openapi.yaml) would."""

import uuid
from datetime import UTC, date, datetime

from server.api.schemas.due_rows import dump_due, dump_page, dump_summary
from server.api.schemas.tiers import DuePageSchema, DueSchema, SummarySchema


def _house_row(**changes):
    row = {
        "id": uuid.uuid4(),
        "subject_type": "house",
        "house_id": uuid.uuid4(),
        "unit_id": None,
        "unit_name": None,
        "rental_mode": "by_bed",
        "address": {"full_text": "九溪路 12 号 3 单元 501", "location": {"lon": 120.1234567, "lat": 30.7654321}},
        "grid": {"id": uuid.uuid4(), "code": "SG-01", "name": "九溪一网格"},
        "tier": "focus",
        "role": "police",
        "every_days": 7,
        "reasons": [
            {
                "rule": "overcrowded",
                "tier": "focus",
                "description": {"zh": "居住人数过多", "en": "Overcrowded"},
                "facts": [{"fact": "residents_per_room", "op": ">", "threshold": 2, "value": 2.5}],
            },
            {
                "rule": "held",
                "tier": "focus",
                "description": {"zh": "保持", "en": "Held"},
                "facts": [{"fact": "clean_inspections", "op": "<", "threshold": 2, "value": None}],
                "would_be": "uncertain",
            },
        ],
        "last_visit_at": datetime(2026, 12, 1, 3, 4, 5, 678000, tzinfo=UTC),
        "due_on": date(2026, 12, 8),
        "status": "overdue",
        "days_overdue": 3,
    }
    return {**row, **changes}


def test_a_house_row_is_shown_as_its_schema_shows_it():
    row = _house_row()
    assert dump_due(row) == DueSchema().dump(row)


def test_a_unit_row_never_visited_with_no_reasons_is_shown_as_its_schema_shows_it():
    row = _house_row(
        subject_type="unit", house_id=None, unit_id=uuid.uuid4(), unit_name="小卖部", rental_mode=None,
        reasons=[], last_visit_at=None, tier="key", status="upcoming", days_overdue=-4,
    )  # fmt: skip
    assert dump_due(row) == DueSchema().dump(row)
    assert dump_due(row)["last_visit_at"] is None and dump_due(row)["house_id"] is None


def test_a_page_is_shown_as_its_schema_shows_it():
    page = {
        "items": [_house_row(), _house_row(status="due_today", days_overdue=0)],
        "next_cursor": "WyIyMDI2LTEyLTA4IiwiYSJd",
        "links": [{"rel": "next", "href": "/api/v1/inspections/due?cursor=WyIyMDI2LTEyLTA4IiwiYSJd"}],
    }
    assert dump_page(page) == DuePageSchema().dump(page)
    assert dump_page({"items": [], "next_cursor": None, "links": []}) == {"items": [], "next_cursor": None, "links": []}


def test_a_summary_by_grid_and_one_by_tier_are_shown_as_their_schema_shows_them():
    grid = {"id": uuid.uuid4(), "code": "SG-01", "name": "九溪一网格"}
    by_grid = {
        "group_by": "grid",
        "today": date(2026, 12, 8),
        "rows": [{"key": "SG-01", "grid": grid, "overdue": 3, "due_today": 0, "upcoming": 12}],
        "total": {"key": "total", "grid": None, "overdue": 3, "due_today": 0, "upcoming": 12},
    }
    assert dump_summary(by_grid) == SummarySchema().dump(by_grid)
    by_tier = {**by_grid, "group_by": "tier", "rows": [{**by_grid["rows"][0], "key": "focus", "grid": None}]}
    assert dump_summary(by_tier) == SummarySchema().dump(by_tier)
