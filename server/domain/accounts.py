"""Rules for accounts: usernames, passwords, and the scope each role needs."""

from __future__ import annotations

import re
import unicodedata

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def normalise_username(raw: str) -> str:
    """Usernames compare case-insensitively and ignore surrounding spaces."""
    return unicodedata.normalize("NFKC", raw).strip().lower()


def username_problems(username: str) -> list[str]:
    if not USERNAME_RE.match(username):
        return ["Use 2-64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."]
    return []


def password_problems(password: str, *, min_length: int = 8, max_length: int = 128) -> list[str]:
    """What is wrong with a new password (empty when it is acceptable).

    Length is what matters (NIST SP 800-63B): no composition rules, but a
    minimum, a generous maximum, and no password made of one repeated character.
    """
    problems = []
    if len(password) < min_length:
        problems.append(f"Use at least {min_length} characters.")
    if len(password) > max_length:
        problems.append(f"Use at most {max_length} characters.")
    if password and len(set(password)) == 1 and len(password) >= min_length:
        problems.append("Do not repeat a single character.")
    return problems


def scope_problems(role: str, *, grids: list[str], community: str | None, station: str | None) -> dict[str, list[str]]:
    """Which scope fields a role needs, and which it must not have."""
    problems: dict[str, list[str]] = {}
    needs = {
        "grid_worker": "grids",
        "committee": "community",
        "police": "station",
    }.get(role)
    given = {"grids": bool(grids), "community": community is not None, "station": station is not None}
    for name, present in given.items():
        if name == needs and not present:
            problems[name] = [f"A {role} account needs a {name[:-1] if name == 'grids' else name}."]
        elif name != needs and present:
            problems[name] = [f"A {role} account has no {name} scope; leave it out."]
    return problems
