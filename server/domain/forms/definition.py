"""Form definitions: the model of one form version and the checks a form file must pass.

A form version is immutable data (ARCHITECTURE.md, convention 8). ``load_form``
turns the plain data of one file into a ``Form`` after two rounds of checks:

1. Structure, against the JSON Schema (Draft 2020-12) the caller passes in
   (``field_schema/meta-schema.json``; the domain reads no files). Unknown
   keys are refused everywhere.
2. Meaning, here:

   * every expression parses (see expressions.py); ``.`` (this field's answer)
     is allowed in a ``constraint`` only;
   * field names are unique in the whole form, repeats included, so that
     ``${name}`` always means one field (ODK's rule too);
   * references point to existing fields. A field inside a repeat may use the
     fields of the same repeat entry and the top-level fields; a top-level
     field may use a repeat only as ``count(${repeat})``, never a field inside
     it; ``count()`` takes a repeat only;
   * no cycles among the expressions that decide what a field's value is:
     ``relevant``, ``required`` and ``default``. Constraints are checks run
     last over final values and cannot form a loop, so they may refer to each
     other (an end date after a start date whose own constraint names the end
     date is fine), and a constraint uses ``.`` for its own field. This is
     what JavaRosa (ODK Collect) does;
   * each kind of field takes only the keys that mean something for it
     (choices for selects, min/max for numbers, accuracy_max_m for geopoints,
     max_length for text, fields/min_count/max_count for repeats; notes and repeats are never
     required, constrained, defaulted or bound; use min_count for a repeat);
     repeats do not nest; choice values are unique; a literal default is a
     valid answer of its field;
   * bindings (``BINDINGS``) are whitelisted registry properties that fit the
     field's type and choices, in a form whose subject and kind they suit.
     person.* and residence.* describe one person: they all sit in one group,
     either the top level (the form is about one person, e.g. a tenant
     report) or one repeat (a person per entry). The others sit at the top
     level. A binding appears once per group, except that fields which each
     have a ``relevant`` condition may share one (a citizen ID field and a
     text field for other documents): check_answers then refuses a
     submission where more than one of them is answered. A binding marked
     ``many`` (visit.photos) may be given by any number of fields.

A literal default is written as the value itself; a computed default as
``default: {expression: "today()"}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

from jsonschema import Draft202012Validator

from server.domain import registry
from server.domain.forms.expressions import Expression, ExpressionError, parse, reference_uses, uses_current
from server.domain.forms.values import MAX_TEXT, check_value, is_empty
from server.domain.id_numbers import DOCUMENT_TYPES, SEXES

ROLES = ("admin", "police", "committee", "grid_worker", "landlord")
SUBJECTS = ("address", "house", "unit", "none")
KINDS = ("registration", "visit", "inspection", "self_check", "report")
VISIT_KINDS = ("visit", "inspection", "self_check")  # these will create visit records
FIELD_TYPES = (
    "text",
    "integer",
    "decimal",
    "date",
    "datetime",
    "select_one",
    "select_multiple",
    "geopoint",
    "image",
    "citizen_id",
    "phone",
    "note",
    "repeat",
)
SELECT_TYPES = ("select_one", "select_multiple")
NUMBER_TYPES = ("integer", "decimal")
NO_DEFAULT_TYPES = ("note", "repeat", "image", "geopoint", "citizen_id")

# The registry's vocabularies: server/domain/registry.py, which the database's CHECK constraints
# (server/store/models/registry.py) read too.
HOUSE_USES = registry.HOUSE_USES
RENTAL_MODES = registry.RENTAL_MODES
RESIDENCE_CATEGORIES = registry.RESIDENCE_CATEGORIES
UNIT_KINDS = registry.UNIT_KINDS
VISIT_OUTCOMES = ("met", "not_home", "refused", "vacant")
HAZARDS = ("gas_cylinder_indoors", "coal_stove", "improvised_wiring", "blocked_exit", "overcrowding", "other")
NO_HAZARD = "none"
YES_NO = ("yes", "no")
TENANT_EVENTS = ("arrival", "departure")


@dataclass(frozen=True)
class Binding:
    """What a field bound to a registry property must look like, and where it may be used."""

    types: tuple[str, ...]
    values: tuple[str, ...] | None = None  # choice values allowed (selects)
    person: bool = False  # person.* / residence.*: one person per group
    subjects: tuple[str, ...] | None = None  # None: any
    kinds: tuple[str, ...] | None = None
    many: bool = False  # several fields may be bound to it and all their answers are kept (photos)
    max_length: int | None = None  # text: the registry column's length (tests keep it equal to the model's)


_ADDRESS = ("none", "address")
_HOUSE = ("none", "house")
_UNIT = ("none", "unit")
BINDINGS: dict[str, Binding] = {
    "address.street": Binding(("text",), subjects=_ADDRESS, max_length=100),
    "address.door": Binding(("text",), subjects=_ADDRESS, max_length=32),
    "address.building": Binding(("text",), subjects=_ADDRESS, max_length=32),
    "address.unit": Binding(("text",), subjects=_ADDRESS, max_length=32),
    "address.floor": Binding(("text",), subjects=_ADDRESS, max_length=16),
    "address.room": Binding(("text",), subjects=_ADDRESS, max_length=32),
    "address.location": Binding(("geopoint",), subjects=_ADDRESS),
    "house.use": Binding(("select_one",), HOUSE_USES, subjects=_HOUSE),
    "house.rental_mode": Binding(("select_one",), RENTAL_MODES, subjects=_HOUSE),
    "house.rooms": Binding(("integer",), subjects=_HOUSE),
    "house.floor_area_m2": Binding(("decimal", "integer"), subjects=_HOUSE),
    "house.agreement_signed_on": Binding(("date",), subjects=_HOUSE),
    "house.rented_since": Binding(("date",), subjects=_HOUSE),
    "person.name": Binding(("text",), person=True, max_length=100),
    "person.sex": Binding(("select_one",), SEXES, person=True),
    "person.ethnicity": Binding(("text", "select_one"), person=True, max_length=32),
    "person.birth_date": Binding(("date",), person=True),
    "person.document_type": Binding(("select_one",), DOCUMENT_TYPES, person=True),
    "person.document_number": Binding(("citizen_id", "text"), person=True, max_length=32),
    "person.phone": Binding(("phone",), person=True),
    "person.hukou_address": Binding(("text",), person=True, max_length=200),
    "residence.category": Binding(("select_one",), RESIDENCE_CATEGORIES, person=True, subjects=("house",)),
    "residence.arrived_on": Binding(("date",), person=True, subjects=("house",)),
    "residence.left_on": Binding(("date",), person=True, subjects=("house",)),
    "residence.present": Binding(("select_one",), YES_NO, person=True, subjects=("house",)),
    "unit.name": Binding(("text",), subjects=_UNIT, max_length=200),
    "unit.kind": Binding(("select_one",), UNIT_KINDS, subjects=_UNIT),
    "unit.phone": Binding(("phone",), subjects=_UNIT),
    "visit.outcome": Binding(("select_one",), VISIT_OUTCOMES, kinds=VISIT_KINDS),
    "visit.hazards": Binding(("select_multiple",), (*HAZARDS, NO_HAZARD), kinds=VISIT_KINDS),
    "visit.photos": Binding(("image",), kinds=VISIT_KINDS, many=True),
    "tenant.event": Binding(("select_one",), TENANT_EVENTS, subjects=("house",), kinds=("report",)),
}

_INDEX_RE = re.compile(r"\[[0-9]+\]")


class FormDefinitionError(ValueError):
    """A form file that is not a valid definition; ``problems`` names each problem's path."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the form definition: " + "; ".join(self.problems)
        )


@dataclass(frozen=True)
class Choice:
    value: str
    label: dict


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    label: dict
    hint: dict | None = None
    required: bool | Expression = False
    constraint: Expression | None = None
    constraint_message: dict | None = None
    relevant: Expression | None = None
    default: object = None  # a literal answer, an Expression, or None
    choices: tuple[Choice, ...] = ()
    binding: str | None = None
    min: float | int | None = None
    max: float | int | None = None
    accuracy_max_m: float | int | None = None
    fields: tuple[FieldDef, ...] = ()
    min_count: int | None = None
    max_count: int | None = None
    max_length: int | None = None  # text: as declared in the form file (phones show and enforce it)

    @property
    def text_limit(self) -> int:
        """The most characters a text answer may have: the declared max_length, the registry column
        the field is bound to (also for versions published before forms declared it), and MAX_TEXT."""
        spec = BINDINGS.get(self.binding) if self.binding else None
        limits = [MAX_TEXT, self.max_length, spec.max_length if spec else None]
        return min(limit for limit in limits if limit is not None)

    def expressions(self) -> dict[str, Expression]:
        """The field's expressions by key (relevant, required, constraint, default)."""
        found = {
            "relevant": self.relevant,
            "required": self.required,
            "constraint": self.constraint,
            "default": self.default,
        }
        return {k: v for k, v in found.items() if isinstance(v, Expression)}


@dataclass(frozen=True)
class Form:
    id: str
    version: str
    title: dict
    roles: tuple[str, ...]
    subject: str
    kind: str
    fields: tuple[FieldDef, ...]

    def field(self, path: str) -> FieldDef | None:
        """The field at ``path``: "outcome", "residents.name" or "residents[2].name"."""
        group, found = self.fields, None
        for part in _INDEX_RE.sub("", path).split("."):
            found = next((f for f in group if f.name == part), None)
            if found is None:
                return None
            group = found.fields
        return found

    def walk(self):
        """(path, field, enclosing repeat or None) for every field, repeats before their fields."""
        for f in self.fields:
            yield f.name, f, None
            for child in f.fields:
                yield f"{f.name}.{child.name}", child, f

    @property
    def bindings(self) -> dict[str, tuple[str, ...]]:
        """binding -> the paths of the fields bound to it ("house.use" -> ("house_use",)).

        Usually one path; more only for fields with a relevant condition each (see module docstring).
        """
        found: dict[str, tuple[str, ...]] = {}
        for path, f, _ in self.walk():
            if f.binding:
                found[f.binding] = (*found.get(f.binding, ()), path)
        return found


# --- loading --------------------------------------------------------------------------------


def load_form(data: dict, *, meta_schema: dict) -> Form:
    """Check ``data`` (one form file, parsed) and build its Form; FormDefinitionError lists every problem."""
    problems = _schema_problems(data, meta_schema)
    if problems:
        raise FormDefinitionError(problems)
    builder = _Builder()
    fields = tuple(builder.field(raw, f"fields[{i}]", False) for i, raw in enumerate(data["fields"]))
    form = Form(
        id=data["id"],
        version=data["version"],
        title=dict(data["title"]),
        roles=tuple(data["roles"]),
        subject=data["subject"],
        kind=data["kind"],
        fields=fields,
    )
    problems = builder.problems
    problems += _name_problems(form, builder.locations)
    if not problems:  # references and cycles need unique names and parsed expressions
        problems += _reference_problems(form, builder.locations)
    if not problems:
        problems += _cycle_problems(form, builder.locations)
    problems += _binding_problems(form, builder.locations)
    if problems:
        raise FormDefinitionError(problems)
    return form


def _schema_problems(data, meta_schema) -> list[str]:
    validator = Draft202012Validator(meta_schema)
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = _path(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - known, key=str):
                problems.append(f"{_join(path, str(key))}: unknown key")
            continue
        problems.append(f"{path or '(form)'}: {error.message}")
    return problems


def _path(parts) -> str:
    text = ""
    for part in parts:
        text = f"{text}[{part}]" if isinstance(part, int) else _join(text, str(part))
    return text


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Builder:
    """Builds FieldDefs from schema-valid data, collecting per-field problems."""

    def __init__(self):
        self.problems: list[str] = []
        self.locations: dict[int, str] = {}  # id(FieldDef) -> "fields[2].fields[0]"

    def expression(self, text: str, where: str, *, allow_current: bool = False) -> Expression | None:
        try:
            expr = parse(text)
        except ExpressionError as exc:
            self.problems.append(f"{where}: {exc}")
            return None
        if not allow_current and uses_current(expr):
            self.problems.append(f"{where}: '.' (this field's own answer) may only be used in a constraint")
        return expr

    def field(self, raw: dict, where: str, in_repeat: bool) -> FieldDef:
        kind = raw["type"]
        required = raw.get("required", False)
        if isinstance(required, str):
            required = self.expression(required, f"{where}.required") or False
        default = raw.get("default")
        if isinstance(default, dict):
            default = self.expression(default["expression"], f"{where}.default")
        children = ()
        if "fields" in raw:
            children = tuple(self.field(c, f"{where}.fields[{i}]", True) for i, c in enumerate(raw["fields"]))
        built = FieldDef(
            name=raw["name"],
            type=kind,
            label=dict(raw["label"]),
            hint=dict(raw["hint"]) if "hint" in raw else None,
            required=required,
            constraint=(
                self.expression(raw["constraint"], f"{where}.constraint", allow_current=True)
                if "constraint" in raw
                else None
            ),
            constraint_message=dict(raw["constraint_message"]) if "constraint_message" in raw else None,
            relevant=self.expression(raw["relevant"], f"{where}.relevant") if "relevant" in raw else None,
            default=default,
            choices=tuple(Choice(c["value"], dict(c["label"])) for c in raw.get("choices", ())),
            binding=raw.get("binding"),
            min=raw.get("min"),
            max=raw.get("max"),
            accuracy_max_m=raw.get("accuracy_max_m"),
            fields=children,
            min_count=raw.get("min_count"),
            max_count=raw.get("max_count"),
            max_length=raw.get("max_length"),
        )
        self.locations[id(built)] = where
        self.problems += _field_shape_problems(raw, built, where, in_repeat)
        return built


def _field_shape_problems(raw: dict, f: FieldDef, where: str, in_repeat: bool) -> list[str]:
    problems = []
    kind = f.type

    def refuse(key: str, why: str):
        if key in raw:
            problems.append(f"{where}.{key}: {why}")

    if kind in SELECT_TYPES:
        if not f.choices:
            problems.append(f"{where}: a {kind} field needs choices")
        seen = set()
        for i, choice in enumerate(f.choices):
            if choice.value in seen:
                problems.append(f"{where}.choices[{i}].value: {choice.value!r} is already a choice of this field")
            seen.add(choice.value)
    else:
        refuse("choices", "only select_one and select_multiple fields have choices")
    if kind in NUMBER_TYPES:
        if f.min is not None and f.max is not None and f.min > f.max:
            problems.append(f"{where}.min: min {f.min} is greater than max {f.max}")
    else:
        refuse("min", "only integer and decimal fields have min")
        refuse("max", "only integer and decimal fields have max")
    if kind != "geopoint":
        refuse("accuracy_max_m", "only geopoint fields have accuracy_max_m")
    if kind != "text":
        refuse("max_length", "only text fields have max_length")
    if kind == "repeat":
        if not f.fields:
            problems.append(f"{where}: a repeat needs fields")
        if in_repeat:
            problems.append(f"{where}: repeats inside repeats are not supported")
        if f.min_count is not None and f.max_count is not None and f.min_count > f.max_count:
            problems.append(f"{where}.min_count: min_count {f.min_count} is greater than max_count {f.max_count}")
        refuse("required", "a repeat is not required; give it a min_count")
        for key in ("constraint", "default", "binding"):
            refuse(key, f"a repeat has no {key}")
    else:
        for key in ("fields", "min_count", "max_count"):
            refuse(key, f"only repeat fields have {key}")
    if kind == "note":
        for key in ("required", "constraint", "default", "binding"):
            refuse(key, f"a note is not answered, so it has no {key}")
    if "constraint_message" in raw and "constraint" not in raw:
        problems.append(f"{where}.constraint_message: there is no constraint for this message")
    if "default" in raw and not isinstance(f.default, Expression) and f.default is not None:
        if kind in NO_DEFAULT_TYPES:
            if kind not in ("note", "repeat"):  # those are reported above
                problems.append(f"{where}.default: a {kind} field has no default")
        elif not is_empty(f.default):
            checked = check_value(f, f.default)
            problems += [f"{where}.default: {p}" for p in checked.problems]
    return problems


def _name_problems(form: Form, locations) -> list[str]:
    problems, seen = [], {}
    for _, f, _ in form.walk():
        where = locations[id(f)]
        if f.name in seen:
            problems.append(
                f"{where}.name: {f.name!r} is already the name of {seen[f.name]}; names are unique in the whole form"
            )
        else:
            seen[f.name] = where
    return problems


def _reference_problems(form: Form, locations) -> list[str]:
    problems = []
    by_name = {f.name: (f, repeat) for _, f, repeat in form.walk()}
    for _, f, repeat in form.walk():
        where = locations[id(f)]
        for key, expr in f.expressions().items():
            for name, counted in sorted(reference_uses(expr)):
                target = by_name.get(name)
                if target is None:
                    problems.append(f"{where}.{key}: ${{{name}}} is not a field of this form")
                    continue
                target_field, target_repeat = target
                if counted:
                    if target_field.type != "repeat":
                        problems.append(
                            f"{where}.{key}: count() takes a repeat; ${{{name}}} is a {target_field.type} field"
                        )
                elif target_field.type == "repeat":
                    problems.append(
                        f"{where}.{key}: ${{{name}}} is a repeat; use count(${{{name}}}) for its number of entries"
                    )
                elif target_repeat is not None and target_repeat is not repeat:
                    problems.append(
                        f"{where}.{key}: ${{{name}}} is inside repeat {target_repeat.name!r} and can "
                        f"only be used by fields of that repeat"
                    )
    return problems


def _cycle_problems(form: Form, locations) -> list[str]:
    graph: dict[str, set[str]] = {}
    for _, f, _ in form.walk():
        deps = graph.setdefault(f.name, set())
        for key, expr in f.expressions().items():
            if key != "constraint":
                deps |= {name for name, _ in reference_uses(expr)}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        cycle = exc.args[1]
        first = form.field(_path_of(form, cycle[0]))
        where = locations[id(first)] if first is not None else "fields"
        return [
            f"{where}: circular dependency {' -> '.join(cycle)} (through relevant, required or default expressions)"
        ]
    return []


def _path_of(form: Form, name: str) -> str:
    return next((path for path, f, _ in form.walk() if f.name == name), name)


def _binding_problems(form: Form, locations) -> list[str]:
    problems = []
    person_groups: dict[str, str] = {}  # group -> where its first person binding is
    seen: dict[tuple[str, str], list[FieldDef]] = {}
    for _, f, repeat in form.walk():
        if not f.binding:
            continue
        where = locations[id(f)]
        group = repeat.name if repeat is not None else ""
        spec = BINDINGS.get(f.binding)
        if spec is None:
            problems.append(f"{where}.binding: {f.binding!r} is not a registry property a form can set")
            continue
        if f.max_length is not None and spec.max_length is not None and f.max_length > spec.max_length:
            problems.append(
                f"{where}.max_length: {f.binding} holds at most {spec.max_length} characters, not {f.max_length}"
            )
        if f.type not in spec.types:
            problems.append(
                f"{where}.binding: {f.binding} needs a field of type {' or '.join(spec.types)}, not {f.type}"
            )
        if spec.values is not None:
            for i, choice in enumerate(f.choices):
                if choice.value not in spec.values:
                    problems.append(
                        f"{where}.choices[{i}].value: {f.binding} allows only "
                        f"{', '.join(spec.values)}; {choice.value!r} is not one"
                    )
        if spec.subjects is not None and form.subject not in spec.subjects:
            problems.append(
                f"{where}.binding: {f.binding} is for forms whose subject is "
                f"{' or '.join(spec.subjects)}, not {form.subject}"
            )
        if spec.kinds is not None and form.kind not in spec.kinds:
            problems.append(f"{where}.binding: {f.binding} is for {' or '.join(spec.kinds)} forms, not {form.kind}")
        if spec.person:
            person_groups.setdefault(group, where)
        elif repeat is not None:
            problems.append(f"{where}.binding: {f.binding} belongs at the top level of the form, not in a repeat")
        seen.setdefault((group, f.binding), []).append(f)
    if len(person_groups) > 1:
        places = ", ".join(person_groups.values())
        problems.append(
            f"{places}: person and residence bindings describe one person and must all be at the "
            f"top level or all in one repeat"
        )
    for (_group, binding), fields in seen.items():
        if len(fields) > 1 and not BINDINGS[binding].many and any(f.relevant is None for f in fields):
            wheres = [locations[id(f)] for f in fields]
            problems.append(
                f"{wheres[1]}.binding: {binding} is already bound by {wheres[0]}; a binding may be "
                f"shared only by fields that each have a relevant condition"
            )
    return problems


# --- back to plain data ----------------------------------------------------------------------


def form_to_dict(form: Form) -> dict:
    """The normalised definition as JSON-able data (expressions as source text); load_form reads it back."""
    return {
        "id": form.id,
        "version": form.version,
        "title": dict(form.title),
        "roles": list(form.roles),
        "subject": form.subject,
        "kind": form.kind,
        "fields": [_field_to_dict(f) for f in form.fields],
    }


def _field_to_dict(f: FieldDef) -> dict:
    out: dict = {"name": f.name, "type": f.type, "label": dict(f.label)}
    if f.hint is not None:
        out["hint"] = dict(f.hint)
    if isinstance(f.required, Expression):
        out["required"] = f.required.source
    elif f.required:
        out["required"] = True
    if f.constraint is not None:
        out["constraint"] = f.constraint.source
    if f.constraint_message is not None:
        out["constraint_message"] = dict(f.constraint_message)
    if f.relevant is not None:
        out["relevant"] = f.relevant.source
    if isinstance(f.default, Expression):
        out["default"] = {"expression": f.default.source}
    elif f.default is not None:
        out["default"] = list(f.default) if isinstance(f.default, list) else f.default
    if f.choices:
        out["choices"] = [{"value": c.value, "label": dict(c.label)} for c in f.choices]
    for key in ("binding", "min", "max", "accuracy_max_m", "min_count", "max_count", "max_length"):
        value = getattr(f, key)
        if value is not None:
            out[key] = value
    if f.fields:
        out["fields"] = [_field_to_dict(c) for c in f.fields]
    return out
