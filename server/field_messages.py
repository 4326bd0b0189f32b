"""Field errors (``errors: {field: [...]}``) in Chinese or English, like the catalogue's messages.

A raise site, and marshmallow, write a field message in English; the response gives it in the request's language
(``Accept-Language``, Chinese unless English is preferred; server/errors.py ``error_body``). This table is keyed
by the English message: a template whose ``{placeholders}`` match any text (``Must be one of: {choices}.``), the
Chinese template filling in what matched. A message the table lacks is given in English as written (a raise site's
newer message), so the table grows with the code; tests/unit/test_field_messages.py checks that every standard
marshmallow message, every message our schemas raise, and every message of the form-answer checks
(domain/forms/answers.py, values.py) and the account rules (domain/accounts.py: passwords) has its Chinese. A
form's own constraint message carries its author's wording (``constraint_message``: a ``domain/wording.Worded``)
and is given in that, in the request's language where the form has it. See docs/decisions/0015.
"""

from __future__ import annotations

import re
from functools import cache

from server.domain.wording import Worded

_RANGE_OPS = {
    "greater than or equal to": "大于等于",
    "greater than": "大于",
    "less than or equal to": "小于等于",
    "less than": "小于",
}
_TEMPORAL = {"datetime": "日期时间", "date": "日期", "time": "时间"}
_AWARENESS = {"naive": "不带时区的", "aware": "带时区的"}


def _marshmallow() -> dict[str, str]:
    """marshmallow's own messages (fields and validators), with the variants its templates expand to."""
    table = {
        "Missing data for required field.": "缺少必填字段。",
        "Field may not be null.": "此字段不能为空（null）。",
        "Invalid value.": "值无效。",
        "Unknown field.": "未知字段。",
        "Invalid input type.": "输入类型无效。",
        "Invalid type.": "类型无效。",
        "Invalid input.": "输入无效。",
        "Not a valid boolean.": "不是有效的布尔值。",
        "Not a valid string.": "不是有效的字符串。",
        "Not a valid utf-8 string.": "不是有效的 UTF-8 字符串。",
        "Not a valid integer.": "不是有效的整数。",
        "Not a valid number.": "不是有效的数字。",
        "Number too large.": "数字过大。",
        "Special numeric values (nan or infinity) are not permitted.": "不允许特殊数值（nan 或 infinity）。",
        "Not a valid list.": "不是有效的列表。",
        "Not a valid tuple.": "不是有效的元组。",
        "Not a valid mapping type.": "不是有效的对象（键值映射）。",
        "Not a valid UUID.": "不是有效的 UUID。",
        "Not a valid date.": "不是有效的日期。",
        "Not a valid email address.": "不是有效的电子邮件地址。",
        "Not a valid URL.": "不是有效的 URL。",
        "Not a valid period of time.": "不是有效的时长。",
        "Not a valid IP address.": "不是有效的 IP 地址。",
        "String does not match expected pattern.": "字符串不符合要求的格式。",
        "Must be one of: {choices}.": "必须是以下之一：{choices}。",
        "Must be equal to {other}.": "必须等于 {other}。",
        "One or more of the choices you made was not in: {choices}.": "所选的值中有不在以下范围内的：{choices}。",
        "One or more of the choices you made was in: {values}.": "所选的值中有不允许的：{values}。",
        "Length must be between {min} and {max}.": "长度必须在 {min} 到 {max} 之间。",
        "Length must be {equal}.": "长度必须为 {equal}。",
        "Longer than maximum length {max}.": "超过最大长度 {max}。",
        "Shorter than minimum length {min}.": "短于最小长度 {min}。",
        '"{input}" cannot be formatted as a date.': "“{input}”无法格式化为日期。",
        "{input} cannot be formatted as a timedelta.": "{input} 无法格式化为时长。",
    }
    for en_low, zh_low in _RANGE_OPS.items():
        table[f"Must be {en_low} {{min}}."] = f"必须{zh_low} {{min}}。"
        table[f"Must be {en_low} {{max}}."] = f"必须{zh_low} {{max}}。"
        for en_high, zh_high in _RANGE_OPS.items():
            if en_low.startswith("greater") and en_high.startswith("less"):
                table[f"Must be {en_low} {{min}} and {en_high} {{max}}."] = (
                    f"必须{zh_low} {{min}} 且{zh_high} {{max}}。"
                )
    for en_type, zh_type in _TEMPORAL.items():
        table[f"Not a valid {en_type}."] = f"不是有效的{zh_type}。"
        table[f'"{{input}}" cannot be formatted as a {en_type}.'] = f"“{{input}}”无法格式化为{zh_type}。"
        for en_aware, zh_aware in _AWARENESS.items():
            table[f"Not a valid {en_aware} {en_type}."] = f"不是有效的{zh_aware}{zh_type}。"
    return table


# Our own field messages: the request layer and schemas (api/), then services and the domain.
OURS: dict[str, str] = {
    "Invalid JSON body.": "请求体不是有效的 JSON。",
    "Must not contain the NUL character.": "不能包含 NUL 字符。",
    "Must be a moment from 1970 to 2099 (in UTC).": "必须是 1970 年到 2099 年之间的时刻（UTC）。",
    "Use 'longitude,latitude', e.g. 120.1325,30.2721.": "请用“经度,纬度”，例如 120.1325,30.2721。",
    "Longitude within ±180, latitude within ±90.": "经度在 ±180 以内，纬度在 ±90 以内。",
    "Use 'min_lon,min_lat,max_lon,max_lat'.": "请用“最小经度,最小纬度,最大经度,最大纬度”。",
    "The box's minimum must not exceed its maximum; degrees within range.": (
        "范围的最小值不能超过最大值，且度数须在有效范围内。"
    ),
    "A date (2026-11-20) or a time with offset (2026-11-20T09:00:00+08:00).": (
        "请给日期（2026-11-20）或带时区偏移的时间（2026-11-20T09:00:00+08:00）。"
    ),
    "Give the time zone offset.": "请给出时区偏移。",
    "Use ISO 8601 with an offset, e.g. 2026-11-23T09:00:00+08:00.": (
        "请用带时区偏移的 ISO 8601 格式，例如 2026-11-23T09:00:00+08:00。"
    ),
    "Not a cursor from this list; start again without it.": "这不是本列表的游标，请不带游标从头开始。",
    "Nested deeper than {depth} arrays and objects.": "数组和对象的嵌套超过 {depth} 层。",
    "Coordinates are (longitude, latitude) in degrees: longitude within ±180, latitude within ±90.": (
        "坐标为（经度，纬度），单位为度：经度在 ±180 以内，纬度在 ±90 以内。"
    ),
    "Not a GeoJSON geometry.": "不是 GeoJSON 几何对象。",
    "A file name (at most 200 characters), no path.": "文件名（最多 200 个字符），不含路径。",
    "Use 2-64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.": (
        "请用 2 到 64 个字符：小写字母、数字、“.”、“_”或“-”，并以字母或数字开头。"
    ),
    "Already registered.": "已经登记过。",
    "Already taken.": "已被占用。",
    "Already used.": "已被使用。",
    "Already used for different content.": "已用于不同的内容。",
    "Must be at least 1.": "必须至少为 1。",
    "Must be today or later.": "必须是今天或以后。",
    "Must not be in the future.": "不能是将来的日期。",
    "Must not be in the future: the data would be dated after today.": "不能是将来的日期：数据的日期会晚于今天。",
    "Must be between the start and today.": "必须在开始日期和今天之间。",
    "Must be between {start} and today.": "必须在 {start} 和今天之间。",
    "Say why.": "请说明原因。",
    "The polygon is empty.": "多边形为空。",
    "The polygon is not valid: {reason}.": "多边形无效：{reason}。",
    "A grid boundary is a Polygon or MultiPolygon, not a {kind}.": (
        "网格边界须为 Polygon 或 MultiPolygon，而不是 {kind}。"
    ),
    "Give the document type and number together.": "证件类型和号码须一并填写。",
    "Give the sex (it cannot be read from this document).": "请填写性别（无法从此证件读出）。",
    "Give the sex (it can only be read from a citizen ID number or residence permit).": (
        "请填写性别（只能从居民身份证号码或居住证读出）。"
    ),
    "A rented house needs its rental mode: whole, shared or by_bed.": (
        "出租房屋须填写出租方式：whole（整租）、shared（合租）或 by_bed（按床位）。"
    ),
    "Only a rented or mixed-use house has a rental mode, not a {use} one.": (
        "只有出租或混合用途的房屋才有出租方式，{use} 房屋没有。"
    ),
    "Only a rented or mixed-use house has a letting date, not a {use} one.": (
        "只有出租或混合用途的房屋才有出租日期，{use} 房屋没有。"
    ),
    "Only rented and mixed-use houses have a tier.": "只有出租和混合用途的房屋才有分级。",
    "A tenant is registered with their identity document.": "登记租客须提供其身份证件。",
    "A registration needs the address's location.": "登记须提供地址的位置。",
    "Every house must be registered in your area.": "每处房屋都须在你的辖区内登记。",
    "Name a registered house in your area.": "请指明你辖区内一处已登记的房屋。",
    "No such landlord account.": "没有这个房东账号。",
    "No such person in your area.": "你的辖区内没有这个人。",
    "No such submission in your area.": "你的辖区内没有这份提交。",
    "Landlords report through /landlord; use worker or self.": "房东请通过 /landlord 申报；此处请用 worker 或 self。",
    "Answers must be an object mapping field names to answers.": "answers 须为从字段名到答案的对象。",
    "This field is required.": "此项为必填。",
    "Unknown form or version; fetch the current form list.": "未知的表单或版本，请获取最新的表单列表。",
    "Not in the submission's attachments manifest.": "不在这份提交的附件清单中。",
    "SHA-256 {digest}, declared {declared}.": "SHA-256 为 {digest}，声明的是 {declared}。",
    "Name the {expected} this form is about.": "请指明这份表单所涉及的 {expected}。",
    "Form {form} is about a {expected}, not a {given}.": "表单 {form} 针对的是 {expected}，而不是 {given}。",
    "It is a {previous} submission, not {form}.": "这是一份 {previous} 提交，而不是 {form}。",
    "Decide also: {properties}.": "还须决定：{properties}。",
    "Not in this conflict: {properties}.": "不在这个冲突中：{properties}。",
    "Now {value} (version {version}).": "现为 {value}（版本 {version}）。",
    "One of {tiers}.": "须为以下之一：{tiers}。",
    "The point is in grid {grid}, not yours.": "该点位于网格 {grid}，不在你的辖区。",
    "The point lies in grid {grid}, which belongs to another community.": "该点位于网格 {grid}，属于另一个社区。",
    "No community with code {code}.": "没有编码为 {code} 的社区。",
    "No station with code {code}.": "没有编码为 {code} 的派出所。",
    "A county code (GB/T 2260) does not end in 00; that is a province or city.": (
        "区县编码（GB/T 2260）不以 00 结尾；以 00 结尾的是省或市。"
    ),
    "A county has no parent here.": "区县在此没有上级。",
    "A {level} code has {digits} digits.": "{level} 编码为 {digits} 位。",
    "A {level} needs its {parent}.": "{level} 须有其上级 {parent}。",
    "A {level} code starts with its {parent}'s code {code}.": "{level} 编码须以其上级 {parent} 的编码 {code} 开头。",
    "No {parent} with code {code}.": "没有编码为 {code} 的 {parent}。",
    "A {role} account has no {name} scope; leave it out.": "{role} 账号没有 {name} 范围，请不要填写。",
    "A {role} account needs a {name}.": "{role} 账号须有 {name}。",
}

# Document numbers (domain/id_numbers.py): one message per problem found. A form answer gives each as a sentence
# (domain/forms/values.py ``sentence``: capitalised, a full stop), which _as_sentences adds.
ID_NUMBERS: dict[str, str] = {
    "the number is empty": "号码为空",
    "an old 15-character citizen ID number is all digits; {bad}": "旧的 15 位公民身份号码应全为数字；{bad}",
    "a citizen ID number has 18 characters (or 15 for an old one), this one has {n}": (
        "公民身份号码应为 18 位（旧号码为 15 位），此号码为 {n} 位"
    ),
    "area code {area} does not start with a province code ({prefix} is not one)": (
        "地区码 {area} 不以省级代码开头（{prefix} 不是省级代码）"
    ),
    "a Hong Kong, Macao or Taiwan residence permit number has 18 characters, this one has {n}": (
        "港澳台居民居住证号码应为 18 位，此号码为 {n} 位"
    ),
    "a Hong Kong, Macao or Taiwan residence permit number starts with 810000, 820000 or 830000, not {prefix}": (
        "港澳台居民居住证号码应以 810000、820000 或 830000 开头，而不是 {prefix}"
    ),
    "the first 17 characters must be digits; {bad}": "前 17 位必须是数字；{bad}",
    "check character should be {expected}, not {given}": "校验码应为 {expected}，而不是 {given}",
    "birth date {given} does not match {encoded} in the number": "出生日期 {given} 与号码中的 {encoded} 不符",
    "sex must be male or female, not {sex}": "性别须为 male 或 female，而不是 {sex}",
    "sex does not match the number (its 17th digit is {parity}: {sex})": "性别与号码不符（第 17 位为{parity}：{sex}）",
    "birth date {date} in the number is not a real date": "号码中的出生日期 {date} 不是真实的日期",
    "birth date {date} in the number is in the future": "号码中的出生日期 {date} 晚于今天",
    "birth date {date} in the number is before {earliest}": "号码中的出生日期 {date} 早于 {earliest}",
    "a passport number has only letters and digits; remove {chars}": "护照号码只含字母和数字；请删除 {chars}",
    "a passport number has 5 to 17 letters and digits, this one has {n}": (
        "护照号码为 5 到 17 位字母和数字，此号码为 {n} 位"
    ),
    "an old permanent residence ID number has 3 letters then 12 digits": (
        "旧的永久居留身份证号码为 3 个字母加 12 位数字"
    ),
    "a permanent residence ID number has 15 characters (old) or 18 (new), this one has {n}": (
        "永久居留身份证号码为 15 位（旧）或 18 位（新），此号码为 {n} 位"
    ),
    "a new permanent residence ID number starts with 9, not {first}": "新的永久居留身份证号码以 9 开头，而不是 {first}",
    "a Hong Kong/Macao travel permit number starts with H (Hong Kong) or M (Macao), not {first}": (
        "港澳居民来往内地通行证号码以 H（香港）或 M（澳门）开头，而不是 {first}"
    ),
    "after {first}, a Hong Kong/Macao travel permit number has 8 or 10 digits": (
        "港澳居民来往内地通行证号码在 {first} 之后为 8 位或 10 位数字"
    ),
    "a Taiwan travel permit number has only digits": "台湾居民来往大陆通行证号码只含数字",
    "a Taiwan travel permit number has 8 or 10 digits, this one has {n}": (
        "台湾居民来往大陆通行证号码为 8 位或 10 位数字，此号码为 {n} 位"
    ),
}


def _as_sentences(table: dict[str, str]) -> dict[str, str]:
    return {en[0].upper() + en[1:] + ".": zh + "。" for en, zh in table.items()}


# Form answers (domain/forms/answers.py and values.py): what check_answers says about one answer.
FORM_ANSWERS: dict[str, str] = {
    "Not a field of form {form} version {version}.": "不是表单 {form} 版本 {version} 的字段。",
    "Must be a list of entries.": "须为条目列表。",
    "A note is not answered.": "说明类字段不需要作答。",
    "This field is required.": "此项为必填。",
    "Must be at least {min}.": "必须至少为 {min}。",
    "Must be at most {max}.": "必须至多为 {max}。",
    "This answer is not allowed by the form's rule for this field.": "此答案不符合表单对该字段的规则。",
    "At least 1 entry is needed, {count} given.": "至少需要 1 条，实际 {count} 条。",
    "At least {min} entries are needed, {count} given.": "至少需要 {min} 条，实际 {count} 条。",
    "At most 1 entry is allowed, {count} given.": "最多允许 1 条，实际 {count} 条。",
    "At most {max} entries are allowed, {count} given.": "最多允许 {max} 条，实际 {count} 条。",
    "Each entry must be an object mapping field names to answers.": "每个条目须为从字段名到答案的对象。",
    "Only one of {names} may be answered: each gives {binding}.": "{names} 只能填写其中一个：它们都对应 {binding}。",
    "A {type} field does not take an answer.": "{type} 类型的字段不接受答案。",
    "Must be text.": "须为文本。",
    "Must not contain NUL characters.": "不能包含 NUL 字符。",
    "Must be at most {limit} characters long.": "最多 {limit} 个字符。",
    "Must be a whole number.": "须为整数。",
    "The number is too large.": "数字过大。",
    "Must be a number.": "须为数字。",
    "Must be a date written YYYY-MM-DD.": "须为 YYYY-MM-DD 格式的日期。",
    "{raw} is not a real date.": "{raw} 不是真实的日期。",
    "Must be a date and time in ISO 8601 with its UTC offset, like 2026-05-01T09:30:00+08:00.": (
        "须为带 UTC 偏移的 ISO 8601 日期时间，例如 2026-05-01T09:30:00+08:00。"
    ),
    "{raw} is not a real date and time.": "{raw} 不是真实的日期时间。",
    "Must be one choice value (text).": "须为一个选项值（文本）。",
    "{named} is not a choice of this field (choices: {choices}).": "{named} 不是此字段的选项（可选：{choices}）。",
    "{named} are not choices of this field (choices: {choices}).": "{named} 不是此字段的选项（可选：{choices}）。",
    "Must be a list of choice values.": "须为选项值的列表。",
    "{named} chosen more than once.": "{named} 被选了多次。",
    "Must be a location {lon, lat, accuracy_m}.": "须为位置 {lon, lat, accuracy_m}。",
    "Unknown location keys: {keys}.": "未知的位置键：{keys}。",
    "The location needs {key} as a number.": "位置须有数值形式的 {key}。",
    "{key} must be between {low} and {high}.": "{key} 须在 {low} 到 {high} 之间。",
    "accuracy_m must be a number of metres, 0 or more.": "accuracy_m 须为以米计的数字，不小于 0。",
    "One image per field: give one attachment file name, not a list.": (
        "每个字段一张图片：请给一个附件文件名，而不是列表。"
    ),
    "Must be the file name of an attached image, like photo1.jpg.": "须为所附图片的文件名，例如 photo1.jpg。",
    "An image file name ends in .{extensions}.": "图片文件名须以 .{extensions} 结尾。",
    "Must be a citizen ID number (text).": "须为公民身份号码（文本）。",
    "Must be a phone number (text).": "须为电话号码（文本）。",
    "Must be a mainland mobile number (11 digits starting 13-19) or a landline with its area code.": (
        "须为大陆手机号码（以 13-19 开头的 11 位数字）或带区号的固定电话。"
    ),
}

# New passwords (domain/accounts.py password_problems).
PASSWORDS: dict[str, str] = {
    "Use at least {min_length} characters.": "请至少使用 {min_length} 个字符。",
    "Use at most {max_length} characters.": "请最多使用 {max_length} 个字符。",
    "Do not repeat a single character.": "不要只重复同一个字符。",
}

# What services say about a field (tests/unit/test_field_messages.py scans services/ for them), and the
# targets' weeks (domain/targets/periods.py).
SERVICES: dict[str, str] = {
    "No grid contains ({lon}, {lat}); check the GPS fix or ask an administrator to extend the grids.": (
        "没有网格包含 ({lon}, {lat})；请检查定位，或请管理员扩展网格。"
    ),
    "The username {username} the landlord asked for is taken; give another and tell the landlord.": (
        "房东申请的用户名 {username} 已被占用；请另给一个并告知房东。"
    ),
    "Not named by any photo answer of this instance.": "本次提交中没有哪个照片答案用到它。",
    "{week} is not a week of that year.": "{week} 不是该年中的一周。",
    "An ISO week such as 2026-W49.": "须为 ISO 周，例如 2026-W49。",
    "That week has not begun yet.": "该周尚未开始。",
}

TABLE: dict[str, str] = (
    _marshmallow() | OURS | ID_NUMBERS | _as_sentences(ID_NUMBERS) | FORM_ANSWERS | PASSWORDS | SERVICES
)


@cache
def _patterns() -> list[tuple[re.Pattern, str]]:
    """The templated entries as regular expressions, the most specific (longest literal text) first."""
    out = []
    for en, zh in TABLE.items():
        if not re.search(r"\{\w+\}", en):  # no placeholder ("{lon, lat, accuracy_m}" is literal text)
            continue
        parts = re.split(r"\{(\w+)\}", en)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((len("".join(parts[::2])), re.compile(regex, re.DOTALL), zh))
    out.sort(key=lambda item: -item[0])
    return [(pattern, zh) for _, pattern, zh in out]


def translate(message: str, lang: str) -> str:
    """``message`` (English, as raised) in ``lang``; unchanged for English or a message the table lacks."""
    if isinstance(message, Worded):  # the form's own words, where its author gave them in this language
        own = message.in_language(lang)
        if own is not None:
            return own
        message = str(message)
    if lang == "en" or not isinstance(message, str):
        return message
    if message in TABLE:
        return TABLE[message]
    for pattern, zh in _patterns():
        found = pattern.fullmatch(message)
        if found:
            return zh.format(**found.groupdict())
    return message


def localize(errors: dict, lang: str) -> dict:
    """``{field: [message, ...]}`` with every message in ``lang``."""
    return {field: [translate(m, lang) for m in messages] for field, messages in errors.items()}
