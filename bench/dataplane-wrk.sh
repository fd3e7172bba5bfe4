#!/usr/bin/env bash
# Loads the data plane with wrk on loopback: direct to the demo backend vs through the gateway,
# then again while forged grants arrive at about 1,000/s. Numbers, not assertions: see
# docs/benchmarks.md for what they mean and the last recorded run.
#
# Usage: bench/dataplane-wrk.sh [seconds per run, default 10]
# Pinning: the gateway JVM (with its demo backend) on CPU 0, wrk on CPU 1.
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
secs="${1:-10}"

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v taskset >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq util-linux; }
[ -f gateway/target/airlock.jar ] || ./mvnw -q -DskipTests package

out="$(mktemp -d)"
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

# -XX:ActiveProcessorCount=1 keeps Vert.x at one event loop on the one pinned core.
taskset -c 0 java -XX:ActiveProcessorCount=1 -Xmx512m -jar gateway/target/airlock.jar demo \
  >"$out/demo.out" 2>"$out/demo.err" &
pid=$!
deadline=$((SECONDS + 60))
until grep -q "Try c-0003" "$out/demo.out" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$out/demo.err"; echo "demo did not start" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "demo not ready within 60 s" >&2; exit 1; }
  sleep 0.2
done
token="$(grep -o "Bearer [^']*" "$out/demo.out" | head -1 | cut -d' ' -f2)"
# same header and payload, signature bytes replaced: well-formed, cheap checks pass, ECDSA fails
forged="${token%.*}.$(printf 'A%.0s' $(seq 1 86))"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz="$(getconf CLK_TCK)"

run() { # name url [extra wrk args...]
  local name="$1" url="$2"; shift 2
  local before after
  before="$(cpu_ticks)"
  taskset -c 1 wrk -t1 -c32 -d"${secs}s" --latency "$@" "$url" >"$out/$name.txt"
  after="$(cpu_ticks)"
  local rps reqs
  rps="$(awk '/Requests\/sec/ {print $2}' "$out/$name.txt")"
  reqs="$(awk '/requests in/ {print $1}' "$out/$name.txt")"
  local p50 p99
  p50="$(awk '$1=="50%" {print $2}' "$out/$name.txt")"
  p99="$(awk '$1=="99%" {print $2}' "$out/$name.txt")"
  local cpu_us
  cpu_us="$(awk -v d="$((after - before))" -v hz="$hz" -v n="$reqs" 'BEGIN { printf "%.0f", d * 1e6 / hz / n }')"
  printf '%-34s %10s req/s   p50 %-8s p99 %-8s  JVM CPU %s us/req\n' "$name" "$rps" "$p50" "$p99" "$cpu_us"
}

# warm-up: JIT (slow with one core: C2 shares it with the event loop) and the grant cache
taskset -c 1 wrk -t1 -c32 -d"${WARMUP_SECS:-40}s" -H "Authorization: Bearer $token" http://127.0.0.1:8080/clients/c-0001 >/dev/null

echo "wrk -t1 -c32 -d${secs}s, gateway+demo backend pinned to CPU 0, wrk to CPU 1"
run "direct (demo backend)" http://127.0.0.1:9090/clients/c-0001
run "gateway (grant+scope+masking)" http://127.0.0.1:8080/clients/c-0001 -H "Authorization: Bearer $token"

FORGED_TOKEN="$forged" FLOOD_DELAY_MS=10 taskset -c 1 wrk -t1 -c10 -d"$((secs + 2))s" \
  -s bench/wrk/forged-flood.lua http://127.0.0.1:8080/clients/c-0001 >"$out/flood.txt" &
flood=$!
run "gateway during forged flood" http://127.0.0.1:8080/clients/c-0001 -H "Authorization: Bearer $token"
wait "$flood" || true
flood_rps="$(awk '/Requests\/sec/ {print $2}' "$out/flood.txt")"
flood_codes="$(awk '/Non-2xx/ {print $NF}' "$out/flood.txt")"
echo "forged flood: ${flood_rps} req/s, non-2xx ${flood_codes:-0} (all should be refused: 401 or 429)"
echo "raw wrk output: $out"
