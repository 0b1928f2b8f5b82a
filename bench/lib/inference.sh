# Sourced by the benchmarks that run impl-inference code (pose, clean).
#   bench_footage_and_models: the opencv-doc footage and the pose models, by the project's own setup steps (as
#     root on Debian they install what is missing); their locations land in $JUGGLER_TEST_ENV, which it sources.
#   bench_inference_classpath: builds api and impl-inference (with the test classes) and sets CP to run a
#     benchmark's main class, with MVN (default mvn) and MVN_ARGS, one build at a time (flock on MVN_LOCK).
MVN="${MVN:-mvn}"
LOCK=()
if command -v flock >/dev/null 2>&1; then
  LOCK=(flock "${MVN_LOCK:-/tmp/juggler-mvn.lock}")
fi

bench_footage_and_models() {
  export JUGGLER_TEST_ENV="${JUGGLER_TEST_ENV:-$(pwd)/target/bench-env.sh}"
  mkdir -p "$(dirname "$JUGGLER_TEST_ENV")"
  : > "$JUGGLER_TEST_ENV"
  scripts/setup.d/10-footage.sh >&2
  scripts/setup.d/30-pose-model.sh >&2
  # shellcheck disable=SC1090
  . "$JUGGLER_TEST_ENV"
}

bench_inference_classpath() {
  echo "building api and impl-inference..." >&2
  # shellcheck disable=SC2086
  "${LOCK[@]}" "$MVN" -B -q ${MVN_ARGS:-} -pl impl-inference -am install -DskipTests >&2
  # shellcheck disable=SC2086
  "${LOCK[@]}" "$MVN" -B -q ${MVN_ARGS:-} -pl impl-inference test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
  CP="impl-inference/target/classes:impl-inference/target/test-classes:$(cat impl-inference/target/bench.classpath)"
}
