"""What of a person each role sees. One place for the rule; the audit log
records exactly these fields for every read."""

from __future__ import annotations

import re

FULL_PERSON_FIELDS = (
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "document_type",
    "document_number_masked",
    "hukou_address",
    "phone",
)
# Landlords see the people living in their houses, with a reduced field set:
# enough to recognise and contact a tenant, nothing about origin or ethnicity.
LANDLORD_PERSON_FIELDS = ("name", "sex", "document_type", "document_number_masked", "phone")

REVEAL_ROLES = ("police", "admin")


def person_fields_for(role: str | None) -> tuple[str, ...]:
    return LANDLORD_PERSON_FIELDS if role == "landlord" else FULL_PERSON_FIELDS


# -- masking: full document numbers leave only through the reveal call ------------

DOCUMENT_BINDINGS = ("person.document_number",)
DOCUMENT_FIELD_TYPES = ("citizen_id",)
DOCUMENT_PROPERTIES = ("document_number", "unconfirmed_document_number", "permit_number")


def mask_number(value):
    """A document number as it may be shown (None and non-strings pass through)."""
    from .id_numbers import mask

    return mask(value) if isinstance(value, str) and value else value


_CITIZEN_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_in_text(text):
    """Free text (an error message) with every citizen-ID-shaped number in it masked."""
    if not isinstance(text, str):
        return text
    return _CITIZEN_ID_IN_TEXT.sub(lambda m: mask_number(m.group(1)), text)


def mask_in_values(value):
    """mask_in_text over every string inside dicts and lists (free text: notes, reasons, remarks)."""
    if isinstance(value, dict):
        return {k: mask_in_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_in_values(v) for v in value]
    return mask_in_text(value)


def _is_document_field(fdef) -> bool:
    return fdef.type in DOCUMENT_FIELD_TYPES or fdef.binding in DOCUMENT_BINDINGS


def _looks_like_number(value) -> bool:
    return isinstance(value, str) and len(value) >= 8 and sum(ch.isdigit() for ch in value) >= 6


def mask_answers(form, answers: dict) -> dict:
    """A submission's answers with every document number masked, at any depth of
    repeats. ``form``: its definition; without one (unknown version), every
    value that looks like a document number is masked."""
    if form is None:
        return _mask_unknown(answers)
    return _mask_group(form.fields, answers)


def _mask_group(fields, answers) -> dict:
    if not isinstance(answers, dict):
        return answers
    out = dict(answers)
    by_name = {f.name: f for f in fields}
    for key, value in answers.items():
        fdef = by_name.get(key)
        if fdef is None:
            out[key] = _mask_unknown(value)
        elif fdef.type == "repeat":
            out[key] = [_mask_group(fdef.fields, entry) for entry in value] if isinstance(value, list) else value
        elif _is_document_field(fdef):
            out[key] = mask_number(value)
        else:  # free text (remarks) may hold a number someone typed there
            out[key] = mask_in_values(value)
    return out


def _mask_unknown(value):
    if isinstance(value, dict):
        return {k: _mask_unknown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_unknown(v) for v in value]
    return mask_number(value) if _looks_like_number(value) else value


def mask_properties(properties: dict) -> dict:
    """A conflict's {property: {current, submitted}} with document numbers masked."""
    return {
        prop: (
            {k: mask_number(v) for k, v in values.items()}
            if prop in DOCUMENT_PROPERTIES and isinstance(values, dict)
            else values
        )
        for prop, values in (properties or {}).items()
    }


# -- what other records show of people (the audit log names these fields) ----------

HOUSE_PERSONAL_FIELDS = ("landlord_person_id", "landlord_account_id", "note")
UNIT_PERSONAL_FIELDS = ("responsible_person_id", "phone")
RESIDENCE_FIELDS = ("person_id", "house_id", "category", "arrived_on", "left_on", "source", "verification")
CONFLICT_FIELDS = ("properties",)


def answer_fields(form, answers: dict) -> list[str]:
    """The answers a submission shows, as paths ("residents.name"), for the audit log."""
    names: set[str] = set()

    def walk(value, prefix):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{prefix}{key}" if not prefix else f"{prefix}.{key}")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for entry in value:
                walk(entry, prefix)
        elif prefix:
            names.add(prefix)

    walk(answers or {}, "")
    return sorted(names)
