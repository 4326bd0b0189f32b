"""One answer of one field: is it the right type, and what is it normalised to.

``check_value`` turns what a phone sent (JSON) into two things: the value to
store (plain JSON, normalised) and the value expressions see (dates as
``date``, date-times as aware ``datetime``). Rules per field type:

* text: a string without NUL characters, at most ``field.text_limit`` characters
  (``MAX_TEXT``, or less: the form's ``max_length``, the registry column it is bound
  to); surrounding whitespace is removed.
* integer: a JSON number with no fractional part (``3.0`` becomes ``3``);
  booleans are refused. decimal: any finite JSON number, booleans refused.
  Both at most 10^15 in size.
* date: ``YYYY-MM-DD`` and a real calendar day. datetime: ISO 8601 with
  seconds optional and a UTC offset (``Z`` or ``+08:00``) required; stored
  as Python's ``isoformat()``.
* select_one: one of the field's choice values. select_multiple: a list of
  choice values without duplicates, or ODK's space-separated string
  (``"coal_stove blocked_exit"``), stored as a list.
* geopoint: ``{"lon": .., "lat": ..}`` with optional ``"accuracy_m"`` (>= 0);
  lon in [-180, 180], lat in [-90, 90]. A fix worse than the field's
  ``accuracy_max_m`` is accepted (the phone warns; the server does not refuse).
* image: one attachment file name (``photo1.jpg``): letters, digits, ``. _ -``,
  no path, an image extension (``IMAGE_EXTENSIONS``). The upload itself is
  checked by the media layer.
* citizen_id: ``check_document('citizen_id', ...)``, stored normalised
  (a 15-digit number upgraded to 18 characters).
* phone: a mainland mobile number ``1[3-9]`` + 9 digits, or a landline with
  its area code (``010 12345678``, ``0755-1234567``); full-width digits,
  spaces, dashes and parentheses are removed and a leading ``+86``/``0086``
  dropped. Stored as digits only.
* note and repeat: never a plain value (notes are not answered; repeats are
  checked entry by entry in answers.py).

A value that is ``None``, ``""`` (or only whitespace) or an empty list counts as
unanswered: ``is_empty``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from server.domain.id_numbers import CITIZEN_ID, check_document

MAX_TEXT = 2000
MAX_NUMBER = 10**15
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp", "heic", "heif")

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_IMAGE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE_RE = re.compile(r"0[1-9][0-9]{1,2}[2-9][0-9]{6,7}")
_PHONE_STRIP = str.maketrans("", "", " -()\t")
_GEOPOINT_KEYS = {"lon", "lat", "accuracy_m"}


@dataclass(frozen=True)
class Checked:
    """``stored`` is the normalised JSON answer, ``typed`` what expressions see; both None when problems."""

    stored: object = None
    typed: object = None
    problems: tuple[str, ...] = ()


def is_empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, list) and not raw)


def sentence(text: str) -> str:
    """'check character should be X' -> 'Check character should be X.'"""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def check_value(field, raw: object, *, today: date | None = None) -> Checked:
    """Check and normalise one non-empty answer of ``field`` (a FieldDef)."""
    checker = _CHECKERS.get(field.type)
    if checker is None:
        return _bad(f"A {field.type} field does not take an answer.")
    return checker(field, raw, today)


def _bad(*problems: str) -> Checked:
    return Checked(None, None, tuple(problems))


def _ok(stored, typed=None) -> Checked:
    return Checked(stored, stored if typed is None else typed, ())


def _is_number(raw) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool)


def _text(field, raw, today):
    if not isinstance(raw, str):
        return _bad("Must be text.")
    if "\x00" in raw:
        return _bad("Must not contain NUL characters.")
    text = raw.strip()
    limit = getattr(field, "text_limit", MAX_TEXT)
    if len(text) > limit:
        return _bad(f"Must be at most {limit} characters long.")
    return _ok(text)


def _integer(field, raw, today):
    if not _is_number(raw):
        return _bad("Must be a whole number.")
    if isinstance(raw, float) and not (math.isfinite(raw) and raw.is_integer()):
        return _bad("Must be a whole number.")
    if abs(raw) > MAX_NUMBER:
        return _bad("The number is too large.")
    return _ok(int(raw))


def _decimal(field, raw, today):
    if not _is_number(raw) or (isinstance(raw, float) and not math.isfinite(raw)):
        return _bad("Must be a number.")
    if abs(raw) > MAX_NUMBER:
        return _bad("The number is too large.")
    return _ok(raw)


def _date(field, raw, today):
    if not isinstance(raw, str) or not _DATE_RE.fullmatch(raw):
        return _bad("Must be a date written YYYY-MM-DD.")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return _bad(f"{raw} is not a real date.")
    return _ok(raw, day)


def _datetime(field, raw, today):
    if not isinstance(raw, str) or not _DATETIME_RE.fullmatch(raw):
        return _bad("Must be a date and time in ISO 8601 with its UTC offset, like 2026-05-01T09:30:00+08:00.")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return _bad(f"{raw} is not a real date and time.")
    return _ok(moment.isoformat(), moment)


def _choice_values(field) -> list[str]:
    return [c.value for c in field.choices]


def _select_one(field, raw, today):
    values = _choice_values(field)
    if not isinstance(raw, str):
        return _bad("Must be one choice value (text).")
    if raw not in values:
        return _bad(f"{raw!r} is not a choice of this field (choices: {', '.join(values)}).")
    return _ok(raw)


def _select_multiple(field, raw, today):
    values = _choice_values(field)
    if isinstance(raw, str):
        raw = raw.split()
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        return _bad("Must be a list of choice values.")
    problems = []
    unknown = [v for v in raw if v not in values]
    named, choices = ", ".join(map(repr, unknown)), ", ".join(values)
    if len(unknown) == 1:
        problems.append(f"{named} is not a choice of this field (choices: {choices}).")
    elif unknown:
        problems.append(f"{named} are not choices of this field (choices: {choices}).")
    repeated = sorted({v for v in raw if raw.count(v) > 1})
    if repeated:
        problems.append(f"{', '.join(map(repr, repeated))} chosen more than once.")
    if problems:
        return _bad(*problems)
    return _ok(list(raw))


def _geopoint(field, raw, today):
    if not isinstance(raw, dict):
        return _bad("Must be a location {lon, lat, accuracy_m}.")
    problems = []
    extra = sorted(set(raw) - _GEOPOINT_KEYS, key=str)
    if extra:
        problems.append(f"Unknown location keys: {', '.join(map(str, extra))}.")
    for key, low, high in (("lon", -180, 180), ("lat", -90, 90)):
        value = raw.get(key)
        if not _is_number(value) or not math.isfinite(value):
            problems.append(f"The location needs {key} as a number.")
        elif not low <= value <= high:
            problems.append(f"{key} must be between {low} and {high}.")
    accuracy = raw.get("accuracy_m")
    if accuracy is not None and (not _is_number(accuracy) or not math.isfinite(accuracy) or accuracy < 0):
        problems.append("accuracy_m must be a number of metres, 0 or more.")
    if problems:
        return _bad(*problems)
    point = {"lon": raw["lon"], "lat": raw["lat"]}
    if accuracy is not None:
        point["accuracy_m"] = accuracy
    return _ok(point)


def _image(field, raw, today):
    if isinstance(raw, list):
        return _bad("One image per field: give one attachment file name, not a list.")
    if not isinstance(raw, str) or not _IMAGE_RE.fullmatch(raw) or ".." in raw:
        return _bad("Must be the file name of an attached image, like photo1.jpg.")
    extension = raw.rsplit(".", 1)[-1].lower() if "." in raw else ""
    if extension not in IMAGE_EXTENSIONS:
        return _bad(f"An image file name ends in .{', .'.join(IMAGE_EXTENSIONS)}.")
    return _ok(raw)


def _citizen_id(field, raw, today, *, birth_date=None, sex=None):
    if not isinstance(raw, str):
        return _bad("Must be a citizen ID number (text).")
    result = check_document(CITIZEN_ID, raw, birth_date=birth_date, sex=sex, today=today)
    if result.problems:
        return _bad(*(sentence(p) for p in result.problems))
    return _ok(result.number)


def check_citizen_id(field, raw, *, today: date | None, birth_date: date | None, sex: str | None) -> Checked:
    """A citizen ID answer checked against the person's entered birth date and sex too."""
    return _citizen_id(field, raw, today, birth_date=birth_date, sex=sex)


def _phone(field, raw, today):
    if not isinstance(raw, str):
        return _bad("Must be a phone number (text).")
    number = unicodedata.normalize("NFKC", raw).translate(_PHONE_STRIP)
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
            if not _MOBILE_RE.fullmatch(number) and not number.startswith("0"):
                number = "0" + number  # +86 10 ... is Beijing's 010 ...
            break
    if _MOBILE_RE.fullmatch(number) or _LANDLINE_RE.fullmatch(number):
        return _ok(number)
    return _bad("Must be a mainland mobile number (11 digits starting 13-19) or a landline with its area code.")


_CHECKERS = {
    "text": _text,
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "datetime": _datetime,
    "select_one": _select_one,
    "select_multiple": _select_multiple,
    "geopoint": _geopoint,
    "image": _image,
    "citizen_id": _citizen_id,
    "phone": _phone,
}
