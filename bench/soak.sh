#!/usr/bin/env bash
# Soak under faults (issue 9, on demand, not in CI): a fixed request rate through two gateway
# nodes sharing one Redis, with a kill-all every 30 s, Redis SIGKILLed and restarted (empty) twice
# and one node SIGKILLed and restarted once. Then checks, from what was recorded:
#   (a) no 200 for a grant after a kill-all covering it was acknowledged,
#   (b) every 200 has its access record in the serving node's audit log, and `airlock audit
#       verify` passes for each node,
#   (c) no status but 200 and the expected 401/403/503 (counts per status and reason),
#   (d) heap used and RSS of each node, sampled every few seconds, per minute; stable or not.
# Exits 1 when a check fails. What the checks mean precisely, and the last full run:
# docs/security-testing.md ("On demand") and docs/benchmarks.md ("Soak").
#
# Usage: bench/soak.sh [--minutes 10] [--rate 100] [--kill-every 30] [--redis-down 5]
#                      [--sample-every 5] [--node-opts "-Xmx256m"] [--jar FILE] [--out DIR]
# Everything runs on loopback on free ports: its own redis-server (never the shared one), the demo
# backend and two nodes from gateway/target/airlock.jar; all stopped by PID on exit.
# Results: DIR (default bench/results/soak-<UTC time>/): report.txt, requests.csv (one line per
# request), kills.csv, events.csv, samples.csv, the nodes' logs and audit logs.
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

MINUTES=10; RATE=100; KILL_EVERY=30; REDIS_DOWN=5; SAMPLE=5; NODE_OPTS="-Xmx256m"; OUT=""; JAR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --kill-every) KILL_EVERY="$2"; shift 2 ;;
    --redis-down) REDIS_DOWN="$2"; shift 2 ;;
    --sample-every) SAMPLE="$2"; shift 2 ;;
    --node-opts) NODE_OPTS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --jar) JAR="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$MINUTES" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "soak.sh: --minutes must be a number" >&2; exit 2; }
SECONDS_TOTAL="$(awk -v m="$MINUTES" 'BEGIN { printf "%d", m * 60 }')"
[ "$SECONDS_TOTAL" -ge 30 ] || { echo "soak.sh: --minutes must be at least 0.5" >&2; exit 2; }
OUT="${OUT:-$root/bench/results/soak-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now_ms() { date +%s%3N; }
event() { echo "$(now_ms),$1,${2:-}" >>"$OUT/events.csv"; log "event: $1 ${2:-}"; }

for tool in redis-server redis-cli jstat curl ss; do
  command -v "$tool" >/dev/null 2>&1 || { echo "soak.sh: $tool is needed" >&2; exit 2; }
done
# never `install` (a shared ~/.m2); package only when the sources are newer than the jar
if [ -z "$JAR" ]; then
  JAR="$root/gateway/target/airlock.jar"
  if [ ! -f "$JAR" ] || [ -n "$(find gateway/src policy/src -newer "$JAR" -type f -print -quit)" ]; then
    log "building $JAR"
    ./mvnw -o -q -pl gateway -am package -DskipTests
  fi
fi
[ -f "$JAR" ] || { echo "soak.sh: no jar at $JAR" >&2; exit 2; }

# ---- processes: started here, stopped by PID -------------------------------------------------
STOP_GRACE_SECS=15
# shellcheck source=lib/processes.sh
source "$root/bench/lib/processes.sh"
declare -A PID
until_ok() { # seconds description command...: poll every 0.2 s
  local limit="$1" what="$2"; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "soak.sh: $what not within $limit s" >&2; return 1; }
    sleep 0.2
  done
}
ready() { curl -sf -m 2 "http://127.0.0.1:${CP[$1]}/health/ready"; }

RPORT="$(free_port)"; BPORT="$(free_port)"
declare -A DP CP
for n in a b; do DP[$n]="$(free_port)"; CP[$n]="$(free_port)"; done
echo "wall_ms,event,node" >"$OUT/events.csv"
echo "wall_ms,node,pid,rss_kb,S0C,S1C,S0U,S1U,EC,EU,OC,OU,MC,MU,CCSC,CCSU,YGC,YGCT,FGC,FGCT,CGC,CGCT,GCT" >"$OUT/samples.csv"

start_redis() {
  # no persistence: every restart comes back empty, the harshest case (nodes must treat it as a
  # kill-all with lockdown and re-seed the epoch)
  redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$OUT" \
    >>"$OUT/redis.log" 2>&1 &
  PID[redis]=$!; pids+=($!)
  until_ok 20 "redis on :$RPORT" redis-cli -p "$RPORT" ping
}

node_config() { # node
  local d="$OUT/node-$1"
  mkdir -p "$d"
  cp config/demo/masking.yaml config/demo/policy.yaml config/demo/users.yaml config/demo/tickets.yaml "$d/"
  sed "s#http://127.0.0.1:9090#http://127.0.0.1:$BPORT#" config/demo/routes.yaml >"$d/routes.yaml"
  cat >"$d/airlock.yaml" <<EOF
node: { id: soak-$1 }
dataPlane: { host: 127.0.0.1, port: ${DP[$1]} }
controlPlane: { host: 127.0.0.1, port: ${CP[$1]} }
grants:
  issuer: http://127.0.0.1:${CP[a]}
  activeKid: soak-1
  keys: [ { kid: soak-1 } ]
  generateMissingKeysIn: $OUT/keys
revocation: { maxStaleness: 1s }
identity: { mode: demo }
accessLog: { enabled: false }
audit: { dir: $d/audit, durability: sync }
secrets: { watermarkKeyFile: $OUT/keys/watermark.key, maskingKeyFile: $OUT/keys/masking.key }
tickets: { mode: file, file: tickets.yaml }
redis: { uri: "redis://127.0.0.1:$RPORT", keyPrefix: "soak:", connectTimeout: 2s }
EOF
}

start_node() { # node
  # shellcheck disable=SC2086 # NODE_OPTS is split into JVM options on purpose
  java $NODE_OPTS -jar "$JAR" serve --config "$OUT/node-$1" >>"$OUT/node-$1.log" 2>&1 &
  PID[$1]=$!; pids+=($!)
  until_ok 90 "node $1 ready" ready "$1"
  sample "$1" "${PID[$1]}"
}

sample() { # node pid: one jstat per node process, a line every SAMPLE s, with RSS added
  local node="$1" pid="$2"
  jstat -gc "$pid" "${SAMPLE}000" 2>/dev/null > >(
    while read -r line; do
      case "$line" in *S0C*) continue ;; esac
      rss="$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
      [ -n "$rss" ] || continue
      echo "$(now_ms),$node,$pid,$rss,$(echo "$line" | tr -s ' ' ',')"
    done >>"$OUT/samples.csv"
  ) &
  pids+=($!)
}

log "results in $OUT"
log "redis :$RPORT, backend :$BPORT, node a :${DP[a]}/:${CP[a]}, node b :${DP[b]}/:${CP[b]}"
start_redis
java -Xmx128m -jar "$JAR" demo-backend --port "$BPORT" >"$OUT/backend.log" 2>&1 &
PID[backend]=$!; pids+=($!)
until_ok 60 "demo backend" curl -s -o /dev/null "http://127.0.0.1:$BPORT/"
node_config a; node_config b
start_node a # first alone: it generates the shared signing and secret keys
start_node b

# ---- load, and the faults on a timeline relative to its start ----------------------------------
java -cp "$JAR" bench/Soak.java load --out "$OUT" --config "$OUT/node-a" --seconds "$SECONDS_TOTAL" \
  --rate "$RATE" --kill-every "$KILL_EVERY" \
  --data "a=http://127.0.0.1:${DP[a]},b=http://127.0.0.1:${DP[b]}" \
  --control "a=http://127.0.0.1:${CP[a]},b=http://127.0.0.1:${CP[b]}" >"$OUT/load.log" 2>&1 &
load=$!; pids+=($!)
until_ok 120 "load generator start" grep -q LOAD_START "$OUT/load.log"
t0="$(awk '/LOAD_START/ {print $2}' "$OUT/load.log")"
log "load started: $RATE req/s for $SECONDS_TOTAL s, kill-all every $KILL_EVERY s"
at() { # fraction-of-run: sleep until then
  local due; due="$(awk -v t0="$t0" -v f="$1" -v d="$SECONDS_TOTAL" 'BEGIN { printf "%d", t0 + f * d * 1000 }')"
  local left=$(( due - $(now_ms) ))
  [ "$left" -le 0 ] || sleep "$(awk -v l="$left" 'BEGIN { printf "%.3f", l / 1000 }')"
}
redis_outage() {
  event redis_sigkill
  kill -9 "${PID[redis]}"; wait "${PID[redis]}" 2>/dev/null || true
  sleep "$REDIS_DOWN"
  start_redis
  event redis_started
  until_ok 60 "nodes ready after the Redis restart" bash -c "curl -sf -m 2 http://127.0.0.1:${CP[a]}/health/ready && curl -sf -m 2 http://127.0.0.1:${CP[b]}/health/ready"
  event redis_recovered
}
at 0.20; redis_outage
at 0.45
event node_sigkill b
kill -9 "${PID[b]}"; wait "${PID[b]}" 2>/dev/null || true
sleep 3
event node_restart b
start_node b
event node_ready b
at 0.70; redis_outage
wait "$load" || { log "load generator failed: $(tail -5 "$OUT/load.log")"; exit 1; }
log "$(grep LOAD_END "$OUT/load.log")"

# ---- stop the nodes gracefully (audit flushed), then judge -----------------------------------
for n in a b; do kill -TERM "${PID[$n]}" 2>/dev/null || true; done
for n in a b; do wait "${PID[$n]}" 2>/dev/null || true; done
for n in a b; do
  set +e
  verdict="$(java -jar "$JAR" audit verify "$OUT/node-$n/audit" 2>&1)"
  rc=$?
  set -e
  printf 'exit %s\n%s\n' "$rc" "$verdict" >"$OUT/audit-verify-$n.txt"
done
java -cp "$JAR" bench/Soak.java check --out "$OUT" --max-staleness-ms 1000
