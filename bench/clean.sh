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
# shellcheck source=bench/lib/inference.sh
. bench/lib/inference.sh

FOOTAGE="${FOOTAGE:-true}"

if [ "$FOOTAGE" = true ]; then
  bench_footage_and_models
fi

bench_inference_classpath
exec java -Xmx1g -cp "$CP" dev.juggler.inference.bench.CleanBenchmark \
  --out target/bench-clean.md --seeds "${SEEDS:-10}" --frames "${FRAMES:-1500}" --footage "$FOOTAGE" \
  --strip target/bench-clean-strip.jpg
