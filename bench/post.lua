-- wrk script: POST valid appeals (every request a different one).
--
--   wrk -s bench/post.lua http://127.0.0.1:PORT
--
-- Path from BENCH_POST_PATH (default /api/v1/appeals). Category/type pairs
-- are real catalogue entries; coordinates fall inside Dnipro (lat
-- 48.40-48.55, lon 34.95-35.15); descriptions vary in length and words.
-- done() prints one machine-readable RESULT line (scripts/bench.sh reads it).

local path
local pairs_ = {
  {"water_supply", "no_water"}, {"water_supply", "low_pressure"},
  {"water_supply", "burst_pipe"}, {"heating", "no_heating"},
  {"heating", "no_hot_water"}, {"street_lighting", "light_out"},
  {"garbage", "not_collected"}, {"roads", "pothole"},
  {"sewerage", "blockage_flooding"}, {"trees", "fallen_tree"},
  {"elevators", "elevator_stopped"}, {"electricity_supply", "no_power"},
}
local words = {
  "Немає", "води", "у", "будинку", "з", "ранку", "прошу", "терміново",
  "перевірити", "під'їзд", "третій", "день", "мешканці", "скаржаться",
  "біля", "школи", "ситуація", "не", "змінюється", "дякую",
}
local streets = {
  "просп. Яворницького", "вул. Робоча", "просп. Науки", "вул. Титова",
  "просп. Слобожанський", "вул. Калинова",
}
-- "phone" is the hotline's channel: only signed-in operators may use it (issue 3)
local channels = {"web", "mobile"}

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

local seq = 0
function init(args)
  path = os.getenv("BENCH_POST_PATH") or "/api/v1/appeals"
  math.randomseed(os.time() * 1000 + (tid or 0) * 104729)
end

local function description()
  local n = math.random(6, 30)
  local t = {}
  for i = 1, n do t[i] = words[math.random(#words)] end
  seq = seq + 1
  -- The thread id and a counter make every body unique.
  return string.format("%s (№%d-%d)", table.concat(t, " "), tid or 0, seq)
end

function request()
  local p = pairs_[math.random(#pairs_)]
  local body = string.format(
    '{"category":"%s","type":"%s","description":"%s",' ..
    '"location":{"lat":%.6f,"lon":%.6f,"address":"%s, %d"},' ..
    '"applicant":{"name":"Олена Коваль","phone":"+380671234567"},"channel":"%s"}',
    p[1], p[2], description(),
    48.40 + math.random() * 0.15, 34.95 + math.random() * 0.20,
    streets[math.random(#streets)], math.random(1, 150),
    channels[math.random(#channels)])
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
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
