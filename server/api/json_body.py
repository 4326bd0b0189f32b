"""Reading a JSON request body: the one place where what a client sent becomes Python values.

Python's json module accepts things nothing behind it can handle, and each used to surface
somewhere deeper as a 500. They are refused here, for every JSON endpoint and before sign-in
is looked at, with the JSON path of the value at fault:

* text (a value or an object key) holding a lone UTF-16 surrogate (``"\\ud800"``): it cannot be
  written as UTF-8, so neither PostgreSQL nor a JSON answer could carry it; a NUL character,
  which PostgreSQL cannot store; or any other control or invisible format character (category
  Cc or Cf: right-to-left overrides, zero-width spaces and joiners, BEL...) except tab, line feed
  and carriage return. Text entered here is shown to other people (names, addresses a landlord
  claims, notes, answers); such characters make it read differently from what is stored, the
  rule standard addresses already follow. 422 naming the field.
* integers longer than ``MAX_INTEGER_DIGITS`` (Python refuses to convert more than 4,300 digits;
  no field takes a tenth of that), and ``NaN`` / ``Infinity`` or a float that overflows to it
  (``1e999``). 422 naming the field.
* nesting deeper than ``MAX_DEPTH`` arrays and objects (the deepest form answer is well under
  ten); a body nested far deeper would overflow the parser's recursion. 400 on ``body``.
"""

from __future__ import annotations

import json
import math
import unicodedata

from server.errors import ApiError, ValidationFailed

MAX_DEPTH = 32
MAX_INTEGER_DIGITS = 100


class _Refused:
    """A number the parser met that no field can take; reported with its path after parsing."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


def _parse_int(text: str):
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        return _Refused(f"The number is too large: at most {MAX_INTEGER_DIGITS} digits.")
    return int(text)


def _parse_float(text: str):
    value = float(text)
    if not math.isfinite(value):
        return _Refused("The number is too large.")
    return value


def _parse_constant(name: str):
    return _Refused(f"{name} is not a number JSON allows.")


def too_deep() -> ApiError:
    return ApiError(
        f"The JSON body is nested deeper than {MAX_DEPTH} levels.",
        code="request.malformed",
        status=400,
        errors={"body": [f"Nested deeper than {MAX_DEPTH} arrays and objects."]},
    )


def _printable(key: str) -> str:
    """A key as it can appear in an error path: invisible characters and lone surrogates escaped
    (\\u202e), so that the answer can be encoded and read."""
    if key.isprintable():
        return key
    return "".join(ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}" for ch in key)


def _join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    key = _printable(key)
    return f"{path}.{key}" if path else key


def _text_problem(text: str) -> str | None:
    """What makes this text unacceptable ("the NUL character"), or None. Tab, line feed and carriage
    return are the only control characters allowed."""
    if text.isprintable():  # the common case, fast; false also for ordinary spaces such as U+3000
        return None
    for ch in text:
        if ch in "\t\n\r":
            continue
        category = unicodedata.category(ch)
        if ch == "\x00":
            return "the NUL character"
        if category == "Cs":
            return f"a lone UTF-16 surrogate (U+{ord(ch):04X}), which is not a character"
        if category in ("Cc", "Cf"):
            return f"the invisible or control character U+{ord(ch):04X}"
    return None


def check(value) -> None:
    """Refuse what the parser let through (see the module docstring); walks iteratively, so any depth is safe."""
    problems: dict[str, list[str]] = {}
    stack = [(value, "", 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                problems.setdefault(path or "body", []).append(f"Must not contain {problem}.")
        elif isinstance(item, _Refused):
            problems.setdefault(path or "body", []).append(item.message)
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise too_deep()
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                child_path = _join(path, key)
                if isinstance(key, str):
                    problem = _text_problem(key)
                    if problem:
                        problems.setdefault(child_path, []).append(f"The field name must not contain {problem}.")
                        continue
                stack.append((child, child_path, depth + 1))
    if problems:
        raise ValidationFailed("Some fields are invalid: " + ", ".join(sorted(problems)) + ".", errors=problems)


def loads(text: str | bytes):
    """Parse a JSON document and check it (see the module docstring). Raises json.JSONDecodeError for
    text that is not JSON, UnicodeDecodeError for bytes that are not UTF-8, ApiError for JSON that
    no endpoint can take."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # strictly: json.loads would let encoded surrogates through
    try:
        value = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except RecursionError:
        raise too_deep() from None
    check(value)
    return value
