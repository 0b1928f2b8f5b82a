#!/usr/bin/env bash
# Real footage for the decoder tests: Debian's opencv-doc ships vtest.avi and Megamind(_bugy).avi.
set -euo pipefail
if [ -f /usr/share/doc/opencv-doc/examples/data/vtest.avi ]; then
  echo "opencv-doc footage present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "skip: installing opencv-doc needs root and apt-get (the footage tests will skip)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends opencv-doc >/dev/null
echo "installed opencv-doc"
