#!/usr/bin/env bash
# PostgreSQL 15 for the ledger tests and bench/ledger.sh: installs the Debian package if missing,
# starts the stock cluster without systemd, and creates a password-protected role and database for
# tests. Appends JUGGLER_PG_URL / _USER / _PASSWORD to $JUGGLER_TEST_ENV. Rerunnable: an existing
# role gets its password reset, an existing database is kept, a running cluster is left running.
set -euo pipefail

PG_VERSION="${JUGGLER_PG_VERSION:-15}"
PG_CLUSTER=main
PG_PORT="${JUGGLER_PG_PORT:-5432}"
DB=juggler_test
ROLE=juggler_test
# A fixed, test-only password: the server listens on 127.0.0.1 only and holds nothing but test data.
# Override with JUGGLER_PG_TEST_PASSWORD when that matters.
PASSWORD="${JUGGLER_PG_TEST_PASSWORD:-juggler-test-pw}"

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "skip: PostgreSQL setup needs root and apt-get (the PostgreSQL tests will skip, or fail with CI=true)"
  exit 0
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -x "/usr/lib/postgresql/$PG_VERSION/bin/postgres" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package creates cluster $PG_VERSION/main but (without systemd) does not start it.
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  echo "installed postgresql"
fi

if ! pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" 2>/dev/null)" ]; then
  # Only a port asked for is forced: without -p, pg_createcluster picks the next free one (read back below).
  pg_createcluster ${JUGGLER_PG_PORT:+-p "$JUGGLER_PG_PORT"} "$PG_VERSION" "$PG_CLUSTER" >/dev/null
fi
# An existing cluster keeps the port it was made with: use that one, and say so if it is not the one asked for.
actual_port="$(pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" | awk '{print $3}')"
if [ -n "$actual_port" ] && [ "$actual_port" != "$PG_PORT" ]; then
  echo "note: cluster $PG_VERSION/$PG_CLUSTER listens on port $actual_port, not $PG_PORT; using $actual_port"
  PG_PORT="$actual_port"
fi

# pg_ctlcluster needs the socket directory that systemd-tmpfiles would have made.
install -d -o postgres -g postgres -m 2775 /var/run/postgresql

status="$(pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" | awk '{print $4}')"
if [ "$status" != online ]; then
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
  echo "started PostgreSQL $PG_VERSION/$PG_CLUSTER"
else
  echo "PostgreSQL $PG_VERSION/$PG_CLUSTER already running"
fi

for _ in $(seq 1 50); do
  if runuser -u postgres -- psql -p "$PG_PORT" -qAtc 'SELECT 1' >/dev/null 2>&1; then
    break
  fi
  sleep 0.2
done

# Role and database, idempotently. The password reaches psql through its environment (\getenv), so
# psql quotes it (:'pw') and it never appears in a process list.
JUGGLER_PW="$PASSWORD" runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAt -v role="$ROLE" >/dev/null <<'SQL'
\getenv pw JUGGLER_PW
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'pw') \gexec
SQL
if [ -z "$(runuser -u postgres -- psql -p "$PG_PORT" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
  runuser -u postgres -- createdb -p "$PG_PORT" -O "$ROLE" "$DB"
  echo "created database $DB"
fi

url="jdbc:postgresql://127.0.0.1:$PG_PORT/$DB"
if [ -n "${JUGGLER_TEST_ENV:-}" ]; then
  {
    # %q quotes for the shell that sources the file, whatever the (overridden) password contains.
    printf 'export JUGGLER_PG_URL=%q\n' "$url"
    printf 'export JUGGLER_PG_USER=%q\n' "$ROLE"
    printf 'export JUGGLER_PG_PASSWORD=%q\n' "$PASSWORD"
  } >> "$JUGGLER_TEST_ENV"
fi
echo "PostgreSQL ready at $url (user $ROLE)"
