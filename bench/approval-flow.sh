#!/usr/bin/env bash
# Request → approve → grant fetch over HTTP on one node with the Redis store; p50/p90/p99 per call.
# Usage: bench/approval-flow.sh [rounds=500] [warmup=200]
# Redis: AIRLOCK_TEST_REDIS=host:port, else 127.0.0.1:6379, else a redis-server started for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file="$PWD/gateway/target/approval-bench.cp"
./mvnw -q -pl gateway -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
exec java -Dlogback.configurationFile="$PWD/bench/kill-propagation-logback.xml" \
  -cp "gateway/target/test-classes:gateway/target/classes:$(cat "$cp_file")" \
  io.airlock.gateway.bench.ApprovalFlowBench "$@"
