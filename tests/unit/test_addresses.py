import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.addresses import (
    AddressParts,
    AddressProblem,
    canonical_key,
    canonical_text,
    normalise_parts,
    search_text,
)


def norm(**parts):
    return normalise_parts(AddressParts(parts.pop("street", "幸福路"), **parts))


# --- canonical text and key ------------------------------------------------------------------


def test_canonical_text_runs_divisions_together_then_components_with_suffixes():
    parts = AddressParts("幸福路", "12", "3", "2", "5", "502")
    assert canonical_text(parts, ["北山街道", "曙光社区"]) == "北山街道曙光社区 幸福路 12号 3栋 2单元 5层 502室"


def test_canonical_text_omits_absent_parts_and_normalises_what_is_given():
    assert canonical_text(AddressParts(" 幸福 路", door="十二号", room="502户")) == "幸福路 12号 502室"
    assert (
        canonical_text(AddressParts("幸福路", building="A座", floor="地下一层"), [" 北山 街道 "])
        == "北山街道 幸福路 A栋 -1层"
    )


def test_canonical_text_adds_no_suffix_to_a_value_ending_in_chinese():
    assert canonical_text(AddressParts("幸福路", building="东区")) == "幸福路 东区"


def test_canonical_key_lists_every_component_with_empty_for_absent_ones():
    assert canonical_key(AddressParts("幸福路", "12", "3", "2", "5", "502")) == "幸福路|12|3|2|5|502"
    assert canonical_key(AddressParts("幸福路", door="12")) == "幸福路|12||||"


def test_canonical_key_escapes_the_separator_so_different_addresses_never_collide():
    a = canonical_key(AddressParts("甲|1", door="2"))
    b = canonical_key(AddressParts("甲", door="1|2"))
    assert a != b
    assert a == "甲\\|1|2||||"


# --- each component's own suffixes and numerals ----------------------------------------------


@pytest.mark.parametrize("typed", ["12", "12号", "１２号", "十二号", "一十二", " 12 号 ", "012号"])
def test_door_number_forms_become_digits(typed):
    assert norm(door=typed).door == "12"


@pytest.mark.parametrize(
    "typed,expected",
    [("12a", "12A"), ("12-1号", "12-1"), ("附12号", "附12"), ("附十二号", "附12"), ("１２Ａ号", "12A")],
)
def test_door_numbers_with_letters_dashes_or_fu_are_kept(typed, expected):
    assert norm(door=typed).door == expected


@pytest.mark.parametrize("typed", ["3号楼", "3幢", "3栋", "3座", "三栋", "3楼", "第3栋", "第三幢", "３号楼", "3"])
def test_building_forms_become_the_number(typed):
    assert norm(building=typed).building == "3"


def test_building_letters_are_upper_cased_and_kept():
    assert norm(building="a座").building == "A"


@pytest.mark.parametrize("typed", ["2", "2单元", "二单元", "第二单元", "２ 单元"])
def test_unit_forms_become_the_number(typed):
    assert norm(unit=typed).unit == "2"


@pytest.mark.parametrize("typed", ["5", "5层", "5楼", "5F", "5f", "５Ｆ", "五层", "第五层", "05层"])
def test_floor_forms_become_the_number(typed):
    assert norm(floor=typed).floor == "5"


@pytest.mark.parametrize(
    "typed", ["-1", "-1层", "地下1层", "地下一层", "B1", "b1", "B1F", "负一楼", "负1层", "\u22121"]
)
def test_floors_below_ground_become_negative(typed):
    assert norm(floor=typed).floor == "-1"


@pytest.mark.parametrize("typed", ["502", "502室", "502号", "502户", "五零二", "五〇二室", "五百零二室", "0502"])
def test_room_forms_become_the_number(typed):
    assert norm(room=typed).room == "502"


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("一", "1"),
        ("九", "9"),
        ("十", "10"),
        ("十二", "12"),
        ("一十二", "12"),
        ("二十", "20"),
        ("二十三", "23"),
        ("一百零五", "105"),
        ("一百一十", "110"),
        ("两", "2"),
        ("两百", "200"),
        ("一千零一", "1001"),
        ("一零", "10"),
    ],
)
def test_chinese_numerals_are_converted_where_unambiguous(typed, expected):
    assert norm(room=typed).room == expected


@pytest.mark.parametrize("typed", ["一百五", "十十", "三A", "百", "地下室", "东区"])
def test_values_that_are_not_clearly_numbers_are_left_alone(typed):
    assert norm(room=typed).room == typed


@pytest.mark.parametrize("field,typed", [("building", "主楼"), ("room", "地下室"), ("door", "无号"), ("floor", "夹层")])
def test_a_suffix_that_ends_a_name_rather_than_a_number_is_kept(field, typed):
    assert getattr(norm(**{field: typed}), field) == typed


# --- street, blanks and refusals -------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,expected",
    [
        (" 幸福 路 ", "幸福路"),
        ("ｇ１０４国道", "G104国道"),
        ("五一路", "五一路"),
        ("幸福\u3000路", "幸福路"),
        ("幸福\t路", "幸福路"),
    ],
)
def test_street_loses_whitespace_and_keeps_chinese(typed, expected):
    assert norm(street=typed).street == expected


@pytest.mark.parametrize("street", ["", "   ", "\u3000", None])
def test_empty_street_is_refused_naming_the_street(street):
    with pytest.raises(AddressProblem) as problem:
        norm(street=street)
    assert problem.value.field == "street"
    assert isinstance(problem.value, ValueError)


@pytest.mark.parametrize("field,value", [("door", "号"), ("building", "号楼"), ("unit", "单元"), ("room", "室")])
def test_a_value_that_is_only_a_suffix_is_refused_naming_its_field(field, value):
    with pytest.raises(AddressProblem) as problem:
        norm(**{field: value})
    assert problem.value.field == field


@pytest.mark.parametrize("field,value", [("building", "3\x07栋"), ("street", "幸福\u200b路"), ("room", "50\x002")])
def test_control_and_invisible_characters_are_refused_naming_the_field(field, value):
    with pytest.raises(AddressProblem) as problem:
        norm(**{field: value})
    assert problem.value.field == field


def test_blank_optional_components_are_absent():
    assert norm(door="", building="  ", unit=None) == AddressParts("幸福路")


# --- search text -----------------------------------------------------------------------------


def test_search_text_matches_however_the_address_was_typed():
    stored = search_text(canonical_text(AddressParts("幸福路", "12", "3", "2", "-1", "502"), ["曙光社区"]))
    for query in [
        "幸福路１２号",
        "幸福路 12号",
        "幸福路十二号",
        "三号楼",
        "3幢2单元",
        "地下一层",
        "五零二户",
        "B1层502室",
    ]:
        assert search_text(query) in stored, query


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("幸福路１２号", "幸福路12号"),
        ("三栋 二单元", "3栋2单元"),
        ("五零二室", "502室"),
        ("地下1层", "-1层"),
        ("a座", "A栋"),
        ("五一路", "五一路"),
        ("一百五号", "一百五号"),
        ("5楼", "5楼"),
    ],
)
def test_search_text_normalises_width_spaces_and_numerals(raw, expected):
    assert search_text(raw) == expected


# --- properties ------------------------------------------------------------------------------


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def chinese_positional(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    head = digits[n // 100] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + digits[rest]
    return head + digits[rest // 10] + "十" + (digits[rest % 10] if rest % 10 else "")


@st.composite
def number_form(draw, n: int) -> str:
    forms = [str(n), to_full_width(str(n)), "0" + str(n)]
    if n <= 999:
        forms.append(chinese_positional(n))
    if n >= 10:
        forms.append("".join("零一二三四五六七八九"[int(d)] for d in str(n)))
    return draw(st.sampled_from(forms))


spaces = st.sampled_from(["", "", " ", "  ", "\u3000", "\t"])


@st.composite
def surface(draw, n: int, suffixes: list[str], prefixes: list[str] = ("",)) -> str:
    """One way a worker might type component value n."""
    pieces = [draw(st.sampled_from(prefixes)), draw(number_form(n)), draw(st.sampled_from(suffixes))]
    pieces = [to_full_width(p) if draw(st.booleans()) else p for p in pieces]
    return draw(spaces) + "".join(p + draw(spaces) for p in pieces)


@st.composite
def floor_surface(draw, n: int) -> str:
    if n > 0:
        return draw(surface(n, ["", "层", "楼", "F", "f"], ["", "第"]))
    prefix = draw(st.sampled_from(["-", "负", "地下", "B", "b"]))
    return draw(spaces) + prefix + draw(number_form(-n)) + draw(st.sampled_from(["", "层", "楼", "F"])) + draw(spaces)


streets = st.sampled_from(["幸福路", "解放大街", "G104国道", "五一路", "青年巷"])


address_numbers = st.fixed_dictionaries(
    {
        "street": streets,
        "door": st.integers(1, 999),
        "building": st.integers(1, 99),
        "unit": st.integers(1, 12),
        "floor": st.integers(-3, 40).filter(bool),
        "room": st.integers(1, 3999),
    }
)


@st.composite
def typed_address(draw, numbers):
    """One way of typing the address `numbers` describes, and the key it must have."""
    street = numbers["street"]
    typed = AddressParts(
        street=draw(spaces) + (street.lower() if draw(st.booleans()) else to_full_width(street)) + draw(spaces),
        door=draw(surface(numbers["door"], ["", "号"])),
        building=draw(surface(numbers["building"], ["", "栋", "幢", "号楼", "座", "楼"], ["", "第"])),
        unit=draw(surface(numbers["unit"], ["", "单元"], ["", "第"])),
        floor=draw(floor_surface(numbers["floor"])),
        room=draw(surface(numbers["room"], ["", "室", "户", "号"])),
    )
    return typed, "|".join([street, *(str(numbers[f]) for f in ("door", "building", "unit", "floor", "room"))])


typed_addresses = address_numbers.flatmap(typed_address)


@given(typed_addresses)
def test_the_same_address_typed_any_way_has_the_same_key(case):
    typed, expected_key = case
    assert canonical_key(typed) == expected_key


@given(address_numbers, st.data())
def test_two_typings_of_one_address_share_a_key_and_text(numbers, data):
    (first, _), (second, _) = data.draw(typed_address(numbers)), data.draw(typed_address(numbers))
    assert canonical_key(first) == canonical_key(second)
    assert canonical_text(first) == canonical_text(second)


any_text = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.text(alphabet="0123456789一二三四五六七八九十百千零〇两号栋幢座楼单元层室户第地下负BF- ", max_size=10),
)


@given(typed_addresses)
def test_normalising_typed_addresses_is_idempotent(case):
    once = normalise_parts(case[0])
    assert normalise_parts(once) == once


@given(st.text(min_size=1, max_size=12), any_text, any_text, any_text, any_text, any_text)
def test_normalising_any_text_is_idempotent(street, door, building, unit, floor, room):
    try:
        once = normalise_parts(AddressParts(street, door, building, unit, floor, room))
    except AddressProblem:
        return
    assert normalise_parts(once) == once
    assert canonical_key(once) == canonical_key(AddressParts(street, door, building, unit, floor, room))


@given(typed_addresses)
def test_search_text_of_a_typed_address_finds_its_canonical_text(case):
    typed, _ = case
    assert search_text(canonical_text(normalise_parts(typed))) == search_text(canonical_text(typed))


def test_a_component_that_grows_past_its_column_once_normalised_is_refused():
    with pytest.raises(AddressProblem) as caught:
        normalise_parts(AddressParts("幸福路", door="㍿" * 30))  # NFKC: 株式会社, 120 characters
    assert caught.value.field == "door"
    assert normalise_parts(AddressParts("幸福路", door="㍿" * 8)).door == "株式会社" * 8


def test_component_limits_match_the_address_columns():
    from server.domain.addresses import MAX_LENGTHS
    from server.store.models import registry

    columns = registry.Address.__table__.c
    assert {name: columns[name].type.length for name in MAX_LENGTHS} == MAX_LENGTHS
