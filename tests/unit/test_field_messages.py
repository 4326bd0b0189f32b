"""Field errors in Chinese: every standard marshmallow message, and every message our schemas raise, has its
Chinese in server/field_messages.py; templated ones carry what they name across."""

import inspect
import re

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
