"""The registry's vocabularies: the values a house, person, residence or unit field may take.
The database's check constraints (store/models) and the API's schemas both read them from here."""

from __future__ import annotations

from .houses import RENTAL_MODES
from .houses import USES as HOUSE_USES
from .id_numbers import SEXES

RESIDENCE_CATEGORIES = ("permanent", "lodger", "floating", "foreign", "unregistered")
REPORT_SOURCES = ("worker", "landlord", "self")
VERIFICATION_STATES = ("pending", "confirmed", "rejected")
UNIT_KINDS = ("company", "shop", "site", "hotel", "school", "hospital", "other")

__all__ = [
    "HOUSE_USES",
    "RENTAL_MODES",
    "SEXES",
    "RESIDENCE_CATEGORIES",
    "REPORT_SOURCES",
    "VERIFICATION_STATES",
    "UNIT_KINDS",
]
