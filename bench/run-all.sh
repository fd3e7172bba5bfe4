#!/usr/bin/env bash
# Side-by-side data-plane benchmark: the same static backend (nginx serving fixed JSON files)
# reached directly, through nginx, through HAProxy (plain, + ES256 jwt_verify, + every check it
# can express natively) and through Airlock (every check, masking, audit sync and async).
# One command, loopback only, every process started here and stopped by PID on exit.
# What the numbers mean and the last recorded run: docs/benchmarks.md, "Side by side".
#
# Usage: bench/run-all.sh            (defaults fit in < 15 minutes on 2 cores)
# Knobs (environment):
#   SECS=8 RUNS=3        seconds per measured run, runs per contender (interleaved, median kept)
#   WARMUP=30            seconds of warm-up for each Airlock JVM (C2 shares the one core)
#   CONNS=50 THREADS=1   wrk connections / threads for the throughput runs
#   TOKENS=64            distinct valid grants rotated per request (plus single-token rows)
#   RATE=2000            fixed request rate (req/s) for the added-latency runs; 0 skips them
#   MB1=1                also run the 1 MB transaction list (0 skips)
#   BIG_MB=200           size of the streamed body for the -Xmx128m memory run (0 skips)
#   WAIT_QUIET=          e.g. 1.5: before measuring, wait until the 1-min load average is below
#   WAIT_QUIET_MAX=900   ... for at most this many seconds (then run anyway; loadavg is recorded)
#   JMH=1 KILL=1         also run the masking JMH and bench/kill-propagation.sh (needs Redis) (+~5 min)
#   OUT=                 result directory (default: a new /tmp/airlock-bench.XXXXXX)
# Pinning: backend and the proxy under test on CPU 0, wrk on CPU 1; the Airlock JVM runs with
# -XX:ActiveProcessorCount=1 under taskset -c 0, so its event loop, GC and JIT share CPU 0.
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

SECS="${SECS:-8}"; RUNS="${RUNS:-3}"; WARMUP="${WARMUP:-30}"; CONNS="${CONNS:-50}"
THREADS="${THREADS:-1}"; TOKENS="${TOKENS:-64}"; RATE="${RATE:-2000}"; MB1="${MB1:-1}"
BIG_MB="${BIG_MB:-200}"; WAIT_QUIET="${WAIT_QUIET:-}"; WAIT_QUIET_MAX="${WAIT_QUIET_MAX:-900}"
OUT="${OUT:-$(mktemp -d /tmp/airlock-bench.XXXXXX)}"
mkdir -p "$OUT"; chmod 755 "$OUT" # nginx workers run as nobody and read the data dir
JAR="$root/gateway/target/airlock.jar"
HZ="$(getconf CLK_TCK)"
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- tools ------------------------------------------------------------------------------------
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]} from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
[[ "$(haproxy -vv 2>/dev/null)" == *USE_OPENSSL=1* ]] || { echo "haproxy without OpenSSL: no jwt_verify" >&2; exit 1; }
[ -f "$JAR" ] || ./mvnw -o -q -DskipTests package
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# ---- processes: started here, stopped by PID ----------------------------------------------------
# shellcheck source=lib/processes.sh
source "$root/bench/lib/processes.sh"
wait_http() { # url [header]: until any HTTP answer, 60 s at most
  local deadline=$((SECONDS + 60))
  until curl -s -o /dev/null -m 2 ${2:+-H "$2"} "$1"; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "no answer from $1 within 60 s" >&2; exit 1; }
    sleep 0.2
  done
}
status_of() { curl -s -o /dev/null -w '%{http_code}' -m 10 "$@"; }
expect() { # name expected-status curl-args...
  local name="$1" want="$2"; shift 2
  local got; got="$(status_of "$@")"
  [ "$got" = "$want" ] || { echo "check failed: $name: HTTP $got, expected $want" >&2; exit 1; }
}

# ---- data, keys, grants -----------------------------------------------------------------------
log "results in $OUT"
log "generating data (record, 1 MB list${BIG_MB:+, ${BIG_MB} MB list})"
(cd bench && java -cp "$JAR" BenchTool.java data "$OUT/data" "$BIG_MB")
chmod -R a+rX "$OUT/data"

BPORT="$(free_port)"; NPORT="$(free_port)"; HPORT="$(free_port)"; JPORT="$(free_port)"
FPORT="$(free_port)"; A1PORT="$(free_port)"; A2PORT="$(free_port)"; C1PORT="$(free_port)"
C2PORT="$(free_port)"
ISSUER="http://127.0.0.1:8081"

airlock_config() { # dir data-port control-port durability
  mkdir -p "$1"
  cat >"$1/airlock.yaml" <<EOF
node: { id: bench-$4 }
dataPlane: { host: 127.0.0.1, port: $2 }
controlPlane: { host: 127.0.0.1, port: $3 }
grants:
  issuer: $ISSUER
  activeKid: bench-1
  keys: [ { kid: bench-1 } ]
  generateMissingKeysIn: $OUT/keys
revocation: { maxStaleness: 1s }
identity: { mode: demo }
accessLog: { enabled: false }
audit: { dir: $OUT/audit-$4, durability: $4 }
EOF
  sed "s#http://127.0.0.1:9090#http://127.0.0.1:$BPORT#" config/demo/routes.yaml >"$1/routes.yaml"
  cp config/demo/masking.yaml config/demo/policy.yaml config/demo/users.yaml "$1/"
}
airlock_config "$OUT/airlock-sync" "$A1PORT" "$C1PORT" sync
airlock_config "$OUT/airlock-async" "$A2PORT" "$C2PORT" async

# the signing key (generated on first use, as in the demo) for HAProxy's jwt_verify
(cd bench && java -cp "$JAR" BenchTool.java tokens "$OUT/airlock-sync" 1 "$OUT/key-probe.txt")
(cd bench && java -cp "$JAR" BenchTool.java pem "$OUT/keys/bench-1.jwk.json" "$OUT/pub.pem")

# ---- contenders -------------------------------------------------------------------------------
cat >"$OUT/nginx-backend.conf" <<EOF
worker_processes 1;
daemon off;
pid $OUT/nginx-backend.pid;
error_log $OUT/nginx-backend.err warn;
events { worker_connections 8192; }
http {
  access_log off;
  default_type application/json;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_requests 10000000; keepalive_timeout 120s;
  client_body_temp_path $OUT/nb-tmp; proxy_temp_path $OUT/nb-tmp; fastcgi_temp_path $OUT/nb-tmp;
  uwsgi_temp_path $OUT/nb-tmp; scgi_temp_path $OUT/nb-tmp;
  server {
    listen 127.0.0.1:$BPORT backlog=4096;
    root $OUT/data;
    location ~ ^/clients/c-0002/transactions\$ { try_files /big.json =404; }
    location ~ ^/clients/[^/]+/transactions\$ { try_files /tx-1m.json =404; }
    location ~ ^/clients/[^/]+\$ { try_files /record.json =404; }
  }
}
EOF
cat >"$OUT/nginx-proxy.conf" <<EOF
worker_processes 1;
daemon off;
pid $OUT/nginx-proxy.pid;
error_log $OUT/nginx-proxy.err warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000; keepalive_timeout 120s;
  client_body_temp_path $OUT/np-tmp; proxy_temp_path $OUT/np-tmp; fastcgi_temp_path $OUT/np-tmp;
  uwsgi_temp_path $OUT/np-tmp; scgi_temp_path $OUT/np-tmp;
  upstream backend { server 127.0.0.1:$BPORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NPORT backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_max_temp_file_size 0;
    }
  }
}
EOF
haproxy_config() { # file port [rules-file]
  cat >"$1" <<EOF
global
  nbthread 1
  maxconn 4000
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend fe
  bind 127.0.0.1:$2
  maxconn 4000
$( [ -n "${3:-}" ] && cat "$3" )
  default_backend be
backend be
  server b1 127.0.0.1:$BPORT maxconn 1000
EOF
}
# 4: jwt_verify as in HAProxy's manual (alg, signature, exp)
cat >"$OUT/haproxy-jwt.rules" <<EOF
  http-request set-var(txn.bearer) http_auth_bearer
  http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('\$.alg')
  http-request deny deny_status 401 unless { var(txn.alg) -m str ES256 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_verify(txn.alg,"$OUT/pub.pem") -m int 1 }
  http-request set-var(txn.now) date
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_payload_query('\$.exp','int'),sub(txn.now) gt 0 }
EOF
# 4b: every check HAProxy can express natively (see docs/benchmarks.md for what is approximated)
{
  cat <<EOF
  acl path_ok path -m reg ^/clients/[A-Za-z0-9][A-Za-z0-9._-]{0,63}(/transactions)?\$
  http-request deny deny_status 400 unless path_ok
  http-request deny deny_status 405 unless METH_GET
  http-request set-var(txn.bearer) http_auth_bearer
  http-request deny deny_status 401 unless { var(txn.bearer) -m found }
  http-request set-var(txn.typ) var(txn.bearer),jwt_header_query('\$.typ')
  http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('\$.alg')
  http-request deny deny_status 401 unless { var(txn.typ) -m str airlock-grant+jwt } { var(txn.alg) -m str ES256 }
  http-request set-var(txn.now) date
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_payload_query('\$.exp','int'),add(30),sub(txn.now) gt 0 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_payload_query('\$.nbf','int'),sub(txn.now) le 30 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_payload_query('\$.iss') -m str $ISSUER }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_payload_query('\$.aud') -m str airlock-data-plane }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_verify(txn.alg,"$OUT/pub.pem") -m int 1 }
  http-request deny deny_status 401 if { var(txn.bearer),jwt_payload_query('\$.jti') -m str -f $OUT/revoked.lst }
  http-request set-var(txn.client) path,field(3,/)
EOF
  for i in 0 1 2 3 4 5 6 7 8 9; do
    echo "  acl in_grant_$i var(txn.bearer),jwt_payload_query('\$.clients[$i]'),strcmp(txn.client) eq 0"
  done
  echo "  http-request deny deny_status 403 unless in_grant_0 || in_grant_1 || in_grant_2 || in_grant_3 || in_grant_4 || in_grant_5 || in_grant_6 || in_grant_7 || in_grant_8 || in_grant_9"
  cat <<EOF
  acl may_read_0 var(txn.bearer),jwt_payload_query('\$.actions[0]') -m str read
  acl may_read_1 var(txn.bearer),jwt_payload_query('\$.actions[1]') -m str read
  http-request deny deny_status 403 unless may_read_0 || may_read_1
  http-request set-header X-Airlock-Agent %[var(txn.bearer),jwt_payload_query('\$.sub')]
  http-request set-header X-Airlock-Ticket %[var(txn.bearer),jwt_payload_query('\$.ticket')]
  http-request set-header X-Airlock-Request-Id %[uuid]
  http-request del-header Authorization
  http-request del-header Cookie
  option forwardfor
EOF
} >"$OUT/haproxy-full.rules"
declare -A PID URL
start() { # name url command...
  local name="$1" url="$2"; shift 2
  taskset -c 0 "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" &
  pids+=($!); PID[$name]=$!; URL[$name]="$url"
}
JVM_OPTS=(-XX:ActiveProcessorCount=1 -Xms256m -Xmx512m)
start airlock-sync "http://127.0.0.1:$A1PORT" java "${JVM_OPTS[@]}" ${AIRLOCK_JFR_SYNC:+"-XX:StartFlightRecording=$AIRLOCK_JFR_SYNC"} \
  -jar "$JAR" serve --config "$OUT/airlock-sync"
start airlock-async "http://127.0.0.1:$A2PORT" java "${JVM_OPTS[@]}" ${AIRLOCK_JFR_ASYNC:+"-XX:StartFlightRecording=$AIRLOCK_JFR_ASYNC"} \
  -jar "$JAR" serve --config "$OUT/airlock-async"
for n in airlock-sync airlock-async; do wait_http "${URL[$n]}/"; done
# Grants are minted once the nodes run: a node starts at the current revocation epoch (wall-clock
# millis), so grants minted before it started would be refused as revoked.
log "minting $TOKENS grants (+1 to revoke) with the airlock grant code"
(cd bench && java -cp "$JAR" BenchTool.java tokens "$OUT/airlock-sync" "$((TOKENS + 1))" "$OUT/all-tokens.txt")
head -n "$TOKENS" "$OUT/all-tokens.txt" >"$OUT/tokens.txt"
REVOKED_TOKEN="$(tail -n 1 "$OUT/all-tokens.txt")"
TOKEN="$(head -n 1 "$OUT/tokens.txt")"
# same header and payload, signature bytes replaced: well-formed, cheap checks pass, ECDSA fails
FORGED="${TOKEN%.*}.$(printf 'A%.0s' $(seq 1 86))"
# HAProxy's revocation list: 9,999 random jtis plus the revoked grant's
b64url_json() { local s; s="$(echo "$1" | cut -d. -f"$2" | tr '_-' '/+')"; while [ $(( ${#s} % 4 )) -ne 0 ]; do s="$s="; done; echo "$s" | base64 -d; }
revoked_jti="$(b64url_json "$REVOKED_TOKEN" 2 | sed 's/.*"jti":"\([^"]*\)".*/\1/')"
( set +o pipefail; head -c 300000 /dev/urandom | base64 -w0 | tr '/+' '_-' | fold -w 22 | head -n 9999; echo "$revoked_jti" ) >"$OUT/revoked.lst"

haproxy_config "$OUT/haproxy.cfg" "$HPORT"
haproxy_config "$OUT/haproxy-jwt.cfg" "$JPORT" "$OUT/haproxy-jwt.rules"
haproxy_config "$OUT/haproxy-full.cfg" "$FPORT" "$OUT/haproxy-full.rules"
for c in haproxy haproxy-jwt haproxy-full; do haproxy -c -q -f "$OUT/$c.cfg"; done
start backend "http://127.0.0.1:$BPORT" nginx -c "$OUT/nginx-backend.conf" -p "$OUT"
start nginx "http://127.0.0.1:$NPORT" nginx -c "$OUT/nginx-proxy.conf" -p "$OUT"
start haproxy "http://127.0.0.1:$HPORT" haproxy -db -f "$OUT/haproxy.cfg"
start haproxy-jwt "http://127.0.0.1:$JPORT" haproxy -db -f "$OUT/haproxy-jwt.cfg"
start haproxy-full "http://127.0.0.1:$FPORT" haproxy -db -f "$OUT/haproxy-full.cfg"
for n in backend nginx haproxy haproxy-jwt haproxy-full airlock-sync airlock-async; do wait_http "${URL[$n]}/"; done

# ---- every contender must enforce what it claims before it is measured ---------------------------
auth=(-H "Authorization: Bearer $TOKEN")
for n in backend nginx haproxy haproxy-jwt haproxy-full airlock-sync airlock-async; do
  expect "$n record" 200 "${auth[@]}" "${URL[$n]}/clients/c-0001"
done
for n in haproxy-jwt haproxy-full airlock-sync airlock-async; do
  expect "$n forged" 401 -H "Authorization: Bearer $FORGED" "${URL[$n]}/clients/c-0001"
  expect "$n no token" 401 "${URL[$n]}/clients/c-0001"
done
for n in haproxy-full airlock-async; do
  expect "$n out of scope" 403 "${auth[@]}" "${URL[$n]}/clients/c-0003"
  expect "$n method" 405 -X DELETE "${auth[@]}" "${URL[$n]}/clients/c-0001"
done
for n in haproxy-full airlock-async; do
  expect "$n bad path" 400 --path-as-is "${auth[@]}" "${URL[$n]}/clients/c-0001/../c-0003"
done
expect "haproxy-full revoked" 401 -H "Authorization: Bearer $REVOKED_TOKEN" "${URL[haproxy-full]}/clients/c-0001"
curl -s "${auth[@]}" "${URL[airlock-async]}/clients/c-0001" >"$OUT/airlock-record.json"
grep -q '"ssn":"\*\*\*' "$OUT/airlock-record.json" || grep -q '"ssn":"[^"]*8906"' "$OUT/airlock-record.json" \
  || { echo "airlock response does not look masked: $(head -c 300 "$OUT/airlock-record.json")" >&2; exit 1; }
! grep -q '484-44-8906' "$OUT/airlock-record.json" || { echo "airlock leaked the ssn" >&2; exit 1; }

# ---- measuring --------------------------------------------------------------------------------
proc_pids() { # name -> the process and its children (nginx workers)
  local p="${PID[$1]}"; echo "$p"; pgrep -P "$p" 2>/dev/null || true
}
cpu_ticks() { local t=0 p; for p in $(proc_pids "$1"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
printf 'scenario\tcontender\trun\trps\trequests\tcpu_us\tp50_ms\tp99_ms\tp999_ms\tnon2xx\tload\n' >"$OUT/results.tsv"

# run scenario contender run-number path tokens-limit conns secs [rate-delay-ms]
run() {
  local scen="$1" name="$2" i="$3" path="$4" limit="$5" conns="$6" secs="$7" delay="${8:-}"
  local f="$OUT/wrk-$scen-$name-$i.txt" before after
  before="$(cpu_ticks "$name")"
  TOKENS_FILE="$OUT/tokens.txt" TOKENS_LIMIT="$limit" WRK_PATH="$path" RATE_DELAY_MS="$delay" \
    timeout $((secs + 30)) taskset -c 1 wrk -t"$THREADS" -c"$conns" -d"${secs}s" --timeout 10s --latency \
    -s bench/wrk/tokens.lua "${URL[$name]}" >"$f"
  after="$(cpu_ticks "$name")"
  local rps reqs p50 p99 p999 non2xx cpu
  rps="$(awk '/Requests\/sec/ {print $2}' "$f")"
  reqs="$(awk '/requests in/ {print $1}' "$f")"
  read -r p50 p99 p999 < <(awk '/^PCTL_US/ {printf "%.3f %.3f %.3f\n", $2/1000, $3/1000, $4/1000}' "$f")
  non2xx="$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$f")"
  cpu="$(awk -v d="$((after - before))" -v hz="$HZ" -v n="$reqs" 'BEGIN { printf "%.1f", (n > 0 ? d * 1e6 / hz / n : 0) }')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$name" "$i" "$rps" "$reqs" "$cpu" "$p50" "$p99" \
    "$p999" "$non2xx" "$(loadavg)" >>"$OUT/results.tsv"
  log "$(printf '%-8s %-20s #%s %9s req/s %7s us/req p50 %6s p99 %7s ms non2xx %s load %s' \
    "$scen" "$name" "$i" "$rps" "$cpu" "$p50" "$p99" "$non2xx" "$(loadavg)")"
}

# ---- the runs ---------------------------------------------------------------------------------
if [ -n "$WAIT_QUIET" ]; then
  deadline=$((SECONDS + WAIT_QUIET_MAX))
  until awk -v max="$WAIT_QUIET" '{ exit !($1 < max) }' /proc/loadavg || [ "$SECONDS" -ge "$deadline" ]; do
    log "load average $(loadavg) >= $WAIT_QUIET, waiting"; sleep 15
  done
fi
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
all=(backend nginx haproxy haproxy-jwt haproxy-full airlock-sync airlock-async)
rec="/clients/c-0001"; list="/clients/c-0001/transactions"
log "warm-up: 3 s each for nginx/haproxy, ${WARMUP} s each Airlock JVM"
for n in backend nginx haproxy haproxy-jwt haproxy-full; do run warmup "$n" 0 "$rec" 0 "$CONNS" 3; done
for n in airlock-sync airlock-async; do
  run warmup "$n" 0 "$rec" 0 "$CONNS" "$WARMUP"
  [ "$MB1" = 0 ] || run warmup "$n" 0 "$list" 0 "$CONNS" 5
done
sed -i '/^warmup/d' "$OUT/results.tsv"

for i in $(seq 1 "$RUNS"); do # interleaved: run i of every contender before run i+1 of any
  for n in "${all[@]}"; do run tput-2k "$n" "$i" "$rec" 0 "$CONNS" "$SECS"; done
  for n in airlock-sync airlock-async; do run tput-2k-1token "$n" "$i" "$rec" 1 "$CONNS" "$SECS"; done
done
if [ "$MB1" != 0 ]; then
  for i in $(seq 1 "$RUNS"); do
    for n in "${all[@]}"; do run tput-1m "$n" "$i" "$list" 0 "$CONNS" $(( (SECS + 1) / 2 + 1 )); done
  done
fi
if [ "$RATE" != 0 ]; then # 20 connections, each waiting 20000/RATE ms between requests
  for i in $(seq 1 "$RUNS"); do
    for n in "${all[@]}"; do run "rate-$RATE" "$n" "$i" "$rec" 0 20 $(( (SECS + 1) / 2 + 1 )) $((20000 / RATE)); done
  done
fi
# forged flood: 10 connections x 1 request / 10 ms of forged grants beside the legitimate load
for i in $(seq 1 "$RUNS"); do
  for n in haproxy-full airlock-async; do
    FORGED_TOKEN="$FORGED" FLOOD_DELAY_MS=10 timeout $((SECS + 40)) taskset -c 1 wrk -t1 -c10 -d"$((SECS + 2))s" \
      -s bench/wrk/forged-flood.lua "${URL[$n]}/clients/c-0001" >"$OUT/flood-$n-$i.txt" &
    flood=$!
    run flood "$n" "$i" "$rec" 0 "$CONNS" "$SECS"
    wait "$flood" || true
    log "  forged: $(awk '/Requests\/sec/ {print $2}' "$OUT/flood-$n-$i.txt") req/s, non-2xx $(awk '/Non-2xx/ {print $NF}' "$OUT/flood-$n-$i.txt")"
  done
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- memory -----------------------------------------------------------------------------------
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
sample_rss() { # pid seconds -> max VmRSS (kB) seen every 0.2 s
  local max=0 r end=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$end" ] && kill -0 "$1" 2>/dev/null; do
    r="$(rss_kb "$1")"; [ "${r:-0}" -gt "$max" ] && max="$r"; sleep 0.2
  done
  echo "$max"
}
apid="${PID[airlock-async]}"
rss_before="$(rss_kb "$apid")"
TOKENS_FILE="$OUT/tokens.txt" WRK_PATH="$rec" timeout $((SECS + 40)) taskset -c 1 wrk -t1 -c1000 -d"${SECS}s" \
  --timeout 10s -s bench/wrk/tokens.lua "${URL[airlock-async]}" >"$OUT/wrk-c1000.txt" &
w=$!
rss_c1000="$(sample_rss "$apid" "$SECS")"
wait "$w" || true
log "airlock-async with 1000 connections: RSS $((rss_before / 1024)) MB before, max $((rss_c1000 / 1024)) MB during, $(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-c1000.txt") req/s"

big=""
if [ "$BIG_MB" != 0 ]; then
  S1PORT="$(free_port)"; S2PORT="$(free_port)"
  airlock_config "$OUT/airlock-stream" "$S1PORT" "$S2PORT" async
  start airlock-stream "http://127.0.0.1:$S1PORT" java -XX:ActiveProcessorCount=1 -Xmx128m -jar "$JAR" serve \
    --config "$OUT/airlock-stream"
  wait_http "${URL[airlock-stream]}/"
  spid="${PID[airlock-stream]}"
  (cd bench && java -cp "$JAR" BenchTool.java tokens "$OUT/airlock-stream" 1 "$OUT/stream-token.txt")
  auth=(-H "Authorization: Bearer $(cat "$OUT/stream-token.txt")")
  expect "stream record" 200 "${auth[@]}" "${URL[airlock-stream]}/clients/c-0001"
  s_before="$(rss_kb "$spid")"
  t0="$(date +%s.%N)"
  timeout 300 taskset -c 1 curl -s -N "${auth[@]}" -w '%{http_code} %{size_download}\n' -o "$OUT/big-masked.tail" \
    "${URL[airlock-stream]}/clients/c-0002/transactions" >"$OUT/big-curl.txt" &
  c=$!
  s_max=0
  while kill -0 "$c" 2>/dev/null; do r="$(rss_kb "$spid")"; [ "$r" -gt "$s_max" ] && s_max="$r"; sleep 0.2; done
  wait "$c" || true
  t1="$(date +%s.%N)"
  read -r big_code big_bytes <"$OUT/big-curl.txt"
  big_in="$(stat -c %s "$OUT/data/big.json")"
  big_tail="$(tail -c 2 "$OUT/big-masked.tail")"; rm -f "$OUT/big-masked.tail"
  big="$(awk -v c="$big_code" -v i="$big_in" -v o="$big_bytes" -v t0="$t0" -v t1="$t1" -v b="$s_before" -v m="$s_max" \
    -v h="$(hwm_kb "$spid")" -v tail="$big_tail" 'BEGIN { printf "HTTP %s, %.0f MB in, %.0f MB masked out (ends with %s) in %.1f s = %.0f MB/s; RSS %.0f MB before, max %.0f MB while streaming, VmHWM %.0f MB", c, i/1e6, o/1e6, tail, t1-t0, i/1e6/(t1-t0), b/1024, m/1024, h/1024 }')"
  log "200 MB stream, -Xmx128m: $big"
fi

# ---- optional: the masking JMH and kill propagation (Redis at 127.0.0.1:6379), same run -------
if [ "${JMH:-0}" != 0 ]; then
  log "masking JMH (bench module, -Pbench)"
  ./mvnw -o -q -Pbench -pl bench -am package -DskipTests
  timeout 900 taskset -c 0 java -jar bench/target/benchmarks.jar MaskingBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s -t 1 \
    >"$OUT/jmh.txt" 2>&1 || log "JMH failed or timed out: $OUT/jmh.txt"
fi
if [ "${KILL:-0}" != 0 ]; then
  log "kill propagation (bench/kill-propagation.sh 300 50 50)"
  timeout 900 bench/kill-propagation.sh 300 50 50 >"$OUT/kill.txt" 2>&1 || log "kill propagation failed or timed out: $OUT/kill.txt"
fi

# ---- summary ----------------------------------------------------------------------------------
median() { sort -g | awk '{v[NR] = $1} END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v s="$1" -v n="$2" -v c="$3" '$1 == s && $2 == n { print $c }' "$OUT/results.tsv" | median; }
label() {
  case "$1" in
    backend) echo "direct (nginx backend)";; nginx) echo "nginx reverse proxy";; haproxy) echo "HAProxy plain";;
    haproxy-jwt) echo "HAProxy + jwt_verify ES256";; haproxy-full) echo "HAProxy every native check (4b)";;
    airlock-sync) echo "Airlock, every check, audit sync";; airlock-async) echo "Airlock, every check, audit async";;
    *) echo "$1";;
  esac
}
table() { # scenario
  local s="$1" jwt direct d50 n
  jwt="$(col "$s" haproxy-jwt 4)"; direct="$(col "$s" backend 4)"; d50="$(col "$s" backend 7)"
  [ "$jwt" != "-" ] || jwt="$(col tput-2k haproxy-jwt 4)"
  [ "$direct" != "-" ] || direct="$(col tput-2k backend 4)"
  echo "| contender | req/s | CPU µs/req | p50 ms | p99 ms | p99.9 ms | × HAProxy+JWT | × direct | non-2xx/errors |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for n in "${all[@]}"; do
    local rps; rps="$(col "$s" "$n" 4)"; [ "$rps" != "-" ] || continue
    awk -v l="$(label "$n")" -v r="$rps" -v c="$(col "$s" "$n" 6)" -v p50="$(col "$s" "$n" 7)" -v p99="$(col "$s" "$n" 8)" \
      -v p999="$(col "$s" "$n" 9)" -v j="$jwt" -v d="$direct" -v e="$(awk -F'\t' -v s="$s" -v n="$n" '$1 == s && $2 == n {t += $10} END {print t + 0}' "$OUT/results.tsv")" \
      'BEGIN { printf "| %s | %.0f | %.1f | %.3f | %.2f | %.2f | %.2f | %.2f | %d |\n", l, r, c, p50, p99, p999, r / j, r / d, e }'
  done
}
{
  echo "Machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $(nproc) CPUs, $(uname -sr);"
  echo "$(java -version 2>&1 | head -1), $(nginx -v 2>&1 | sed 's/.*: //'), $(haproxy -v | head -1 | cut -d' ' -f1-3), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
  echo "Load average (1/5/15 min) at start of measuring: $load_start; at end: $load_end."
  echo "Settings: SECS=$SECS RUNS=$RUNS WARMUP=$WARMUP CONNS=$CONNS THREADS=$THREADS TOKENS=$TOKENS RATE=$RATE; medians of $RUNS interleaved runs."
  echo
  echo "2 KB client record, $TOKENS distinct grants rotated, wrk -t$THREADS -c$CONNS -d${SECS}s:"
  echo; table tput-2k; echo
  echo "Same, one grant only (rows: Airlock; ratios against the multi-token HAProxy+JWT and direct runs):"
  echo; table tput-2k-1token; echo
  if [ "$MB1" != 0 ]; then echo "1 MB transaction list (masked by Airlock), wrk -t$THREADS -c$CONNS:"; echo; table tput-1m; echo; fi
  if [ "$RATE" != 0 ]; then
    echo "Fixed rate, about $RATE req/s (20 connections, one request per $((20000 / RATE)) ms each), 2 KB record; added p50 = p50 − direct's p50:"
    echo; table "rate-$RATE"
    echo; for n in "${all[@]}"; do
      awk -v l="$(label "$n")" -v a="$(col "rate-$RATE" "$n" 7)" -v d="$(col "rate-$RATE" backend 7)" 'BEGIN { printf "- %s: added p50 %.3f ms\n", l, a - d }'
    done; echo
  fi
  echo "Forged-token flood (10 connections × 1 request / 10 ms ≈ 1,000 forged req/s on CPU 1 beside the legitimate load):"
  echo; table flood; echo
  for f in "$OUT"/flood-*-1.txt; do
    echo "- $(basename "$f" -1.txt | sed 's/^flood-//'): forged $(awk '/Requests\/sec/ {print $2}' "$f") req/s, refused (non-2xx) $(awk '/Non-2xx/ {print $NF}' "$f") of $(awk '/requests in/ {print $1}' "$f")"
  done
  echo
  echo "Memory: Airlock (audit async, -Xmx512m) with wrk -c1000: RSS $((rss_before / 1024)) MB before, max $((rss_c1000 / 1024)) MB during ($(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-c1000.txt") req/s, $(awk '/Non-2xx/ {n = $NF} /Socket errors/ {e = $0} END {print n + 0 " non-2xx" (e ? "; " e : "")}' "$OUT/wrk-c1000.txt"))."
  [ ! -f "$OUT/jmh.txt" ] || { echo; echo "Masking JMH:"; echo; echo '```'; grep -E '^(Benchmark|MaskingBenchmark)' "$OUT/jmh.txt"; echo '```'; }
  [ ! -f "$OUT/kill.txt" ] || { echo; echo "Kill propagation:"; echo; echo '```'; tail -n 20 "$OUT/kill.txt"; echo '```'; }
  [ -z "$big" ] || echo "Streaming ${BIG_MB} MB through the masked transactions route with -Xmx128m: $big."
} | tee "$OUT/summary.md"
log "done: $OUT/summary.md, raw wrk output and results.tsv beside it"
