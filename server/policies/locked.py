"""Versioned, hash-locked policy files (``field_schema/policies/<kind>/<version>.yaml``): the one mechanism
behind the tier policy and the targets policy.

The highest version is the one in force; everything computed from a policy names its version, so a published
version never changes: ``field_schema/policies/<kind>.lock.json`` keeps each published file's SHA-256 (like
``forms.lock.json``), and a version that is unpublished, edited after publishing, or gone is refused. Checking a
file's content is pure domain code (the ``load`` a kind passes in); this module only reads files and the lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from server.domain.tiers.policy import PolicyError
from server.forms.catalog import version_key, write_json_atomically


def lock_path(directory: Path) -> Path:
    return directory.parent / f"{directory.name}.lock.json"


def read_lock(directory: Path) -> dict[str, str]:
    path = lock_path(directory)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def version_of(path: Path) -> str:
    return path.name.removesuffix(".yaml")


def files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml"), key=lambda p: version_key(version_of(p)))


def read(path: Path, load: Callable[[Any], Any]) -> Any:
    """One policy file, checked by ``load``; its ``version`` must match the file name."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyError([f"{path.name}: not YAML: {exc}"]) from exc
    policy = load(data)
    if policy.version != version_of(path):
        raise PolicyError([f"{path.name}: says version {policy.version}; the file name must match"])
    return policy


def in_force(directory: Path, load: Callable[[Any], Any], *, kind: str, module: str, named_by: str) -> Any:
    """The newest version, refused unless it and every published version are as the lock says.
    ``kind`` names the policy in messages, ``module`` the command that publishes, ``named_by`` what names a version.
    """
    found = files(directory)
    if not found:
        raise PolicyError([f"no {kind} policy under {directory}"])
    lock = read_lock(directory)
    problems = [
        f"{v}: published but its file is gone; a published version is never removed"
        for v in sorted(set(lock) - {version_of(p) for p in found})
    ]
    newest = found[-1]
    digest = hashlib.sha256(newest.read_bytes()).hexdigest()
    if version_of(newest) not in lock:
        problems.append(f"{newest.name}: not published; check it, then run `python -m {module} --lock`")
    elif lock[version_of(newest)] != digest:
        problems.append(
            f"{newest.name}: changed after it was published ({named_by} name this version); "
            "restore it and put the change in a new version"
        )
    if problems:
        raise PolicyError(problems)
    return read(newest, load)


def publish(directory: Path, load: Callable[[Any], Any]) -> list[str]:
    """Add the versions not yet in the lock (after checking they read); returns those added."""
    lock = read_lock(directory)
    added = []
    for path in files(directory):
        if version_of(path) not in lock:
            read(path, load)
            lock[version_of(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            added.append(version_of(path))
    if added:
        write_json_atomically(lock_path(directory), dict(sorted(lock.items(), key=lambda kv: version_key(kv[0]))))
    return added
