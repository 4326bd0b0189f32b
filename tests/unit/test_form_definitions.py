import copy
from pathlib import Path

import pytest
import yaml

from server.domain.forms import definition
from server.domain.forms.definition import FormDefinitionError, form_to_dict, load_form
from server.domain.forms.expressions import Expression
from server.forms.catalog import DEFAULT_ROOT, load_meta_schema

META = load_meta_schema()
SHIPPED = sorted((DEFAULT_ROOT / "forms").glob("*/*.yaml"))


def label(text="x"):
    return {"zh": text, "en": text}


def text_field(name, **extra):
    return {"name": name, "type": "text", "label": label(name), **extra}


def yes_no(name, **extra):
    return {
        "name": name,
        "type": "select_one",
        "label": label(name),
        "choices": [{"value": "yes", "label": label("yes")}, {"value": "no", "label": label("no")}],
        **extra,
    }


def form(*fields, **top):
    data = {
        "id": "sample",
        "version": "2026.1",
        "title": label("Sample"),
        "roles": ["grid_worker"],
        "subject": "house",
        "kind": "visit",
        "fields": list(fields),
    }
    data.update(top)
    return data


def problems_of(data) -> list[str]:
    with pytest.raises(FormDefinitionError) as caught:
        load_form(data, meta_schema=META)
    return caught.value.problems


# --- the shipped forms -----------------------------------------------------------------------


def test_seven_forms_are_shipped():
    assert {p.parent.name for p in SHIPPED} == {
        "address_house_registration",
        "household_visit",
        "inspection",
        "tenant_report",
        "unit_registration",
        "landlord_self_check",
        "unit_inspection",
    }


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_shipped_form_loads_and_survives_a_round_trip(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    loaded = load_form(data, meta_schema=META)
    assert (loaded.id, loaded.version) == (path.parent.name, path.stem)
    assert load_form(form_to_dict(loaded), meta_schema=META) == loaded
    for _, field, _ in loaded.walk():
        assert field.label["zh"] and field.label["en"]


def test_the_household_visit_binds_one_person_per_resident():
    data = yaml.safe_load((DEFAULT_ROOT / "forms/household_visit/2026.1.yaml").read_text(encoding="utf-8"))
    visit = load_form(data, meta_schema=META)
    assert visit.bindings["person.document_number"] == ("residents.document_number", "residents.other_document_number")
    assert visit.bindings["residence.present"] == ("residents.present",)
    assert visit.bindings["visit.outcome"] == ("outcome",)
    assert visit.field("residents[2].document_number").type == "citizen_id"
    assert visit.field("residents.nope") is None
    assert isinstance(visit.field("residents").relevant, Expression)


def test_binding_vocabularies_match_the_registry_tables():
    from server.store.models import registry

    assert definition.HOUSE_USES == registry.HOUSE_USES
    assert definition.RENTAL_MODES == registry.RENTAL_MODES
    assert definition.RESIDENCE_CATEGORIES == registry.RESIDENCE_CATEGORIES
    assert definition.UNIT_KINDS == registry.UNIT_KINDS
    assert definition.BINDINGS["person.sex"].values == registry.SEXES


def test_bound_text_lengths_match_the_registry_columns():
    """A text answer bound to a registry property is refused above its column's length (in every form
    version), so a 33-character door number is a 422 naming the answer, not a database error."""
    from server.store.models import registry

    tables = {"address": registry.Address, "person": registry.Person, "unit": registry.Unit}
    for name, spec in definition.BINDINGS.items():
        if "text" not in spec.types:
            continue
        table, column = name.split(".")
        assert spec.max_length == tables[table].__table__.c[column].type.length, name


def test_the_current_form_versions_tell_phones_every_bound_text_limit():
    from server.forms.catalog import load_catalog

    for current in load_catalog().current():
        for path, field, _ in current.walk():
            spec = definition.BINDINGS.get(field.binding)
            if field.type == "text" and spec is not None and spec.max_length is not None:
                assert field.max_length == spec.max_length, f"{current.id} {current.version} {path}"


def test_max_length_belongs_to_text_fields_and_may_not_exceed_the_bound_column():
    assert problems_of(
        form(
            text_field("a", max_length=10, binding="person.name", relevant="1 = 1"),
            {"name": "n", "type": "integer", "label": label("n"), "max_length": 3},
        )
    ) == ["fields[1].max_length: only text fields have max_length"]
    assert problems_of(form(text_field("a", max_length=101, binding="person.name"))) == [
        "fields[0].max_length: person.name holds at most 100 characters, not 101"
    ]


# --- structure (the meta-schema) ---------------------------------------------------------------


def test_an_unknown_key_is_rejected_with_its_path():
    assert problems_of(form(text_field("a", colour="red"))) == ["fields[0].colour: unknown key"]
    assert problems_of(form(text_field("a"), owner="me")) == ["owner: unknown key"]


def test_missing_keys_and_wrong_enums_are_named():
    found = problems_of(form({"name": "a", "type": "essay", "label": {"zh": "甲"}}, roles=["mayor"]))
    assert any(p.startswith("fields[0].type:") for p in found)
    assert any(p.startswith("fields[0].label:") and "'en' is a required property" in p for p in found)
    assert any(p.startswith("roles[0]:") for p in found)


def test_an_unquoted_version_is_refused():
    assert problems_of(form(text_field("a"), version=2026.1)) == ["version: 2026.1 is not of type 'string'"]


def test_names_must_be_snake_case():
    assert problems_of(form(text_field("Door-Number")))[0].startswith("fields[0].name:")


# --- expressions and references --------------------------------------------------------------


def test_an_unknown_function_is_rejected_with_the_path():
    assert problems_of(form(text_field("a", constraint="foo(.) = 1"))) == [
        "fields[0].constraint: unknown function 'foo' at column 1"
    ]


def test_a_syntax_error_names_the_path_and_column():
    assert problems_of(form(text_field("a"), text_field("b", relevant="${a} = = 1"))) == [
        "fields[1].relevant: unexpected '=' at column 8: expected '(', '-', '.', a ${field} reference, a function, "
        "a number, a string"
    ]


def test_a_reference_to_a_missing_field_is_rejected_with_the_path():
    assert problems_of(form(text_field("a"), text_field("b", relevant="${nope} = 'x'"))) == [
        "fields[1].relevant: ${nope} is not a field of this form"
    ]


def test_the_current_value_is_only_allowed_in_a_constraint():
    assert problems_of(form(text_field("a", relevant=". = 'x'"))) == [
        "fields[0].relevant: '.' (this field's own answer) may only be used in a constraint"
    ]
    load_form(form(text_field("a", constraint="string-length(.) < 10")), meta_schema=META)


def test_repeat_fields_see_their_siblings_and_the_top_level_but_not_the_other_way_round():
    residents = {
        "name": "residents",
        "type": "repeat",
        "label": label(),
        "relevant": "${outcome} = 'met'",
        "fields": [text_field("name"), text_field("phone_note", relevant="${name} != '' and ${outcome} = 'met'")],
    }
    ok = form(text_field("outcome"), residents, text_field("count_note", relevant="count(${residents}) > 2"))
    load_form(ok, meta_schema=META)

    leaky = copy.deepcopy(ok)
    leaky["fields"][2]["relevant"] = "${name} = 'x'"
    assert problems_of(leaky) == [
        "fields[2].relevant: ${name} is inside repeat 'residents' and can only be used by fields of that repeat"
    ]

    whole = copy.deepcopy(ok)
    whole["fields"][2]["relevant"] = "${residents} = ''"
    assert problems_of(whole) == [
        "fields[2].relevant: ${residents} is a repeat; use count(${residents}) for its number of entries"
    ]

    counted = copy.deepcopy(ok)
    counted["fields"][2]["relevant"] = "count(${outcome}) > 1"
    assert problems_of(counted) == ["fields[2].relevant: count() takes a repeat; ${outcome} is a text field"]


def test_a_cycle_of_relevance_is_rejected():
    found = problems_of(form(text_field("a", relevant="${b} = ''"), text_field("b", relevant="${a} = ''")))
    assert len(found) == 1
    assert "circular dependency" in found[0] and found[0].startswith("fields[")


def test_a_field_cannot_decide_its_own_relevance():
    assert problems_of(form(text_field("a", relevant="${a} = ''"))) == [
        "fields[0]: circular dependency a -> a (through relevant, required or default expressions)"
    ]


def test_a_cycle_through_required_and_default_is_rejected():
    found = problems_of(form(text_field("a", required="${b} = ''"), text_field("b", default={"expression": "${a}"})))
    assert "circular dependency" in found[0]


def test_constraints_may_refer_to_each_other():
    load_form(
        form(
            {"name": "start", "type": "date", "label": label(), "constraint": ". <= ${end}"},
            {"name": "end", "type": "date", "label": label(), "constraint": ". >= ${start}"},
        ),
        meta_schema=META,
    )


# --- field shapes ----------------------------------------------------------------------------


def test_names_are_unique_in_the_whole_form():
    repeat = {"name": "people", "type": "repeat", "label": label(), "fields": [text_field("name")]}
    assert problems_of(form(text_field("name"), repeat)) == [
        "fields[1].fields[0].name: 'name' is already the name of fields[0]; names are unique in the whole form"
    ]


def test_selects_need_unique_choices():
    assert problems_of(form({"name": "a", "type": "select_one", "label": label()})) == [
        "fields[0]: a select_one field needs choices"
    ]
    dup = yes_no("a")
    dup["choices"].append({"value": "yes", "label": label()})
    assert problems_of(form(dup)) == ["fields[0].choices[2].value: 'yes' is already a choice of this field"]


def test_keys_that_do_not_fit_the_type_are_rejected():
    found = problems_of(
        form(
            text_field("a", min=1, choices=[{"value": "x", "label": label()}]),
            {"name": "n", "type": "note", "label": label(), "required": True},
            {
                "name": "r",
                "type": "repeat",
                "label": label(),
                "fields": [{"name": "inner", "type": "repeat", "label": label(), "fields": [text_field("deep")]}],
            },
            {"name": "i", "type": "integer", "label": label(), "min": 5, "max": 1},
            text_field("c", constraint_message=label()),
        )
    )
    assert found == [
        "fields[0].choices: only select_one and select_multiple fields have choices",
        "fields[0].min: only integer and decimal fields have min",
        "fields[1].required: a note is not answered, so it has no required",
        "fields[2].fields[0]: repeats inside repeats are not supported",
        "fields[3].min: min 5 is greater than max 1",
        "fields[4].constraint_message: there is no constraint for this message",
    ]


def test_a_literal_default_must_be_a_valid_answer():
    assert problems_of(form(yes_no("a", default="maybe"))) == [
        "fields[0].default: 'maybe' is not a choice of this field (choices: yes, no)."
    ]
    load_form(
        form(
            yes_no("a", default="no"),
            {"name": "d", "type": "date", "label": label(), "default": {"expression": "today()"}},
        ),
        meta_schema=META,
    )


# --- bindings --------------------------------------------------------------------------------


def test_a_binding_whose_type_does_not_fit_is_rejected():
    assert problems_of(form(text_field("rooms", binding="house.rooms"))) == [
        "fields[0].binding: house.rooms needs a field of type integer, not text"
    ]


def test_a_bound_select_may_only_offer_registry_values():
    use = {
        "name": "use",
        "type": "select_one",
        "label": label(),
        "binding": "house.use",
        "choices": [{"value": "rented", "label": label()}, {"value": "garage", "label": label()}],
    }
    assert problems_of(form(use)) == [
        "fields[0].choices[1].value: house.use allows only self_occupied, rented, vacant, business, mixed; "
        "'garage' is not one"
    ]


def test_an_unknown_binding_is_rejected():
    assert problems_of(form(text_field("a", binding="person.religion"))) == [
        "fields[0].binding: 'person.religion' is not a registry property a form can set"
    ]


def test_a_binding_appears_once_unless_each_field_has_a_relevant_condition():
    assert problems_of(form(text_field("a", binding="person.name"), text_field("b", binding="person.name"))) == [
        "fields[1].binding: person.name is already bound by fields[0]; a binding may be shared only by fields "
        "that each have a relevant condition"
    ]
    load_form(
        form(
            text_field("a", binding="person.name", relevant="true()"),
            text_field("b", binding="person.name", relevant="false()"),
        ),
        meta_schema=META,
    )


def test_person_bindings_describe_one_person_per_group():
    repeat = {
        "name": "people",
        "type": "repeat",
        "label": label(),
        "fields": [text_field("name", binding="person.name")],
    }
    found = problems_of(form(text_field("landlord_name", binding="person.hukou_address"), repeat))
    assert found == [
        "fields[0], fields[1].fields[0]: person and residence bindings describe one person and must "
        "all be at the top level or all in one repeat"
    ]


def test_bindings_must_suit_the_form_kind_subject_and_level():
    outcome = {
        "name": "outcome",
        "type": "select_one",
        "label": label(),
        "binding": "visit.outcome",
        "choices": [{"value": "met", "label": label()}],
    }
    assert problems_of(form(outcome, kind="registration")) == [
        "fields[0].binding: visit.outcome is for visit or inspection or self_check forms, not registration"
    ]
    assert problems_of(form(text_field("street", binding="address.street"))) == [
        "fields[0].binding: address.street is for forms whose subject is none or address, not house"
    ]
    repeat = {
        "name": "photos",
        "type": "repeat",
        "label": label(),
        "fields": [{"name": "p", "type": "image", "label": label(), "binding": "visit.photos"}],
    }
    assert problems_of(form(repeat)) == [
        "fields[0].fields[0].binding: visit.photos belongs at the top level of the form, not in a repeat"
    ]


def test_every_problem_is_reported_at_once():
    found = problems_of(
        form(text_field("a", constraint="foo()"), text_field("b", binding="house.rooms"), text_field("a"))
    )
    assert "fields[0].constraint: unknown function 'foo' at column 1" in found
    assert "fields[1].binding: house.rooms needs a field of type integer, not text" in found
    assert any(p.startswith("fields[2].name:") for p in found)
    assert str(len(found)) in str(FormDefinitionError(found))
