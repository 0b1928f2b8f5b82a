#!/usr/bin/env bash
# Real pose models for the BlazePose tests and the demo: MediaPipe's pose landmark models and its person
# (pose) detector (Apache-2.0) from the npm package @mediapipe/pose, and MediaPipe's object detector (whose
# "Person" boxes find people the face-based pose detector misses) from @mediapipe/objectron, fetched with
# the ordinary npm client into a local model cache and verified against the SHA-256 sums recorded in the
# repository. Nothing is downloaded at run time.
#
# Cache: ${JUGGLER_MODEL_CACHE:-$HOME/.cache/juggler/models}/mediapipe-pose/
# Appends `export JUGGLER_POSE_MODEL_DIR=...` to $JUGGLER_TEST_ENV when that is set.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
package="@mediapipe/pose@0.5.1675469404"
box_package="@mediapipe/objectron@0.4.1675468480"
sums="$here/impl-inference/src/main/resources/dev/juggler/inference/pose/mediapipe-pose.sha256"
cache="${JUGGLER_MODEL_CACHE:-$HOME/.cache/juggler/models}/mediapipe-pose"
models=(pose_landmark_lite.tflite pose_landmark_full.tflite pose_landmark_heavy.tflite)
# The detector ships inside the packed assets of the web solution; the loader script lists its offsets.
packed=pose_solution_packed_assets.data
loader=pose_solution_packed_assets_loader.js
detector=pose_detection.tflite
box_packed=objectron_solution_packed_assets.data
box_loader=objectron_solution_packed_assets_loader.js
box_detector=object_detection_ssd_mobilenetv2_oidv4_fp16.tflite

# Every file the cache must hold, and whose recorded sum it must match.
cached=("${models[@]}" "$detector" "$box_detector")

verified() {
  (cd "$cache" && awk -v names="${cached[*]}" 'BEGIN { split(names, n, " "); for (i in n) want[n[i]] = 1 } $2 in want' "$sums" \
    | sha256sum --check --quiet --status -)
}

publish() {
  if [ -n "${JUGGLER_TEST_ENV:-}" ]; then
    printf 'export JUGGLER_POSE_MODEL_DIR=%q\n' "$cache" >> "$JUGGLER_TEST_ENV"
  fi
  echo "pose models in $cache"
}

mkdir -p "$cache"
if verified 2>/dev/null; then
  publish
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends npm >/dev/null
  else
    echo "skip: npm is missing (install it, then run $0); the BlazePose tests will skip"
    exit 0
  fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# fetch PACKAGE DIR: npm pack PACKAGE into DIR and check the tarball against its recorded sum.
fetch() {
  local dir="$work/$2"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$1" >/dev/null)
  local tgz expected actual
  tgz="$(ls "$dir"/*.tgz)"
  expected="$(awk -v name="$(basename "$tgz")" '$2 == name {print $1}' "$sums")"
  actual="$(sha256sum "$tgz" | cut -d' ' -f1)"
  if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    echo "error: $1 has SHA-256 $actual, expected ${expected:-a recorded sum}" >&2
    exit 1
  fi
  echo "$tgz"
}

# unpack DIR PACKED LOADER FILE: cut FILE out of the packed assets at the offsets the loader script lists
# ("filename": ".../FILE", "start": S, "end": E) into $work/package/FILE.
unpack() {
  local range start end
  range="$(grep -oE '"filename": *"[^"]*/'"$4"'", *"start": *[0-9]+, *"end": *[0-9]+' "$work/$1/package/$3" \
    | grep -oE '[0-9]+' | tail -n 2 | tr '\n' ' ')"
  read -r start end <<<"$range" || true
  if [ -z "${start:-}" ] || [ -z "${end:-}" ] || [ "$end" -le "$start" ]; then
    echo "error: $3 does not list $4" >&2
    exit 1
  fi
  tail -c "+$((start + 1))" "$work/$1/package/$2" | head -c "$((end - start))" > "$work/package/$4"
}

mkdir -p "$work/package"
tgz="$(fetch "$package" pose)"
tar -xzf "$tgz" -C "$work/pose" "${models[@]/#/package/}" "package/$packed" "package/$loader"
for m in "${models[@]}"; do
  mv "$work/pose/package/$m" "$work/package/$m"
done
unpack pose "$packed" "$loader" "$detector"
tgz="$(fetch "$box_package" objectron)"
tar -xzf "$tgz" -C "$work/objectron" "package/$box_packed" "package/$box_loader"
unpack objectron "$box_packed" "$box_loader" "$box_detector"
for m in "${cached[@]}"; do
  # Rename into place so a reader never sees a half-written model.
  cp "$work/package/$m" "$cache/.$m.tmp"
  mv -f "$cache/.$m.tmp" "$cache/$m"
done
if ! verified; then
  echo "error: a model in $cache does not match $sums" >&2
  exit 1
fi
publish
