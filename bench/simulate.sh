#!/usr/bin/env bash
# Simulation benchmark: the reference project's four-month run (165 sessions, 825M frames, 54 two-GPU nodes of
# which ~30 are available, a queue cap of 100, an hourly poll, a 500 GB workspace) simulated with the real juggler,
# workers and an embedded H2 ledger (docs/simulate.md). Needs only a JDK 17 and Maven; no server. Run from anywhere.
#
# The run is measured against its own ideal: the corpus's GPU work spread over the availability the run drew
# (makespan_vs_ideal), the GPU time allocated to jobs (useful_gpu), the frames done twice (redone) and the wall
# time the simulation took (wall_s). Goals (issue 14): makespan_vs_ideal <= 1.02, useful_gpu >= 0.99,
# redone <= 0.005, wall_s <= 300.
#
# Appends a "## simulate" section to docs/benchmarks.md and prints the RESULT line last. Knobs:
# BENCH_SESSIONS (all 165; fewer for a quick try), BENCH_SEED (the model's), JUGGLER_MVN_OFFLINE=1 to build with mvn -o.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
work="$root/target/bench-simulate"
rm -rf "$work"
mkdir -p "$work"

log() { echo "== $*" >&2; }

mvn_cmd=(mvn -B -q)
[ -n "${JUGGLER_MVN_OFFLINE:-}" ] && mvn_cmd+=(-o)
if command -v flock >/dev/null; then mvn_cmd=(flock "${MVN_LOCK:-/tmp/juggler-mvn.lock}" "${mvn_cmd[@]}"); fi
log "build (the juggler tool)"
"${mvn_cmd[@]}" -pl samples -am package -DskipTests >&2

args=(simulate -c samples/examples/simulate/reference.yaml -m samples/examples/simulate/reference-model.yaml -o "$work")
[ -n "${BENCH_SESSIONS:-}" ] && args+=(--sessions "$BENCH_SESSIONS")
[ -n "${BENCH_SEED:-}" ] && args+=(--seed "$BENCH_SEED")
log "juggler ${args[*]}"
start="$(date +%s%N)"
./juggler "${args[@]}" | tee "$work/out.txt" >&2
end="$(date +%s%N)"
wall="$(awk -v ns="$((end - start))" 'BEGIN { printf "%.1f", ns / 1e9 }')"

report="$work/report.txt"
value() { sed -n "s/^$1 \{1,\}//p" "$report"; }
makespan="$(value makespan)"
ratio="$(echo "$makespan" | sed -n 's/.*ratio \([0-9.]*\)).*/\1/p')"
useful="$(value 'useful GPU time' | awk '{ printf "%.4f", $1 / 100 }')"
redone="$(value 'frames redone' | sed -n 's/.*(\([0-9.]*\) %).*/\1/p' | awk '{ printf "%.5f", $1 / 100 }')"
finished="$(value finished)"

cpus="$(nproc)"
java_version="$(java -version 2>&1 | head -1)"
{
  echo
  echo "## simulate"
  echo
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $cpus cores, $java_version. \`bench/simulate.sh\`${BENCH_SESSIONS:+ (BENCH_SESSIONS=$BENCH_SESSIONS)}:"
  echo "the reference scenario (\`samples/examples/simulate/\`), real juggler, workers and H2 ledger in simulated time."
  echo "Wall time is the whole command, JVM start and report included."
  echo
  echo '```'
  cat "$report"
  echo '```'
  echo
  echo "| measure | value | goal |"
  echo "|---|---|---|"
  echo "| makespan vs ideal | $ratio | ≤ 1.02 |"
  echo "| useful GPU time | $useful | ≥ 0.99 |"
  echo "| frames redone | $redone | ≤ 0.005 |"
  echo "| wall time, s | $wall | ≤ 300 |"
} >> docs/benchmarks.md

echo "RESULT simulate makespan_vs_ideal=$ratio useful_gpu=$useful redone=$redone wall_s=$wall finished=$finished"
