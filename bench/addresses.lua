-- wrk script: address autocomplete, GET /api/v1/addresses?q=... with
-- realistic partial queries as residents and operators type them: current
-- names letter by letter, with kinds («вул.», «просп.», «пров.»), house
-- numbers, old (renamed) names, apostrophe variants and small typos.
--
--   wrk -s bench/addresses.lua http://127.0.0.1:PORT
--
-- done() prints one machine-readable RESULT line with p95 (scripts/bench.sh
-- reads it).

local queries = {
  "ро", "роб", "робо", "робоча", "вул. Робоча", "вул. Робоча, 1", "Робоча 12", "Робоча 12а",
  "просп. Дм", "просп. Дмитра Яв", "Дмитра Яворницького 5", "Яворницького",
  "Карла Маркса", "Карла Маркса 10", "Кірова", "Гагаріна 3", "Баглія", "Білостоцького",
  "пров. Любарського", "Любарського 2", "Набережна Перемоги", "наб. Перемоги 40",
  "Кожум'яки", "Кожумʼяки", "кожумяки", "Граб’янки", "Григорія Граб'янки 7",
  "робча", "Брацлавскьа", "Яварницького", "Слобожанськй", "Титова 1", "Шевченка 5/7",
  "Воскресенська", "Старокозацька 3 корп. 2", "Науки", "просп. Науки, 1", "Олександра Поля",
  "пл. Соборна", "Кодацький узвіз", "б-р Слави", "Запорізьке шосе 20", "ж/м Калиновий",
  "Паторжинського", "Короленка 8", "Європейська", "Січеславська Набережна", "Глінки 2",
}

local function encode(s)
  return (s:gsub("[^%w%-%.%_~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local paths = {}
for i, q in ipairs(queries) do
  paths[i] = "/api/v1/addresses?q=" .. encode(q) .. "&limit=10"
end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

function request()
  return wrk.format("GET", paths[math.random(1, #paths)])
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
