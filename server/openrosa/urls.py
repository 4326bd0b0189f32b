"""Absolute URLs a phone can reach."""

from flask import current_app, request

PREFIX = "/openrosa"


def server_url() -> str:
    """Collect's server URL: EXTERNAL_BASE_URL when set, else the request's (ProxyFix applies PROXY_COUNT)."""
    base = current_app.config.get("EXTERNAL_BASE_URL") or request.url_root.rstrip("/")
    return base + PREFIX
