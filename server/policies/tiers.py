"""Reading the tier policy files: ``field_schema/policies/tiers/<version>.yaml``.

The highest version is the one in force (``current_policy``); every stored
evaluation names the version that produced it, so a published version never
changes: ``field_schema/policies/tiers.lock.json`` keeps each published file's
SHA-256 (like ``forms.lock.json``), and a version that is unpublished, edited
after publishing, or gone is refused. Checking is pure domain code
(``server.domain.tiers.policy.load_policy``); this module only reads files.
``python -m server.policies.tiers [FILE]`` checks files and prints their
problems; ``--lock`` publishes the versions not yet in the lock.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from server.domain.forms.definition import HAZARDS
from server.domain.tiers.policy import Policy, PolicyError, load_policy
from server.policies import locked

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "field_schema" / "policies" / "tiers"


def _load(data) -> Policy:
    return load_policy(data, known_hazards=HAZARDS)


def read(path: Path) -> Policy:
    return locked.read(path, _load)


@lru_cache(maxsize=4)
def current_policy(directory: Path = DEFAULT_DIR) -> Policy:
    return locked.in_force(directory, _load, kind="tier", module="server.policies.tiers", named_by="stored evaluations")


def publish(directory: Path = DEFAULT_DIR) -> list[str]:
    """Add the versions not yet in the lock (after checking they read); returns those added."""
    return locked.publish(directory, _load)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args == ["--lock"]:
        try:
            added = publish()
        except PolicyError as exc:
            print(exc.code, *exc.problems, sep="\n  ")
            return 1
        print("published: " + (", ".join(added) if added else "nothing new"))
        return 0
    paths = [Path(a) for a in args] or sorted(DEFAULT_DIR.glob("*.yaml"))
    failed = 0
    for path in paths:
        try:
            policy = read(path)
            print(
                f"{path}: ok (version {policy.version}, {len(policy.house.rules) if policy.house else 0} house rules, "
                f"{len(policy.unit.rules) if policy.unit else 0} unit rules)"
            )
        except PolicyError as exc:
            failed += 1
            print(f"{path}: {exc.code}", *exc.problems, sep="\n  ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
