#!/usr/bin/env bash
# Kill propagation across three gateway nodes on one Redis: time from the kill-all API call until
# every node's data plane rejects old grants, and until an in-flight stream is cut.
# Usage: bench/kill-propagation.sh [kills=300] [cutRounds=50] [warmup=50]
# Redis: AIRLOCK_TEST_REDIS=host:port, else 127.0.0.1:6379, else a redis-server started for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file="$PWD/gateway/target/kill-bench.cp"
./mvnw -o -q -pl gateway -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
exec java -Dlogback.configurationFile="$PWD/bench/kill-propagation-logback.xml" \
  -cp "gateway/target/test-classes:gateway/target/classes:$(cat "$cp_file")" \
  io.airlock.gateway.bench.KillPropagationBench "$@"
