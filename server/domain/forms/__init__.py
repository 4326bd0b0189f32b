"""Forms as immutable, versioned data (ODK-style): expressions, definitions, answer checks.

Pure: standard library, lark and jsonschema only; the files are read by server/forms/catalog.py.
"""

from server.domain.forms.answers import AnswerCheck, check_answers
from server.domain.forms.definition import (
    BINDINGS,
    Choice,
    FieldDef,
    Form,
    FormDefinitionError,
    form_to_dict,
    load_form,
)
from server.domain.forms.expressions import Expression, ExpressionError, evaluate, is_true, parse, references

__all__ = [
    "AnswerCheck",
    "BINDINGS",
    "Choice",
    "Expression",
    "ExpressionError",
    "FieldDef",
    "Form",
    "FormDefinitionError",
    "check_answers",
    "evaluate",
    "form_to_dict",
    "is_true",
    "load_form",
    "parse",
    "references",
]
