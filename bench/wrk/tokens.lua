-- Legitimate load for bench/run-all.sh: GET $WRK_PATH with a bearer token rotated per request
-- over the lines of $TOKENS_FILE (the first $TOKENS_LIMIT of them when set; 1 = a single token).
-- Requests are formatted once up front so wrk's own Lua cost stays flat across contenders.
-- $RATE_DELAY_MS set: each connection waits that long between requests (fixed-rate runs).
local path = os.getenv("WRK_PATH") or "/clients/c-0001"
local limit = tonumber(os.getenv("TOKENS_LIMIT") or "0")
local requests = {}
-- built in init(): wrk.format adds no Host header to explicit headers, and wrk.headers.Host is
-- only set by then
function init(args)
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    if #line > 0 and (limit == 0 or #requests < limit) then
      requests[#requests + 1] = wrk.format("GET", path,
        { ["Host"] = wrk.headers["Host"], ["Authorization"] = "Bearer " .. line })
    end
  end
  assert(#requests > 0, "no tokens in " .. tostring(os.getenv("TOKENS_FILE")))
end
local i = 0
function request()
  i = i % #requests + 1
  return requests[i]
end
local d = tonumber(os.getenv("RATE_DELAY_MS") or "")
if d then
  function delay()
    return d
  end
end
-- wrk --latency stops at 99%; p99.9 comes from here (microseconds).
function done(summary, latency, requests)
  io.write(string.format("PCTL_US %d %d %d\n", latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9)))
end
