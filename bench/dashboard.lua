-- wrk script: one analytics view, again and again, with a staff session.
--
--   wrk -s bench/dashboard.lua http://127.0.0.1:PORT -- COOKIE PATH [PATH...]
--
-- COOKIE: "kontakt_session=..." (empty for the public statistics).
-- PATH: e.g. /api/v1/stats/dashboard?from=2025-12-02&to=2026-12-01; with
-- several, each request takes one at random (the public statistics keep an
-- answer ten seconds per period: many periods measure the work, not the
-- cache).
-- done() prints one RESULT line (as map.lua).

local paths, cookie = {}, ""

function init(args)
  cookie = args[1] or ""
  for i = 2, #args do paths[#paths + 1] = args[i] end
  math.randomseed(os.time() * 1000 + math.random(1, 100000))
end

function request()
  local path = paths[math.random(1, #paths)]
  if cookie ~= "" then
    return wrk.format("GET", path, { ["Cookie"] = cookie })
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p95_us=%d p99_us=%d " ..
    "err_connect=%d err_read=%d err_write=%d err_timeout=%d err_status=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, e.status))
end
