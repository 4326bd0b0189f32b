"""XLSForm expressions (the ODK XPath subset form authors write), parsed by a
real grammar and evaluated by a small interpreter. Nothing is ever passed to
``eval``: a form file can only combine the operators and functions below.

Syntax
------
``${field}`` (a field's answer), ``.`` (the answer of the field a constraint
belongs to), string literals in single or double quotes (no escapes, as in
XPath), numbers (``12``, ``3.5``, ``.5``), ``true()``/``false()``, comparisons
``= != < <= > >=``, arithmetic ``+ - * div mod`` and unary minus, ``and``,
``or``, parentheses, and the functions listed in ``FUNCTIONS``. Precedence is
XPath's, loosest first: ``or``, ``and``, ``= !=``, ``< <= > >=``, ``+ -``,
``* div mod``, unary ``-``. An expression is at most ``MAX_LENGTH`` characters
and ``MAX_DEPTH`` levels deep. Errors (``ExpressionError``) say what is wrong
and at which column (1-based).

Values
------
Answers arrive in ``values`` as plain Python values: ``str``, ``int``/``float``,
``bool``, ``date``, ``datetime``, ``list`` (a select_multiple answer, or the
entries of a repeat), ``dict`` (a geopoint). ``None`` and a missing name are the
empty string ``''``: an unanswered field is ``''``, as in ODK.

Semantics (XPath 1.0 as ODK uses it, with these decisions)
----------------------------------------------------------
* ``boolean(x)``: numbers are true unless 0 or NaN; strings and lists unless
  empty; dates and geopoints are true.
* ``number(x)``: a string is a number only in XPath's plain decimal form
  (``-12``, ``3.50``, ``.5``; no exponent, no ``inf``); anything else is NaN.
  ``true()`` is 1, a date is its day count since 1970-01-01 (as in ODK).
* ``string(x)``: numbers print without a trailing ``.0``; NaN prints ``NaN``;
  dates print ISO 8601; a select_multiple list prints space-separated (ODK's
  own form of such an answer), so ``${f} = 'a b'`` works as in ODK.
* Comparisons, in this order: if either side is a boolean, both are compared
  as booleans. If either side is a date or date-time value (an answer of a
  date field, ``today()``, ``now()``, ``date(x)``), or both are strings shaped
  ``YYYY-MM-DD`` or ISO date-times, both are compared as dates; a date-time
  compared with a plain date counts by its calendar day; a side that is not a
  date makes ``=``, ``<``, ``<=``, ``>``, ``>=`` false and ``!=`` true (as NaN
  does). If both sides look numeric, they compare as numbers. Otherwise ``=``
  and ``!=`` compare the strings, and ``< <= > >=`` compare numbers (XPath),
  which is false whenever a side is not a number — so ``${age} > 17`` is
  false while ``age`` is unanswered.
* Arithmetic converts with ``number()``. ``x div 0`` and ``x mod 0`` are NaN
  (XPath gives ±Infinity for ``div``; NaN makes every comparison, and so a
  constraint, false instead). ``mod`` keeps the sign of the dividend.
* ``selected(x, v)``: ``x`` is a list (select_multiple) or a space-separated
  string (select_one or ODK's select_multiple form); true when ``v`` is one of
  its items. ``count-selected(x)`` counts them.
* ``regex(x, 'pattern')``: Python ``re.search`` on ``string(x)`` — like
  JavaRosa's ``find()``, the pattern may match anywhere, so anchor it
  (``'^[0-9]{11}$'``) to match the whole answer. The pattern must be a string
  literal; it is compiled when the expression is parsed, so a form never
  carries a pattern built from answers.
* ``date(x)``: a date, the calendar day of a date-time, a ``YYYY-MM-DD``
  string, an ISO date-time string, or a day count since 1970-01-01; anything
  else (including ``''``) gives ``''``.
* ``today()`` is the ``today`` argument; ``now()`` is the ``now`` argument,
  or midnight UTC at the start of ``today`` when none is given. Naive
  date-times are taken as UTC.
* ``int(x)`` truncates towards zero; ``coalesce(a, b)`` is ``a`` unless ``a``
  is empty (``''``, an empty list or NaN); ``if(c, a, b)`` evaluates only the
  branch it returns; ``count(${repeat})`` is the number of entries of a repeat
  group (0 when unanswered).
* ``and``/``or`` evaluate left to right and stop early.

Evaluation never raises on bad data: any value an operation cannot handle
becomes NaN (or ``''`` for ``date()``), and ``is_true`` of NaN is false, so a
constraint that cannot be evaluated counts as not met.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

MAX_LENGTH = 2000
MAX_DEPTH = 60
NAN = float("nan")
EPOCH = date(1970, 1, 1)
_BIG = 10**300
_FIRST_DAY, _LAST_DAY = (date.min - EPOCH).days, (date.max - EPOCH).days

# name -> (fewest, most) arguments
FUNCTIONS: dict[str, tuple[int, int]] = {
    "true": (0, 0),
    "false": (0, 0),
    "not": (1, 1),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "regex": (2, 2),
    "today": (0, 0),
    "now": (0, 0),
    "date": (1, 1),
    "int": (1, 1),
    "number": (1, 1),
    "string": (1, 1),
    "coalesce": (2, 2),
    "if": (3, 3),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "count": (1, 1),
}

_GRAMMAR = r"""
?start: or_expr

?or_expr: and_expr
        | or_expr "or" and_expr          -> or_
?and_expr: eq_expr
        | and_expr "and" eq_expr         -> and_
?eq_expr: rel_expr
        | eq_expr EQ_OP rel_expr         -> compare
?rel_expr: add_expr
        | rel_expr REL_OP add_expr       -> compare
?add_expr: mul_expr
        | add_expr PLUS mul_expr         -> arith
        | add_expr MINUS mul_expr        -> arith
?mul_expr: unary
        | mul_expr MUL_OP unary          -> arith
?unary: primary
      | MINUS unary                      -> neg
?primary: NUMBER                         -> number
        | STRING                         -> string
        | REF                            -> ref
        | DOT                            -> current
        | FUNC "(" [or_expr ("," or_expr)*] ")" -> call
        | "(" or_expr ")"

EQ_OP: "!=" | "="
REL_OP: "<=" | ">=" | "<" | ">"
PLUS: "+"
MINUS: "-"
MUL_OP: "*" | "div" | "mod"
NUMBER: /[0-9]+(\.[0-9]*)?|\.[0-9]+/
DOT: "."
STRING: /'[^']*'|"[^"]*"/
REF: /\$\{[A-Za-z_][A-Za-z0-9_.\-]*\}/
FUNC: /[a-z][a-z0-9]*(-[a-z0-9]+)*/
%ignore /[ \t\r\n]+/
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=True)

_NUMBER_RE = re.compile(r"\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_TOKEN_NAMES = {
    "EQ_OP": "'=' or '!='",
    "REL_OP": "a comparison",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "MUL_OP": "'*', 'div' or 'mod'",
    "NUMBER": "a number",
    "DOT": "'.'",
    "STRING": "a string",
    "REF": "a ${field} reference",
    "FUNC": "a function",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "AND": "'and'",
    "OR": "'or'",
    "$END": "the end",
}


class ExpressionError(ValueError):
    """An expression that cannot be parsed; the message names what and where (column)."""


# --- the parsed form: a small immutable tree ---------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: object


@dataclass(frozen=True)
class Ref:
    name: str
    column: int


@dataclass(frozen=True)
class Current:
    column: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    column: int


@dataclass(frozen=True)
class BinOp:
    op: str  # or and = != < <= > >= + - * div mod
    left: object
    right: object


@dataclass(frozen=True)
class Neg:
    operand: object


@dataclass(frozen=True)
class Expression:
    """A parsed expression (make one with ``parse``). Equal when the source text is equal."""

    source: str
    node: object = field(compare=False, repr=False, default=None)

    def tree(self):
        """The parsed tree; an Expression built from its source alone is parsed here."""
        return self.node if self.node is not None else parse(self.source).node


def parse(text: str) -> Expression:
    """Parse ``text``; syntax errors, unknown functions and wrong argument counts raise ExpressionError."""
    if not isinstance(text, str):
        raise ExpressionError(f"an expression is text, not {type(text).__name__}")
    if not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as exc:
        raise ExpressionError(_syntax_message(text, exc)) from None
    _check_depth(tree)
    return Expression(text, _build(tree))


def references(expr: Expression) -> set[str]:
    """The field names the expression uses as ``${name}``."""
    return {n.name for n in _walk(expr.tree()) if isinstance(n, Ref)}


def counted_references(expr: Expression) -> set[str]:
    """The field names used as the argument of ``count(${name})`` (those must be repeat groups)."""
    return {n.args[0].name for n in _walk(expr.tree()) if isinstance(n, Call) and n.name == "count"}


def uses_current(expr: Expression) -> bool:
    """Whether the expression uses ``.`` (the current field's answer)."""
    return any(isinstance(n, Current) for n in _walk(expr.tree()))


def evaluate(
    expr: Expression, *, values: Mapping[str, object], current: object = None, today: date, now: datetime | None = None
) -> object:
    """The value of ``expr``; never raises on bad data (see the module docstring)."""
    if now is None:
        now = datetime.combine(today, time.min, tzinfo=UTC)
    env = _Env(values, current, today, _aware(now))
    node = expr.tree()
    try:
        return env.eval(node)
    except (ArithmeticError, ValueError, TypeError, RecursionError):  # defensive: no answer may crash a check
        return NAN


def is_true(value: object) -> bool:
    """XPath ``boolean()``: what a relevant/required/constraint result means."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return not (value == 0 or _isnan(value))
    if value is None or value == "":
        return False
    if isinstance(value, (list, tuple, str)):
        return len(value) > 0
    return True


# --- parsing helpers -------------------------------------------------------------------------


def _syntax_message(text: str, exc: UnexpectedInput) -> str:
    column = getattr(exc, "column", None)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return f"the expression ends too early (column {len(text) + 1}): {_expected(exc)}"
    if isinstance(exc, UnexpectedCharacters):
        ch = text[exc.pos_in_stream] if 0 <= exc.pos_in_stream < len(text) else "?"
        if ch == "$":
            return f"a field reference is written ${{name}} (column {column})"
        return f"unexpected character {ch!r} at column {column}"
    if isinstance(exc, UnexpectedToken):
        return f"unexpected {exc.token.value!r} at column {column}: {_expected(exc)}"
    return f"syntax error at column {column}"  # pragma: no cover - lark raises only the kinds above


def _expected(exc: UnexpectedInput) -> str:
    expected = sorted({_TOKEN_NAMES.get(name, name) for name in (getattr(exc, "expected", None) or ())})
    return ("expected " + ", ".join(expected)) if expected else "expected more"


def _check_depth(tree: Tree) -> None:
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def _build(node):
    if isinstance(node, Token):  # pragma: no cover - every token sits in a named rule
        raise ExpressionError(f"unexpected {node.value!r}")
    kind = node.data
    kids = node.children
    if kind == "number":
        text = kids[0].value
        return Literal(int(text) if text.isdigit() else float(text))
    if kind == "string":
        return Literal(kids[0].value[1:-1])
    if kind == "ref":
        return Ref(kids[0].value[2:-1], kids[0].column)
    if kind == "current":
        return Current(kids[0].column)
    if kind == "neg":
        return Neg(_build(kids[1]))
    if kind in ("or_", "and_"):
        return BinOp(kind[:-1], _build(kids[0]), _build(kids[1]))
    if kind in ("compare", "arith"):
        return BinOp(kids[1].value, _build(kids[0]), _build(kids[2]))
    if kind == "call":
        return _build_call(kids[0], [k for k in kids[1:] if k is not None])
    raise ExpressionError(f"unsupported construct {kind}")  # pragma: no cover


def _build_call(name_token: Token, arg_trees: list) -> Call:
    name, column = name_token.value, name_token.column
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function {name!r} at column {column}")
    fewest, most = FUNCTIONS[name]
    if not fewest <= len(arg_trees) <= most:
        wanted = str(fewest) if fewest == most else f"{fewest} to {most}"
        raise ExpressionError(
            f"{name}() takes {wanted} argument{'s' if most != 1 else ''}, not {len(arg_trees)} (column {column})"
        )
    args = tuple(_build(a) for a in arg_trees)
    if name == "count" and not isinstance(args[0], Ref):
        raise ExpressionError(f"count() takes a ${{repeat}} reference (column {column})")
    if name == "regex":
        pattern = args[1]
        if not (isinstance(pattern, Literal) and isinstance(pattern.value, str)):
            raise ExpressionError(f"regex() takes its pattern as a string literal (column {column})")
        try:
            compiled = re.compile(pattern.value)
        except re.error as exc:
            raise ExpressionError(
                f"regex() pattern is not a valid regular expression: {exc} (column {column})"
            ) from None
        args = (args[0], Literal(compiled))
    return Call(name, args, column)


def _walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, BinOp):
            stack += [n.left, n.right]
        elif isinstance(n, Neg):
            stack.append(n.operand)
        elif isinstance(n, Call):
            stack += list(n.args)


# --- conversions (XPath's boolean/number/string, plus dates) ---------------------------------


def to_number(value: object) -> float | int:
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int) and abs(value) > _BIG:
        return math.inf if value > 0 else -math.inf  # beyond any float: keep arithmetic in floats
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return (value.date() - EPOCH).days
    if isinstance(value, date):
        return (value - EPOCH).days
    if isinstance(value, str) and _NUMBER_RE.fullmatch(value):
        text = value.strip()
        return int(text) if text.lstrip("-").isdigit() else float(text)
    return NAN


def to_string(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return " ".join(to_string(v) for v in value if not isinstance(v, (dict, list, tuple)))
    if isinstance(value, dict):  # a geopoint: ODK's "lat lon altitude accuracy"
        parts = [value.get("lat"), value.get("lon"), value.get("altitude_m", 0), value.get("accuracy_m", 0)]
        return " ".join(to_string(p) for p in parts)
    return ""


def to_date(value: object) -> date | datetime | None:
    """A date or aware date-time for comparisons and date(); None when the value is not one."""
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DATE_RE.fullmatch(text):
                return date.fromisoformat(text)
            if _DATETIME_RE.fullmatch(text):
                return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            return None
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _FIRST_DAY <= value <= _LAST_DAY:
        return EPOCH + timedelta(days=int(value))  # the range test is also false for NaN
    return None


def _isnan(number) -> bool:
    return isinstance(number, float) and number != number


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _is_date_shaped(value: object) -> bool:
    return isinstance(value, str) and bool(_DATE_RE.fullmatch(value.strip()) or _DATETIME_RE.fullmatch(value.strip()))


def _looks_numeric(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and bool(_NUMBER_RE.fullmatch(value))


def _items(value: object) -> list[str]:
    """The chosen values of a select answer (a list, or ODK's space-separated string)."""
    if isinstance(value, (list, tuple)):
        return [to_string(v) for v in value]
    return to_string(value).split()


def _compare(op: str, left: object, right: object) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return _order(op, is_true(left), is_true(right))
    is_date = (
        isinstance(left, (date, datetime))
        or isinstance(right, (date, datetime))
        or (_is_date_shaped(left) and _is_date_shaped(right))
    )
    if is_date:
        a, b = to_date(left), to_date(right)
        if a is None or b is None:
            return op == "!="
        if isinstance(a, datetime) != isinstance(b, datetime):
            a = a.date() if isinstance(a, datetime) else a
            b = b.date() if isinstance(b, datetime) else b
        return _order(op, a, b)
    if (_looks_numeric(left) and _looks_numeric(right)) or op not in ("=", "!="):
        a, b = to_number(left), to_number(right)
        if _isnan(a) or _isnan(b):
            return op == "!="
        return _order(op, a, b)
    return _order(op, to_string(left), to_string(right))


def _order(op: str, a, b) -> bool:
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _arith(op: str, left: object, right: object):
    a, b = to_number(left), to_number(right)
    if _isnan(a) or _isnan(b):
        return NAN
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        return NAN
    if op == "div":
        return a / b
    if isinstance(a, int) and isinstance(b, int):  # mod keeps the dividend's sign (XPath)
        rest = abs(a) % abs(b)
        return rest if a >= 0 else -rest
    if math.isinf(a):
        return NAN
    if math.isinf(b):
        return a
    return math.fmod(a, b)


class _Env:
    def __init__(self, values, current, today, now):
        self.values = values
        self.current = current
        self.today = today
        self.now = now

    def value_of(self, name: str):
        value = self.values.get(name, "") if isinstance(self.values, Mapping) else ""
        return "" if value is None else value

    def eval(self, node):
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Ref):
            return self.value_of(node.name)
        if isinstance(node, Current):
            return "" if self.current is None else self.current
        if isinstance(node, Neg):
            value = to_number(self.eval(node.operand))
            return -value
        if isinstance(node, BinOp):
            if node.op == "and":
                return is_true(self.eval(node.left)) and is_true(self.eval(node.right))
            if node.op == "or":
                return is_true(self.eval(node.left)) or is_true(self.eval(node.right))
            left, right = self.eval(node.left), self.eval(node.right)
            if node.op in ("=", "!=", "<", "<=", ">", ">="):
                return _compare(node.op, left, right)
            return _arith(node.op, left, right)
        return self.call(node)

    def call(self, node: Call):
        name, args = node.name, node.args
        if name == "if":
            return self.eval(args[1]) if is_true(self.eval(args[0])) else self.eval(args[2])
        if name == "count":
            value = self.value_of(args[0].name)
            return len(value) if isinstance(value, (list, tuple)) else 0
        if name == "regex":
            return args[1].value.search(to_string(self.eval(args[0]))) is not None
        vals = [self.eval(a) for a in args]
        if name == "true":
            return True
        if name == "false":
            return False
        if name == "not":
            return not is_true(vals[0])
        if name == "selected":
            return to_string(vals[1]).strip() in _items(vals[0])
        if name == "count-selected":
            return len(_items(vals[0]))
        if name == "string-length":
            return len(to_string(vals[0]))
        if name == "today":
            return self.today
        if name == "now":
            return self.now
        if name == "date":
            found = to_date(vals[0])
            if isinstance(found, datetime):
                return found.date()
            return "" if found is None else found
        if name == "int":
            number = to_number(vals[0])
            return int(number) if isinstance(number, int) or math.isfinite(number) else number
        if name == "number":
            return to_number(vals[0])
        if name == "string":
            return to_string(vals[0])
        if name == "coalesce":
            first = vals[0]
            empty = first == "" or first is None or (isinstance(first, (list, tuple)) and not first) or _isnan(first)
            return vals[1] if empty else first
        if name == "contains":
            return to_string(vals[1]) in to_string(vals[0])
        if name == "starts-with":
            return to_string(vals[0]).startswith(to_string(vals[1]))
        raise ExpressionError(f"unknown function {name!r}")  # pragma: no cover - parse() refuses these


def reference_uses(expr: Expression) -> set[tuple[str, bool]]:
    """Every ``${name}`` with whether it is used as ``count(${name})`` (True) or for its value (False)."""
    uses = set()
    stack = [expr.tree()]
    while stack:
        node = stack.pop()
        if isinstance(node, Call) and node.name == "count":
            uses.add((node.args[0].name, True))
        elif isinstance(node, Ref):
            uses.add((node.name, False))
        elif isinstance(node, BinOp):
            stack += [node.left, node.right]
        elif isinstance(node, Neg):
            stack.append(node.operand)
        elif isinstance(node, Call):
            stack += list(node.args)
    return uses
