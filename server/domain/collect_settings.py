"""The settings ODK Collect reads from a QR code: zlib-compressed, base64-encoded JSON (docs/openrosa.md)."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any


def settings(*, server_url: str, username: str, password: str, project: str) -> dict[str, Any]:
    return {
        "general": {
            "server_url": server_url,
            "username": username,
            "password": password,
            "form_update_mode": "match_exactly",
            "autosend": "wifi_and_cellular",
        },
        "project": {"name": project, "icon": "G", "color": "#1f6feb"},
        "admin": {},
    }


def qr_payload(value: dict[str, Any]) -> str:
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(data)).decode("ascii")


def read_payload(payload: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(payload)))
    return value
