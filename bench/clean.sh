#!/usr/bin/env bash
# Track-cleaning benchmark (issue 15), all in one run:
#   - accuracy on seeded synthetic multi-person scenes corrupted as detectors corrupt them: RMSE to truth, identity
#     switches (CLEAR MOT), dropped points recovered within the max gap, points invented beyond it; for the raw
#     input, a per-keypoint Butterworth without identities (baseline) and the cleaner;
#   - cleaning speed (frames/s on one core, one BODY_25 person);
#   - peak RSS of cleaning a 1,000,000-frame track vs a 10,000-frame one, through the ledger path, each in a fresh JVM;
#   - with FOOTAGE=true (default): jitter before and after on BlazePose output of vtest.avi and Megamind.avi.
# Writes its section to target/bench-clean.md; the last line printed is the RESULT line.
#
# Needs a JDK 17 and Maven; with FOOTAGE=true also the opencv-doc footage (scripts/setup.d/10-footage.sh, as root)
# and the pose models (scripts/setup.d/30-pose-model.sh, npm). Environment:
#   MVN        Maven command (default: mvn)
#   MVN_ARGS   extra Maven arguments, e.g. "-o" to build offline (default: none)
#   SEEDS      synthetic scenes (default: 10)
#   FRAMES     frames per scene (default: 1500)
#   FOOTAGE    true|false (default: true)
set -euo pipefail
cd "$(dirname "$0")/.."

MVN="${MVN:-mvn}"
LOCK=()
if command -v flock >/dev/null 2>&1; then
  LOCK=(flock "${MVN_LOCK:-/tmp/juggler-mvn.lock}")
fi
FOOTAGE="${FOOTAGE:-true}"

if [ "$FOOTAGE" = true ]; then
  export JUGGLER_TEST_ENV="${JUGGLER_TEST_ENV:-$(pwd)/target/bench-env.sh}"
  mkdir -p "$(dirname "$JUGGLER_TEST_ENV")"
  : > "$JUGGLER_TEST_ENV"
  scripts/setup.d/10-footage.sh >&2
  scripts/setup.d/30-pose-model.sh >&2
  # shellcheck disable=SC1090
  . "$JUGGLER_TEST_ENV"
fi

echo "building api and impl-inference..." >&2
# shellcheck disable=SC2086
"${LOCK[@]}" "$MVN" -B -q ${MVN_ARGS:-} -pl impl-inference -am install -DskipTests >&2
# shellcheck disable=SC2086
"${LOCK[@]}" "$MVN" -B -q ${MVN_ARGS:-} -pl impl-inference test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2

CP="impl-inference/target/classes:impl-inference/target/test-classes:$(cat impl-inference/target/bench.classpath)"
exec java -Xmx1g -cp "$CP" dev.juggler.inference.bench.CleanBenchmark \
  --out target/bench-clean.md --seeds "${SEEDS:-10}" --frames "${FRAMES:-1500}" --footage "$FOOTAGE" \
  --strip target/bench-clean-strip.jpg
