# Sourced by the bench scripts: processes they start are remembered by PID and stopped on exit
# (TERM, then KILL after a grace period), never by name, so nothing else on the machine is hit.
#   pids+=("$!")          after starting something in the background
#   STOP_GRACE_SECS=15    before sourcing, to give processes longer to stop (default 10)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  local deadline=$((SECONDS + ${STOP_GRACE_SECS:-10}))
  for p in "${pids[@]}"; do
    while kill -0 "$p" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port nothing listens on right now (a race with other processes is possible but harmless
# here: the process that loses fails to bind and the script stops with its log).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}
