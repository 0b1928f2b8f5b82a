#!/usr/bin/env bash
# Pose benchmark (issue 13), all in one run on vtest.avi (and Megamind.avi for the labelled close-ups):
#   - people found on hand-labelled frames (recall, precision) and PCK@0.2 of torso length, each labelled
#     frame reached at 5 phases of the detector's 10-frame cycle;
#   - frames/s with the person detector and tracking vs the landmark-only path;
#   - detector calls per frame with tracking vs the detector on every frame (goal: >= 5x fewer);
#   - frames lost on damaged copies (header, macroblocks, lost AVI chunk) vs frames FFmpeg cannot decode.
# Writes its table to target/bench-pose.md; the last line printed is the RESULT line.
#
# Needs a JDK 17 and Maven; installs the `ffmpeg` and opencv-doc Debian packages (as root) and gets the pose
# models with scripts/setup.d/30-pose-model.sh (npm). Environment:
#   MVN        Maven command (default: mvn)
#   MVN_ARGS   extra Maven arguments, e.g. "-o" to build offline (default: none)
#   FRAMES     vtest.avi frames of the speed rows (default: 300)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib/inference.sh
. bench/lib/inference.sh

if ! command -v ffmpeg >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ffmpeg (the damage baseline)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
  else
    echo "error: the ffmpeg CLI is the damage baseline; install it (apt-get install ffmpeg) and run again" >&2
    exit 1
  fi
fi

bench_footage_and_models
bench_inference_classpath
mkdir -p target/bench-pose
exec java -Xmx1g -cp "$CP" dev.juggler.inference.bench.PoseBenchmark \
  --work target/bench-pose --out target/bench-pose.md --frames "${FRAMES:-300}"
