"""Standard addresses (标准地址): one canonical form for an address however it is typed.

Components below the administrative division: street (街路巷, required), door
(门牌号), building (楼栋), unit (单元), floor (楼层), room (户室). Rules:

* Every value: NFKC (full-width ０-９ Ａ-Ｚ and the ideographic space become
  ASCII), all whitespace removed, Latin letters upper-cased. Control and
  invisible format characters are refused.
* Each component's own suffix is stripped whether given or not: door 号;
  building 栋 幢 号楼 座 楼 号; unit 单元; floor 层 楼 F; room 室 户 号 — but only
  after a number or code ("3号楼" -> "3"; "主楼", "地下室" are names, kept). A
  leading 第 ("the n-th") is dropped from building, unit and floor.
* Chinese numerals are converted where the whole value is one: positional
  (十二, 二十三, 一百零五, 两) or digit by digit (五零二 -> 502). Pure digit values
  lose leading zeros (05 -> 5). Anything else ("12A", "12-1", "附12", "东区") is
  kept as typed (after the cleaning above) rather than guessed at.
* Floors below ground: -1, 负1, 地下1, B1 all become "-1".
* An optional component left blank is absent (None); a value that is empty only
  after its suffix is removed (e.g. door "号") is refused with AddressProblem.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

FIELDS = ("street", "door", "building", "unit", "floor", "room")
SUFFIXES = {  # stripped when normalising, longest first; DISPLAY_SUFFIX is what canonical_text shows
    "door": ("号",),
    "building": ("号楼", "栋", "幢", "座", "楼", "号"),
    "unit": ("单元",),
    "floor": ("层", "楼", "F"),
    "room": ("室", "户", "号"),
}
# The most characters each component has once normalised: the registry's columns (tests keep them equal).
# NFKC can lengthen text ("㍿" is "株式会社"), so a value that fitted as typed may not fit normalised.
MAX_LENGTHS = {"street": 100, "door": 32, "building": 32, "unit": 32, "floor": 16, "room": 32}
KEY_MAX_LENGTH = 300
DISPLAY_SUFFIX = {"door": "号", "building": "栋", "unit": "单元", "floor": "层", "room": "室"}
ORDINAL_PREFIX_FIELDS = ("building", "unit", "floor")

_CN_DIGITS = "零一二三四五六七八九"
_CN_DIGIT_VALUE = {ch: i for i, ch in enumerate(_CN_DIGITS)} | {"〇": 0, "两": 2}
_CN_NUMERAL_CHARS = "".join(_CN_DIGIT_VALUE) + "十百千"
_MAX_POSITIONAL = 9999
_NEGATIVE_FLOOR_RE = re.compile(r"(?:-|\u2212|负|地下|B)(.+)")
_FORBIDDEN_CATEGORIES = ("Cc", "Cf", "Cs")
_SEARCH_NUMBER_RE = re.compile(rf"[{_CN_NUMERAL_CHARS}]+(?=号|栋|幢|座|楼|单元|层|室|户)")
_SEARCH_BELOW_GROUND_RE = re.compile(r"(?:地下|负|B)0*([1-9][0-9]*)(?:层|楼)")
_SEARCH_BUILDING_RE = re.compile(r"(?<=[0-9A-Z])(?:号楼|幢|座)")
_SEARCH_ROOM_RE = re.compile(r"(?<=[0-9])户")


class AddressProblem(ValueError):
    """A component that cannot be normalised; ``field`` names it (e.g. "street")."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class AddressParts:
    street: str
    door: str | None = None
    building: str | None = None
    unit: str | None = None
    floor: str | None = None
    room: str | None = None


def normalise_parts(parts: AddressParts) -> AddressParts:
    """Canonical component values without suffixes, e.g. door "12", building "3", floor "-1"."""
    street = _clean("street", "" if parts.street is None else parts.street)
    if not street:
        raise AddressProblem("street", "street is empty")
    values = {name: _normalise_component(name, getattr(parts, name)) for name in FIELDS[1:]}
    for name, value in (("street", street), *values.items()):
        if value is not None and len(value) > MAX_LENGTHS[name]:
            raise AddressProblem(name, f"{name} is longer than {MAX_LENGTHS[name]} characters once normalised")
    return AddressParts(street, **values)


def canonical_text(parts: AddressParts, division_names: Sequence[str] = ()) -> str:
    """Human-readable canonical address: divisions run together, then components with suffixes.

    e.g. "北山街道曙光社区 幸福路 12号 3栋 2单元 5层 502室". A suffix is added only
    to values ending in a digit or Latin letter, so "东区" is not shown as "东区栋".
    """
    norm = normalise_parts(parts)
    words = [norm.street]
    for name in FIELDS[1:]:
        value = getattr(norm, name)
        if value is not None:
            words.append(value + DISPLAY_SUFFIX[name] if _ends_alphanumeric(value) else value)
    divisions = "".join(_clean("division", d) for d in division_names)
    return " ".join([divisions, *words] if divisions else words)


def canonical_key(parts: AddressParts) -> str:
    """De-duplication key within a community: "幸福路|12|3|2|5|502", "" for absent parts.

    A literal "|" or "\\" inside a value is escaped with a backslash, so two
    different addresses never share a key.
    """
    norm = normalise_parts(parts)
    key = "|".join(_escape(getattr(norm, name) or "") for name in FIELDS)
    if len(key) > KEY_MAX_LENGTH:
        raise AddressProblem("street", f"the address is longer than {KEY_MAX_LENGTH} characters once normalised")
    return key


def search_text(raw: str) -> str:
    """Free text cleaned for matching: NFKC, no whitespace, upper-case Latin letters,
    Chinese numerals before an address suffix in Arabic digits (三栋 -> 3栋,
    五零二室 -> 502室), floors below ground as -N层 (地下1层, B1层 -> -1层), and
    the unambiguous suffix synonyms of canonical_text (3号楼, 3幢, 3座 -> 3栋;
    502户 -> 502室). The ambiguous ones (号, 楼) are left alone.

    Apply it to both the stored canonical text and the query, so that
    "幸福路１２号" finds "幸福路 12号".
    """
    text = _tidy(raw or "")
    text = _SEARCH_NUMBER_RE.sub(lambda m: _chinese_to_arabic(m.group()) or m.group(), text)
    text = _SEARCH_BELOW_GROUND_RE.sub(lambda m: f"-{m.group(1)}层", text)
    text = _SEARCH_BUILDING_RE.sub("栋", text)
    return _SEARCH_ROOM_RE.sub("室", text)


# --- components --------------------------------------------------------------------------------


def _normalise_component(name: str, raw: object) -> str | None:
    if raw is None:
        return None
    raw = str(raw)
    value = _clean(name, raw)
    if not value:
        return None  # left blank: absent
    value = _strip_affixes(name, value)
    if not value:
        raise AddressProblem(name, f"{name} {raw.strip()!r} has no value once its suffix is removed")
    if name == "floor":
        below = _NEGATIVE_FLOOR_RE.fullmatch(value)
        if below:
            number = _to_number(below.group(1))
            if number is not None:
                return "-" + number if number != "0" else "0"
    if name == "door" and value.startswith("附"):
        number = _to_number(value[1:])
        return "附" + number if number is not None else value
    number = _to_number(value)
    return number if number is not None else value


def _strip_affixes(name: str, value: str) -> str:
    """Remove the component's suffixes (and a leading 第) until none is left.

    A suffix goes only when what precedes it looks like a number or code (ends in
    a digit, a Latin letter or a Chinese numeral): "3号楼" -> "3", but "主楼" and
    "地下室" are names and stay whole. A value that is nothing but a suffix
    becomes empty (and is refused by the caller).
    """
    suffixes = SUFFIXES[name]
    while True:
        before = value
        if name in ORDINAL_PREFIX_FIELDS and value.startswith("第"):
            value = value[1:]
        for suffix in suffixes:
            rest = value[: -len(suffix)]
            if value.endswith(suffix) and (not rest or _numberish_end(rest)):
                value = rest
                break
        if value == before:
            return value


def _numberish_end(text: str) -> bool:
    last = text[-1]
    return (last.isascii() and last.isalnum()) or last in _CN_NUMERAL_CHARS


def _to_number(value: str) -> str | None:
    """Arabic digits for a value that is wholly a number (Arabic or Chinese), else None."""
    digits = value if value.isascii() and value.isdigit() else _chinese_to_arabic(value)
    return (digits.lstrip("0") or "0") if digits else None


def _chinese_to_arabic(text: str) -> str | None:
    """Digits for an unambiguous Chinese numeral, else None.

    Positional forms must be written the standard way (一百零五, 十二 or 一十二, 两百);
    colloquial abbreviations such as 一百五 (150? 105?) are refused. Forms without
    十/百/千 are read digit by digit (五零二 -> "502").
    """
    if not text or any(ch not in _CN_NUMERAL_CHARS for ch in text):
        return None
    if not any(ch in "十百千" for ch in text):
        return "".join(str(_CN_DIGIT_VALUE[ch]) for ch in text)
    standard = text.replace("〇", "零").replace("两", "二")
    return _POSITIONAL.get(standard)


def _positional_chinese(n: int) -> str:
    """Standard positional Chinese for 1..9999: 10 -> 十, 105 -> 一百零五, 1050 -> 一千零五十."""
    out, started, gap = [], False, False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            gap = gap or started
            continue
        if gap:
            out.append("零")
            gap = False
        out.append(_CN_DIGITS[digit] + unit)
        started = True
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text


def _build_positional_table() -> dict[str, str]:
    table = {}
    for n in range(1, _MAX_POSITIONAL + 1):
        text = _positional_chinese(n)
        if any(ch in "十百千" for ch in text):
            table[text] = str(n)
            if text.startswith("十"):
                table["一" + text] = str(n)  # 一十二 is also 12
    return table


_POSITIONAL = _build_positional_table()


# --- text cleaning -----------------------------------------------------------------------------


def _tidy(text: str) -> str:
    """NFKC, whitespace removed, ASCII letters upper-cased; repeated until stable."""
    while True:
        tidied = unicodedata.normalize("NFKC", text)
        tidied = "".join(ch for ch in tidied if not ch.isspace())
        tidied = "".join(chr(ord(ch) - 32) if "a" <= ch <= "z" else ch for ch in tidied)
        if tidied == text:
            return tidied
        text = tidied


def _clean(name: str, raw: str) -> str:
    value = _tidy(str(raw))
    for ch in value:
        if unicodedata.category(ch) in _FORBIDDEN_CATEGORIES:
            raise AddressProblem(name, f"{name} contains an invisible control character (U+{ord(ch):04X})")
    return value


def _ends_alphanumeric(value: str) -> bool:
    return value[-1].isascii() and value[-1].isalnum()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|")
