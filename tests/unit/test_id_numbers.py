from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.id_numbers import (
    DOCUMENT_TYPES,
    PROVINCE_CODES,
    check_document,
    citizen_id_check_char,
    make_citizen_id,
    mask,
    upgrade_15_to_18,
)

PUBLISHED = "11010519491231002X"  # GB 11643-1999 example: Beijing Chaoyang, 1949-12-31, female
TODAY = date(2025, 6, 1)


def cid(raw, **kw):
    return check_document("citizen_id", raw, today=TODAY, **kw)


def by_hand_check_char(first17: str) -> str:
    """An independent ISO 7064 MOD 11-2: sum(d * 2^(17-i) mod 11), check = (12 - sum % 11) % 11."""
    s = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    c = (12 - s % 11) % 11
    return "X" if c == 10 else str(c)


# --- the check character ---------------------------------------------------------------------


def test_published_example_has_check_character_x():
    assert citizen_id_check_char(PUBLISHED[:17]) == "X" == by_hand_check_char(PUBLISHED[:17])


def test_published_example_is_valid_and_decodes_birth_date_and_sex():
    result = cid(PUBLISHED)
    assert result.number == PUBLISHED
    assert result.problems == []
    assert result.birth_date == date(1949, 12, 31)
    assert result.sex == "female"
    assert result.upgraded_from_15 is False


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_agrees_with_an_independent_calculation(first17):
    assert citizen_id_check_char(first17) == by_hand_check_char(first17)


@pytest.mark.parametrize("bad", ["1234", "1101051949123100A", "110105194912310021"])
def test_check_character_needs_exactly_17_digits(bad):
    with pytest.raises(ValueError, match="need exactly 17 digits"):
        citizen_id_check_char(bad)


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105\u300019491231002X",
    ],
)
def test_spaces_full_width_and_lower_case_x_are_normalised(typed):
    assert cid(typed).number == PUBLISHED


def test_legacy_15_digit_number_is_upgraded_with_19_and_a_check_character():
    assert upgrade_15_to_18("110105491231002") == PUBLISHED
    result = cid("110105491231002")
    assert (result.number, result.problems, result.upgraded_from_15) == (PUBLISHED, [], True)
    assert result.birth_date == date(1949, 12, 31)


def test_legacy_number_with_a_letter_is_named():
    result = cid("11010549123100X")
    assert result.problems == ["an old 15-character citizen ID number is all digits; character 15 ('X') is not a digit"]
    assert result.number is None and result.upgraded_from_15


# --- each problem has its own message --------------------------------------------------------


def test_empty_number_is_named():
    assert cid("  ").problems == ["the number is empty"]


@pytest.mark.parametrize("typed,length", [("1101051949123100", 16), ("11010519491231002X1", 19)])
def test_wrong_length_says_how_many_characters_there_are(typed, length):
    assert cid(typed).problems == [
        f"a citizen ID number has 18 characters (or 15 for an old one), this one has {length}"
    ]


def test_non_digits_in_the_first_17_are_named_by_position():
    assert cid("11O10519491231002X").problems == [
        "the first 17 characters must be digits; character 3 ('O') is not a digit"
    ]
    assert cid("11O1051949123I002X").problems == [
        "the first 17 characters must be digits; characters 3 ('O'), 14 ('I') are not digits"
    ]


def test_unknown_province_code_is_named():
    number = make_citizen_id("991234", date(1980, 1, 1), 11)
    assert cid(number).problems == ["area code 991234 does not start with a province code (99 is not one)"]


@pytest.mark.parametrize("province", sorted(PROVINCE_CODES))
def test_every_listed_province_code_is_accepted(province):
    assert cid(make_citizen_id(province + "0101", date(1980, 1, 1), 11)).problems == []


def test_impossible_birth_date_is_named():
    first17 = "110105" + "19990231" + "002"
    result = cid(first17 + citizen_id_check_char(first17))
    assert result.problems == ["birth date 1999-02-31 in the number is not a real date"]
    assert result.birth_date is None


def test_future_birth_date_is_named():
    tomorrow = TODAY + timedelta(days=1)
    assert cid(make_citizen_id("110105", tomorrow, 2)).problems == [
        f"birth date {tomorrow.isoformat()} in the number is in the future"
    ]
    assert cid(make_citizen_id("110105", TODAY, 2)).problems == []


def test_birth_date_before_1900_is_named_even_with_a_correct_check_character():
    # The standard's other worked example: correct check character, born 1880.
    assert citizen_id_check_char("44052418800101001") == "4"
    assert cid("440524188001010014").problems == ["birth date 1880-01-01 in the number is before 1900-01-01"]


def test_wrong_check_character_is_named_with_the_expected_one():
    assert cid("110105194912310023").problems == ["check character should be X, not 3"]
    assert cid("110105199005110027").problems == []
    assert cid("110105199005110023").problems == ["check character should be 7, not 3"]


def test_entered_birth_date_that_differs_from_the_number_is_named():
    number = make_citizen_id("110105", date(1990, 5, 11), 7)
    assert cid(number, birth_date=date(1990, 5, 1)).problems == [
        "birth date 1990-05-01 does not match 1990-05-11 in the number"
    ]
    assert cid(number, birth_date=date(1990, 5, 11)).problems == []


def test_entered_sex_that_differs_from_the_number_is_named():
    male = make_citizen_id("110105", date(1990, 5, 11), 7)
    assert cid(male, sex="female").problems == ["sex does not match the number (its 17th digit is odd: male)"]
    assert cid(PUBLISHED, sex="male").problems == ["sex does not match the number (its 17th digit is even: female)"]
    assert cid(male, sex="male").problems == []


def test_sex_other_than_male_or_female_is_named():
    assert cid(PUBLISHED, sex="F").problems == ["sex must be male or female, not 'F'"]


def test_independent_problems_are_reported_together():
    first17 = "990105" + "19990231" + "003"
    wrong = "0" if citizen_id_check_char(first17) != "0" else "1"
    result = cid(first17 + wrong, birth_date=date(1999, 2, 28), sex="female")
    assert result.problems == [
        "area code 990105 does not start with a province code (99 is not one)",
        "birth date 1999-02-31 in the number is not a real date",
        f"check character should be {citizen_id_check_char(first17)}, not {wrong}",
        "sex does not match the number (its 17th digit is odd: male)",
    ]
    assert result.number is None


# --- properties ------------------------------------------------------------------------------

areas = st.builds(
    lambda p, rest: p + rest,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@given(areas, births, st.integers(0, 999))
def test_every_made_number_validates_with_its_birth_date_and_sex(area, birth, seq):
    sex = "male" if seq % 2 else "female"
    number = make_citizen_id(area, birth, seq)
    result = cid(number, birth_date=birth, sex=sex)
    assert (result.number, result.problems, result.birth_date, result.sex) == (number, [], birth, sex)


@given(areas, births, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_changing_any_one_of_the_first_17_digits_makes_the_number_invalid(area, birth, seq, position, delta):
    number = make_citizen_id(area, birth, seq)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    result = cid(changed)
    assert result.number is None and result.problems


# --- masking ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number,masked",
    [
        (PUBLISHED, "1101**********002X"),
        ("E12345678", "E1*****78"),  # a passport: at least half stays hidden
        ("12345678", "1******8"),
        ("ABC", "A*C"),
        ("AB", "A*"),
        ("A", "*"),
        ("", ""),
    ],
)
def test_mask_hides_the_middle(number, masked):
    assert mask(number) == masked


@given(st.text(alphabet="0123456789ABX", max_size=30))
def test_mask_keeps_the_length_and_never_shows_a_number_whole(number):
    masked = mask(number)
    assert len(masked) == len(number)
    if number:
        assert masked != number and "*" in masked
        assert masked.count("*") * 2 >= len(number) - 1  # at least (about) half hidden


# --- the other documents ---------------------------------------------------------------------


def test_document_types_are_the_six_known_ones():
    assert DOCUMENT_TYPES == (
        "citizen_id",
        "passport",
        "foreign_permanent_residence",
        "hmt_residence_permit",
        "hk_macao_travel_permit",
        "taiwan_travel_permit",
    )


def test_unknown_document_type_is_named():
    assert check_document("driving_licence", "123").problems == ["unknown document type"]


def test_hmt_residence_permit_is_checked_like_a_citizen_id():
    number = make_citizen_id("810000", date(1985, 3, 4), 21)
    ok = check_document("hmt_residence_permit", number.lower(), birth_date=date(1985, 3, 4), sex="male")
    assert (ok.number, ok.problems, ok.birth_date, ok.sex) == (number, [], date(1985, 3, 4), "male")
    assert check_document("hmt_residence_permit", number, sex="female").problems == [
        "sex does not match the number (its 17th digit is odd: male)"
    ]
    assert check_document("hmt_residence_permit", number[:17] + "Z").problems[0].startswith("check character should be")


def test_hmt_residence_permit_must_have_a_hong_kong_macao_or_taiwan_code():
    assert check_document("hmt_residence_permit", PUBLISHED).problems == [
        "a Hong Kong, Macao or Taiwan residence permit number starts with 810000, 820000 or 830000, not 110105"
    ]
    assert check_document("hmt_residence_permit", "8100001985").problems == [
        "a Hong Kong, Macao or Taiwan residence permit number has 18 characters, this one has 10"
    ]


def test_permanent_residence_id_old_and_new_formats():
    assert check_document("foreign_permanent_residence", "usa 123456789012").number == "USA123456789012"
    new = make_citizen_id("915840", date(1970, 7, 7), 1)
    assert check_document("foreign_permanent_residence", new).number == new
    assert check_document("foreign_permanent_residence", "U1A123456789012").problems == [
        "an old permanent residence ID number has 3 letters then 12 digits"
    ]
    expected = new[17]
    wrong = "0" if expected != "0" else "1"
    assert check_document("foreign_permanent_residence", new[:17] + wrong).problems == [
        f"check character should be {expected}, not {wrong}"
    ]
    assert check_document("foreign_permanent_residence", PUBLISHED).problems == [
        "a new permanent residence ID number starts with 9, not 1"
    ]
    assert check_document("foreign_permanent_residence", "9123").problems == [
        "a permanent residence ID number has 15 characters (old) or 18 (new), this one has 4"
    ]


def test_passport_is_5_to_17_letters_and_digits():
    assert check_document("passport", " e1234 5678 ").number == "E12345678"
    assert check_document("passport", "Ｇ１２３４５６７８").number == "G12345678"
    assert check_document("passport", "E12").problems == [
        "a passport number has 5 to 17 letters and digits, this one has 3"
    ]
    assert check_document("passport", "E1234-567").problems == [
        "a passport number has only letters and digits; remove '-'"
    ]
    assert check_document("passport", "X" * 18).number is None


@pytest.mark.parametrize(
    "raw,problem",
    [
        ("H12345678", None),
        ("m1234567890", None),
        ("C12345678", "a Hong Kong/Macao travel permit number starts with H (Hong Kong) or M (Macao), not C"),
        ("H1234567", "after H, a Hong Kong/Macao travel permit number has 8 or 10 digits"),
    ],
)
def test_hong_kong_macao_travel_permit_is_h_or_m_and_8_or_10_digits(raw, problem):
    result = check_document("hk_macao_travel_permit", raw)
    assert result.problems == ([problem] if problem else [])
    assert result.number == (raw.upper() if problem is None else None)


@pytest.mark.parametrize(
    "raw,problem",
    [
        ("12345678", None),
        ("1234567890", None),
        ("123456789", "a Taiwan travel permit number has 8 or 10 digits, this one has 9"),
        ("1234567A", "a Taiwan travel permit number has only digits"),
    ],
)
def test_taiwan_travel_permit_is_8_or_10_digits(raw, problem):
    assert check_document("taiwan_travel_permit", raw).problems == ([problem] if problem else [])


def test_documents_without_encoded_details_ignore_entered_birth_date_and_sex():
    result = check_document("passport", "E12345678", birth_date=date(1990, 1, 1), sex="male")
    assert (result.problems, result.birth_date, result.sex) == ([], None, None)


@pytest.mark.parametrize("bad", [("11010", date(1990, 1, 1), 1), ("110105", date(1990, 1, 1), 1000)])
def test_make_citizen_id_refuses_bad_parts(bad):
    with pytest.raises(ValueError, match="must be"):
        make_citizen_id(*bad)
