#!/usr/bin/env bash
# Frame pipeline benchmark (issue 5), all in one run on the same files:
#   - decoding frames/s of our JavaCV frame source vs `ffmpeg -threads N -i f -f null -` (goal >= 0.9);
#   - BlazePose lite through the whole pipeline vs a bare loop of the same model on pre-decoded frames
#     (goal >= 0.95: decoding hidden behind inference);
#   - peak RSS of a pipeline run over a 30,000-frame vs a 1,000-frame video (goal <= 1.15).
# Appends a "## pipeline" section to docs/benchmarks.md; the last line printed is the RESULT line.
#
# Needs a JDK 17 and Maven; installs the `ffmpeg` Debian package for the baseline (as root) and gets the
# pose model with scripts/setup.d/30-pose-model.sh (npm). Environment:
#   MVN        Maven command (default: mvn)
#   MVN_ARGS   extra Maven arguments, e.g. "-o" to build offline (default: none)
#   THREADS    decoder threads for both decoders (default: number of cores)
set -euo pipefail
cd "$(dirname "$0")/.."

MVN="${MVN:-mvn}"
THREADS="${THREADS:-$(nproc)}"
# Engineers sharing one machine serialise Maven through this lock; harmless elsewhere.
LOCK=()
if command -v flock >/dev/null 2>&1; then
  LOCK=(flock "${MVN_LOCK:-/tmp/juggler-mvn.lock}")
fi

if ! command -v ffmpeg >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ffmpeg (the baseline)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
  else
    echo "error: the ffmpeg CLI is the baseline; install it (apt-get install ffmpeg) and run again" >&2
    exit 1
  fi
fi

export JUGGLER_TEST_ENV="${JUGGLER_TEST_ENV:-$(pwd)/target/bench-env.sh}"
mkdir -p "$(dirname "$JUGGLER_TEST_ENV")"
: > "$JUGGLER_TEST_ENV"
scripts/setup.d/10-footage.sh >&2 || echo "opencv-doc footage unavailable: its row is skipped" >&2
scripts/setup.d/30-pose-model.sh >&2
# shellcheck disable=SC1090
. "$JUGGLER_TEST_ENV"

echo "building api and impl-inference..." >&2
# shellcheck disable=SC2086
"${LOCK[@]}" "$MVN" -B -q ${MVN_ARGS:-} -pl impl-inference -am install -DskipTests >&2
# shellcheck disable=SC2086
"${LOCK[@]}" "$MVN" -B -q ${MVN_ARGS:-} -pl impl-inference test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2

CP="impl-inference/target/classes:impl-inference/target/test-classes:$(cat impl-inference/target/bench.classpath)"
mkdir -p docs target/bench-pipeline
exec java -Xmx1g -cp "$CP" dev.juggler.inference.bench.PipelineBenchmark \
  --work target/bench-pipeline --out docs/benchmarks.md --threads "$THREADS"
