"""Identity documents: normalising and checking the numbers people carry.

Rules implemented here:

* Mainland citizen ID (居民身份证, GB 11643-1999): 18 characters = 6-digit area
  code + 8-digit birth date (yyyymmdd) + 3-digit sequence (odd = male, even =
  female) + a check character by ISO 7064 MOD 11-2 (a digit or X). Legacy
  15-digit numbers (yymmdd, born 19yy, no check character) are accepted and
  upgraded to 18.
* Residence permit for Hong Kong, Macao and Taiwan residents (港澳台居民居住证):
  built like a citizen ID, with area code 810000, 820000 or 830000.
* Foreign permanent residence ID (外国人永久居留身份证): old format 3 letters +
  12 digits; new format 18 characters starting with 9, MOD 11-2 check character.
* Passport: 5-17 letters and digits. Hong Kong/Macao travel permit (港澳居民来往
  内地通行证): H or M + 8 or 10 digits. Taiwan travel permit (台湾居民来往大陆
  通行证): 8 or 10 digits.

Problems are English sentences meant for a grid worker on a phone: each names
exactly what is wrong (which character, which date, which check character was
expected) so a typo can be found and fixed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

CITIZEN_ID = "citizen_id"
PASSPORT = "passport"
FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
HK_MACAO_TRAVEL_PERMIT = "hk_macao_travel_permit"
TAIWAN_TRAVEL_PERMIT = "taiwan_travel_permit"

DOCUMENT_TYPES = (
    CITIZEN_ID,
    PASSPORT,
    FOREIGN_PERMANENT_RESIDENCE,
    HMT_RESIDENCE_PERMIT,
    HK_MACAO_TRAVEL_PERMIT,
    TAIWAN_TRAVEL_PERMIT,
)

# First two digits of a citizen ID area code (GB/T 2260 provinces, plus 71 Taiwan,
# 81 Hong Kong, 82 Macao, 83 Taiwan residents' permits, 91 overseas).
PROVINCE_CODES = frozenset(
    [
        f"{n}"
        for n in (
            *range(11, 16),
            *range(21, 24),
            *range(31, 38),
            *range(41, 47),
            *range(50, 55),
            *range(61, 66),
            71,
            81,
            82,
            83,
            91,
        )
    ]
)
HMT_AREA_CODES = ("810000", "820000", "830000")

CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by weighted sum % 11
EARLIEST_BIRTH = date(1900, 1, 1)
SEXES = ("male", "female")

_DIGITS = frozenset("0123456789")
_PASSPORT_RE = re.compile(r"[A-Z0-9]{5,17}")
_HK_MACAO_RE = re.compile(r"[HM](?:[0-9]{8}|[0-9]{10})")
_TAIWAN_RE = re.compile(r"[0-9]{8}(?:[0-9]{2})?")
_OLD_PERMANENT_RE = re.compile(r"[A-Z]{3}[0-9]{12}")


@dataclass(frozen=True)
class DocumentCheck:
    """The outcome of checking one document number.

    ``number`` is the normalised number to store, None whenever there are
    problems. ``birth_date`` and ``sex`` are what the number encodes (citizen ID
    and HMT residence permit only), filled in whenever they can be read from it,
    even if some other problem was found.
    """

    number: str | None
    problems: list[str] = field(default_factory=list)
    birth_date: date | None = None
    sex: str | None = None
    upgraded_from_15: bool = False


def normalise_number(raw: str | None) -> str:
    """NFKC (full-width ０-９ Ａ-Ｚ become ASCII), drop all whitespace, upper-case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if not ch.isspace()).upper()


def citizen_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not set(first17) <= _DIGITS:
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, CHECK_WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def upgrade_15_to_18(number15: str) -> str:
    """Legacy 15-digit number -> 18: birth year yy becomes 19yy, check character appended."""
    if len(number15) != 15 or not set(number15) <= _DIGITS:
        raise ValueError("need exactly 15 digits")
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + citizen_id_check_char(first17)


def make_citizen_id(area: str, birth: date, seq: int) -> str:
    """A valid 18-character number for test data and seeding (odd seq = male)."""
    if len(area) != 6 or not set(area) <= _DIGITS:
        raise ValueError("area must be 6 digits")
    if not 0 <= seq <= 999:
        raise ValueError("seq must be 0..999")
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + citizen_id_check_char(first17)


def mask(number: str) -> str:
    """Hide the middle of a number: at most the first 4 and last 4 shown, the rest starred.

    At least half of every number stays hidden: a citizen ID (18) shows 4 and 4,
    a 9-character passport only 2 and 2. Numbers of 8 characters or fewer keep
    only their first and last character; a number of 1 or 2 characters keeps at
    most its first, so no number is ever shown whole.
    """
    n = len(number)
    if n > 8:
        side = min(4, n // 4)
        return number[:side] + "*" * (n - 2 * side) + number[-side:]
    if n <= 1:
        return "*" * n
    if n == 2:
        return number[0] + "*"
    return number[0] + "*" * (n - 2) + number[-1]


def check_document(
    doc_type: str, raw: str, *, birth_date: date | None = None, sex: str | None = None, today: date | None = None
) -> DocumentCheck:
    """Normalise and check a document number; every problem found is reported at once.

    ``birth_date`` and ``sex`` are what was entered for the person; for documents
    whose number encodes them they must agree with it. ``today`` bounds birth
    dates (default: the current date).
    """
    if doc_type not in DOCUMENT_TYPES:
        return DocumentCheck(None, ["unknown document type"])
    number = normalise_number(raw)
    if not number:
        return DocumentCheck(None, ["the number is empty"])
    today = today or date.today()  # noqa: DTZ011 - the machine's day unless the caller passes one
    if doc_type == CITIZEN_ID:
        return _check_citizen_id(number, birth_date, sex, today)
    if doc_type == HMT_RESIDENCE_PERMIT:
        return _check_hmt_permit(number, birth_date, sex, today)
    problems = {
        PASSPORT: _passport_problems,
        FOREIGN_PERMANENT_RESIDENCE: _permanent_residence_problems,
        HK_MACAO_TRAVEL_PERMIT: _hk_macao_problems,
        TAIWAN_TRAVEL_PERMIT: _taiwan_problems,
    }[doc_type](number)
    return DocumentCheck(None if problems else number, problems)


# --- citizen ID and the residence permit built like it ---------------------------------------


def _check_citizen_id(number: str, birth_date: date | None, sex: str | None, today: date) -> DocumentCheck:
    upgraded = False
    if len(number) == 15:
        upgraded = True
        bad = _non_digits(number, 15)
        if bad:
            return DocumentCheck(
                None, [f"an old 15-character citizen ID number is all digits; {bad}"], upgraded_from_15=True
            )
        number = upgrade_15_to_18(number)
    elif len(number) != 18:
        return DocumentCheck(
            None, [f"a citizen ID number has 18 characters (or 15 for an old one), this one has {len(number)}"]
        )
    area_problems = []
    if number[:2] not in PROVINCE_CODES:
        area_problems.append(f"area code {number[:6]} does not start with a province code ({number[:2]} is not one)")
    return _check_18(number, area_problems, birth_date, sex, today, upgraded)


def _check_hmt_permit(number: str, birth_date: date | None, sex: str | None, today: date) -> DocumentCheck:
    if len(number) != 18:
        return DocumentCheck(
            None,
            [f"a Hong Kong, Macao or Taiwan residence permit number has 18 characters, this one has {len(number)}"],
        )
    area_problems = []
    if number[:6] not in HMT_AREA_CODES:
        area_problems.append(
            f"a Hong Kong, Macao or Taiwan residence permit number starts with "
            f"810000, 820000 or 830000, not {number[:6]}"
        )
    return _check_18(number, area_problems, birth_date, sex, today, False)


def _check_18(
    number: str, area_problems: list[str], given_birth: date | None, given_sex: str | None, today: date, upgraded: bool
) -> DocumentCheck:
    """Shared checks of an 18-character number: digits, birth date, check character, agreement."""
    bad = _non_digits(number, 17)
    if bad:
        return DocumentCheck(None, [f"the first 17 characters must be digits; {bad}"], upgraded_from_15=upgraded)
    problems = list(area_problems)
    encoded_birth, birth_problem = _birth_date_in(number[6:14], today)
    if birth_problem:
        problems.append(birth_problem)
    expected = citizen_id_check_char(number[:17])
    if number[17] != expected:
        problems.append(f"check character should be {expected}, not {number[17]}")
    if given_birth is not None and encoded_birth is not None and given_birth != encoded_birth:
        problems.append(
            f"birth date {given_birth.isoformat()} does not match {encoded_birth.isoformat()} in the number"
        )
    parity = "odd" if int(number[16]) % 2 else "even"
    encoded_sex = "male" if parity == "odd" else "female"
    if given_sex is not None and given_sex not in SEXES:
        problems.append(f"sex must be male or female, not {given_sex!r}")
    elif given_sex is not None and given_sex != encoded_sex:
        problems.append(f"sex does not match the number (its 17th digit is {parity}: {encoded_sex})")
    return DocumentCheck(None if problems else number, problems, encoded_birth, encoded_sex, upgraded)


def _non_digits(number: str, upto: int) -> str:
    """'' when number[:upto] is all digits, else a sentence naming the offending positions."""
    bad = [f"{i} ({ch!r})" for i, ch in enumerate(number[:upto], start=1) if ch not in _DIGITS]
    if not bad:
        return ""
    return (
        ("character " if len(bad) == 1 else "characters ")
        + ", ".join(bad)
        + (" is not a digit" if len(bad) == 1 else " are not digits")
    )


def _birth_date_in(yyyymmdd: str, today: date) -> tuple[date | None, str | None]:
    """The birth date encoded in 8 digits, or the problem with it."""
    shown = f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}"
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None, f"birth date {shown} in the number is not a real date"
    if born > today:
        return None, f"birth date {shown} in the number is in the future"
    if born < EARLIEST_BIRTH:
        return None, f"birth date {shown} in the number is before {EARLIEST_BIRTH.isoformat()}"
    return born, None


# --- the other documents: format only --------------------------------------------------------


def _passport_problems(number: str) -> list[str]:
    problems = []
    odd = sorted({ch for ch in number if not ("A" <= ch <= "Z" or ch in _DIGITS)})
    if odd:
        problems.append("a passport number has only letters and digits; remove " + ", ".join(map(repr, odd)))
    if not 5 <= len(number) <= 17:
        problems.append(f"a passport number has 5 to 17 letters and digits, this one has {len(number)}")
    return problems


def _permanent_residence_problems(number: str) -> list[str]:
    if len(number) == 15:
        if _OLD_PERMANENT_RE.fullmatch(number):
            return []
        return ["an old permanent residence ID number has 3 letters then 12 digits"]
    if len(number) != 18:
        return [f"a permanent residence ID number has 15 characters (old) or 18 (new), this one has {len(number)}"]
    problems = []
    if number[0] != "9":
        problems.append(f"a new permanent residence ID number starts with 9, not {number[0]}")
    bad = _non_digits(number, 17)
    if bad:
        return problems + [f"the first 17 characters must be digits; {bad}"]
    expected = citizen_id_check_char(number[:17])
    if number[17] != expected:
        problems.append(f"check character should be {expected}, not {number[17]}")
    return problems


def _hk_macao_problems(number: str) -> list[str]:
    if _HK_MACAO_RE.fullmatch(number):
        return []
    if number[0] not in "HM":
        return [f"a Hong Kong/Macao travel permit number starts with H (Hong Kong) or M (Macao), not {number[0]}"]
    return [f"after {number[0]}, a Hong Kong/Macao travel permit number has 8 or 10 digits"]


def _taiwan_problems(number: str) -> list[str]:
    if _TAIWAN_RE.fullmatch(number):
        return []
    if not set(number) <= _DIGITS:
        return ["a Taiwan travel permit number has only digits"]
    return [f"a Taiwan travel permit number has 8 or 10 digits, this one has {len(number)}"]
