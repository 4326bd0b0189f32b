"""Opaque bearer tokens: 256 random bits shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "gw_"


def new_token() -> tuple[str, bytes]:
    """A fresh token and the digest to store."""
    token = PREFIX + secrets.token_urlsafe(32)  # 32 bytes = 256 bits
    return token, digest(token)


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def from_header(value: str | None) -> str | None:
    """The token in ``Authorization: Bearer <token>``, or None."""
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
