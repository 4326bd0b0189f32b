"""The shipped forms: reading field_schema/ (the only form code that touches files).

Layout under the root (default: the repository's ``field_schema/``)::

    meta-schema.json                    JSON Schema of a form file
    forms/<form_id>/<version>.yaml      one file per form version
    forms.lock.json                     {"<form_id>/<version>": "<sha256 of the file's bytes>"}

A version in the lock is *published*: stored answers name it, so its file must
never change or disappear (ARCHITECTURE.md, convention 8). ``load_catalog``
refuses to start when a published file's hash differs from the lock or the
file is gone, and refuses versions missing from the lock unless
``allow_unpublished=True`` (for form authors). ``write_lock`` (also
``python -m server.forms.catalog --lock``) adds new versions to the lock after
checking that they load; it never changes or removes an existing entry.

YAML is read with the safe loader, tightened for form authors: only
``true``/``false`` are booleans (``yes``, ``no``, ``on``, ``off`` stay text, so a
choice value ``no`` is the string "no"), dates stay text (``2026-01-01`` is not
turned into a date object), and a key given twice in one mapping is an error.
Quote versions: ``version: "2026.10"`` (unquoted it is the number 2026.1).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from server.domain.forms.definition import Form, FormDefinitionError, form_to_dict, load_form

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "field_schema"
FORMS_DIR = "forms"
META_SCHEMA_FILE = "meta-schema.json"
LOCK_FILE = "forms.lock.json"


class CatalogError(ValueError):
    """The form files cannot be served as they are; ``problems`` lists why, one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def version_key(version: str) -> tuple[int, ...]:
    """Natural order of versions: "2026.10" > "2026.9"."""
    return tuple(int(part) for part in version.split("."))


@dataclass
class Catalog:
    forms: dict[tuple[str, str], Form]

    def get(self, form_id: str, version: str) -> Form | None:
        return self.forms.get((form_id, version))

    def versions(self, form_id: str) -> list[str]:
        return sorted((v for i, v in self.forms if i == form_id), key=version_key)

    def current(self) -> list[Form]:
        """The highest version of each form, by form id."""
        best: dict[str, Form] = {}
        for (form_id, version), form in self.forms.items():
            if form_id not in best or version_key(version) > version_key(best[form_id].version):
                best[form_id] = form
        return [best[form_id] for form_id in sorted(best)]

    def for_role(self, role: str) -> list[Form]:
        """The current versions ``role`` may fill in."""
        return [form for form in self.current() if role in form.roles]

    def etag(self, role: str) -> str:
        """A stable hash of the current definitions ``role`` may fill (changes when any of them does)."""
        payload = json.dumps(
            [form_to_dict(f) for f in self.for_role(role)], sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def load_catalog(root: Path | None = None, *, allow_unpublished: bool = False) -> Catalog:
    """Read, verify against the lock and check every form file; CatalogError lists every problem."""
    root = Path(root) if root is not None else DEFAULT_ROOT
    meta_schema = load_meta_schema(root)
    lock = read_lock(root)
    files = _scan(root)
    problems = [
        f"{FORMS_DIR}/{key}.yaml: published in {LOCK_FILE} but the file is missing; a published "
        f"version is never removed"
        for key in sorted(set(lock) - set(files))
    ]
    forms: dict[tuple[str, str], Form] = {}
    for key, (_path, content) in sorted(files.items()):
        shown = f"{FORMS_DIR}/{key}.yaml"
        digest = hashlib.sha256(content).hexdigest()
        if key in lock and lock[key] != digest:
            problems.append(
                f"{shown}: changed after it was published (sha256 {digest}, {LOCK_FILE} says "
                f"{lock[key]}); a published version is immutable: restore it and put the change "
                f"in a new version"
            )
            continue
        if key not in lock and not allow_unpublished:
            problems.append(
                f"{shown}: not published (no entry in {LOCK_FILE}); check it and run "
                f"`python -m server.forms.catalog --lock` to publish it"
            )
            continue
        try:
            form = _read_form(shown, key, content, meta_schema)
        except CatalogError as exc:
            problems += exc.problems
            continue
        forms[(form.id, form.version)] = form
    if problems:
        raise CatalogError(problems)
    return Catalog(forms)


def write_lock(root: Path | None = None) -> list[str]:
    """Publish the versions not yet in the lock (after checking they load); returns the keys added.

    An existing entry is never changed: if a published file was edited, load_catalog's refusal is
    raised and nothing is written.
    """
    root = Path(root) if root is not None else DEFAULT_ROOT
    load_catalog(root, allow_unpublished=True)
    lock = read_lock(root)
    added = []
    for key, (_, content) in sorted(_scan(root).items()):
        if key not in lock:
            lock[key] = hashlib.sha256(content).hexdigest()
            added.append(key)
    if added:
        write_json_atomically(root / LOCK_FILE, dict(sorted(lock.items())))
    return added


def load_meta_schema(root: Path | None = None) -> dict:
    root = Path(root) if root is not None else DEFAULT_ROOT
    return json.loads((root / META_SCHEMA_FILE).read_text(encoding="utf-8"))


def read_lock(root: Path) -> dict[str, str]:
    path = Path(root) / LOCK_FILE
    if not path.exists():
        return {}
    lock = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(lock, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in lock.items()):
        raise CatalogError([f'{LOCK_FILE}: must map "<form_id>/<version>" to a sha256 hex digest'])
    return lock


# --- files -----------------------------------------------------------------------------------


def _scan(root: Path) -> dict[str, tuple[Path, bytes]]:
    """ "<form_id>/<version>" -> (path, bytes) for every forms/<id>/<version>.yaml, read once."""
    found: dict[str, tuple[Path, bytes]] = {}
    forms_dir = root / FORMS_DIR
    if not forms_dir.is_dir():
        return found
    for form_dir in sorted(p for p in forms_dir.iterdir() if p.is_dir()):
        for path in sorted(form_dir.glob("*.yaml")):
            found[f"{form_dir.name}/{path.name[: -len('.yaml')]}"] = (path, path.read_bytes())
    return found


def _read_form(shown: str, key: str, content: bytes, meta_schema: dict) -> Form:
    try:
        data = yaml.load(content.decode("utf-8"), Loader=_FormYamlLoader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogError([f"{shown}: not valid YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise CatalogError([f"{shown}: a form file is a mapping of id, version, title, roles, subject, kind, fields"])
    form_id, version = key.split("/", 1)
    problems = []
    if data.get("id") != form_id:
        problems.append(f"{shown}: id is {data.get('id')!r} but the folder says {form_id!r}")
    if data.get("version") != version:
        hint = " (quote the version in YAML)" if isinstance(data.get("version"), (int, float)) else ""
        problems.append(f"{shown}: version is {data.get('version')!r} but the file name says {version!r}{hint}")
    if problems:
        raise CatalogError(problems)
    try:
        return load_form(data, meta_schema=meta_schema)
    except FormDefinitionError as exc:
        raise CatalogError([f"{shown}: {p}" for p in exc.problems]) from None


def write_json_atomically(path: Path, data: dict) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


if TYPE_CHECKING:  # the checker sees one class; at run time libyaml's when PyYAML was built with it
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FormYamlLoader(_SafeLoader):
    """SafeLoader with YAML 1.2 booleans (true/false only), no implicit dates, and no duplicate keys."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_FormYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}
_FormYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m server.forms.catalog", description="Check the form files; with --lock, publish new versions."
    )
    parser.add_argument(
        "--lock", action="store_true", help="add new versions to forms.lock.json (never changes an existing entry)"
    )
    parser.add_argument("--root", type=Path, default=None, help="the field_schema folder (default: the repository's)")
    args = parser.parse_args(argv)
    try:
        if args.lock:
            added = write_lock(args.root)
            print("published: " + ", ".join(added) if added else "nothing new to publish")
        catalog = load_catalog(args.root)
    except CatalogError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 1
    for form in catalog.current():
        print(f"{form.id} {form.version}: {len(catalog.versions(form.id))} version(s), roles {', '.join(form.roles)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
