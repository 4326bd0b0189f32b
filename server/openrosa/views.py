"""OpenRosa 1.0 endpoints for ODK Collect, under /openrosa (Collect's server URL). HTTP only: the services do the work.

Collect authenticates with a device credential (services/devices.py) by HTTP Digest, or Basic over HTTPS
only. Every response carries X-OpenRosa-Version: 1.0; errors are an OpenRosaResponse whose message (from
the error catalogue, in Chinese) Collect shows to the worker.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from server.api.forms import catalog
from server.auth import digest
from server.domain.privacy import mask_in_text
from server.errors import HTTP_CODES, ApiError, NotFound, Unauthenticated, render_message
from server.forms.xforms import subject_list, xform
from server.openrosa import instance, responses
from server.openrosa.urls import PREFIX, server_url
from server.services import devices, openrosa, phone_lists, photos
from server.store.db import request_session

blp = Blueprint("openrosa", __name__, url_prefix=PREFIX)
XML = "text/xml; charset=utf-8"


def public(func):
    """Skips the JSON API's bearer check: this blueprint checks device credentials itself."""
    func._public = True
    return func


def _nonce_key() -> bytes:
    key = current_app.config.get("OPENROSA_NONCE_KEY")
    if key:
        return key.encode()
    return current_app.extensions.setdefault("gridwork.openrosa_nonce_key", secrets.token_bytes(32))


@blp.before_request
def authenticate_device() -> None:
    header = request.headers.get("Authorization", "")
    session = request_session()
    if header[:6].lower() == "basic ":
        g.actor = _basic(session, header)
        return
    params = digest.parse(header)
    if params is None:
        raise Unauthenticated("Sign in with the device credential.", code="auth.required")
    if params["uri"].split("?", 1)[0] != request.path:  # a response signed for another address is not replayed here
        raise Unauthenticated("The signed address differs from the requested one.", code="auth.malformed_header")
    state = digest.nonce_state(_nonce_key(), params["nonce"])
    if state != "ok":
        raise _challenge(Unauthenticated("Sign in again.", code="auth.required"), stale=state == "stale")
    g.actor = devices.authenticate(
        session, params, request.method, request_id=g.request_id, client_addr=request.remote_addr
    )


def _basic(session, header: str):
    if not request.is_secure:  # Collect itself sends Basic only over HTTPS; a password in clear text is refused
        raise Unauthenticated("Basic authentication only over HTTPS.", code="auth.required")
    try:
        username, _, secret = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated("Malformed Basic credentials.", code="auth.malformed_header") from None
    nonce = digest.new_nonce(_nonce_key())
    params = {"username": username, "realm": digest.REALM, "nonce": nonce, "uri": request.path, "qop": "auth"}
    params |= {"nc": "00000001", "cnonce": "basic"}
    params["response"] = digest.expected_response(params, digest.ha1(username, secret), request.method)
    return devices.authenticate(
        session, params, request.method, request_id=g.request_id, client_addr=request.remote_addr
    )


def _challenge(exc: ApiError, *, stale: bool = False) -> ApiError:
    exc.headers["WWW-Authenticate"] = digest.challenge(_nonce_key(), stale=stale)
    return exc


@blp.after_request
def openrosa_headers(response: Response) -> Response:
    response.headers["X-OpenRosa-Version"] = "1.0"
    response.headers["X-OpenRosa-Accept-Content-Length"] = str(current_app.config["MAX_CONTENT_LENGTH"])
    response.date = response.date or datetime.now(UTC)
    return response


@blp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    if exc.status == 401:
        _challenge(exc)
    text = render_message(exc.code, exc.message, exc.errors, exc.params, exc.extra, lang="zh")
    detail = "; ".join(f"{path}: {' '.join(map(str, ms))}" for path, ms in sorted(exc.errors.items()))
    if detail and exc.code not in ("openrosa.bad_request", "openrosa.unknown_element"):
        text = f"{text}（{detail}）"
    headers = dict(exc.headers)
    if getattr(exc, "retry_after", None) is not None:
        headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
    body = responses.message(mask_in_text(text), nature="error")  # an error never carries a full ID number
    return Response(body, exc.status, headers=headers, content_type=XML)


@blp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    status = exc.code or 500
    code = HTTP_CODES.get(status, "http.error")
    params = {"limit": current_app.config.get("MAX_CONTENT_LENGTH")} if status == 413 else {}
    text = render_message(code, exc.description, params=params, lang="zh")
    return Response(responses.message(text, nature="error"), status, content_type=XML)


def _xml(form) -> bytes:
    cache = current_app.extensions.setdefault("gridwork.xforms", {})
    key = (form.id, form.version)
    if key not in cache:
        cache[key] = xform(form)
    return cache[key]


def _md5(data: bytes) -> str:
    return "md5:" + hashlib.md5(data, usedforsecurity=False).hexdigest()


def _form_for_actor(form_id: str):
    for form in catalog().for_role(g.actor.role):
        if form.id == form_id:
            return form
    raise NotFound("No such form.", code="openrosa.form_not_found")


@blp.get("/formList")
@public
def form_list():
    base = server_url()
    listed = [
        responses.ListedForm(
            form_id=form.id,
            name=form.title.get("zh") or form.id,
            version=form.version,
            hash=_md5(_xml(form)),
            download_url=f"{base}/forms/{form.id}.xml",
            manifest_url=f"{base}/forms/{form.id}/manifest",
        )
        for form in catalog().for_role(g.actor.role)
    ]
    return Response(responses.form_list(listed), 200, content_type=XML)


@blp.get("/forms/<string:form_id>.xml")
@public
def form_xml(form_id: str):
    return Response(_xml(_form_for_actor(form_id)), 200, content_type=XML)


@blp.get("/forms/<string:form_id>/manifest")
@public
def form_manifest(form_id: str):
    form = _form_for_actor(form_id)
    files = []
    media = subject_list(form)
    if media:
        data = phone_lists.subject_csv(request_session(), g.actor, form.subject)
        files.append(responses.MediaFile(media, _md5(data), f"{server_url()}/forms/{form.id}/{media}"))
    return Response(responses.manifest(files), 200, content_type=XML)


@blp.get("/forms/<string:form_id>/<string:filename>.csv")
@public
def media_csv(form_id: str, filename: str):
    form = _form_for_actor(form_id)
    if subject_list(form) != f"{filename}.csv":
        raise NotFound("No such file.", code="openrosa.form_not_found")
    data = phone_lists.subject_csv(request_session(), g.actor, form.subject)
    return Response(data, 200, content_type="text/csv; charset=utf-8")


@blp.route("/submission", methods=["HEAD", "GET"])
@public
def submission_probe():
    return Response(status=204)


@blp.post("/submission")
@public
def submission():
    from server.api.base import today
    from server.api.photos import store
    from server.domain.plausibility import Limits

    upload = request.files.get("xml_submission_file")
    if upload is None:
        raise _bad("the multipart part xml_submission_file is missing")
    xml = upload.read()
    files = {
        part.filename or name: (part.read(), part.mimetype or "application/octet-stream")
        for name, part in request.files.items(multi=True)
        if name != "xml_submission_file"
    }
    root, header = instance.read_root(xml)
    form = catalog().get(header.form_id, header.version)
    if form is None:
        raise NotFound("No such form version.", code="openrosa.form_not_found")
    body = instance.to_body(root, form, device_id=request.args.get("deviceID"))
    received = openrosa.receive_xml(
        request_session(),
        g.actor,
        store(),
        form=form,
        body=body,
        xml=xml,
        files=files,
        intake=photos.Intake.from_settings(current_app.config),
        form_lookup=catalog().get,
        header_device_time=None,
        today=today(),
        zone=current_app.config["TIMEZONE"],
        deadline_days=current_app.config["REPORT_DEADLINE_DAYS"],
        limits=Limits.from_settings(current_app.config),
    )
    text = "提交成功，已收到。" if received.status == "created" else "已收到（重复发送）。"
    return Response(responses.message(text), 201, content_type=XML)


def _bad(detail: str) -> ApiError:
    return ApiError(detail, code="openrosa.bad_request", status=400, params={"detail": detail})
