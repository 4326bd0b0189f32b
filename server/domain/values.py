"""One notion of equal values, shared by applying submissions and resolving conflicts:
what a stored value looks like in JSON, whether a submitted value differs from the
stored one, and how a submitted date string becomes a date."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

DATE_PROPS = ("birth_date", "agreement_signed_on", "rented_since", "arrived_on", "left_on")


def plain(value: Any) -> Any:
    """A stored value as JSON shows it (conflict records keep both sides this way)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def same(current: Any, submitted: Any) -> bool:
    """Does the submitted value say what is stored (numbers by value, dates by their ISO day)?"""
    if isinstance(current, Decimal) or isinstance(submitted, float):
        try:
            return current is not None and bool(float(current) == float(submitted))
        except (TypeError, ValueError):
            return False
    if isinstance(current, date) and isinstance(submitted, str):
        return current.isoformat() == submitted
    return bool(current == submitted)


def coerce(prop: str, value: Any) -> Any:
    """A submitted value in the type the record stores (date properties arrive as ISO strings)."""
    if prop in DATE_PROPS and isinstance(value, str):
        return date.fromisoformat(value)
    return value
