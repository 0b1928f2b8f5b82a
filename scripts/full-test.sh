#!/usr/bin/env bash
# The full test command: installs and starts what the integration tests need (as root on Debian or
# Ubuntu), then runs the test suite against it. `.ci/run` runs exactly this.
#
# Every executable scripts/setup.d/NN-name.sh runs in order. Each one installs or starts one thing
# and appends the settings the tests need (export lines) to the file named by $JUGGLER_TEST_ENV.
# Without root or apt-get the steps skip with a reason, and the tests that need them skip too
# (or fail when CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

export JUGGLER_TEST_ENV="${JUGGLER_TEST_ENV:-$root/target/test-env.sh}"
mkdir -p "$(dirname "$JUGGLER_TEST_ENV")"
: > "$JUGGLER_TEST_ENV"

for step in scripts/setup.d/*.sh; do
  [ -x "$step" ] || continue
  echo "== setup: $step"
  "$step"
done

# shellcheck disable=SC1090
. "$JUGGLER_TEST_ENV"
echo "== test settings:"
sed -e 's/PASSWORD=.*/PASSWORD=(hidden)/' "$JUGGLER_TEST_ENV"

mvn -B verify "$@"
