"""The due list's rows and the summary's counts as JSON values, written by hand: the same output
as ``DuePageSchema().dump`` and ``SummarySchema().dump`` (tests/unit/test_due_rows_dump.py holds
them equal), without marshmallow's per-field work, which was most of these answers' time
(docs/performance.md, "Due lists and summaries"). The schemas stay the documented contract
(openapi.yaml)."""

from __future__ import annotations

from typing import Any


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _fact(fact: dict) -> dict:
    return {
        "fact": _text(fact["fact"]),
        "op": _text(fact["op"]),
        "threshold": fact["threshold"],
        "value": fact["value"],
    }


def _reason(reason: dict) -> dict:
    out = {
        "rule": _text(reason["rule"]),
        "tier": _text(reason["tier"]),
        "description": {str(k): _text(v) for k, v in reason["description"].items()},
        "facts": [_fact(f) for f in reason["facts"]],
    }
    if "would_be" in reason:
        out["would_be"] = _text(reason["would_be"])
    return out


def dump_due(item: dict) -> dict:
    """One row of ``services.inspections.due`` as ``DueSchema`` shows it."""
    grid = item["grid"]
    address = item["address"]
    return {
        "id": str(item["id"]),
        "subject_type": _text(item["subject_type"]),
        "house_id": _text(item["house_id"]),
        "unit_id": _text(item["unit_id"]),
        "unit_name": _text(item["unit_name"]),
        "rental_mode": _text(item["rental_mode"]),
        "address": {"full_text": _text(address["full_text"]), "location": address["location"]},
        "grid": {"id": str(grid["id"]), "code": _text(grid["code"]), "name": _text(grid["name"])},
        "tier": _text(item["tier"]),
        "role": _text(item["role"]),
        "every_days": int(item["every_days"]),
        "reasons": [_reason(r) for r in item["reasons"]],
        "last_visit_at": _iso(item["last_visit_at"]),
        "due_on": _iso(item["due_on"]),
        "status": _text(item["status"]),
        "days_overdue": int(item["days_overdue"]),
    }


def dump_page(page: dict) -> dict:
    """A page (``pagination.page_of``) of due rows as ``DuePageSchema`` shows it."""
    return {
        "items": [dump_due(i) for i in page["items"]],
        "next_cursor": page["next_cursor"],
        "links": [{"rel": link["rel"], "href": link["href"]} for link in page["links"]],
    }


def _count_row(row: dict) -> dict:
    grid = row["grid"]
    return {
        "key": _text(row["key"]),
        "grid": None
        if grid is None
        else {"id": str(grid["id"]), "code": _text(grid["code"]), "name": _text(grid["name"])},
        "overdue": int(row["overdue"]),
        "due_today": int(row["due_today"]),
        "upcoming": int(row["upcoming"]),
    }


def dump_summary(summary: dict) -> dict:
    """``{group_by, today, rows, total}`` as ``SummarySchema`` shows it."""
    return {
        "group_by": _text(summary["group_by"]),
        "today": _iso(summary["today"]),
        "rows": [_count_row(r) for r in summary["rows"]],
        "total": _count_row(summary["total"]),
    }
