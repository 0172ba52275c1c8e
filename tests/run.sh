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

bash .ci/system-packages.sh --tests
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
