#!/usr/bin/env bash
# Install what `make run` / `make test` need from the operating system, if it is
# missing: Python's venv module, PostgreSQL 15+ and PostGIS 3 (Debian/Ubuntu).
# Safe to re-run: when everything is present it only looks and exits.
set -euo pipefail

need=()

python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)

# A PostgreSQL server of version 15 or newer with PostGIS 3 for that same version.
have_postgis=""
for bindir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    ver=$(basename "$(dirname "$bindir")")
    if [ "${ver%%.*}" -ge 15 ] && [ -x "$bindir/initdb" ] \
        && ls /usr/share/postgresql/"$ver"/extension/postgis.control >/dev/null 2>&1; then
        have_postgis="$ver"; break
    fi
done
if [ -z "$have_postgis" ] && [ -z "${DATABASE_URL:-}" ]; then
    need+=(postgresql postgresql-contrib postgis)
fi

[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing: ${need[*]}. Install PostgreSQL 15+ with PostGIS 3 and python3-venv," >&2
    echo "or set DATABASE_URL to an existing PostGIS database (see README)." >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "Need root (or sudo) to install: ${need[*]}" >&2; exit 1; }
    sudo="sudo"
fi

echo ">> installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# On Debian/Ubuntu the 'postgis' package pulls postgresql-N-postgis-3 for the
# distribution's default server version N.
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

# Debian's postgresql package starts a system-wide cluster on port 5432; the
# project does not use it (it runs a private instance under var/), so leave it be.
for bindir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    ver=$(basename "$(dirname "$bindir")")
    if [ "${ver%%.*}" -lt 15 ]; then
        echo "PostgreSQL $ver installed, but Gridwork needs 15 or newer." >&2
        echo "Add the PostgreSQL project's apt repository (PGDG) or set DATABASE_URL." >&2
        exit 1
    fi
    break
done
