"""HTTP Digest (RFC 7616, MD5, qop=auth) for ODK Collect's device credentials.

Collect answers a ``401`` Digest challenge on any connection (Basic only over HTTPS). The
server stores HA1 = md5(username:realm:secret) and never the secret, so checking a request is
two MD5s and a constant-time compare: as cheap as a bearer token, no argon2 per request.

Nonces are stateless: ``<unix time>.<hmac>``, signed with a key (``OPENROSA_NONCE_KEY``, or a
random per-process key). A nonce older than ``NONCE_SECONDS`` is answered with ``stale=true``,
and Collect retries with the new one without asking the worker.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

REALM = "gridwork"
NONCE_SECONDS = 300
_PARAM = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def ha1(username: str, secret: str, realm: str = REALM) -> str:
    return md5_hex(f"{username}:{realm}:{secret}")


def new_nonce(key: bytes, now: float | None = None) -> str:
    stamp = str(int(now if now is not None else time.time()))
    return f"{stamp}.{_sign(key, stamp)}"


def _sign(key: bytes, stamp: str) -> str:
    return hmac.new(key, stamp.encode(), hashlib.sha256).hexdigest()[:32]


def nonce_state(key: bytes, nonce: str, now: float | None = None) -> str:
    """``ok``, ``stale`` (ours but too old) or ``bad``."""
    stamp, _, signature = nonce.partition(".")
    if not stamp.isdigit() or not hmac.compare_digest(signature, _sign(key, stamp)):
        return "bad"
    age = (now if now is not None else time.time()) - int(stamp)
    return "ok" if -60 <= age <= NONCE_SECONDS else "stale"


def challenge(key: bytes, *, stale: bool = False) -> str:
    """The ``WWW-Authenticate`` value of a 401."""
    value = f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{new_nonce(key)}"'
    return value + (", stale=true" if stale else "")


def parse(header: str | None) -> dict[str, str] | None:
    """The parameters of ``Authorization: Digest ...``, or None for another scheme or a malformed one."""
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _PARAM.finditer(rest)}
    needed = ("username", "realm", "nonce", "uri", "response")
    if any(not params.get(k) for k in needed):
        return None
    return params


def expected_response(params: dict[str, str], stored_ha1: str, method: str) -> str:
    ha2 = md5_hex(f"{method}:{params['uri']}")
    if params.get("qop"):
        return md5_hex(f"{stored_ha1}:{params['nonce']}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}")
    return md5_hex(f"{stored_ha1}:{params['nonce']}:{ha2}")


def verify(params: dict[str, str], stored_ha1: str, method: str) -> bool:
    if params.get("qop") not in (None, "auth") or params.get("realm") != REALM:
        return False
    return hmac.compare_digest(expected_response(params, stored_ha1, method), params["response"].lower())


def client_header(username: str, secret: str, *, method: str, uri: str, nonce: str, nc: int = 1) -> str:
    """What a client (Collect) sends; used by tests and the docs' curl examples."""
    cnonce = secrets.token_hex(8)
    params = {"uri": uri, "nonce": nonce, "nc": f"{nc:08x}", "cnonce": cnonce, "qop": "auth"}
    response = expected_response(params, ha1(username, secret), method)
    return (
        f'Digest username="{username}", realm="{REALM}", nonce="{nonce}", uri="{uri}", algorithm=MD5, '
        f'qop=auth, nc={nc:08x}, cnonce="{cnonce}", response="{response}"'
    )
