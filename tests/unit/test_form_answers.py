from datetime import date

import pytest

from server.domain.forms import check_answers, load_form
from server.domain.forms.answers import GENERIC_CONSTRAINT_MESSAGE
from server.domain.id_numbers import make_citizen_id
from server.forms.catalog import load_catalog, load_meta_schema

TODAY = date(2026, 5, 1)
META = load_meta_schema()
CATALOG = load_catalog()
VISIT = CATALOG.get("household_visit", "2026.1")
HOUSE = CATALOG.get("address_house_registration", "2026.1")
TENANT = CATALOG.get("tenant_report", "2026.1")
PUBLISHED_ID = "11010519491231002X"  # GB 11643-1999 example: born 1949-12-31, female


def label(text="x"):
    return {"zh": text, "en": text}


def choices(*values):
    return [{"value": v, "label": label(v)} for v in values]


EVERY_TYPE = load_form(
    {
        "id": "every_type",
        "version": "2026.3",
        "title": label("Every type"),
        "roles": ["admin"],
        "subject": "none",
        "kind": "registration",
        "fields": [
            {"name": "rooms", "type": "integer", "label": label(), "min": 0, "max": 10},
            {"name": "area", "type": "decimal", "label": label()},
            {"name": "day", "type": "date", "label": label()},
            {"name": "moment", "type": "datetime", "label": label()},
            {"name": "colour", "type": "select_one", "label": label(), "choices": choices("red", "green")},
            {
                "name": "hazards",
                "type": "select_multiple",
                "label": label(),
                "choices": choices("none", "coal_stove", "blocked_exit"),
                "constraint": "not(selected(., 'none') and count-selected(.) > 1)",
                "constraint_message": {"zh": "不能同时选择", "en": "None cannot be combined with a hazard."},
            },
            {"name": "spot", "type": "geopoint", "label": label(), "accuracy_max_m": 30},
            {"name": "photo", "type": "image", "label": label()},
            {"name": "cid", "type": "citizen_id", "label": label()},
            {"name": "tel", "type": "phone", "label": label()},
            {"name": "info", "type": "note", "label": label()},
            {"name": "reason", "type": "text", "label": label(), "required": "${colour} = 'red'"},
            {"name": "extra", "type": "text", "label": label(), "relevant": "${colour} = 'green'"},
            {"name": "extra_detail", "type": "integer", "label": label(), "relevant": "${extra} != ''"},
            {"name": "short", "type": "text", "label": label(), "constraint": "string-length(.) <= 3"},
            {"name": "ratio", "type": "decimal", "label": label(), "constraint": ". div ${rooms} > 1"},
            {
                "name": "kind",
                "type": "select_one",
                "label": label(),
                "required": True,
                "default": "a",
                "choices": choices("a", "b"),
            },
        ],
    },
    meta_schema=META,
)


def check(form, answers):
    return check_answers(form, answers, today=TODAY)


def errors_of(answers, form=EVERY_TYPE):
    return check(form, {"kind": "a", **answers}).errors


def resident(**extra):
    person = {
        "name": "王芳",
        "sex": "female",
        "document_type": "citizen_id",
        "document_number": PUBLISHED_ID,
        "birth_date": "1949-12-31",
        "category": "floating",
        "arrived_on": "2026-03-01",
        "present": "yes",
    }
    person.update(extra)
    return person


# --- a good submission -----------------------------------------------------------------------


def test_a_complete_household_visit_is_accepted_and_normalised():
    result = check(
        VISIT,
        {
            "outcome": "met",
            "residents": [
                resident(document_number="11010519491231002x", phone="138 1234-5678"),
                resident(
                    name="John Smith",
                    sex="male",
                    document_type="passport",
                    document_number=None,
                    other_document_number="E12345678",
                    birth_date="1990-01-02",
                ),
            ],
            "hazards": "coal_stove blocked_exit",
            "photo_1": "1712345678901.jpg",
        },
    )
    assert result.errors == {} and result.ok
    assert result.dropped == []
    assert result.answers["hazards"] == ["coal_stove", "blocked_exit"]
    first, second = result.answers["residents"]
    assert first["document_number"] == PUBLISHED_ID and first["phone"] == "13812345678"
    assert second["other_document_number"] == "E12345678" and "document_number" not in second


def test_each_type_normalises_what_it_accepts():
    result = check(
        EVERY_TYPE,
        {
            "rooms": 3.0,
            "area": 12.5,
            "day": "2026-02-28",
            "moment": "2026-05-01T09:30:00Z",
            "colour": "green",
            "hazards": "none",
            "spot": {"lon": 120.1, "lat": 30.2, "accuracy_m": 80},
            "photo": "door.JPG",
            "cid": "110105491231002",
            "tel": "+86 10 6512 3456",
            "kind": "b",
        },
    )
    assert result.errors == {}
    assert result.answers == {
        "rooms": 3,
        "area": 12.5,
        "day": "2026-02-28",
        "moment": "2026-05-01T09:30:00+00:00",
        "colour": "green",
        "hazards": ["none"],
        "spot": {"lon": 120.1, "lat": 30.2, "accuracy_m": 80},
        "photo": "door.JPG",
        "cid": PUBLISHED_ID,
        "tel": "01065123456",
        "kind": "b",
    }


def test_a_location_less_accurate_than_the_field_asks_is_still_accepted():
    assert errors_of({"spot": {"lon": 120, "lat": 30, "accuracy_m": 500}}) == {}


# --- type errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("rooms", True, "Must be a whole number."),
        ("rooms", 2.5, "Must be a whole number."),
        ("rooms", "3", "Must be a whole number."),
        ("area", False, "Must be a number."),
        ("area", float("nan"), "Must be a number."),
        ("day", "2026-02-30", "2026-02-30 is not a real date."),
        ("day", "20260228", "Must be a date written YYYY-MM-DD."),
        ("day", "2026-W09-1", "Must be a date written YYYY-MM-DD."),
        (
            "moment",
            "2026-05-01T09:30:00",
            "Must be a date and time in ISO 8601 with its UTC offset, like 2026-05-01T09:30:00+08:00.",
        ),
        ("colour", "blue", "'blue' is not a choice of this field (choices: red, green)."),
        ("colour", ["red"], "Must be one choice value (text)."),
        ("hazards", ["coal_stove", "coal_stove"], "'coal_stove' chosen more than once."),
        ("hazards", ["gas"], "'gas' is not a choice of this field (choices: none, coal_stove, blocked_exit)."),
        ("hazards", {"coal_stove": True}, "Must be a list of choice values."),
        ("spot", {"lon": 30, "lat": 120}, "lat must be between -90 and 90."),
        ("spot", {"lat": 30}, "The location needs lon as a number."),
        ("spot", {"lon": 120, "lat": 30, "accuracy_m": -1}, "accuracy_m must be a number of metres, 0 or more."),
        ("spot", [120, 30], "Must be a location {lon, lat, accuracy_m}."),
        ("photo", ["a.jpg", "b.jpg"], "One image per field: give one attachment file name, not a list."),
        ("photo", "../../etc/passwd.jpg", "Must be the file name of an attached image, like photo1.jpg."),
        ("photo", "notes.txt", "An image file name ends in .jpg, .jpeg, .png, .webp, .heic, .heif."),
        ("cid", "110105194912310021", "Check character should be X, not 1."),
        (
            "tel",
            "12345",
            "Must be a mainland mobile number (11 digits starting 13-19) or a landline with its area code.",
        ),
        (
            "tel",
            "12812345678",
            "Must be a mainland mobile number (11 digits starting 13-19) or a landline with its area code.",
        ),
        ("info", "read it", "A note is not answered."),
        ("short", "a\x00b", "Must not contain NUL characters."),
    ],
)
def test_each_type_error_is_named(name, value, message):
    assert errors_of({name: value}) == {name: [message]}


def test_empty_values_count_as_unanswered():
    assert errors_of({"rooms": None, "hazards": [], "short": "   ", "colour": ""}) == {}


# --- required, constraints, min/max ----------------------------------------------------------


def test_a_required_field_must_be_answered():
    assert check(EVERY_TYPE, {}).errors == {"kind": ["This field is required."]}


def test_defaults_are_not_filled_in_by_the_server():
    result = check(EVERY_TYPE, {})
    assert "kind" not in result.answers  # its default "a" was not sent, so it is missing


def test_required_can_depend_on_other_answers():
    assert errors_of({"colour": "red"}) == {"reason": ["This field is required."]}
    assert errors_of({"colour": "green"}) == {}
    assert check(HOUSE, house(house_use="rented")).errors == {"rental_mode": ["This field is required."]}
    assert check(HOUSE, house(house_use="mixed")).errors == {}


def test_a_failed_constraint_gives_the_forms_message():
    assert errors_of({"hazards": ["none", "coal_stove"]}) == {"hazards": ["None cannot be combined with a hazard."]}


def test_a_constraint_without_a_message_gives_a_generic_one():
    assert errors_of({"short": "abcd"}) == {"short": [GENERIC_CONSTRAINT_MESSAGE]}


def test_a_constraint_that_cannot_be_evaluated_is_not_met():
    assert errors_of({"ratio": 5, "rooms": 0}) == {"ratio": [GENERIC_CONSTRAINT_MESSAGE]}
    assert errors_of({"ratio": 5, "rooms": 2}) == {}


def test_min_and_max_are_enforced():
    assert errors_of({"rooms": 11}) == {"rooms": ["Must be at most 10."]}
    assert errors_of({"rooms": -1}) == {"rooms": ["Must be at least 0."]}


def test_dates_in_the_future_break_a_shipped_constraint():
    assert check(HOUSE, house(house_use="rented", rental_mode="whole", rented_since="2026-05-02")).errors == {
        "rented_since": ["The date cannot be in the future."]
    }


# --- relevance -------------------------------------------------------------------------------


def house(**answers):
    return {
        "street": "文三路",
        "door": "12",
        "location": {"lon": 120.13, "lat": 30.27, "accuracy_m": 8},
        "house_use": "self_occupied",
        **answers,
    }


def test_answers_to_fields_that_are_not_relevant_are_dropped_not_refused():
    result = check(HOUSE, house(rental_mode="by_bed", rented_since="2020-01-01"))
    assert result.errors == {}
    assert result.dropped == ["rental_mode", "rented_since"]
    assert "rental_mode" not in result.answers and "rented_since" not in result.answers


def test_a_dropped_answer_is_not_type_checked_and_its_dependants_are_dropped_too():
    result = check(EVERY_TYPE, {"kind": "a", "colour": "red", "reason": "r", "extra": "x", "extra_detail": "bad"})
    assert result.errors == {}
    assert result.dropped == ["extra", "extra_detail"]


def test_a_relevant_field_keeps_its_answer():
    result = check(EVERY_TYPE, {"kind": "a", "colour": "green", "extra": "x", "extra_detail": 4})
    assert result.errors == {} and result.dropped == []
    assert result.answers["extra_detail"] == 4


def test_a_repeat_that_is_not_relevant_is_dropped_whole():
    result = check(VISIT, {"outcome": "not_home", "residents": [resident(name=None)], "hazards": ["coal_stove"]})
    assert result.errors == {}
    assert result.dropped == ["residents", "hazards"]
    assert result.answers == {"outcome": "not_home"}


# --- repeats ---------------------------------------------------------------------------------


def test_repeat_errors_are_keyed_by_entry_and_field():
    result = check(
        VISIT,
        {
            "outcome": "met",
            "hazards": ["none"],
            "residents": [
                resident(),
                resident(document_number="110105194912310021", present="maybe"),
                "not an entry",
                resident(sex=None, nickname="x"),
            ],
        },
    )
    assert result.errors == {
        "residents[1].document_number": ["Check character should be X, not 1."],
        "residents[1].present": ["'maybe' is not a choice of this field (choices: yes, no)."],
        "residents[2]": ["Each entry must be an object mapping field names to answers."],
        "residents[3].nickname": ["Not a field of form household_visit version 2026.1."],
        "residents[3].sex": ["This field is required."],
    }


def test_the_other_document_field_is_dropped_for_citizen_id_holders():
    result = check(VISIT, {"outcome": "met", "hazards": ["none"], "residents": [resident(other_document_number="E1")]})
    assert result.errors == {} and result.dropped == ["residents[0].other_document_number"]


def test_a_repeat_needs_its_minimum_entries_when_relevant():
    assert check(VISIT, {"outcome": "met", "hazards": ["none"]}).errors == {
        "residents": ["At least 1 entry is needed, 0 given."]
    }
    too_many = [resident(document_number=make_citizen_id("110105", date(1980, 1, 1), n * 2)) for n in range(61)]
    for entry in too_many:
        entry.update(sex="female", birth_date="1980-01-01")
    assert check(VISIT, {"outcome": "met", "hazards": ["none"], "residents": too_many}).errors == {
        "residents": ["At most 60 entries are allowed, 61 given."]
    }


def test_a_repeat_must_be_a_list():
    assert check(VISIT, {"outcome": "met", "hazards": ["none"], "residents": {"name": "x"}}).errors == {
        "residents": ["Must be a list of entries."]
    }


def test_a_citizen_id_must_agree_with_the_persons_sex_and_birth_date():
    result = check(
        VISIT, {"outcome": "met", "hazards": ["none"], "residents": [resident(sex="male", birth_date="1950-01-01")]}
    )
    assert result.errors == {
        "residents[0].document_number": [
            "Birth date 1950-01-01 does not match 1949-12-31 in the number.",
            "Sex does not match the number (its 17th digit is even: female).",
        ]
    }


def test_fields_sharing_a_binding_may_not_both_be_answered():
    shared = load_form(
        {
            "id": "shared",
            "version": "1",
            "title": label(),
            "roles": ["landlord"],
            "subject": "house",
            "kind": "report",
            "fields": [
                {"name": "a", "type": "text", "label": label(), "binding": "person.name", "relevant": "true()"},
                {"name": "b", "type": "text", "label": label(), "binding": "person.name", "relevant": "true()"},
            ],
        },
        meta_schema=META,
    )
    assert check(shared, {"a": "x", "b": "y"}).errors == {
        "b": ["Only one of a, b may be answered: each gives person.name."]
    }
    assert check(shared, {"a": "x"}).errors == {}


# --- the whole submission --------------------------------------------------------------------


def test_select_multiple_in_odk_string_form_is_normalised_to_a_list():
    result = check(VISIT, {"outcome": "refused", "photo_1": "a.jpg", "photo_2": "b.jpg"})
    assert result.answers == {"outcome": "refused", "photo_1": "a.jpg", "photo_2": "b.jpg"}
    assert check(EVERY_TYPE, {"kind": "a", "hazards": " coal_stove  blocked_exit "}).answers["hazards"] == [
        "coal_stove",
        "blocked_exit",
    ]


def test_unknown_answers_are_errors():
    assert errors_of({"colour": "red", "reason": "x", "favourite_food": "dumplings"}) == {
        "favourite_food": ["Not a field of form every_type version 2026.3."]
    }


def test_answers_must_be_an_object():
    assert check(EVERY_TYPE, ["rooms", 3]).errors == {"": ["Answers must be an object mapping field names to answers."]}


def test_every_error_is_reported_at_once():
    result = check(
        TENANT,
        {
            "event": "arrival",
            "name": "",
            "sex": "x",
            "document_type": "citizen_id",
            "document_number": "123",
            "phone": "555",
            "category": "floating",
            "arrived_on": "2026-06-01",
            "expected_stay_months": 0,
            "left_on": "2026-01-01",
            "pet": "cat",
        },
    )
    assert result.errors == {
        "pet": ["Not a field of form tenant_report version 2026.1."],
        "name": ["This field is required."],
        "sex": ["'x' is not a choice of this field (choices: male, female)."],
        "document_number": ["A citizen ID number has 18 characters (or 15 for an old one), this one has 3."],
        "phone": ["Must be a mainland mobile number (11 digits starting 13-19) or a landline with its area code."],
        "arrived_on": ["The moving-in date cannot be in the future."],
        "expected_stay_months": ["Must be at least 1."],
    }
    assert result.dropped == ["left_on"]


def test_a_tenant_departure_needs_only_who_and_when():
    result = check(
        TENANT,
        {
            "event": "departure",
            "name": "王芳",
            "document_type": "citizen_id",
            "document_number": PUBLISHED_ID,
            "left_on": "2026-04-30",
        },
    )
    assert result.errors == {}
    assert result.answers["left_on"] == "2026-04-30"
