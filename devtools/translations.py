"""Update the web pages' translations: extract the strings, merge them into each messages.po, compile .mo.

.venv/bin/python -m devtools.translations          # after changing page strings; then translate, re-run
.venv/bin/python -m devtools.translations --check  # fails when a string is untranslated or a .mo is stale
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "server" / "web"
TRANSLATIONS = WEB / "translations"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "N_": None}


def template() -> Catalog:
    pot = Catalog(project="gridwork")
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {"extensions": ""}}
    ):
        pot.add(message)
    return pot


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    pot = template()
    problems = []
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if not check:
            with po_path.open("rb") as f:
                catalog = read_po(f)
            catalog.update(pot, no_fuzzy_matching=True)
            out = io.BytesIO()
            write_po(out, catalog, no_location=True, sort_output=True, omit_header=False)
            po_path.write_bytes(out.getvalue())
        with po_path.open("rb") as f:
            catalog = read_po(f)  # the .mo is compiled from the file as committed, so --check can compare
        wanted = {m.id for m in pot if m.id}
        translated = {m.id for m in catalog if m.id and m.string}
        problems += [f"{po_path.relative_to(ROOT)}: untranslated {u!r}" for u in sorted(wanted - translated)]
        compiled = mo_bytes(catalog)
        if not check:
            mo_path.write_bytes(compiled)
        elif not mo_path.exists() or mo_path.read_bytes() != compiled:
            problems.append(f"{mo_path.relative_to(ROOT)} is stale: run python -m devtools.translations")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
