"""The layers import only downwards (ARCHITECTURE.md, request flow): api -> services -> domain and store.

These tests read the source, so they hold for code no test happens to run.
"""

import ast
import sys
from pathlib import Path

import server

SERVER = Path(server.__file__).parent

# api/ modules that still read models or queries themselves, for building view dicts row by row;
# issue 14's presenting part replaces those dicts with schemas over joined queries from store/.
# Nothing may be added here; remove a line when its module stops needing it.
API_NOT_YET_CLEAN: set[str] = set()

# Pure libraries the domain may use: they compute over values and do no I/O.
# shapely: geometry rules (ARCHITECTURE.md convention 7); lark: form expressions; jsonschema: form definitions.
DOMAIN_LIBRARIES = ("shapely", "lark", "jsonschema")


def _imports(path: Path) -> list[str]:
    """Absolute module names a file imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(SERVER.parent).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
                names += [module] if node.module else [f"{module}.{a.name}" for a in node.names]
            else:
                names.append(node.module)
    return names


def _offenders(layer: str, forbidden, allowed=lambda name: False, skip=frozenset()) -> list[str]:
    found = []
    for path in sorted((SERVER / layer).rglob("*.py")):
        if path.name in skip:
            continue
        for name in _imports(path):
            if forbidden(name) and not allowed(name):
                found.append(f"{path.relative_to(SERVER)}: {name}")
    return found


def _within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def test_api_reads_no_models_or_queries_it_asks_services():
    offenders = _offenders(
        "api", lambda n: _within(n, "server.store.models", "server.store.queries"), skip=API_NOT_YET_CLEAN
    )
    assert offenders == []


def test_services_know_nothing_of_the_web_framework():
    offenders = _offenders(
        "services", lambda n: _within(n, "flask", "flask_smorest", "werkzeug", "webargs", "server.api")
    )
    assert offenders == []


def test_domain_imports_only_itself_the_standard_library_and_pure_libraries():
    def outside(name: str) -> bool:
        top = name.split(".")[0]
        return not (top in sys.stdlib_module_names or top == "__future__" or _within(name, "server.domain"))

    offenders = _offenders("domain", outside, allowed=lambda n: _within(n, *DOMAIN_LIBRARIES))
    assert offenders == []


def test_relative_imports_count_as_the_modules_they_name():
    """``from .houses import X`` inside server/domain is server.domain.houses: a leak spelt relatively is seen."""
    assert "server.domain.houses" in _imports(SERVER / "domain" / "registry.py")
    assert "server.api.schemas.houses" in _imports(SERVER / "api" / "houses.py")


def test_web_pages_call_services_and_never_run_their_own_sql():
    """server/web (issue 16) shows what the API shows: through the services, never models, queries or SQLAlchemy."""
    offenders = _offenders(
        "web", lambda n: _within(n, "server.store.models", "server.store.queries", "sqlalchemy", "geoalchemy2")
    )
    assert offenders == []
