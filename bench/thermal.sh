#!/usr/bin/env bash
# Thermal rotation benchmark (issues 6 and 12): 5 simulated NCS2-like sticks, 1 hour of virtual time.
# Compares fixed-group rotation (groups of 2) and the thermal-budget policy (all 5 sticks, each duty-cycled
# just below the threshold) against the ideal (2 sticks that never throttle) and against all 5 sticks
# without rotation; reports the hottest device vs the threshold, the longest switch gap and the pool's
# dispatch overhead in real time. Appends its table to docs/benchmarks.md; the last line printed is the
# RESULT line (budget_vs_ideal and budget_max_over_threshold_c are the thermal-budget run's).
#
# Needs only a JDK 17 and Maven. Environment:
#   MVN        Maven command (default: mvn)
#   MVN_ARGS   extra Maven arguments, e.g. "-o" to build offline (default: none)
#   MINUTES    simulated minutes (default: 60)
#   MVN_LOCK   lock file that serialises Maven runs on a shared machine (default: /tmp/juggler-mvn.lock)
set -euo pipefail
cd "$(dirname "$0")/.."

MVN="${MVN:-mvn}"
MINUTES="${MINUTES:-60}"
# Engineers sharing one machine serialise Maven through this lock; harmless elsewhere.
LOCK=()
if command -v flock >/dev/null 2>&1; then
  LOCK=(flock "${MVN_LOCK:-/tmp/juggler-mvn.lock}")
fi

echo "building the api module and its test classes..." >&2
# shellcheck disable=SC2086
"${LOCK[@]}" "$MVN" -B -q ${MVN_ARGS:-} -pl api test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2

CP="api/target/classes:api/target/test-classes:$(cat api/target/bench.classpath)"
mkdir -p docs
exec java -Xmx1g -cp "$CP" dev.juggler.accel.sim.ThermalBenchmark --minutes "$MINUTES" --out docs/benchmarks.md
