"""Field errors in Chinese: every standard marshmallow message, and every message our schemas raise, has its
Chinese in server/field_messages.py; templated ones carry what they name across."""

import ast
import inspect
import re
from pathlib import Path

import marshmallow.fields as ma_fields
import marshmallow.validate as ma_validate
import pytest

from server.field_messages import TABLE, localize, translate

MARSHMALLOW_FIELDS_WE_USE = ("Raw", "String", "Integer", "Float", "Number", "Boolean", "UUID", "Date", "DateTime")
MARSHMALLOW_FIELDS_WE_USE += ("AwareDateTime", "List", "Dict", "Mapping", "Tuple", "Nested", "Email", "URL")


def _standard_messages():
    for name in MARSHMALLOW_FIELDS_WE_USE:
        for key, text in getattr(ma_fields, name).default_error_messages.items():
            yield f"{name}.{key}", text


@pytest.mark.parametrize("where,text", list(_standard_messages()))
def test_every_standard_marshmallow_field_message_has_its_chinese(where, text):
    example = text.format(input="x", obj_type="datetime", awareness="aware")
    assert translate(example, "zh") != example, where


@pytest.mark.parametrize(
    "validator,bad",
    [
        (ma_validate.Length(min=1, max=32), "y" * 40),
        (ma_validate.Length(min=1), ""),
        (ma_validate.Length(max=32), "y" * 40),
        (ma_validate.Length(equal=4), "y"),
        (ma_validate.Range(min=1, max=200), 0),
        (ma_validate.Range(min=0), -1),
        (ma_validate.Range(max=5000), 5001),
        (ma_validate.Range(min=0, max=1, min_inclusive=False, max_inclusive=False), 2),
        (ma_validate.OneOf(("a", "b")), "c"),
        (ma_validate.Regexp("x"), "y"),
    ],
)
def test_every_validator_message_we_use_has_its_chinese(validator, bad):
    with pytest.raises(ma_validate.ValidationError) as raised:
        validator(bad)
    (message,) = raised.value.messages
    assert re.search(r"[\u4e00-\u9fff]", translate(message, "zh")), message


def test_templated_messages_keep_what_they_name():
    assert translate("Must be one of: whole, shared, by_bed.", "zh") == "必须是以下之一：whole, shared, by_bed。"
    assert translate("Must be greater than or equal to 1 and less than or equal to 200.", "zh") == (
        "必须大于等于 1 且小于等于 200。"
    )
    assert translate("The point is in grid G-0001, not yours.", "zh") == "该点位于网格 G-0001，不在你的辖区。"


def test_english_and_unknown_messages_stay_as_written():
    assert translate("Missing data for required field.", "en") == "Missing data for required field."
    assert translate("A message nobody has translated yet.", "zh") == "A message nobody has translated yet."
    assert localize({"a": ["Unknown field."]}, "zh") == {"a": ["未知字段。"]}


def test_the_messages_our_schemas_raise_are_in_the_table():
    from pathlib import Path

    import server

    raised = set()
    for path in (Path(server.__file__).parent / "api").rglob("*.py"):
        raised |= set(re.findall(r'ValidationError\(\s*"([^"]+)"', path.read_text()))
        raised |= set(re.findall(r'errors=\{"\w+": \["([^"{]+)"\]\}', path.read_text()))
    missing = sorted(m for m in raised if m not in TABLE)
    assert missing == []


def test_every_chinese_template_uses_the_placeholders_of_its_english():
    for en, zh in TABLE.items():
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh)), en
    assert inspect.isfunction(translate)


# Where the domain writes field messages: form answers (check_answers) and the account rules (passwords).
DOMAIN_SOURCES = ("domain/forms/answers.py", "domain/forms/values.py", "domain/accounts.py")


def _examples(node) -> list[str]:
    """A message literal as it reads once raised, with each ``{value}`` of an f-string filled in by 7."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "7" for v in node.values)]
    return []


def _domain_messages():
    import server

    root = Path(server.__file__).parent
    for source in DOMAIN_SOURCES:
        tree = ast.parse((root / source).read_text())
        for node in ast.walk(tree):
            called = getattr(node.func, "attr", getattr(node.func, "id", "")) if isinstance(node, ast.Call) else None
            if called == "error":  # self.error(path, message)
                candidates = node.args[1:]
            elif called in ("_bad", "append"):
                candidates = node.args
            elif isinstance(node, ast.List):  # problems[name] = [f"..."], return ["..."]
                candidates = node.elts
            elif isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "").endswith("_MESSAGE"):
                candidates = [node.value]
            else:
                continue
            for candidate in candidates:
                for text in _examples(candidate):
                    yield source, text


@pytest.mark.parametrize("source,text", sorted(set(_domain_messages())))
def test_every_message_of_form_answers_and_passwords_has_its_chinese(source, text):
    assert re.search(r"[\u4e00-\u9fff]", translate(text, "zh")), (source, text)


def test_the_scan_finds_the_domain_messages():
    found = {text for _, text in _domain_messages()}
    assert {"This field is required.", "Use at least 7 characters.", "At most 7 entries are allowed, 7 given."} <= found
    assert len(found) > 40


def test_a_form_answer_and_a_password_are_refused_in_chinese_by_default_and_english_when_asked():
    from datetime import date

    from server.domain.accounts import password_problems
    from server.domain.forms.values import sentence

    assert localize({"password": password_problems("short")}, "zh") == {"password": ["请至少使用 8 个字符。"]}
    assert localize({"password": password_problems("short")}, "en") == {"password": ["Use at least 8 characters."]}
    # a citizen ID inside a form answer reads as a sentence; its Chinese is the registry's
    said = sentence("check character should be X, not 7")
    assert translate(said, "zh") == "校验码应为 X，而不是 7。"
    assert translate("At least 1 entry is needed, 0 given.", "zh") == "至少需要 1 条，实际 0 条。"
    assert date.today()  # the check runs without a database or an app


def test_a_forms_own_message_is_given_in_its_authors_words_and_falls_back_to_the_table():
    from server.domain.forms.answers import GENERIC_CONSTRAINT_MESSAGE
    from server.domain.wording import Worded

    both = Worded({"zh": "日期不能晚于今天", "en": "The date cannot be in the future."}, GENERIC_CONSTRAINT_MESSAGE)
    assert both == "The date cannot be in the future."  # as text (logs, the command line): the English
    assert translate(both, "zh") == "日期不能晚于今天" and translate(both, "en") == "The date cannot be in the future."
    import copy

    for kept in (copy.copy(both), copy.deepcopy(both)):  # an error copied on its way keeps its words
        assert kept == both and translate(kept, "zh") == "日期不能晚于今天"
    only_chinese = Worded({"zh": "日期不能晚于今天"}, GENERIC_CONSTRAINT_MESSAGE)
    assert translate(only_chinese, "en") == GENERIC_CONSTRAINT_MESSAGE
    only_english = Worded({"en": "Must be today or later."}, GENERIC_CONSTRAINT_MESSAGE)
    assert translate(only_english, "zh") == "必须是今天或以后。"  # the table still knows a common sentence


def _raised_by_services():
    """Message literals inside ``ValidationFailed(errors=...)`` and assigned to an ``errors`` mapping in
    services/, and in ``PeriodError(...)`` (a week the targets refuse; services turn it into a field error),
    as they read once raised."""
    import server

    root = Path(server.__file__).parent
    for path in [*sorted((root / "services").glob("*.py")), root / "domain/targets/periods.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            name = getattr(node.func, "id", "") if isinstance(node, ast.Call) else ""
            if name == "PeriodError":
                parts = node.args
            elif name == "ValidationFailed":
                parts = [k.value for k in node.keywords if k.arg == "errors"]
            elif isinstance(node, ast.Assign) and any(_names_errors(t) for t in node.targets):
                parts = [node.value]
            else:
                continue
            for part in parts:
                for inner in ast.walk(part):
                    if isinstance(inner, ast.List):
                        for element in inner.elts:
                            for text in _examples(element):
                                yield path.name, text
                    elif name == "PeriodError" and inner is part:
                        for text in _examples(inner):
                            yield path.name, text


def _names_errors(target) -> bool:
    """``errors = ...`` or ``errors[...] = ...``."""
    if isinstance(target, ast.Subscript):
        target = target.value
    return isinstance(target, ast.Name) and target.id == "errors"


@pytest.mark.parametrize("source,text", sorted(set(_raised_by_services())))
def test_every_field_message_a_service_raises_has_its_chinese(source, text):
    assert re.search(r"[\u4e00-\u9fff]", translate(text, "zh")), (source, text)


def test_the_scan_finds_the_services_messages():
    found = {text for _, text in _raised_by_services()}
    assert {"Say why.", "That week has not begun yet."} <= found
