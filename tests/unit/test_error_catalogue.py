"""Every error code the server raises is in the catalogue, with the status it is raised with and both languages."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from server import errors
from server.errors_catalogue import CATALOGUE, language, message

SERVER = Path(errors.__file__).parent

# The error classes of server/errors.py and the status each raises with unless told otherwise.
CLASS_STATUS = {cls.__name__: cls.status for cls in (errors.ApiError, *errors.ApiError.__subclasses__())}
IMAGE_REJECTED_STATUS = 422  # services/photos.py raises ImageRejected's code as a ValidationFailed


def _literal(node):
    return node.value if isinstance(node, ast.Constant) else None


def raised_codes() -> list[tuple[str, int | None, str]]:
    """(code, status, where) for every literal code in server/: ApiError-family calls with code=, ImageRejected's
    first argument, error_body("code", status) calls, the class defaults and the HTTP status tables."""
    found = []
    for path in sorted(SERVER.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(SERVER.parent))
        aliases = {
            a.asname: a.name
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and (n.module or "").endswith("errors")
            for a in n.names
            if a.asname
        }  # Conflict as ConflictError
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                name = aliases.get(name, name)
                keywords = {k.arg: k.value for k in node.keywords}
                if name in CLASS_STATUS and isinstance(_literal(keywords.get("code")), str):
                    status = _literal(keywords.get("status")) or CLASS_STATUS[name]
                    found.append((_literal(keywords["code"]), status, f"{where}:{node.lineno}"))
                elif name == "ImageRejected" and node.args and isinstance(_literal(node.args[0]), str):
                    found.append((_literal(node.args[0]), IMAGE_REJECTED_STATUS, f"{where}:{node.lineno}"))
                elif name == "error_body" and len(node.args) >= 2 and isinstance(_literal(node.args[0]), str):
                    found.append((_literal(node.args[0]), _literal(node.args[1]), f"{where}:{node.lineno}"))
            elif isinstance(node, ast.ClassDef) and node.name in CLASS_STATUS:
                cls = getattr(errors, node.name)
                found.append((cls.code, cls.status, f"{where}:{node.lineno}"))
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Dict)
                and any(getattr(t, "id", "") in ("HTTP_CODES", "SERVER_CODES") for t in node.targets)
            ):
                for key, value in zip(node.value.keys, node.value.values, strict=True):
                    found.append((_literal(value), _literal(key), f"{where}:{node.lineno}"))
    return found


def test_the_scan_finds_the_codes_spread_over_the_server():
    codes = {code for code, _, _ in raised_codes()}
    assert (
        len(codes) > 60
        and {
            "auth.token_expired",
            "photo.corrupt",
            "request.uri_too_long",
            "internal",
            "service.unavailable",
            "validation.failed",
        }
        <= codes
    )


def test_every_code_raised_is_in_the_catalogue():
    missing = sorted({f"{code} ({where})" for code, _, where in raised_codes() if code not in CATALOGUE})
    assert missing == []


def test_every_code_is_raised_with_the_catalogues_status():
    wrong = sorted(
        f"{code} raised as {status} at {where}, catalogued as {CATALOGUE[code].status}"
        for code, status, where in raised_codes()
        if code in CATALOGUE and CATALOGUE[code].status is not None and status != CATALOGUE[code].status
    )
    assert wrong == []


def test_the_catalogue_holds_no_code_nothing_raises():
    """http.error is chosen by an expression in server/errors.py (any 4xx without a code of its own)."""
    assert set(CATALOGUE) - {code for code, _, _ in raised_codes()} == {"http.error"}


def test_the_fallback_codes_for_other_statuses_are_catalogued():
    """server/errors.py answers an unlisted 4xx as http.error and an unlisted 5xx as internal."""
    assert CATALOGUE["http.error"].status is None and CATALOGUE["internal"].status == 500


def test_every_entry_has_chinese_and_english_with_the_same_placeholders_and_a_plain_fallback():
    def names(template):
        return {field for _, field, _, _ in string.Formatter().parse(template) if field}

    for code, problem in CATALOGUE.items():
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", code), code
        assert problem.status is None or 400 <= problem.status < 600, code
        zh, en = problem.zh, problem.en
        assert zh and en and len(zh) == len(en), code
        assert all(re.search(r"[\u4e00-\u9fff]", t) for t in zh), code
        assert not any(re.search(r"[\u4e00-\u9fff]", t) for t in en), code
        assert [names(t) for t in zh] == [names(t) for t in en], code
        assert names(zh[-1]) == set(), f"{code}: the last message must need no values"


@pytest.mark.parametrize(
    "header, lang",
    [
        (None, "zh"),
        ("", "zh"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9", "en"),
        ("en", "en"),
        ("fr-FR, en;q=0.5", "en"),
        ("zh;q=0.4, en;q=0.8", "en"),
        ("en;q=0.4, zh-TW;q=0.8", "zh"),
        ("fr", "zh"),
        ("*", "zh"),
        ("en;q=0", "zh"),
    ],
)
def test_the_language_follows_accept_language_with_q_values(header, lang):
    assert language(header) == lang


def test_placeholders_fall_back_to_the_plain_message_when_a_value_is_missing():
    assert message("validation.failed", "en", {"fields": "name, phone"}) == "Some fields are invalid: name, phone."
    assert message("validation.failed", "zh", {"fields": ""}) == "部分字段无效。"
    assert message("no.such_code", "en", {}) is None
