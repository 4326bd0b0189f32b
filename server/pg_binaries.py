"""Where the PostgreSQL client and server programs are (pg_dump, pg_restore, pg_ctl, ...).

Backup and restore need them in production too, so this lives in the server package;
the development database (devtools/devdb.py) uses it as well.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path


class PostgresNotFound(RuntimeError):
    """No usable PostgreSQL installation; the message says what to do."""


def find_bindir() -> Path:
    """PG_BINDIR, or the newest PostgreSQL (15+) whose PostGIS extension is installed."""
    env = os.environ.get("PG_BINDIR")
    if env:
        return Path(env)
    candidates = []
    for bindir in glob.glob("/usr/lib/postgresql/*/bin"):
        version = Path(bindir).parent.name
        major = version.split(".")[0]
        if not major.isdigit() or int(major) < 15:
            continue
        if glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"):
            candidates.append((int(major), Path(bindir)))
    if not candidates:
        raise PostgresNotFound(
            "no PostgreSQL 15+ with PostGIS found under /usr/lib/postgresql; "
            "run `make run` (it installs them) or set DATABASE_URL"
        )
    return max(candidates)[1]
