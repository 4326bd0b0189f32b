"""Reading the targets policy files: ``field_schema/policies/targets/<version>.yaml``.

Like the tier policy (``server/policies/tiers.py``): the highest version is in force, every figure names the
version that produced it, and ``field_schema/policies/targets.lock.json`` keeps each published file's SHA-256,
so a version that is unpublished, edited after publishing, or gone is refused. Checking is pure domain code
(``server.domain.targets.policy.load_policy``). ``python -m server.policies.targets [FILE]`` checks files;
``--lock`` publishes the versions not yet in the lock.
"""

from __future__ import annotations

import hashlib
import sys
from functools import lru_cache
from pathlib import Path

import yaml

from server.domain.targets.policy import Policy, load_policy
from server.domain.tiers.policy import PolicyError
from server.forms.catalog import version_key, write_json_atomically
from server.policies.tiers import lock_path, read_lock

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "field_schema" / "policies" / "targets"


def read(path: Path) -> Policy:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyError([f"{path.name}: not YAML: {exc}"]) from exc
    policy = load_policy(data)
    if policy.version != path.name.removesuffix(".yaml"):
        raise PolicyError([f"{path.name}: says version {policy.version}; the file name must match"])
    return policy


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml"), key=lambda p: version_key(p.name.removesuffix(".yaml")))


def _version(path: Path) -> str:
    return path.name.removesuffix(".yaml")


@lru_cache(maxsize=4)
def current_policy(directory: Path = DEFAULT_DIR) -> Policy:
    files = _files(directory)
    if not files:
        raise PolicyError([f"no targets policy under {directory}"])
    lock = read_lock(directory)
    problems = [
        f"{v}: published but its file is gone; a published version is never removed"
        for v in sorted(set(lock) - {_version(p) for p in files})
    ]
    newest = files[-1]
    digest = hashlib.sha256(newest.read_bytes()).hexdigest()
    if _version(newest) not in lock:
        problems.append(f"{newest.name}: not published; check it, then run `python -m server.policies.targets --lock`")
    elif lock[_version(newest)] != digest:
        problems.append(
            f"{newest.name}: changed after it was published (figures name this version); "
            "restore it and put the change in a new version"
        )
    if problems:
        raise PolicyError(problems)
    return read(newest)


def publish(directory: Path = DEFAULT_DIR) -> list[str]:
    """Add the versions not yet in the lock (after checking they read); returns those added."""
    lock = read_lock(directory)
    added = []
    for path in _files(directory):
        if _version(path) not in lock:
            read(path)
            lock[_version(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            added.append(_version(path))
    if added:
        write_json_atomically(lock_path(directory), dict(sorted(lock.items(), key=lambda kv: version_key(kv[0]))))
    return added


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    try:
        if args == ["--lock"]:
            added = publish()
            print("published: " + (", ".join(added) if added else "nothing new"))
            return 0
        for path in [Path(a) for a in args] or _files(DEFAULT_DIR):
            policy = read(path)
            print(f"{path}: ok (version {policy.version}, {len(policy.indicators)} indicators)")
    except PolicyError as exc:
        print(exc.code, *exc.problems, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
