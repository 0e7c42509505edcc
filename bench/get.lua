-- wrk script: GET random existing appeals by number.
--
--   wrk -s bench/get.lua http://127.0.0.1:PORT -- PREFIX YEAR MAX
--
-- Numbers are "YYYY-NNNNNN", sequential from 000001 within a year, so any
-- sequence in 1..MAX of YEAR exists. The arguments may instead come from
-- the environment: BENCH_PREFIX (default /api/v1/appeals/), BENCH_YEAR
-- (default: this year, UTC) and BENCH_MAX (default 1000).
-- done() prints one machine-readable RESULT line (scripts/bench.sh reads it).

local prefix, year, max

local function config(args)
  prefix = args[1] or os.getenv("BENCH_PREFIX") or "/api/v1/appeals/"
  year = tonumber(args[2] or os.getenv("BENCH_YEAR") or os.date("!%Y"))
  max = tonumber(args[3] or os.getenv("BENCH_MAX") or "1000")
  if not year or not max or max < 1 or max > 999999 then
    error("get.lua: bad YEAR/MAX (args: PREFIX YEAR MAX)")
  end
end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  config(args)
  -- A different stream per thread (tid is set by setup before init runs).
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

function request()
  local path = string.format("%s%04d-%06d", prefix, year, math.random(1, max))
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d " ..
    "err_connect=%d err_read=%d err_write=%d err_timeout=%d err_status=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, e.status))
end
