#!/usr/bin/env bash
# Storage benchmark: what a frame result costs in the ledger's PostgreSQL, before and after the compact
# encoding (docs/storage.md), on a real PostgreSQL on this machine (as root on a fresh Debian machine it
# installs and starts it with the project's own setup step). Run from anywhere.
#
#  1. bytes per frame for three shapes (BODY_25 one person; BODY_25 + face + hands, two people; nobody),
#     as independent frames, and the first two also as the consecutive frames of one shot (_MOVING: the
#     people move a little from frame to frame, OpenPoseShapes.Scene): the JSON text; the OpenPose file on
#     disk (with its file system block); the results table as it was (JSON text in a VARCHAR, loaded with
#     psql \copy); the ledger's results table now (storeResults). Table sizes are pg_total_relation_size
#     (heap, TOAST, primary key index) / frames.
#  2. ingest: psql \copy of the JSON rows into the old layout vs storeResults (encoding + binary COPY) of
#     the same rows; each measured three times, alternating, best run of each side kept.
#  3. export: the ledger's track read back in frame order as OpenPose JSON text, frames/s.
#  4. scale: BENCH_SCALE_ROWS (50,000,000) BODY_25 rows into one ledger; ingest rate and bytes per frame over
#     the first and the last million (must stay flat), the index's share, and pg_dump's rate on that table
#     (for the backup estimate in docs/storage.md).
#  5. your own OpenPose output (only with BENCH_OPENPOSE_DIRS): each folder of *_keypoints.json files (or *.json,
#     where none is named so; files that are not OpenPose JSON are left out and counted), one shot per folder, read
#     and written back as Juggler writes it, stored like step 1 (repeated to at least
#     BENCH_OPENPOSE_FRAMES, 20000, frames, each copy from a multiple of 64 frames: a block never holds two copies);
#     bytes per frame against Juggler's JSON text and against the files; over all folders, weighted by their frames
#     (the RESULT line's bytes_vs_json_given).
#
# Appends a "## storage" section to docs/benchmarks.md and prints the RESULT line last. Knobs:
# BENCH_ROWS (300000, for BODY_25 and empty), BENCH_ROWS_FULL (50000), BENCH_FILES (10000 files per shape),
# BENCH_BATCH (5000), BENCH_SCALE_ROWS (50000000; 0 skips step 4), BENCH_OPENPOSE_DIRS (folders separated by ':',
# like PATH), BENCH_OPENPOSE_FRAMES (20000), JUGGLER_MVN_OFFLINE=1 to build with mvn -o.
# Needs about 15 GB free on PostgreSQL's disk for step 4; every table it makes is dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
work="$root/target/bench-storage"
rm -rf "$work"
mkdir -p "$work"

ROWS="${BENCH_ROWS:-300000}"
ROWS_FULL="${BENCH_ROWS_FULL:-50000}"
FILES="${BENCH_FILES:-10000}"
BATCH="${BENCH_BATCH:-5000}"
SCALE_ROWS="${BENCH_SCALE_ROWS:-50000000}"
SHAPES="BODY_ONE FULL_TWO EMPTY BODY_ONE_MOVING FULL_TWO_MOVING"
OPENPOSE_DIRS="${BENCH_OPENPOSE_DIRS:-}"
OPENPOSE_FRAMES="${BENCH_OPENPOSE_FRAMES:-20000}"

log() { echo "== $*" >&2; }

# shellcheck source=bench/lib/postgres.sh
. bench/lib/postgres.sh
bench_postgres bench/storage.sh "$work"

mvn_cmd=(mvn -B -q)
[ -n "${JUGGLER_MVN_OFFLINE:-}" ] && mvn_cmd+=(-o)
if command -v flock >/dev/null; then mvn_cmd=(flock "${MVN_LOCK:-/tmp/juggler-mvn.lock}" "${mvn_cmd[@]}"); fi
log "build (samples and what it needs)"
"${mvn_cmd[@]}" -pl samples -am install -DskipTests >&2
"${mvn_cmd[@]}" -pl samples dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=test >&2
CP="$root/samples/target/test-classes:$root/samples/target/classes:$(cat "$work/classpath.txt")"
bench() { java -Xmx2g -XX:+UseParallelGC -cp "$CP" dev.juggler.samples.bench.StorageBench "$@"; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
q() { psql -qAt -c "$1"; }
cleanup() {
  for shape in $SHAPES; do
    lower="$(echo "$shape" | tr 'A-Z' 'a-z')"
    q "DROP TABLE IF EXISTS bench_json_$lower" >/dev/null 2>&1 || true
    bench drop "bst_${lower}_" >/dev/null 2>&1 || true
  done
  for prefix in bench_st_scale_ bench_st_files_; do
    bench drop "$prefix" >/dev/null 2>&1 || true
  done
  rm -rf "$work"/*.tsv "$work"/files-*
}
trap cleanup EXIT

# --- 1-3, per shape ------------------------------------------------------------------------------------
declare -A json_bytes file_bytes file_apparent old_bytes new_bytes copy_rps ledger_rps export_fps
for shape in $SHAPES; do
  lower="$(echo "$shape" | tr 'A-Z' 'a-z')"
  n="$ROWS"; case "$shape" in FULL_TWO*) n="$ROWS_FULL" ;; esac
  log "$shape: generate $n rows and $FILES files"
  line="$(bench rows "$shape" "$n" "$work/$lower.tsv" "$work/files-$lower" "$FILES" | tail -1)"
  json_bytes[$shape]="$(echo "$line" | field avg_json_bytes)"
  file_bytes[$shape]="$(per "$(du -B1 -s "$work/files-$lower" | cut -f1)" "$FILES")"
  file_apparent[$shape]="$(per "$(du -B1 -s --apparent-size "$work/files-$lower" | cut -f1)" "$FILES")"
  copy_rps[$shape]=0; ledger_rps[$shape]=0
  for round in 1 2 3; do
    q "DROP TABLE IF EXISTS bench_json_$lower" >/dev/null
    q "CREATE TABLE bench_json_$lower (track_id BIGINT NOT NULL, frame BIGINT NOT NULL, payload VARCHAR NOT NULL,
         CONSTRAINT bench_json_${lower}_pk PRIMARY KEY (track_id, frame))" >/dev/null
    start="$(date +%s%N)"
    q "\\copy bench_json_$lower (track_id, frame, payload) FROM '$work/$lower.tsv'"
    end="$(date +%s%N)"
    rps="$(awk -v n="$n" -v ns="$((end - start))" 'BEGIN { printf "%.0f", n / (ns / 1e9) }')"
    copy_rps[$shape]="$(max "${copy_rps[$shape]}" "$rps")"
    old_bytes[$shape]="$(per "$(q "SELECT pg_total_relation_size('bench_json_$lower')")" "$n")"
    line="$(bench ingest "$work/$lower.tsv" "$BATCH" "bst_${lower}_" | tail -1)"
    echo "   $shape round $round: psql \\copy rows/s=$rps (old layout ${old_bytes[$shape]} B/frame); ledger $line" >&2
    ledger_rps[$shape]="$(max "${ledger_rps[$shape]}" "$(echo "$line" | field ingest_rows_per_s)")"
    new_bytes[$shape]="$(echo "$line" | field bytes_per_frame)"
    track="$(echo "$line" | field track)"
  done
  line="$(bench export "bst_${lower}_" "$track" "$n" | tail -1)"
  echo "   $shape export: $line" >&2
  export_fps[$shape]="$(echo "$line" | field export_frames_per_s)"
  q "DROP TABLE IF EXISTS bench_json_$lower" >/dev/null
  bench drop "bst_${lower}_"
  rm -rf "$work/$lower.tsv" "$work/files-$lower"
done

# --- 4. scale ----------------------------------------------------------------------------------------------
scale_line="skipped (BENCH_SCALE_ROWS=0)"
scale_ratio=0
if [ "$SCALE_ROWS" -gt 0 ]; then
  log "scale: $SCALE_ROWS BODY_25 rows into one ledger"
  scale_line="$(bench scale "$SCALE_ROWS" 50000 bench_st_scale_ | tail -1)"
  echo "   $scale_line" >&2
  log "scale: pg_dump of the $SCALE_ROWS-row results table (custom format, no compression, counted and discarded)"
  start="$(date +%s%N)"
  dump_bytes="$(pg_dump -Fc -Z 0 --no-sync -t bench_st_scale_results | wc -c)"
  end="$(date +%s%N)"
  dump_mb_s="$(awk -v b="$(echo "$scale_line" | field table_bytes)" -v ns="$((end - start))" 'BEGIN { printf "%.0f", b / 1e6 / (ns / 1e9) }')"
  scale_line="$scale_line pg_dump_mb_per_s=$dump_mb_s dump_bytes=$dump_bytes"
  echo "   pg_dump: $dump_mb_s MB/s of table, dump $dump_bytes bytes" >&2
  bench drop bench_st_scale_
  scale_ratio="$(ratio "$(echo "$scale_line" | field rate_last_1m)" "$(echo "$scale_line" | field rate_first_1m)")"
fi

# --- 5. your own OpenPose output --------------------------------------------------------------------------
own_rows=()
own_stored=0
own_json=0
if [ -n "$OPENPOSE_DIRS" ]; then
  IFS=: read -r -a own_dirs <<< "$OPENPOSE_DIRS"
  for dir in "${own_dirs[@]}"; do
    [ -n "$dir" ] || continue
    log "your OpenPose output: $dir"
    line="$(bench files "$dir" "$OPENPOSE_FRAMES" "$work/files.tsv" | tail -1)"
    stored="$(bench ingest "$work/files.tsv" "$BATCH" bench_st_files_ | tail -1)"
    bench drop bench_st_files_
    rm -f "$work/files.tsv"
    echo "   $line; ledger $stored" >&2
    per_frame="$(echo "$stored" | field bytes_per_frame)"
    vs_json="$(ratio "$per_frame" "$(echo "$line" | field avg_json_bytes)")"
    own_stored="$(awk -v a="$own_stored" -v b="$per_frame" -v n="$(echo "$line" | field files)" 'BEGIN { printf "%.1f", a + b * n }')"
    own_json="$(awk -v a="$own_json" -v b="$(echo "$line" | field avg_json_bytes)" -v n="$(echo "$line" | field files)" 'BEGIN { printf "%.1f", a + b * n }')"
    left_out="$(echo "$line" | field left_out)"
    [ "$left_out" = 0 ] && left_out="" || left_out=" ($left_out left out: not OpenPose JSON)"
    own_rows+=("| \`$(basename "$dir")\`$left_out | $(echo "$line" | field files) | $(echo "$line" | field people_per_frame) |\
 $(echo "$line" | field avg_file_bytes) | $(echo "$line" | field avg_json_bytes) | $per_frame | $vs_json |\
 $(ratio "$per_frame" "$(echo "$line" | field avg_file_bytes)") |")
  done
fi

bytes_ratio="$(ratio "${new_bytes[FULL_TWO_MOVING]}" "${json_bytes[FULL_TWO_MOVING]}")"
bytes_ratio_independent="$(ratio "${new_bytes[FULL_TWO]}" "${json_bytes[FULL_TWO]}")"
ingest_ratio="$(ratio "${ledger_rps[BODY_ONE]}" "${copy_rps[BODY_ONE]}")"

# --- report --------------------------------------------------------------------------------------------------
doc="$root/docs/benchmarks.md"
[ -f "$doc" ] || echo "# Benchmarks" > "$doc"
{
  echo
  echo "## storage"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, PostgreSQL $pg_version (stock Debian settings), $(java -version 2>&1 | head -1)."
  echo "Run: \`bench/storage.sh\`. Documents from \`OpenPoseShapes\` (seeded), written by Juggler's own OpenPose writer: independent frames, and (_MOVING) the consecutive frames of one shot."
  echo
  echo "| bytes per frame | JSON text | file on disk (apparent) | old table: JSON VARCHAR | ledger now | now ÷ JSON text | now ÷ old table |"
  echo "|---|---|---|---|---|---|---|"
  for shape in $SHAPES; do
    echo "| $shape | ${json_bytes[$shape]} | ${file_bytes[$shape]} (${file_apparent[$shape]}) | ${old_bytes[$shape]} | ${new_bytes[$shape]} |" \
      "$(ratio "${new_bytes[$shape]}" "${json_bytes[$shape]}") | $(ratio "${new_bytes[$shape]}" "${old_bytes[$shape]}") |"
  done
  echo
  echo "| rows/s | psql \\copy of the JSON (old layout) | storeResults (encode + binary COPY) | ratio | export frames/s |"
  echo "|---|---|---|---|---|"
  for shape in $SHAPES; do
    echo "| $shape | ${copy_rps[$shape]} | ${ledger_rps[$shape]} | $(ratio "${ledger_rps[$shape]}" "${copy_rps[$shape]}") | ${export_fps[$shape]} |"
  done
  echo
  echo "Scale, BODY_25 rows into one ledger in batches of 50,000: $scale_line (last ÷ first million: $scale_ratio)."
  echo "Table sizes include the primary key index and TOAST; a file on disk is counted with its file system blocks."
  if [ "${#own_rows[@]}" -gt 0 ]; then
    echo
    echo "Given OpenPose output (BENCH_OPENPOSE_DIRS), each folder one shot, repeated to at least $OPENPOSE_FRAMES frames (each copy from a multiple of 64 frames):"
    echo
    echo "| folder | files | people per frame | bytes per file | Juggler's JSON text | ledger now | now ÷ JSON text | now ÷ files |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${own_rows[@]}"
    echo
    echo "All folders, each weighted by its own number of frames: $(ratio "$own_stored" "$own_json") of Juggler's JSON text (bytes_vs_json_given)."
  fi
} >> "$doc"

own_result=""
[ "${#own_rows[@]}" -gt 0 ] && own_result=" bytes_vs_json_given=$(ratio "$own_stored" "$own_json")"
echo "RESULT storage bytes_vs_json=$bytes_ratio bytes_vs_json_independent=$bytes_ratio_independent ingest_vs_copy=$ingest_ratio export_fps=${export_fps[BODY_ONE]} ingest_50m_vs_1m=$scale_ratio$own_result"
