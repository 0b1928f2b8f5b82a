# Sourced by the benchmarks that need PostgreSQL: `bench_postgres NAME WORKDIR` starts the project's own
# PostgreSQL (scripts/setup.d/20-postgresql.sh; as root on Debian it installs it), makes sure the database
# juggler_bench exists, and exports PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE, JUGGLER_PG_URL (to that
# database) and pg_version. NAME is the calling script, for its error message.
bench_postgres() {
  local name="$1" work="$2" hostport
  export JUGGLER_TEST_ENV="$work/test-env.sh"
  : > "$JUGGLER_TEST_ENV"
  scripts/setup.d/20-postgresql.sh >&2
  # shellcheck disable=SC1090
  . "$JUGGLER_TEST_ENV"
  if [ -z "${JUGGLER_PG_URL:-}" ]; then
    echo "$name needs PostgreSQL: run it as root on Debian, or export JUGGLER_PG_URL/_USER/_PASSWORD" >&2
    exit 1
  fi
  hostport="${JUGGLER_PG_URL#jdbc:postgresql://}"
  hostport="${hostport%%/*}"
  export PGHOST="${hostport%%:*}" PGPORT="${hostport##*:}" PGUSER="$JUGGLER_PG_USER" PGPASSWORD="$JUGGLER_PG_PASSWORD"
  export PGDATABASE=juggler_bench
  if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
    # As the postgres superuser over the local socket: the PG* variables exported above name the test user and
    # the bench database, which may not exist yet, so they must not reach these two commands.
    local as_postgres=(runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD -u PGDATABASE)
    if [ -z "$("${as_postgres[@]}" psql -p "$PGPORT" -d postgres -qAtc "SELECT 1 FROM pg_database WHERE datname = '$PGDATABASE'")" ]; then
      "${as_postgres[@]}" createdb -p "$PGPORT" -O "$PGUSER" "$PGDATABASE"
    fi
  fi
  if ! psql -qAtc 'SELECT 1' >/dev/null 2>&1; then
    echo "$name: cannot reach database $PGDATABASE as $PGUSER (create it, or run as root)" >&2
    exit 1
  fi
  export JUGGLER_PG_URL="jdbc:postgresql://$hostport/$PGDATABASE"
  pg_version="$(psql -qAtc 'SHOW server_version')"
}

# Writes every dirty page out (CHECKPOINT) before a timed run, so that each side of a comparison starts
# from the same state instead of paying for the writes the run before it left behind. As the postgres
# superuser when root; elsewhere as the bench user, which PostgreSQL 15 allows only with pg_checkpoint.
bench_checkpoint() {
  if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
    runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD -u PGDATABASE psql -p "$PGPORT" -d postgres -qAtc CHECKPOINT
  else
    psql -qAtc CHECKPOINT 2>/dev/null || true
  fi
}
