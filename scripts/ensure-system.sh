#!/usr/bin/env bash
# Install what `make run` / `make test` need from the operating system, if it is
# missing: Python's venv module, PostgreSQL 15+ and the PostGIS 3 *server
# extension* for that same version (Debian/Ubuntu), and Chromium with a Chinese
# font for the browser tests.
# Safe to re-run: when everything is present it only looks and exits.
#
# Why the explicit package name: on Debian 12 the package `postgis` holds only
# the client tools; the server extension `postgresql-N-postgis-3` is merely a
# Recommends of it, so `--no-install-recommends postgis` leaves the database
# without PostGIS (issue #11). We therefore name `postgresql-N-postgis-3` (and its
# `-scripts`) for the server version N that is, or will be, installed, and check
# afterwards that the extension's control file is really there.
set -euo pipefail

need=()

python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
# ODK Validate (the jar in the pyxform wheel) checks every generated XForm; it runs on Java 17+.
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)

# The browser tests of the web pages (tests/browser/) drive Debian's Chromium through Playwright
# (Playwright's own browser download is never used), and Chinese pages need a CJK font.
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)

# The newest installed PostgreSQL server of version 15 or newer, if any.
server_version() {
    local bindir ver
    for bindir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        ver=$(basename "$(dirname "$bindir")")
        if [ "${ver%%.*}" -ge 15 ] 2>/dev/null && [ -x "$bindir/initdb" ]; then
            echo "$ver"; return 0
        fi
    done
    return 1
}

has_postgis() {  # $1 = server major version
    [ -f "/usr/share/postgresql/$1/extension/postgis.control" ]
}

pg_ver=$(server_version || true)
want_db=""
if [ -z "${DATABASE_URL:-}" ]; then
    if [ -z "$pg_ver" ]; then
        want_db="server"          # no server at all: install one, then its PostGIS
    elif ! has_postgis "$pg_ver"; then
        want_db="extension"       # a server without the extension (the fresh-Debian case)
    fi
fi

[ ${#need[@]} -eq 0 ] && [ -z "$want_db" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing: ${need[*]} ${want_db:+PostgreSQL 15+ with the PostGIS 3 extension}." >&2
    echo "Install them with your system's package manager, or set DATABASE_URL to an" >&2
    echo "existing PostGIS database (see README)." >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "Need root (or sudo) to install system packages" >&2; exit 1; }
    sudo="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
apt_install() {
    echo ">> installing system packages: $*"
    $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

$sudo apt-get update -qq

[ ${#need[@]} -gt 0 ] && apt_install "${need[@]}"

if [ "$want_db" = "server" ]; then
    # Debian's `postgresql` depends on the distribution's default server version.
    apt_install postgresql postgresql-contrib
    pg_ver=$(server_version || true)
    if [ -z "$pg_ver" ]; then
        echo "PostgreSQL was installed, but no version 15 or newer is present." >&2
        echo "Add the PostgreSQL project's apt repository (PGDG) or set DATABASE_URL." >&2
        exit 1
    fi
fi

if [ -n "$want_db" ] && ! has_postgis "$pg_ver"; then
    major="${pg_ver%%.*}"
    apt_install "postgresql-$major-postgis-3" "postgresql-$major-postgis-3-scripts"
fi

if [ -n "$want_db" ] && ! has_postgis "$pg_ver"; then
    echo "PostGIS is still missing for PostgreSQL $pg_ver:" >&2
    echo "  /usr/share/postgresql/$pg_ver/extension/postgis.control not found." >&2
    echo "Install the package postgresql-${pg_ver%%.*}-postgis-3 or set DATABASE_URL." >&2
    exit 1
fi

# Debian's postgresql package starts a system-wide cluster on port 5432; the
# project does not use it (it runs a private instance under var/), so leave it be.
exit 0
