#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, then runs every test
# twice, on SQLite and on PostgreSQL (a fresh database per run).
#   bash tests/run.sh            everything
#   bash tests/run.sh -k pipeline  extra arguments go to pytest (both databases)
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL_BASE=${PG_URL_BASE:-postgresql://postgres@127.0.0.1:5432}
export REDIS_TEST_URL=${REDIS_TEST_URL:-redis://127.0.0.1:6379/15}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_system_packages() {
  # Chromium drives the browser tests; ffmpeg processes recordings; Pango draws PDF reports.
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v ffmpeg >/dev/null || missing+=(ffmpeg)
  # WeasyPrint (PDF reports) draws text with Pango and needs a font.
  ldconfig -p | grep -q libpangoft2-1.0.so.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
  [ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]} (Debian packages)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

start_services() {
  # PostgreSQL and Redis come with the machine; start them if they are stopped.
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  fi
  if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && command -v redis-server >/dev/null; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp >/dev/null
  fi
}

fresh_postgres_database() {
  local name="portal_test_$$_$(date +%s)"
  psql "$PG_URL_BASE/postgres" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $name" >/dev/null
  echo "$name"
}

install_system_packages
start_services
echo "== installing the project and its test dependencies"
python3 -m pip install -q --disable-pip-version-check -e ".[test]"

echo "== lint"
python3 -m ruff check .

echo "== tests on SQLite"
TEST_DATABASE_URL= python3 -m pytest "$@"

db_name=$(fresh_postgres_database)
trap 'psql "$PG_URL_BASE/postgres" -q -c "DROP DATABASE IF EXISTS $db_name" >/dev/null 2>&1 || true' EXIT
echo "== tests on PostgreSQL ($db_name)"
TEST_DATABASE_URL="$PG_URL_BASE/$db_name" python3 -m pytest "$@"
