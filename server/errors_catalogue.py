"""The error catalogue: every code the API can answer, with its HTTP status and its message in Chinese and English.

Modelled on ODK Central's ``lib/util/problem.js``: a raise site names a stable dotted code (and its status, which
``tests/unit/test_error_catalogue.py`` checks against this table); the message a person reads comes from here, in
the language the request prefers (``Accept-Language``; Chinese unless English is preferred, q-values honoured).
See docs/decisions/0015-error-catalogue.md.

A message is a list of templates, tried in order: the first whose ``{placeholders}`` all have a value is used, so
the last one is the plain fallback. The values come from the error itself (server/errors.py ``render_message``):

- ``fields``: the field paths named in ``errors``, comma-separated;
- ``detail``: the field messages in ``errors`` (or a detail the HTTP layer gives), joined;
- ``minutes``: ``Retry-After`` rounded up to whole minutes;
- anything in the error's ``params`` or ``extra`` (e.g. ``verb`` on ``auth.forbidden``), and ``limit`` on a 413.

A status of ``None`` means the code stands for several statuses (``http.error``: any other 4xx).
The English message a raise site passes is kept on the exception for logs and the command line; the response
carries the catalogue's message. A code missing here still answers, with the raise site's English message, but the
test fails.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("zh", "en")  # the first is the default


@dataclass(frozen=True)
class Problem:
    status: int | None
    zh: tuple[str, ...]
    en: tuple[str, ...]


def _p(status: int | None, zh: str | tuple[str, ...], en: str | tuple[str, ...]) -> Problem:
    return Problem(status, (zh,) if isinstance(zh, str) else zh, (en,) if isinstance(en, str) else en)


CATALOGUE: dict[str, Problem] = {
    # --- the request itself -------------------------------------------------------------------------------------
    "request.invalid": _p(400, "请求无效。", "The request is invalid."),
    "request.malformed": _p(
        400,
        ("无法读取请求：{detail}", "无法读取请求。"),
        ("The request could not be read: {detail}", "The request could not be read."),
    ),
    "validation.failed": _p(
        422,
        ("部分字段无效：{fields}。", "部分字段无效。"),
        ("Some fields are invalid: {fields}.", "Some fields are invalid."),
    ),
    "not_found": _p(404, "未找到。", "Not found."),
    "method_not_allowed": _p(
        405, "此处不允许这种请求方法，请查看 Allow 响应头。", "This method is not allowed here; see the Allow header."
    ),
    "request.not_acceptable": _p(406, "无法以请求的格式作答。", "The response cannot be given in a format you accept."),
    "request.precondition_failed": _p(
        412, "前提条件不成立：记录已被修改。", "A precondition failed: the record has changed."
    ),
    "request.too_large": _p(
        413,
        ("请求体超过了 {limit} 字节的上限。", "请求体过大。"),
        ("The request body is larger than the limit of {limit} bytes.", "The request body is too large."),
    ),
    "request.uri_too_long": _p(414, "请求行过长。", "The request line is too long."),
    "request.unsupported_media_type": _p(415, "不支持请求体的格式。", "The body's media type is not supported."),
    "request.expectation_failed": _p(417, "无法满足 Expect 请求头。", "The Expect header cannot be met."),
    "request.precondition_required": _p(
        428, "请带上前提条件（If-Match）。", "Send a precondition (If-Match) with this request."
    ),
    "request.header_fields_too_large": _p(431, "请求头过大或过多。", "The request headers are too large or too many."),
    "request.not_implemented": _p(
        501, "服务器不支持这种传输编码。", "The server does not implement this transfer coding."
    ),
    "http.error": _p(None, "无法处理这个请求。", "The request could not be served."),
    "rate_limited": _p(429, "请求过于频繁，请稍后再试。", "Too many requests; try again later."),
    "conflict": _p(409, "与已有记录冲突。", "This conflicts with an existing record."),
    "conflict.concurrent_update": _p(
        409,
        "有人同时修改了这条记录，请重新获取后再试。",
        "Someone changed this record at the same moment; fetch it again and retry.",
    ),
    # --- the server -----------------------------------------------------------------------------------------------
    "internal": _p(500, "服务器出错，已记录在日志中。", "Something went wrong on the server; it has been logged."),
    "service.unavailable": _p(
        503,
        "数据库暂时不可用，请稍后重新发送同一请求。",
        "The database is unavailable for a moment; send the same request again later.",
    ),
    # --- signing in -----------------------------------------------------------------------------------------------
    "auth.required": _p(
        401, "请先登录：发送 'Authorization: Bearer <token>'。", "Sign in first: send 'Authorization: Bearer <token>'."
    ),
    "auth.malformed_header": _p(
        401, "请使用 'Authorization: Bearer <token>'。", "Use 'Authorization: Bearer <token>'."
    ),
    "auth.invalid_credentials": _p(401, "用户名或密码错误。", "Wrong username or password."),
    "auth.account_disabled": _p(401, "此账号已停用，请联系管理员。", "This account is disabled; ask an administrator."),
    "auth.token_invalid": _p(401, "令牌无效，请重新登录。", "This token is not valid; sign in again."),
    "auth.token_revoked": _p(401, "令牌已注销，请重新登录。", "This token was signed out; sign in again."),
    "auth.token_expired": _p(401, "令牌已过期，请重新登录。", "This token has expired; sign in again."),
    "auth.locked": _p(
        429,
        ("此账号登录失败次数过多，请 {minutes} 分钟后再试。", "此账号登录失败次数过多，请稍后再试。"),
        (
            "Too many failed sign-ins for this account; try again in {minutes} minute(s).",
            "Too many failed sign-ins for this account; try again later.",
        ),
    ),
    "auth.forbidden": _p(
        403,
        ("你的角色无权执行此操作（{verb}）。", "你的角色无权执行此操作。"),
        ("Your role may not do this ({verb}).", "Your role may not do this."),
    ),
    # --- accounts and areas ---------------------------------------------------------------------------------------
    "account.not_found": _p(404, "没有这个账号。", "No such account."),
    "account.username_taken": _p(409, "这个用户名已被使用。", "This username is taken."),
    "division.not_found": _p(404, "没有这个行政区划。", "No such division."),
    "division.code_taken": _p(409, "已有使用这个代码的行政区划。", "A division with this code exists."),
    "station.code_taken": _p(409, "已有使用这个代码的派出所。", "A station with this code exists."),
    "grid.not_found": _p(404, "没有这个网格。", "No such grid."),
    "grid.code_taken": _p(409, "已有使用这个代码的网格。", "A grid with this code exists."),
    # --- addresses, houses, people, units -------------------------------------------------------------------------
    "address.not_found": _p(404, "没有这个地址。", "No such address."),
    "address.outside_grids": _p(422, "这个位置不在任何网格内。", "This point lies outside every grid."),
    "address.outside_your_area": _p(
        404, "你的管辖范围内没有这个位置或地址。", "This point or address is not in your area."
    ),
    "house.not_found": _p(404, "没有这个房屋。", "No such house."),
    "house.exists": _p(409, "这个地址已登记了房屋。", "A house is already registered at this address."),
    "house.has_residences": _p(
        409,
        "这个房屋有居住记录，请登记搬离而不是删除房屋。",
        "This house has residence records; record departures instead of deleting it.",
    ),
    "residence.not_found": _p(404, "没有这条居住记录。", "No such residence."),
    "residence.exists": _p(409, "此人已登记居住在这个房屋。", "This person already lives in this house on record."),
    "residence.closed": _p(409, "这条居住记录已登记搬离。", "This residence is already closed."),
    "person.not_found": _p(404, "没有这个人。", "No such person."),
    "person.exists": _p(409, "持这个证件的人已经登记。", "A person with this document is already registered."),
    "person.no_document": _p(404, "此人没有登记证件号码。", "This person has no document number on record."),
    "person.reveal_limit": _p(
        429, "今天查看证件号码的次数已达上限。", "You have reached today's limit of document numbers shown."
    ),
    "unit.not_found": _p(404, "没有这个单位。", "No such unit."),
    "employment.exists": _p(409, "此人已在这个单位任职。", "This person is already employed here."),
    "employment.not_found": _p(404, "这个单位没有这条任职记录。", "No such employment at this unit."),
    "employment.ended": _p(409, "这条任职记录已经结束。", "This employment has already ended."),
    "tier.no_override": _p(404, "这个房屋没有手动设定的等级。", "This house has no tier override."),
    "target.unknown_indicator": _p(404, "考核指标中没有这一项。", "No such indicator in the targets policy."),
    "target.grid_not_found": _p(404, "你的管辖范围内没有这个网格。", "No such grid in your area."),
    "identity.not_found": _p(404, "没有待确认的这个身份。", "No such identity to confirm."),
    "identity.decided": _p(409, "这个身份已经处理过了。", "This identity was already decided."),
    # --- landlords ------------------------------------------------------------------------------------------------
    "landlord.not_found": _p(404, "你的管辖范围内没有持有房屋的这个房东。", "No landlord holding houses in your area."),
    "landlord.request_not_found": _p(
        404, "你的管辖范围内没有这个待处理的房东申请。", "No pending landlord request in your area."
    ),
    "landlord.too_many_requests": _p(
        429,
        "来自这个地址的账号申请过多，请一小时后再试。",
        "Too many account requests from this address; try again in an hour.",
    ),
    "landlord.claim_decided": _p(409, "这项房屋认领已经处理过了。", "This claim was already decided."),
    "landlord.house_held": _p(409, "另一个房东账号持有这个房屋。", "Another landlord account holds this house."),
    # --- forms, submissions, conflicts ----------------------------------------------------------------------------
    "form.not_found": _p(404, "没有这个表单版本。", "No such form version."),
    "form.unknown_version": _p(422, "本服务器不认识这个表单版本。", "This form version is not known here."),
    "form.role_not_allowed": _p(403, "你的角色不能填写这个表单。", "Your role may not fill this form."),
    "submission.not_found": _p(404, "没有这份提交。", "No such submission."),
    "submission.instance_conflict": _p(
        409,
        "这个 instance_id 已用于不同的内容。请生成新的 instance_id，或用 deprecated_id 发送修改。",
        "This instance_id was already used for different content. Mint a new "
        "instance_id, or send an edit with deprecated_id.",
    ),
    "submission.not_current": _p(
        409, "那个版本已被修改过，请修改当前版本。", "That version was already edited; edit the current version."
    ),
    "conflict.not_found": _p(404, "没有这个冲突。", "No such conflict."),
    "conflict.resolved": _p(409, "这个冲突已经解决。", "This conflict is already resolved."),
    "conflict.stale": _p(
        409,
        "冲突显示后记录又被修改了，请按当前值重新决定。",
        "The record changed after this conflict was shown; decide again on its current values.",
    ),
    # --- attachments and photos -----------------------------------------------------------------------------------
    "attachment.concurrent_upload": _p(
        409,
        "这个附件的另一次上传同时到达，请重新发送。",
        "Another upload of this attachment arrived at the same moment; send it again.",
    ),
    "attachment.not_owner": _p(
        403,
        "只有发送这份提交的账号才能上传它的附件。",
        "Only the account that sent the submission may upload its attachments.",
    ),
    "attachment.not_declared": _p(
        422, "这份提交没有声明这个名字的附件。", "The submission declares no attachment with this name."
    ),
    "attachment.hash_mismatch": _p(
        422,
        "文件的 SHA-256 与提交中声明的不同：上传已损坏，或者是另一个文件。",
        "The file's SHA-256 differs from the one the submission declared for it: the "
        "upload is damaged or it is another file.",
    ),
    "photo.not_found": _p(404, "没有这张照片。", "No such photo."),
    "photo.file_missing": _p(
        500,
        "这张照片的文件在存储中丢失，已记录在日志中。",
        "The photo's file is missing from storage; it has been logged.",
    ),
    "photo.not_an_image": _p(
        422,
        "这个文件不是照片。请用手机相机拍照后重新上传。",
        "This file is not a photo. Take the picture with the phone camera and upload it again.",
    ),
    "photo.unsupported_type": _p(
        422,
        "只能上传 JPEG、PNG 和 WebP 照片（HEIC 不行：请把相机设置为保存 JPEG，即“兼容性最佳”）。",
        'Only JPEG, PNG and WebP photos can be uploaded (not HEIC: set the camera to save JPEG, "Most Compatible").',
    ),
    "photo.too_many_pixels": _p(
        422,
        "照片像素过多。请把相机设为较低的分辨率（例如 1200 万像素）后重新拍照。",
        "The photo has too many pixels. Set the camera to a lower resolution (for example "
        "12 MP) and take the photo again.",
    ),
    "photo.corrupt": _p(
        422,
        "照片已损坏或不完整，可能在上传时被截断。请重新上传；仍不行就重新拍照。",
        "The photo is damaged or incomplete, perhaps cut off during upload. Upload it again; if "
        "that fails, take the photo again.",
    ),
    "photo.trailing_data": _p(
        422,
        "照片文件在图像之后有多余数据。请上传相机保存的原样照片（关闭“动态/实况”照片）。",
        "The photo file has extra data after the picture. Upload the photo as the camera "
        'saved it (with "moving"/"live" photo turned off).',
    ),
    "photo.unusable": _p(
        409,
        "照片已收到，但无法解码。请在手机上重新上传。",
        "The photo was received but its pixels could not be decoded; upload it again from the phone.",
    ),
    # --- the command line (gridwork seed) -------------------------------------------------------------------------
    "seed.exists": _p(
        409,
        "这个种子的区划代码已被使用，请换一个 --seed。",
        "This seed's division codes exist already; choose another --seed.",
    ),
    "seed.overlaps": _p(
        409,
        "这个种子的网格会与已有网格重叠，请换一个 --seed。",
        "This seed's grids would overlap existing grids; choose another --seed.",
    ),
    # ODK Collect (issue 15): device credentials and OpenRosa submissions; Collect shows the zh message to the worker
    "device.invalid_credentials": _p(
        401, "设备用户名或密码错误，请重新扫描二维码。", "Wrong device username or password; scan the QR code again."
    ),
    "device.revoked": _p(
        401,
        "此设备凭据已被注销或已过期，请向管理员申请新的二维码。",
        "This device credential was revoked or has expired; ask for a new QR code.",
    ),
    "device.not_found": _p(404, "没有这个设备凭据。", "No such device credential."),
    "openrosa.bad_request": _p(
        400,
        ("上传内容无法读取：{detail}", "上传内容无法读取，请重新发送。"),
        ("The upload cannot be read: {detail}", "The upload cannot be read; send it again."),
    ),
    "openrosa.unknown_element": _p(
        422,
        ("表单中有服务器不认识的项目：{detail}。请更新表单（“获取空白表单”）后重填。", "表单中有服务器不认识的项目。"),
        ("The form holds elements the server does not know: {detail}. Get blank forms again.", "Unknown elements."),
    ),
    "openrosa.form_not_found": _p(
        404,
        "服务器上没有这个表单或版本，请先“获取空白表单”更新后重填。",
        "The server has no such form or version; get blank forms again and fill it anew.",
    ),
}


def language(accept_language: str | None) -> str:
    """The catalogue language a request prefers: its ``Accept-Language`` (q-values honoured, ``zh-CN`` is zh,
    ``*`` and anything unknown fall back to zh)."""
    if not accept_language:
        return LANGUAGES[0]
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    # by q-value, highest first (werkzeug keeps the header's order among equals); a region (zh-TW, en-GB) counts
    # as its language, which werkzeug's best_match only tries after exact matches.
    for value, quality in parse_accept_header(accept_language, LanguageAccept):
        if quality <= 0:
            continue
        if value == "*":
            return LANGUAGES[0]
        primary = value.replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return LANGUAGES[0]


class _Missing(KeyError):
    pass


class _Values(dict):
    def __missing__(self, key):
        raise _Missing(key)


def message(code: str, lang: str, values: dict) -> str | None:
    """The catalogue's message for ``code`` in ``lang``, its placeholders filled from ``values`` (None when the code
    is not catalogued). Empty values count as missing."""
    problem = CATALOGUE.get(code)
    if problem is None:
        return None
    present = _Values({k: v for k, v in values.items() if v not in (None, "", [], {})})
    templates = getattr(problem, lang if lang in LANGUAGES else LANGUAGES[0])
    for template in templates:
        try:
            return template.format_map(present)
        except _Missing:
            continue
    return templates[-1]


def openapi_description() -> str:
    """The catalogue as a Markdown table, for the Error schema's ``code`` in the OpenAPI document."""
    rows = [
        "Stable dotted error code. The message is in Chinese, or in English when `Accept-Language` prefers it.",
        "",
        "| code | status | message (en) |",
        "|---|---|---|",
    ]
    for code in sorted(CATALOGUE):
        problem = CATALOGUE[code]
        status = problem.status if problem.status is not None else "4xx"
        rows.append(f"| `{code}` | {status} | {problem.en[-1]} |")
    return "\n".join(rows)
