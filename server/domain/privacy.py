"""What of a person each role sees. One place for the rule; the audit log
records exactly these fields for every read."""

from __future__ import annotations

FULL_PERSON_FIELDS = ("name", "sex", "ethnicity", "birth_date", "document_type", "document_number_masked",
                      "hukou_address", "phone")
# Landlords see the people living in their houses, with a reduced field set:
# enough to recognise and contact a tenant, nothing about origin or ethnicity.
LANDLORD_PERSON_FIELDS = ("name", "sex", "document_type", "document_number_masked", "phone")

REVEAL_ROLES = ("police", "admin")


def person_fields_for(role: str) -> tuple[str, ...]:
    return LANDLORD_PERSON_FIELDS if role == "landlord" else FULL_PERSON_FIELDS
