-- wrk script: GET /api/v1/map for random viewports of a 1280x800-px window.
--
--   wrk -s bench/map.lua http://127.0.0.1:PORT -- ZOOM
--
-- ZOOM 11: the whole city, centred within ±0.02° of the city centre;
-- ZOOM 17: a street, centred anywhere in the central 0.08° x 0.07°.
-- done() prints one RESULT line (as get.lua, plus p95_us).

local zoom
local lat0, lon0 = 48.4647, 35.0462

function setup(thread) end

function init(args)
  zoom = tonumber(args[1] or os.getenv("BENCH_ZOOM") or "11")
  math.randomseed(os.time() * 1000 + math.random(1, 100000))
end

function request()
  local w = 1280 / (256 * 2 ^ zoom) * 360
  local h = w * 800 / 1280 * math.cos(math.rad(lat0))
  local spread_lat, spread_lon = 0.02, 0.02
  if zoom >= 16 then spread_lat, spread_lon = 0.035, 0.04 end
  local lat = lat0 + (math.random() * 2 - 1) * spread_lat
  local lon = lon0 + (math.random() * 2 - 1) * spread_lon
  local path = string.format("/api/v1/map?bbox=%.5f,%.5f,%.5f,%.5f&zoom=%d",
    lon - w / 2, lat - h / 2, lon + w / 2, lat + h / 2, zoom)
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
