"""Field messages in the page's language. The domain's ID-number checks (domain/id_numbers.py) word their
problems in English for the API's `errors`; a page shows them in Chinese next to the field."""

from __future__ import annotations

import re

from flask_babel import gettext


def N_(text: str) -> str:
    return text


# (pattern of the English problem, the message with the captured parts); the first match wins
_PATTERNS = [
    (re.compile(r"check character should be (\S+), not (\S+)"), N_("check character should be %(a)s, not %(b)s")),
    (
        re.compile(r"a citizen ID number has 18 characters \(or 15 for an old one\), this one has (\d+)"),
        N_("a citizen ID number has 18 characters, this one has %(a)s"),
    ),
    (re.compile(r"birth date (\S+) does not match (\S+) in the number"), N_("birth date %(a)s does not match %(b)s")),
    (re.compile(r"sex does not match the number"), N_("the sex does not match the number")),
    (re.compile(r"the first 17 characters must be digits"), N_("the first 17 characters must be digits")),
    (re.compile(r"the number is empty"), N_("the number is empty")),
    (re.compile(r"Must not be in the future"), N_("must not be in the future")),
    (re.compile(r"Must be between (\S+) and today"), N_("must be between %(a)s and today")),
    (re.compile(r"Missing data for required field"), N_("required")),
    (re.compile(r"A tenant is registered with their identity document"), N_("required")),
    (re.compile(r"Not a valid date"), N_("give a date")),
]


def localise(message: str) -> str:
    for pattern, template in _PATTERNS:
        found = pattern.search(message)
        if found:
            groups = dict(zip("ab", found.groups(), strict=False))
            return gettext(template, **groups)
    return message


def localised(errors: dict) -> dict[str, list[str]]:
    return {field: [localise(m) for m in messages] for field, messages in errors.items()}
