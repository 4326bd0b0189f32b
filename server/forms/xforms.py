"""ODK XForms from the shipped form definitions, built by pyxform (issue 15, decision 0018).

``workbook(form)`` maps one form version onto an XLSForm-shaped dict (``survey``,
``choices``, ``settings`` rows, as an XLSForm spreadsheet would hold them), and
``xform(form)`` lets pyxform turn it into XForm XML. No XML is written by hand.

* Our expression language is the XLSForm subset (``${name}``, ``.``, ODK's XPath
  functions, see server/domain/forms/expressions.py), so expressions are passed
  through as written and pyxform turns each ``${name}`` into its XPath path.
* Labels, hints and constraint messages are itext: "Chinese (zh)" is the default
  language, "English (en)" the other.
* What the server checks by type is also told to the phone where XPath can say it:
  text ``max_length`` (string-length), number ``min``/``max``, a citizen ID's length
  and form (the MOD 11-2 check digit stays on the server, whose message reaches the
  worker), a phone number's form, a repeat's ``max_count`` (``position(..)``). A
  repeat's ``min_count`` is shown as a warning note when too few entries are
  given; the server refuses the submission.
* Photos are ``image`` questions with ``max-pixels`` (phone-side downscaling to the
  largest derivative the server keeps). Geopoints carry ``capture-accuracy``.
* ``meta`` holds ``instanceID`` (pyxform adds it) and ``deprecatedID`` (Collect fills
  it when a sent form is edited). For forms about a house or a unit, it is chosen
  from the ``houses.csv``/``units.csv`` media file (services/phone_lists.py) as ``subject``.

The output is deterministic: the same form version always gives the same bytes.
"""

from __future__ import annotations

import re

from pyxform.xls2xform import convert

from server.domain.forms.definition import FieldDef, Form

ZH = "Chinese (zh)"
EN = "English (en)"
LANGUAGES = ((ZH, "zh"), (EN, "en"))
MAX_PIXELS = 2048  # the largest derivative the photo pipeline keeps (server/media/images.py)
# Forms about a house or a unit let the worker pick it from a CSV media file of their own area
SUBJECT_LISTS = {"house": "houses.csv", "unit": "units.csv"}
SUBJECT_FIELD = "subject"  # the question that picks the subject (its id is the answer)
SUBJECT_VERSION_FIELD = "subject_version"  # the picked record's version: the submission's base_version

CITIZEN_ID_PATTERN = "^([0-9]{17}[0-9Xx]|[0-9]{15})$"
PHONE_PATTERN = "^(\\+86|0086)?[ ]?(1[3-9][0-9]{9}|0[1-9][0-9]{1,2}[- ]?[2-9][0-9]{6,7})$"
_CITIZEN_ID_MESSAGE = {
    "zh": "公民身份号码应为18位（最后一位可为X）或15位数字",
    "en": "A citizen ID number has 18 characters (the last may be X) or 15 digits.",
}
_PHONE_MESSAGE = {
    "zh": "请填写11位手机号码，或带区号的固定电话",
    "en": "Enter an 11-digit mobile number, or a landline with its area code.",
}
_SUBJECT_LABEL = {
    "house": {"zh": "选择房屋", "en": "Choose the house"},
    "unit": {"zh": "选择单位", "en": "Choose the unit"},
}
_SUBJECT_HINT = {"zh": "列表只含本人负责区域内的记录", "en": "The list holds the records of your own area only"}

_TYPES = {
    "text": "text",
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "datetime": "dateTime",
    "geopoint": "geopoint",
    "image": "image",
    "citizen_id": "text",
    "phone": "text",
    "note": "note",
}


def subject_list(form: Form) -> str | None:
    """The media file the form's subject is picked from (houses.csv, units.csv), or None."""
    return SUBJECT_LISTS.get(form.subject)


def workbook(form: Form) -> dict:
    """The XLSForm (survey, choices, settings rows) of one form version."""
    survey: list[dict] = []
    choices: list[dict] = []
    media = subject_list(form)
    if media:
        survey.append(
            {
                "type": f"select_one_from_file {media}",
                "name": SUBJECT_FIELD,
                "required": "yes",
                "appearance": "autocomplete",
                **_texts("label", _SUBJECT_LABEL[form.subject]),
                **_texts("hint", _SUBJECT_HINT),
            }
        )
        survey.append(
            {
                "type": "calculate",
                "name": SUBJECT_VERSION_FIELD,
                "calculation": f"instance('{media[:-4]}')/root/item[name=${{{SUBJECT_FIELD}}}]/version",
            }
        )
    for field in form.fields:
        _add(field, survey, choices)
    settings = {
        "form_id": form.id,
        "version": form.version,
        "form_title": form.title.get("zh") or form.id,
        "default_language": ZH,
        "allow_choice_duplicates": "no",
    }
    return {"survey": survey, "choices": choices, "settings": [settings]}


def xform(form: Form, *, validate: bool = False) -> bytes:
    """The XForm XML of one form version (``validate=True`` also runs ODK Validate with Java)."""
    result = convert(workbook(form), validate=validate, pretty_print=True, form_name=form.id)
    return _add_deprecated_id(result.xform).encode("utf-8")


def _add_deprecated_id(xml: str) -> str:
    """An empty ``meta/deprecatedID`` next to ``instanceID`` (pyxform has no XLSForm type for it).

    Collect writes the replaced submission's instanceID there when a sent form is edited. The
    one text edit adds a bare instance node (no bind); ODK Validate checks the result in the suite."""
    return re.sub(r"( *)<instanceID/>", r"\1<instanceID/>\n\1<deprecatedID/>", xml, count=1)


def _texts(column: str, text: dict | None) -> dict:
    if not text:
        return {}
    return {f"{column}::{lang}": text.get(code) or text.get("zh") or "" for lang, code in LANGUAGES}


def _and(*parts: str | None) -> str | None:
    present = [p for p in parts if p]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return " and ".join(f"({p})" for p in present)


def _add(field: FieldDef, survey: list[dict], choices: list[dict]) -> None:
    if field.type == "repeat":
        _add_repeat(field, survey, choices)
        return
    row: dict = {"name": field.name, **_texts("label", field.label), **_texts("hint", field.hint)}
    constraint = field.constraint.source if field.constraint is not None else None
    message = field.constraint_message
    if field.type in ("select_one", "select_multiple"):
        row["type"] = f"{field.type} {field.name}"
        for choice in field.choices:
            choices.append({"list_name": field.name, "name": choice.value, **_texts("label", choice.label)})
    else:
        row["type"] = _TYPES[field.type]
    if field.type == "text" and field.max_length:
        constraint = _and(constraint, f"string-length(.) <= {field.max_length}")
        message = message or {"zh": f"最多{field.max_length}个字", "en": f"At most {field.max_length} characters."}
    if field.type in ("integer", "decimal"):
        bounds = [f". >= {field.min}" if field.min is not None else None]
        bounds.append(f". <= {field.max}" if field.max is not None else None)
        constraint = _and(constraint, *bounds)
    if field.type == "citizen_id":
        constraint = _and(constraint, f"regex(., '{CITIZEN_ID_PATTERN}')")
        message = message or _CITIZEN_ID_MESSAGE
    if field.type == "phone":
        constraint = _and(constraint, f"regex(., '{PHONE_PATTERN}')")
        message = message or _PHONE_MESSAGE
        row["appearance"] = "numbers"
    if field.type == "image":
        row["parameters"] = f"max-pixels={MAX_PIXELS}"
    if field.type == "geopoint" and field.accuracy_max_m is not None:
        row["parameters"] = f"capture-accuracy={field.accuracy_max_m}"
    if constraint:
        row["constraint"] = constraint
        row.update(_texts("constraint_message", message))
    if field.relevant is not None:
        row["relevant"] = field.relevant.source
    if field.required is True:
        row["required"] = "yes"
    elif field.required:
        row["required"] = field.required.source
    if field.default is not None:
        row["default"] = field.default.source if hasattr(field.default, "source") else _literal(field.default)
    survey.append(row)


def _literal(value: object) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _add_repeat(field: FieldDef, survey: list[dict], choices: list[dict]) -> None:
    row: dict = {"type": "begin_repeat", "name": field.name, **_texts("label", field.label)}
    row.update(_texts("hint", field.hint))
    if field.relevant is not None:
        row["relevant"] = field.relevant.source
    survey.append(row)
    first = len(survey)
    for sub in field.fields:
        _add(sub, survey, choices)
    if field.max_count is not None:
        for entry in survey[first:]:
            if entry["type"] != "note":
                limit = f"position(..) <= {field.max_count}"
                entry["constraint"] = _and(entry.get("constraint"), limit)
                entry.setdefault(f"constraint_message::{ZH}", f"最多{field.max_count}条")
                entry.setdefault(f"constraint_message::{EN}", f"At most {field.max_count} entries.")
                break
    survey.append({"type": "end_repeat"})
    if field.min_count:
        relevant = f"count(${{{field.name}}}) < {field.min_count}"
        if field.relevant is not None:
            relevant = f"({field.relevant.source}) and {relevant}"
        note = {
            "zh": f"至少需要{field.min_count}条“{field.label.get('zh', field.name)}”，否则服务器将拒收",
            "en": f"At least {field.min_count} entries of “{field.label.get('en', field.name)}” are needed.",
        }
        survey.append(
            {"type": "note", "name": f"{field.name}_min_count", "relevant": relevant, **_texts("label", note)}
        )
