#!/usr/bin/env bash
# Real footage for the decoder tests: Debian's opencv-doc ships vtest.avi and Megamind(_bugy).avi.
# The image-folder tests make their images with the ffmpeg CLI.
set -euo pipefail
missing=()
[ -f /usr/share/doc/opencv-doc/examples/data/vtest.avi ] || missing+=(opencv-doc)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
if [ ${#missing[@]} = 0 ]; then
  echo "opencv-doc footage and the ffmpeg CLI present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "skip: installing ${missing[*]} needs root and apt-get (the footage and image-folder tests will skip)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed ${missing[*]}"
