#!/usr/bin/env bash
# Operator console benchmark on a real PostgreSQL on this machine (run from anywhere; as root on a fresh
# Debian machine it installs and starts PostgreSQL with the project's own setup step).
#
# Fills a fresh schema with 100k videos and tracks and 1M chunks (bench/console/load.sql), starts
# `juggler console` on it in a JVM limited to 64 MiB of heap, and measures through its JSON API:
#   1. tables: every view of bench/console/queries.txt (a page of 50 rows and its count), BENCH_REPS times
#      after a warm-up round: p95 over all requests, against the chunks of one track (an index lookup);
#   2. sse:    another process re-schedules a failed track; time until a Server-Sent Event shows it
#              (the console re-reads the ledger every --refresh interval: 1 s here);
#   3. csv:    streams all 100k tracks as CSV; peak heap in use during the export from the GC log.
# Appends a "## console" section to docs/benchmarks.md and prints the RESULT line last.
# Knobs: BENCH_TRACKS (100000), BENCH_CHUNKS_PER_TRACK (10), BENCH_REPS (20), JUGGLER_MVN_OFFLINE=1.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
work="$root/target/bench-console"
mkdir -p "$work"
TRACKS="${BENCH_TRACKS:-100000}"
PER="${BENCH_CHUNKS_PER_TRACK:-10}"
REPS="${BENCH_REPS:-20}"
SCHEMA=console_bench
log() { echo "== $*" >&2; }

# --- PostgreSQL: a database and a fresh schema of our own --------------------------------------------
# shellcheck source=bench/lib/postgres.sh
. bench/lib/postgres.sh
bench_postgres bench/console.sh "$work"
url="$JUGGLER_PG_URL"
psql -qAt -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" -c "CREATE SCHEMA $SCHEMA" 2>/dev/null

# --- build ---------------------------------------------------------------------------------------------
mvn_cmd=(mvn -B -q)
[ -n "${JUGGLER_MVN_OFFLINE:-}" ] && mvn_cmd+=(-o)
if command -v flock >/dev/null; then mvn_cmd=(flock "${MVN_LOCK:-/tmp/juggler-mvn.lock}" "${mvn_cmd[@]}"); fi
log "build the juggler tool"
"${mvn_cmd[@]}" -pl samples -am package -DskipTests >&2
jar="$root/samples/target/juggler.jar"
ledger=(--ledger "$url" --ledger-user "$PGUSER" --ledger-password-env PGPASSWORD --schema "$SCHEMA")

# --- data ----------------------------------------------------------------------------------------------
probe() { java -cp "$jar" bench/console/ConsoleProbe.java "$@"; }
log "create the ledger's tables"
probe schema "$url" "$PGUSER" "$SCHEMA" >/dev/null
log "load $TRACKS tracks x $PER chunks"
start="$(date +%s)"
PGOPTIONS="-c search_path=$SCHEMA" psql -q -v tracks="$TRACKS" -v per="$PER" -v now="$(date +%s%3N)" -f bench/console/load.sql >/dev/null
log "loaded in $(( $(date +%s) - start )) s"

# --- the console -----------------------------------------------------------------------------------------
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
gclog="$work/gc.log"
rm -f "$gclog"
java -Xmx64m -XX:+UseSerialGC -Xlog:gc:file="$gclog" -jar "$jar" console "${ledger[@]}" --bind "127.0.0.1:$port" \
  --refresh 1s > "$work/console.log" 2>&1 &
console_pid=$!
trap 'kill "$console_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "$base/api/v1/status" >/dev/null 2>&1 && break
  kill -0 "$console_pid" 2>/dev/null || { cat "$work/console.log" >&2; exit 1; }
  sleep 0.5
done

log "tables: $(grep -c '^/' bench/console/queries.txt) views x $REPS"
tables_out="$(probe tables "$base" bench/console/queries.txt "$REPS")"
echo "$tables_out" >&2
printf '/api/v1/chunks?track=1\n' > "$work/baseline.txt"
baseline_out="$(probe tables "$base" "$work/baseline.txt" "$REPS" | tail -1)"
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
p95="$(echo "$tables_out" | tail -1 | field p95_ms)"
p50="$(echo "$tables_out" | tail -1 | field p50_ms)"
base_p95="$(echo "$baseline_out" | field p95_ms)"

log "sse: 5 updates by another process"
sse_out="$(probe sse "$base" "$url" "$PGUSER" "$SCHEMA" 5 | tail -1)"
echo "$sse_out" >&2
sse_ms="$(echo "$sse_out" | field update_ms_p50)"
sse_max="$(echo "$sse_out" | field update_ms_max)"

log "csv: every track"
mark="$(wc -l < "$gclog")"
csv_out="$(probe csv "$base/api/v1/tracks.csv" | tail -1)"
echo "$csv_out" >&2
kill -0 "$console_pid" 2>/dev/null || { echo "the console died during the export" >&2; cat "$work/console.log" >&2; exit 1; }
# Heap in use before each collection during the export ("Pause Young ... 40M->12M(64M)"): its peak.
csv_heap="$(tail -n +"$((mark + 1))" "$gclog" | sed -n 's/.* \([0-9]*\)M->[0-9]*M([0-9]*M).*/\1/p' | sort -n | tail -1)"
csv_heap="${csv_heap:-0}"
csv_lines="$(echo "$csv_out" | field lines)"
csv_seconds="$(echo "$csv_out" | field seconds)"
kill "$console_pid" 2>/dev/null || true
wait "$console_pid" 2>/dev/null || true
ratio="$(awk -v a="$p95" -v b="$base_p95" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')"

doc="$root/docs/benchmarks.md"
[ -f "$doc" ] || echo "# Benchmarks" > "$doc"
{
  echo
  echo "## console"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, PostgreSQL $pg_version (stock Debian settings), $(java -version 2>&1 | head -1)."
  echo "Run: \`bench/console.sh\`: $TRACKS tracks, $((TRACKS * PER)) chunks; \`juggler console\` with -Xmx64m; $REPS rounds of every view."
  echo
  echo "| measure | value | goal |"
  echo "|---|---|---|"
  echo "| table views (page of 50 + count), p95 / p50 over all requests | $p95 / $p50 ms | p95 ≤ 300 ms |"
  echo "| baseline: the chunks of one track (an index lookup), p95 | $base_p95 ms (views p95 = ${ratio}× it) | - |"
  echo "| panel update by Server-Sent Events after another process's change, p50 / max | $sse_ms / $sse_max ms (refresh 1 s) | - |"
  echo "| CSV export of every track: lines, time, peak heap in use | $csv_lines, $csv_seconds s, $csv_heap MiB of 64 | ≤ 64 MiB |"
  echo
  echo "Per view (p50 / p95):"
  echo
  echo '```'
  echo "$tables_out" | grep -v '^RESULT'
  echo '```'
} >> "$doc"

echo "RESULT console p95_ms_tables=$p95 sse_update_ms=$sse_ms csv_heap_mib=$csv_heap p95_vs_one_track=$ratio"
