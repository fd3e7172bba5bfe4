-- A slow, steady stream of forged grants: each connection waits `delay_ms` between requests,
-- so N connections give about N * 1000 / delay_ms requests per second.
local forged = os.getenv("FORGED_TOKEN")
local delay_ms = tonumber(os.getenv("FLOOD_DELAY_MS") or "10")
wrk.headers["Authorization"] = "Bearer " .. forged
function delay()
  return delay_ms
end
