"""Reading the tier policy files: ``field_schema/policies/tiers/<version>.yaml``.

The highest version is the one in force (``current_policy``); every stored
evaluation names the version that produced it. Checking is pure domain code
(``server.domain.tiers.policy.load_policy``); this module only reads files.
``python -m server.policies.tiers [FILE]`` checks a file and prints its problems.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import yaml

from server.domain.forms.definition import HAZARDS
from server.domain.tiers.policy import Policy, PolicyError, load_policy
from server.forms.catalog import version_key

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "field_schema" / "policies" / "tiers"


def read(path: Path) -> Policy:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyError([f"{path.name}: not YAML: {exc}"]) from exc
    policy = load_policy(data, known_hazards=HAZARDS)
    if policy.version != path.name.removesuffix(".yaml"):
        raise PolicyError([f"{path.name}: says version {policy.version}; the file name must match"])
    return policy


@lru_cache(maxsize=4)
def current_policy(directory: Path = DEFAULT_DIR) -> Policy:
    files = sorted(directory.glob("*.yaml"), key=lambda p: version_key(p.name.removesuffix(".yaml")))
    if not files:
        raise PolicyError([f"no tier policy under {directory}"])
    return read(files[-1])


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    paths = [Path(a) for a in args] or sorted(DEFAULT_DIR.glob("*.yaml"))
    failed = 0
    for path in paths:
        try:
            policy = read(path)
            print(f"{path}: ok (version {policy.version}, {len(policy.house.rules)} house rules, "
                  f"{len(policy.unit.rules)} unit rules)")
        except PolicyError as exc:
            failed += 1
            print(f"{path}: {exc.code}", *exc.problems, sep="\n  ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
