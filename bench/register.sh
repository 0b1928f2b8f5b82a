#!/usr/bin/env bash
# `juggler register` at corpus scale: BENCH_FILES (10,000) videos in 100 folders (hard links to four
# short MP4 files, bench/register/MakeCorpus.java), an H2 ledger, 2 probe threads.
#   1. first run: every file is probed (opened, first and last frame decoded) and registered;
#   2. re-run on the unchanged corpus: every file is known and skipped without probing;
# Ratio measured in the same run: re-run time vs first-run time. Appends a "## register" section to
# docs/benchmarks.md and prints the RESULT line last. Knobs: BENCH_FILES, JUGGLER_MVN_OFFLINE=1.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
work="$root/target/bench-register"
FILES="${BENCH_FILES:-10000}"
log() { echo "== $*" >&2; }
rm -rf "$work"
mkdir -p "$work"

mvn_cmd=(mvn -B -q)
[ -n "${JUGGLER_MVN_OFFLINE:-}" ] && mvn_cmd+=(-o)
if command -v flock >/dev/null; then mvn_cmd=(flock "${MVN_LOCK:-/tmp/juggler-mvn.lock}" "${mvn_cmd[@]}"); fi
log "build the juggler tool"
"${mvn_cmd[@]}" -pl samples -am package -DskipTests >&2
jar="$root/samples/target/juggler.jar"

log "make a corpus of $FILES files"
java -cp "$jar" bench/register/MakeCorpus.java "$work/videos" "$FILES" >&2
cat > "$work/juggler.yaml" <<YAML
version: 1
ledger:
  url: jdbc:h2:file:$work/ledger/juggler
cluster:
  type: local
  outputDirectory: $work/logs
workspace:
  type: local
  directory: $work/workspace
  budget: 1GiB
worker:
  analysis: marker-pose
videos:
  - folder: $work/videos
    recursive: true
    include: "*.mp4"
    tags: '(?<region>[A-Z]+)(?<film>\d+)_(?<perspective>[A-Z]\d)_(?<recording>\d{8}T\d{4})'
YAML
run() {
  local start end
  start="$(date +%s%N)"
  java -jar "$jar" register --config "$work/juggler.yaml" --no-progress > "$work/register-$1.log" 2>&1
  end="$(date +%s%N)"
  tail -1 "$work/register-$1.log" >&2
  awk -v ns="$((end - start))" 'BEGIN { printf "%.1f", ns / 1e9 }'
}
log "first run (probes every file)"
first="$(run first)"
log "re-run (every file known)"
rerun="$(run again)"
registered="$(sed -n 's/^Registered: \([0-9]*\) new.*/\1/p' "$work/register-first.log")"
known="$(sed -n 's/.* \([0-9]*\) already registered.*/\1/p' "$work/register-again.log")"
if [ "$registered" != "$FILES" ] || [ "$known" != "$FILES" ]; then
  echo "expected $FILES new then $FILES already registered; got '$registered' and '$known'" >&2
  exit 1
fi
per_file="$(awk -v s="$first" -v n="$FILES" 'BEGIN { printf "%.2f", s * 1000 / n }')"
ratio="$(awk -v a="$rerun" -v b="$first" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')"
hours_1m="$(awk -v s="$first" -v n="$FILES" 'BEGIN { printf "%.1f", s / n * 1000000 / 3600 }')"

doc="$root/docs/benchmarks.md"
[ -f "$doc" ] || echo "# Benchmarks" > "$doc"
{
  echo
  echo "## register"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1). Run: \`bench/register.sh\`."
  echo
  echo "| measure | value |"
  echo "|---|---|"
  echo "| first run: $FILES files probed and registered (2 probe threads, H2 ledger) | $first s ($per_file ms per file; 1M files ≈ $hours_1m h) |"
  echo "| re-run on the unchanged corpus (every file known, none probed) | $rerun s (${ratio}× the first run) |"
} >> "$doc"
echo "RESULT register files=$FILES first_s=$first rerun_s=$rerun rerun_vs_first=$ratio ms_per_file=$per_file"
