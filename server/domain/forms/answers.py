"""Checking one submission's answers against exactly one form version.

``check_answers(form, answers, today=..., now=...)`` returns an ``AnswerCheck``:
``errors`` maps answer paths (``outcome``, ``residents[2].document_number``:
repeat entries are counted from 0; ``""`` is the submission as a whole) to
short English sentences, every problem at once; ``answers`` is the normalised
answers to store; ``dropped`` lists the paths of answers removed because their
field was not relevant. A submission is acceptable only when ``errors`` is
empty; ``answers`` then holds every answer that was sent, normalised (see
values.py), minus the dropped ones. When there are errors, ``answers`` holds
only the answers that passed.

The rules, in the order they are applied:

1. Keys: an answer key that is not a field of the form (or of the repeat, for
   an entry) is an error: "Not a field of form X version Y." A note answered
   is an error. Each answer is type-checked and normalised (values.py).
   ``None``, ``""`` and ``[]`` mean unanswered.
2. Relevance (skip logic), decided in dependency order: a field whose
   ``relevant`` is false — or that sits in a repeat that is not relevant — is
   not relevant. **An answer to a field that is not relevant is dropped, not
   refused**: it is left out of ``answers``, its path is listed in
   ``dropped``, and no other error (type, constraint) is reported for it.
   This mirrors ODK Collect, which clears such answers and leaves them out of
   the submission: a phone that changed ``outcome`` from met to not_home
   after filling in residents must not have its whole visit refused. In every
   expression a non-relevant field's value is ``''`` (and a non-relevant
   repeat counts 0 entries), so a field that depends on a dropped one is
   decided as if it had never been answered. An answer that failed its type
   check counts as answered (it can be dropped, and does not also count as
   missing) but its value in expressions is ``''``.
3. For each relevant field: required (``true`` or an expression evaluated
   over the answers) and unanswered is an error; an answered field must pass
   min/max and its constraint, evaluated with ``.`` = its own value (a
   constraint is not evaluated on an unanswered field, as in ODK); a
   constraint that fails — or cannot be evaluated — gives the form's
   ``constraint_message`` (a ``Worded``: its English, with the Chinese
   beside it for the edge to choose), or a generic sentence.
4. A citizen ID is checked against the birth date and sex entered for the
   same person (the fields bound to person.birth_date and person.sex in the
   same group), when those are answered and relevant.
5. Fields sharing a binding (e.g. a citizen ID field and a text field for
   other documents, both person.document_number) may not both be answered
   (except a ``many`` binding such as visit.photos).
6. Repeats: a list of entry objects; min_count/max_count are enforced when
   the repeat is relevant; each entry is checked like a small form whose
   expressions see the entry's own fields and the top-level fields.

Defaults are NOT filled in: the phone shows a field's default and sends what
the person accepted; the server stores exactly what was sent. A required
field with a default that was not sent is therefore still missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from graphlib import CycleError, TopologicalSorter

from server.domain.forms.definition import BINDINGS, FieldDef, Form
from server.domain.forms.expressions import Expression, evaluate, is_true, reference_uses
from server.domain.forms.values import Checked, check_citizen_id, check_value, is_empty
from server.domain.wording import Worded

GENERIC_CONSTRAINT_MESSAGE = "This answer is not allowed by the form's rule for this field."


@dataclass(frozen=True)
class AnswerCheck:
    answers: dict
    errors: dict[str, list[str]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_answers(form: Form, answers: dict, *, today: date, now: datetime | None = None) -> AnswerCheck:
    """Check ``answers`` against ``form`` (one version); see the module docstring for the rules."""
    if not isinstance(answers, dict):
        return AnswerCheck({}, {"": ["Answers must be an object mapping field names to answers."]}, [])
    run = _Run(form, today, now)
    stored = run.group(form.fields, answers, prefix="", outer={})
    return AnswerCheck(stored, run.errors, run.dropped)


class _Run:
    def __init__(self, form: Form, today: date, now: datetime | None):
        self.form = form
        self.today = today
        self.now = now
        self.errors: dict[str, list[str]] = {}
        self.dropped: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def eval(self, expr: Expression, env: dict, current: object = None) -> bool:
        return is_true(evaluate(expr, values=env, current=current, today=self.today, now=self.now))

    def group(self, fields: tuple[FieldDef, ...], raw: dict, *, prefix: str, outer: dict) -> dict:
        """Check one group (the top level or one repeat entry); returns its normalised answers."""
        by_name = {f.name: f for f in fields}
        for key in raw:
            if key not in by_name:
                self.error(f"{prefix}{key}", f"Not a field of form {self.form.id} version {self.form.version}.")

        parsed: dict[str, Checked] = {}
        for f in fields:
            value = raw.get(f.name)
            if is_empty(value):
                continue
            if f.type == "repeat":
                ok = isinstance(value, list)
                parsed[f.name] = Checked(value, value) if ok else Checked(problems=("Must be a list of entries.",))
            elif f.type == "note":
                parsed[f.name] = Checked(problems=("A note is not answered.",))
            else:
                parsed[f.name] = check_value(f, value, today=self.today)

        env = dict(outer)
        for f in fields:
            checked = parsed.get(f.name)
            env[f.name] = checked.typed if checked is not None and not checked.problems else ""

        relevant = {}
        for name in _order(fields):
            f = by_name[name]
            relevant[name] = f.relevant is None or self.eval(f.relevant, env)
            if not relevant[name]:
                env[name] = ""
        self.dropped += [f"{prefix}{f.name}" for f in fields if not relevant[f.name] and f.name in parsed]

        stored = {}
        for f in fields:
            if not relevant[f.name]:
                continue
            value = self.check_field(f, parsed.get(f.name), fields, env, prefix)
            if value is not None:
                stored[f.name] = value
        self.check_shared_bindings(fields, parsed, relevant, prefix)
        return stored

    def check_field(self, f: FieldDef, checked: Checked | None, group: tuple[FieldDef, ...], env: dict, prefix: str):
        path = f"{prefix}{f.name}"
        if checked is None:
            if f.type == "repeat":
                self.check_count(f, 0, path)
            elif f.type != "note" and (
                f.required is True or (isinstance(f.required, Expression) and self.eval(f.required, env, ""))
            ):
                self.error(path, "This field is required.")
            return None
        if checked.problems:
            for problem in checked.problems:
                self.error(path, problem)
            return None
        if f.type == "repeat":
            return self.repeat(f, checked.stored, path, env)
        if f.type == "citizen_id":
            checked = self.with_person_facts(f, checked, group, env)
            if checked.problems:
                for problem in checked.problems:
                    self.error(path, problem)
                return None
        before = len(self.errors.get(path, ()))
        value = checked.typed
        if f.min is not None and value < f.min:
            self.error(path, f"Must be at least {_number(f.min)}.")
        if f.max is not None and value > f.max:
            self.error(path, f"Must be at most {_number(f.max)}.")
        if f.constraint is not None and not self.eval(f.constraint, env, value):
            own = f.constraint_message
            self.error(path, Worded(own, GENERIC_CONSTRAINT_MESSAGE) if own else GENERIC_CONSTRAINT_MESSAGE)
        return checked.stored if len(self.errors.get(path, ())) == before else None

    def with_person_facts(self, f: FieldDef, checked: Checked, group, env: dict) -> Checked:
        """Re-check a citizen ID with the birth date and sex answered for the same person."""
        facts = {}
        for other in group:
            if other.binding == "person.birth_date" and isinstance(env.get(other.name), date):
                facts["birth_date"] = env[other.name]
            elif other.binding == "person.sex" and env.get(other.name) in ("male", "female"):
                facts["sex"] = env[other.name]
        if not facts:
            return checked
        return check_citizen_id(
            f, checked.stored, today=self.today, birth_date=facts.get("birth_date"), sex=facts.get("sex")
        )

    def check_count(self, f: FieldDef, count: int, path: str) -> None:
        if f.min_count is not None and count < f.min_count:
            if f.min_count == 1:
                self.error(path, f"At least 1 entry is needed, {count} given.")
            else:
                self.error(path, f"At least {f.min_count} entries are needed, {count} given.")
        if f.max_count is not None and count > f.max_count:
            if f.max_count == 1:
                self.error(path, f"At most 1 entry is allowed, {count} given.")
            else:
                self.error(path, f"At most {f.max_count} entries are allowed, {count} given.")

    def repeat(self, f: FieldDef, entries: list, path: str, env: dict) -> list:
        self.check_count(f, len(entries), path)
        out = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                self.error(f"{path}[{i}]", "Each entry must be an object mapping field names to answers.")
                continue
            out.append(self.group(f.fields, entry, prefix=f"{path}[{i}].", outer=env))
        return out

    def check_shared_bindings(self, fields, parsed, relevant, prefix: str) -> None:
        answered_by_binding: dict[str, list[str]] = {}
        for f in fields:
            spec = BINDINGS.get(f.binding) if f.binding else None
            if spec is not None and not spec.many and relevant[f.name] and f.name in parsed:
                answered_by_binding.setdefault(f.binding, []).append(f.name)
        for binding, names in answered_by_binding.items():
            for name in names[1:]:
                self.error(f"{prefix}{name}", f"Only one of {', '.join(names)} may be answered: each gives {binding}.")


def _order(fields: tuple[FieldDef, ...]) -> list[str]:
    """Field names so that a field comes after those its relevant/required/default expressions use."""
    names = [f.name for f in fields]
    local = set(names)
    graph = {}
    for f in fields:
        deps = set()
        for key, expr in f.expressions().items():
            if key != "constraint":
                deps |= {name for name, _ in reference_uses(expr) if name in local and name != f.name}
        graph[f.name] = deps
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError:  # load_form refuses cycles; a hand-built Form falls back to document order
        return names


def _number(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
