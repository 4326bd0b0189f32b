"""Masking rules (server/domain/privacy.py): document numbers in answers and conflicts."""

from server.domain.privacy import answer_fields, mask_answers, mask_properties
from server.forms.catalog import load_catalog

CITIZEN = "11010519491231002X"
PASSPORT = "E12345678"
MASKED = "1101**********002X"


def _form(form_id):
    return load_catalog().get(form_id, "2026.1")


def test_document_numbers_are_masked_inside_repeats_and_other_answers_are_kept():
    answers = {
        "outcome": "met",
        "residents": [
            {"name": "甲", "document_type": "citizen_id", "document_number": CITIZEN, "phone": "13800000000"},
            {"name": "乙", "document_type": "passport", "other_document_number": PASSPORT},
        ],
    }
    shown = mask_answers(_form("household_visit"), answers)
    assert shown["residents"][0] == {
        "name": "甲",
        "document_type": "citizen_id",
        "document_number": MASKED,
        "phone": "13800000000",
    }
    assert shown["residents"][1]["other_document_number"] == "E1*****78"
    assert answers["residents"][0]["document_number"] == CITIZEN  # the stored answers are not changed


def test_a_number_typed_into_free_text_is_masked():
    shown = mask_answers(_form("household_visit"), {"remarks": f"身份证 {CITIZEN} 已核对"})
    assert shown == {"remarks": f"身份证 {MASKED} 已核对"}


def test_top_level_document_fields_are_masked():
    shown = mask_answers(_form("unit_registration"), {"responsible_document_number": CITIZEN})
    assert shown == {"responsible_document_number": MASKED}


def test_without_a_form_anything_that_looks_like_a_number_is_masked():
    shown = mask_answers(None, {"a": [{"b": CITIZEN}], "name": "张三", "rooms": 3})
    assert shown == {"a": [{"b": MASKED}], "name": "张三", "rooms": 3}


def test_conflicts_show_both_document_values_masked():
    shown = mask_properties(
        {"document_number": {"current": CITIZEN, "submitted": None}, "name": {"current": "甲", "submitted": "乙"}}
    )
    assert shown == {
        "document_number": {"current": MASKED, "submitted": None},
        "name": {"current": "甲", "submitted": "乙"},
    }


def test_the_audit_log_names_answers_by_path():
    assert answer_fields(None, {"outcome": "met", "residents": [{"name": "甲"}, {"phone": "1"}]}) == [
        "outcome",
        "residents.name",
        "residents.phone",
    ]


def test_error_messages_never_carry_a_full_citizen_id():
    from server.errors import error_body

    body = error_body("x.y", 422, f"{CITIZEN} is not a choice", {"a.b": [f"'{CITIZEN}' is wrong", "ok 12345"]})
    assert CITIZEN not in str(body) and MASKED in body["message"] and body["errors"]["a.b"][1] == "ok 12345"
