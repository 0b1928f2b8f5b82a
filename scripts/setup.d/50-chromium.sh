#!/usr/bin/env bash
# A real browser for the web console's tests: Debian's chromium and chromium-driver, driven by Selenium.
# Selenium is pointed at /usr/bin/chromedriver, so it downloads nothing.
set -euo pipefail
# A CJK font too: the screenshots show unicode ids as text, not as empty boxes.
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 && [ -d /usr/share/fonts/truetype/wqy ]; then
  echo "chromium and chromedriver present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "skip: installing chromium needs root and apt-get (the browser tests will skip)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core fonts-wqy-microhei >/dev/null
echo "installed chromium $(chromium --version 2>/dev/null | awk '{print $2}')"
