"""Reading the targets policy files: ``field_schema/policies/targets/<version>.yaml``.

Like the tier policy (``server/policies/tiers.py``): the highest version is in force, every figure names the
version that produced it, and ``field_schema/policies/targets.lock.json`` keeps each published file's SHA-256,
so a version that is unpublished, edited after publishing, or gone is refused. Checking is pure domain code
(``server.domain.targets.policy.load_policy``). ``python -m server.policies.targets [FILE]`` checks files;
``--lock`` publishes the versions not yet in the lock.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from server.domain.targets.policy import Policy, load_policy
from server.domain.tiers.policy import PolicyError
from server.policies import locked

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "field_schema" / "policies" / "targets"


def read(path: Path) -> Policy:
    return locked.read(path, load_policy)


@lru_cache(maxsize=4)
def current_policy(directory: Path = DEFAULT_DIR) -> Policy:
    return locked.in_force(directory, load_policy, kind="targets", module="server.policies.targets", named_by="figures")


def publish(directory: Path = DEFAULT_DIR) -> list[str]:
    """Add the versions not yet in the lock (after checking they read); returns those added."""
    return locked.publish(directory, load_policy)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    try:
        if args == ["--lock"]:
            added = publish()
            print("published: " + (", ".join(added) if added else "nothing new"))
            return 0
        for path in [Path(a) for a in args] or locked.files(DEFAULT_DIR):
            policy = read(path)
            print(f"{path}: ok (version {policy.version}, {len(policy.indicators)} indicators)")
    except PolicyError as exc:
        print(exc.code, *exc.problems, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
