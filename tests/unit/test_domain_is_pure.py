"""The domain layer holds rules only: no web framework, database or storage code."""

import ast
from pathlib import Path

import server.domain

FORBIDDEN = (
    "flask",
    "flask_smorest",
    "sqlalchemy",
    "geoalchemy2",
    "boto3",
    "botocore",
    "psycopg",
    "server.store",
    "server.api",
    "server.services",
)


def test_domain_modules_import_no_framework_database_or_storage_code():
    root = Path(server.domain.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN or n.startswith(FORBIDDEN)]
    assert offenders == []
