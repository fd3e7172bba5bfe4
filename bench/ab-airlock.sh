#!/usr/bin/env bash
# A/B for hot-path fixes: one Airlock jar against the backend and Airlock config a bench/run-all.sh
# run left in its OUT directory; prints CPU us per request of the JVM (utime+stime / requests)
# (and its user/kernel split) for 3 runs on the 2 KB record and 3 on the 1 MB list. Run it for the old and new jar in turn.
# With ALLOC=1 also bytes allocated per request: jstat samples eden every 100 ms during each run
# (a drop in eden's use is a young GC: what was left to fill up to capacity counts as allocated).
# usage: bench/ab-airlock.sh JAR LABEL OUT   (env: WARM=30 seconds of warm-up, ALLOC=1, CONNS=50)
set -euo pipefail
JAR="$(realpath "$1")"; L="$2"; D="$(realpath "$3")"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
taskset -c 0 nginx -c $D/nginx-backend.conf -p $D >/dev/null 2>&1 & NG=$!
AP=$(awk -F'port: ' '/dataPlane/ {gsub(/[^0-9]/,"",$2); print $2}' $D/airlock-async/airlock.yaml)
taskset -c 0 java -XX:ActiveProcessorCount=1 -Xms256m -Xmx512m ${JFR:+-XX:StartFlightRecording=$JFR} -jar "$JAR" serve --config $D/airlock-async >$D/ab-$L.log 2>&1 & J=$!
trap 'kill $J $NG 2>/dev/null || true' EXIT
until curl -s -o /dev/null http://127.0.0.1:$AP/; do sleep 0.5; done
(cd bench && java -cp "$JAR" BenchTool.java tokens $D/airlock-async 16 $D/ab-tokens.txt)
w() { TOKENS_FILE=$D/ab-tokens.txt WRK_PATH=$1 taskset -c 1 wrk -t1 -c${CONNS:-50} -d${2}s -s bench/wrk/tokens.lua http://127.0.0.1:$AP; }
w /clients/c-0001 ${WARM:-30} >/dev/null; w /clients/c-0001/transactions 5 >/dev/null
for path in /clients/c-0001 /clients/c-0001/transactions; do for i in 1 2 3; do
  [ -n "${ALLOC:-}" ] && { taskset -c 1 jstat -gc $J 100 >$D/ab-jstat.txt 2>/dev/null & JS=$!; sleep 1; }
  read -r bu bs < <(awk '{print $14, $15}' /proc/$J/stat); out=$(w $path 8); read -r au as < <(awk '{print $14, $15}' /proc/$J/stat)
  b=$((bu + bs)); a=$((au + as))
  [ -n "${ALLOC:-}" ] && { kill $JS; wait $JS 2>/dev/null || true; }
  n=$(echo "$out" | awk '/requests in/ {print $1}'); r=$(echo "$out" | awk '/Requests\/sec/ {print $2}'); e=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  al=""; [ -n "${ALLOC:-}" ] && al=" alloc_kb=$(awk -v n=$n 'NR>2 && $6+0==$6 { if ($6>=pu) t+=$6-pu; else t+=pc-pu+$6 } NR>1 && $6+0==$6 {pu=$6; pc=$5} END {printf "%.1f", t/n*1.0}' $D/ab-jstat.txt)"
  echo "$L $path rps=$r cpu_us=$(awk -v d=$((a-b)) -v n=$n 'BEGIN{printf "%.0f", d*1e4/n}') (user $(awk -v d=$((au-bu)) -v n=$n 'BEGIN{printf "%.0f", d*1e4/n}') sys $(awk -v d=$((as-bs)) -v n=$n 'BEGIN{printf "%.0f", d*1e4/n}'))$al non2xx=${e:-0} load=$(cut -d' ' -f1 /proc/loadavg)"
done; done
