#!/usr/bin/env bash
# Benchmark of the SLURM backend and the SFTP stager against a real local SLURM + sshd (as root on
# Debian/Ubuntu): 500 workers as one array vs one sbatch each, polling 500 jobs, SFTP vs scp upload of
# the same 1 GiB file. Brings the servers up with the project's own setup step, builds with Maven,
# appends a "## slurm" section to docs/benchmarks.md and prints the RESULT line last.
#   BENCH_BYTES=<n> bench/slurm.sh    # a smaller upload for a quick run
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export JUGGLER_TEST_ENV="$root/target/bench-slurm-env.sh"
mkdir -p "$root/target"
: > "$JUGGLER_TEST_ENV"
scripts/setup.d/40-slurm-sshd.sh >&2
# shellcheck disable=SC1090
. "$JUGGLER_TEST_ENV"

# Share the machine politely with other builds when a lock is in use.
mvn_() { if command -v flock >/dev/null 2>&1; then flock "${MVN_LOCK:-/tmp/juggler-mvn.lock}" mvn "$@"; else mvn "$@"; fi; }
mvn_ -B -q install -DskipTests -pl impl-slurm -am >&2
mvn_ -B -q test-compile -pl impl-slurm >&2
cp_file="$root/target/bench-slurm-classpath.txt"
mvn_ -B -q dependency:build-classpath -pl impl-slurm -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2

touch docs/benchmarks.md
exec java -Dbench.bytes="${BENCH_BYTES:-1073741824}" \
  -cp "impl-slurm/target/classes:impl-slurm/target/test-classes:$(cat "$cp_file")" \
  dev.juggler.slurm.bench.SlurmBench docs/benchmarks.md
