#!/usr/bin/env bash
# Remote inference benchmark (issue 16), all in one run on this machine, on 127.0.0.1:
#   - frame pipeline frames/s with BlazePose's landmark model served by `juggler serve` vs in process
#     (goal >= 0.8: the gap is serialisation and loopback);
#   - two `juggler serve` processes vs one (this machine's cores limit the scaling: see the report);
#   - a run that kills one of two servers a third of the way: frames lost and done twice (goal 0 and 0);
#   - the TCP connections 100 sequential calls to one endpoint open (goal 1: keep-alive).
# Appends a "## remote" section to docs/benchmarks.md; the last line printed is the RESULT line.
#
# Needs a JDK 17 and Maven; gets the footage (opencv-doc) and the pose model (npm) with scripts/setup.d
# as root on Debian. Environment: MVN (default mvn), MVN_ARGS (e.g. -o), MVN_LOCK, FRAMES (default 400).
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib/inference.sh
bench_footage_and_models

echo "building the juggler tool..." >&2
# shellcheck disable=SC2086
"${LOCK[@]}" "$MVN" -B -q ${MVN_ARGS:-} -pl samples -am package -DskipTests >&2

mkdir -p docs target/bench-remote
exec java -Xmx1g -cp samples/target/juggler.jar bench/remote/RemoteBench.java \
  --jar samples/target/juggler.jar --video "${JUGGLER_VTEST:-/usr/share/doc/opencv-doc/examples/data/vtest.avi}" \
  --frames "${FRAMES:-400}" --work target/bench-remote --out docs/benchmarks.md
