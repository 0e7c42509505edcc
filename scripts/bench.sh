#!/usr/bin/env bash
# `make bench`: Kontakt against a bare libmicrohttpd+SQLite reference on a
# database of 1,000,000 demo appeals. See docs/BENCH.md.
#
# Runs, one after the other, each after a warm-up, with wrk on 127.0.0.1:
#   1. reference GET /appeals/{number}          (build/bench-ref)
#   2. kontakt   GET /api/v1/appeals/{number}   (build/kontakt serve)
#   3. kontakt   POST /api/v1/appeals           (same serve process)
# then prints a table (also var/bench/last.txt) with PASS/FAIL per target.
#
# Exit status: 0 ok; 1 a run had socket errors or non-2xx answers, or setup
# failed; 3 a target was missed and BENCH_STRICT=1.
#
# Environment (defaults in brackets):
#   BENCH_DURATION [10s]  BENCH_WARMUP [3s]  BENCH_THREADS [2]
#   BENCH_CONNECTIONS [64]  BENCH_COUNT [1000000]  BENCH_DAYS [730]
#   BENCH_STRICT [0]   BENCH_KEEP [0] keep the POST copy of the database
#   BENCH_ONLY [all]: "dashboard" runs only the analytics scenario (e.g. on
#     BENCH_COUNT=10000000: the figure for ten million appeals)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-3s}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-64}
COUNT=${BENCH_COUNT:-1000000}
# Two years of history, as a city of ~500,000 appeals a year would have.
DAYS=${BENCH_DAYS:-730}
STRICT=${BENCH_STRICT:-0}
KEEP=${BENCH_KEEP:-0}
ONLY=${BENCH_ONLY:-all}
BUILD=build
OUT=var/bench
mkdir -p "$OUT"

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---- processes we start; killed by PID on any exit -------------------------
PIDS=()
cleanup() {
    local rc=$?
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "$KEEP" != 1 ] && [ -n "${WORK_DB:-}" ]; then
        rm -f "$WORK_DB" "$WORK_DB-wal" "$WORK_DB-shm"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- tools and build ---------------------------------------------------------
scripts/deps.sh bench
command -v wrk >/dev/null || die "wrk not found"
command -v sqlite3 >/dev/null || die "sqlite3 not found"
say "building"
make --no-print-directory >/dev/null
ninja -C "$BUILD" bench-ref >/dev/null
KONTAKT=$ROOT/$BUILD/kontakt
REF=$ROOT/$BUILD/bench-ref

# ---- the database (created once, cached) -----------------------------------
if [ "$COUNT" = 1000000 ]; then DB=$OUT/1m.db; else DB=$OUT/demo-$COUNT.db; fi
if [ ! -s "$DB" ]; then
    say "creating $DB with $COUNT demo appeals over $DAYS days (once; cached)"
    tmp=$DB.building
    rm -f "$tmp" "$tmp-wal" "$tmp-shm"
    t0=$(date +%s.%N)
    "$KONTAKT" migrate --db "$tmp" >/dev/null 2>&1 || die "migrate failed"
    "$KONTAKT" demo --db "$tmp" --count "$COUNT" --days "$DAYS" 2>"$OUT/demo.log" ||
        { cat "$OUT/demo.log" >&2; die "demo failed"; }
    t1=$(date +%s.%N)
    cat "$OUT/demo.log" >&2
    # One self-contained file: fold the WAL in, so a plain cp is a good copy.
    sqlite3 "$tmp" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
    rm -f "$tmp-wal" "$tmp-shm"
    awk -v a="$t0" -v b="$t1" -v n="$COUNT" -v d="$DAYS" -v when="$(date -u +%Y-%m-%dT%H:%MZ)" \
        'BEGIN { printf "database made %s: kontakt demo --count %d --days %d took %.1f s (%.0f appeals/s)\n", when, n, d, b - a, n / (b - a) }' \
        >"$OUT/demo-time-$COUNT.txt"
    mv "$tmp" "$DB"
fi
# The year with the most appeals and its last sequence number: every number
# YEAR-000001 .. YEAR-MAX exists.
read -r YEAR MAX < <(sqlite3 -separator ' ' "$DB" \
    'SELECT year, last FROM appeal_counters ORDER BY last DESC LIMIT 1;')
[ -n "${YEAR:-}" ] && [ "${MAX:-0}" -gt 0 ] || die "$DB has no appeals; delete it and rerun"
TOTAL=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM appeals;')
say "database $DB: $TOTAL appeals; GETs draw from $YEAR-000001..$YEAR-$(printf %06d "$MAX")"

# Kontakt runs on a copy: the POST run writes and the sweeper may update.
WORK_DB=$OUT/run.db
rm -f "$WORK_DB" "$WORK_DB-wal" "$WORK_DB-shm"
cp "$DB" "$WORK_DB"
# A cached database from an older build gets the current schema.
KONTAKT_DEMO_PLACES=0 "$KONTAKT" migrate --db "$WORK_DB" >/dev/null 2>&1 || die "migrate failed ($WORK_DB)"

# An analyst for the dashboard scenario (the password on standard input).
BENCH_PASSWORD='Bench-Analyst-Passw0rd-2026'
printf '%s\n' "$BENCH_PASSWORD" | "$KONTAKT" user add --db "$WORK_DB" --login bench-analyst --role analyst \
    >/dev/null 2>&1 || die "cannot add the bench analyst"

# ---- servers ---------------------------------------------------------------
# Starts "$@" with stderr to $log, waits for {"msg":"listening",...,"port":N}.
start_server() {
    local log=$1; shift
    : >"$log"
    "$@" 2>"$log" >/dev/null &
    local pid=$!
    PIDS+=("$pid")
    local port=""
    for _ in $(seq 300); do
        port=$(grep -m1 '"msg":"listening"' "$log" | grep -o '"port":[0-9]*' | cut -d: -f2 || true)
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "$1 exited"; }
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$log" >&2; die "$1 did not listen within 30 s"; }
    STARTED_PID=$pid
    STARTED_PORT=$port
}

ERRORS=0
if [ "$ONLY" = all ]; then
start_server "$OUT/ref.log" "$REF" --db "$DB" --port 0
REF_PID=$STARTED_PID REF_PORT=$STARTED_PORT
fi
# All the load comes from one address: switch the per-address limit on
# filing appeals off (KONTAKT_RATE_APPEALS=0), or POST measures 429s.
start_server "$OUT/serve.log" env KONTAKT_RATE_APPEALS=0 "$KONTAKT" serve --db "$WORK_DB" --port 0
SERVE_PID=$STARTED_PID SERVE_PORT=$STARTED_PORT
say "bench-ref pid ${REF_PID:-none} port ${REF_PORT:-none}; kontakt serve pid $SERVE_PID port $SERVE_PORT"
check_get() { # one request by hand before any load: the servers answer as expected
    local want=$1 url=$2
    local got
    got=$(probe "$url")
    [ "$got" = "$want" ] || die "GET $url answered '$got', expected $want"
}
probe() { # status code of one GET, without curl: bash's /dev/tcp
    local url=$1 port path
    port=${url#http://127.0.0.1:}; path=/${port#*/}; port=${port%%/*}
    exec 9<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&9
    local line
    IFS= read -r line <&9 || true
    exec 9<&-
    line=${line%$'\r'}
    printf '%s' "${line#* }" | cut -d' ' -f1
}
SAMPLE=$(printf '%04d-%06d' "$YEAR" "$MAX")
[ "$ONLY" = all ] && check_get 200 "http://127.0.0.1:$REF_PORT/appeals/$SAMPLE"
check_get 200 "http://127.0.0.1:$SERVE_PORT/api/v1/appeals/$SAMPLE"

# ---- runs ------------------------------------------------------------------
# val KEY: a field of the RESULT line in $line (printed by the scripts' done()).
val() { printf '%s\n' "$line" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
# wait_idle PORT: until the server holds no connection from the previous wrk
# (requests still in flight when wrk stops keep theirs open a little longer;
# the per-address limit is 64, as many as wrk opens).
wait_idle() {
    for _ in $(seq 100); do
        [ "$(ss -Htn state established state close-wait "( sport = :$1 )" | wc -l)" -eq 0 ] && return 0
        sleep 0.1
    done
    say "port $1: connections still open after 10 s"
}
# run NAME SCRIPT URL [ARGS...]: warm-up, then the measured run; sets R_* .
run() {
    local name=$1 script=$2 url=$3; shift 3
    say "$name: warm-up $WARMUP"
    wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$script" "$url" -- "$@" \
        >"$OUT/wrk-$name-warmup.txt" 2>&1 || die "wrk failed (warm-up $name)"
    wait_idle "${url##*:}"
    say "$name: $DURATION, $THREADS threads, $CONNS connections"
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$script" "$url" -- "$@" \
        >"$OUT/wrk-$name.txt" 2>&1 || die "wrk failed ($name): $(cat "$OUT/wrk-$name.txt")"
    local line
    line=$(grep -m1 '^RESULT ' "$OUT/wrk-$name.txt") || die "no RESULT from wrk ($name)"
    R_REQ=$(val requests) R_RPS=$(val rps) R_P50=$(val p50_us) R_P99=$(val p99_us)
    R_SOCK=$(($(val err_connect) + $(val err_read) + $(val err_write) + $(val err_timeout)))
    # wrk counts an answer >= 400 as a status error; this API answers 2xx or >= 400.
    R_BAD=$(val err_status)
    local non2xx
    non2xx=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$OUT/wrk-$name.txt" | grep -o '[0-9]*$' || true)
    [ -n "$non2xx" ] && [ "$non2xx" -gt "$R_BAD" ] && R_BAD=$non2xx
    [ "$R_REQ" -gt 0 ] || die "$name: no requests completed"
    return 0
}

declare -A RPS P50 P99 BAD SOCK REQ
record() {
    RPS[$1]=$R_RPS P50[$1]=$R_P50 P99[$1]=$R_P99 BAD[$1]=$R_BAD SOCK[$1]=$R_SOCK REQ[$1]=$R_REQ
    if [ "$R_BAD" -ne 0 ] || [ "$R_SOCK" -ne 0 ]; then
        ERRORS=1
        say "$1: $R_BAD non-2xx answers, $R_SOCK socket errors"
    fi
}

verdict() { if awk -v x="$1" -v y="$2" "BEGIN { exit !(x $3 y) }"; then echo PASS; else echo FAIL; fi; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

# ---- scenario: the analytics dashboard (issue 6) ----------------------------
# An analyst's views of the whole database: each view runs on its own (wrk
# -c BENCH_DASH_CONNECTIONS [2], an interactive page) after a warm-up, so
# each has its own p95; target < 200 ms each. First, because the POST run
# adds appeals of today to the figures.
dashboard_scenario() {
    local cookie today d364 d729 district
    cookie=$(python3 - "$SERVE_PORT" "$BENCH_PASSWORD" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/api/v1/auth/login",
    data=json.dumps({"login": "bench-analyst", "password": sys.argv[2]}).encode(),
    headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req) as r:
    print(r.headers["Set-Cookie"].split(";")[0])
PY
) || die "the bench analyst cannot sign in"
    today=$(TZ=Europe/Kyiv date +%F)
    d364=$(TZ=Europe/Kyiv date -d "$today -364 days" +%F)
    d729=$(TZ=Europe/Kyiv date -d "$today -729 days" +%F)
    district=$(sqlite3 "$WORK_DB" 'SELECT code FROM districts ORDER BY code LIMIT 1;')
    local D=/api/v1/stats/dashboard
    DASH_NAMES=(dash-30d dash-365d dash-730d dash-730d-water-weeks dash-365d-district-phone public-365d)
    declare -gA DASH_PATH DASH_LABEL DASH_P95 DASH_RPS DASH_V DASH_BYTES
    DASH_PATH[dash-30d]="$D"
    DASH_LABEL[dash-30d]='dashboard, last 30 days (default)'
    DASH_PATH[dash-365d]="$D?from=$d364&to=$today"
    DASH_LABEL[dash-365d]='dashboard, 365 days'
    DASH_PATH[dash-730d]="$D?from=$d729&to=$today"
    DASH_LABEL[dash-730d]='dashboard, 730 days (everything)'
    DASH_PATH[dash-730d-water-weeks]="$D?from=$d729&to=$today&category=water_supply&group=week"
    DASH_LABEL[dash-730d-water-weeks]='dashboard, 730 d, water, by week'
    DASH_PATH[dash-365d-district-phone]="$D?from=$d364&to=$today&district=$district&channel=phone"
    DASH_LABEL[dash-365d-district-phone]='dashboard, 365 d, district + hotline'
    DASH_PATH[public-365d]="/api/v1/stats/public?from=$d364&to=$today"
    DASH_LABEL[public-365d]='public statistics, ~365 days (uncached)'
    local conns=${BENCH_DASH_CONNECTIONS:-2} name c k
    # The public answers are kept 10 s per period (32 of them): 64 periods
    # of 335..398 days, drawn at random, miss that cache.
    local public_paths=()
    for k in $(seq 0 63); do
        public_paths+=("/api/v1/stats/public?from=$(TZ=Europe/Kyiv date -d "$today -$((334 + k)) days" +%F)&to=$today")
    done
    for name in "${DASH_NAMES[@]}"; do
        c=$cookie
        local targets=("${DASH_PATH[$name]}")
        if [ "${name#public}" != "$name" ]; then c=""; targets=("${public_paths[@]}"); fi
        wait_idle "$SERVE_PORT"
        say "$name: warm-up $WARMUP, then $DURATION, $conns connections"
        wrk -t1 -c"$conns" -d"$WARMUP" -s bench/dashboard.lua "http://127.0.0.1:$SERVE_PORT" -- \
            "$c" "${targets[@]}" >"$OUT/wrk-$name-warmup.txt" 2>&1 || die "wrk failed ($name warm-up)"
        wrk -t1 -c"$conns" -d"$DURATION" --latency -s bench/dashboard.lua "http://127.0.0.1:$SERVE_PORT" -- \
            "$c" "${targets[@]}" >"$OUT/wrk-$name.txt" 2>&1 || die "wrk failed ($name)"
        line=$(grep -m1 '^RESULT ' "$OUT/wrk-$name.txt") || die "no RESULT from wrk ($name)"
        DASH_P95[$name]=$(val p95_us) DASH_RPS[$name]=$(val rps)
        if [ "$(val err_status)" -ne 0 ] || grep -q 'Non-2xx' "$OUT/wrk-$name.txt"; then
            ERRORS=1; say "$name: non-2xx answers"
        fi
        DASH_V[$name]=$(verdict "${DASH_P95[$name]}" 200000 '<')
        DASH_BYTES[$name]=$(python3 - "$SERVE_PORT" "${DASH_PATH[$name]}" "$c" <<'PY'
import sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}{sys.argv[2]}",
    headers={"Cookie": sys.argv[3]} if sys.argv[3] else {})
with urllib.request.urlopen(req) as r:
    print(len(r.read()))
PY
)
    done
    DASH_TOTAL=$(sqlite3 "$WORK_DB" 'PRAGMA busy_timeout=10000; SELECT COUNT(*) FROM appeals;' | tail -1)
    DASH_LOAD=$(grep -m1 '"msg":"map index loaded"' "$OUT/serve.log" | grep -o '"ms":[0-9]*' | cut -d: -f2)
    DASH_FACTS=$(grep -m1 '"msg":"statistics index loaded"' "$OUT/serve.log" | grep -o '"bytes":[0-9]*' | cut -d: -f2)
    DASH_RSS=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVE_PID/status")
}
dashboard_report() {
    echo
    echo "analytics dashboard: $DASH_TOTAL appeals; indexes loaded at start in ${DASH_LOAD:-?} ms" \
        "(statistics facts $(awk -v b="${DASH_FACTS:-0}" 'BEGIN { printf "%.1f", b / 1048576 }') MB);" \
        "serve VmRSS $(awk -v k="$DASH_RSS" 'BEGIN { printf "%.1f", k / 1024 }') MB"
    printf '%-40s %9s %8s %10s   %-10s %s\n' view req/s p95_ms answer_kB goal verdict
    for name in "${DASH_NAMES[@]}"; do
        printf '%-40s %9.0f %8s %10.1f   %-10s %s\n' "${DASH_LABEL[$name]}" "${DASH_RPS[$name]}" \
            "$(ms "${DASH_P95[$name]}")" "$(awk -v b="${DASH_BYTES[$name]}" 'BEGIN { print b / 1024 }')" \
            '< 200 ms' "${DASH_V[$name]}"
    done
}
dashboard_scenario
if [ "$ONLY" = dashboard ]; then
    { echo "Kontakt benchmark, dashboard only  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
      echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
      [ -f "$OUT/demo-time-$COUNT.txt" ] && cat "$OUT/demo-time-$COUNT.txt"
      dashboard_report; } | tee "$OUT/last-dashboard.txt"
    [ "$ERRORS" -eq 0 ] || exit 1
    for name in "${DASH_NAMES[@]}"; do
        [ "$STRICT" = 1 ] && [ "${DASH_V[$name]}" = FAIL ] && exit 3
    done
    exit 0
fi

run ref-get bench/get.lua "http://127.0.0.1:$REF_PORT" /appeals/ "$YEAR" "$MAX"
record ref-get
wait_idle "$REF_PORT"
run kontakt-get bench/get.lua "http://127.0.0.1:$SERVE_PORT" /api/v1/appeals/ "$YEAR" "$MAX"
record kontakt-get
wait_idle "$SERVE_PORT"
count_appeals() { sqlite3 "$WORK_DB" 'PRAGMA busy_timeout=10000; SELECT COUNT(*) FROM appeals;' | tail -1; }
# Stored appeals over the whole POST phase (warm-up + measured run) must
# match the 201 answers: no answer without a stored appeal, and the reverse.
BEFORE=$(count_appeals)
run kontakt-post bench/post.lua "http://127.0.0.1:$SERVE_PORT"
record kontakt-post
AFTER=$(count_appeals)
WARM_REQ=$(grep -m1 '^RESULT ' "$OUT/wrk-kontakt-post-warmup.txt" | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)
WARM_BAD=$(grep -m1 '^RESULT ' "$OUT/wrk-kontakt-post-warmup.txt" | tr ' ' '\n' | grep '^err_status=' | cut -d= -f2)
STORED=$((AFTER - BEFORE))
EXPECTED=$((WARM_REQ - WARM_BAD + REQ[kontakt-post] - BAD[kontakt-post]))
# wrk may drop answers still in flight when it stops; allow one per connection.
if [ "$STORED" -lt "$((EXPECTED))" ] || [ "$STORED" -gt "$((EXPECTED + 2 * CONNS))" ]; then
    say "kontakt-post: $STORED appeals stored but $EXPECTED answered 201"
    ERRORS=1
fi

# ---- map: GET /api/v1/map, whole city (zoom 11) and street level (zoom 17) --
# Random 1280x800-px viewports (bench/map.lua); an interactive page, so a few
# connections (BENCH_MAP_CONNECTIONS [4]); target p95 < 30 ms each.
MAP_CONNS=${BENCH_MAP_CONNECTIONS:-4}
declare -A MAP_P95 MAP_RPS MAP_V
for z in 11 17; do
    wait_idle "$SERVE_PORT"
    say "map zoom $z: warm-up $WARMUP, then $DURATION, $MAP_CONNS connections"
    wrk -t1 -c"$MAP_CONNS" -d"$WARMUP" -s bench/map.lua "http://127.0.0.1:$SERVE_PORT" -- "$z" \
        >"$OUT/wrk-map-$z-warmup.txt" 2>&1 || die "wrk failed (map warm-up)"
    wrk -t1 -c"$MAP_CONNS" -d"$DURATION" --latency -s bench/map.lua "http://127.0.0.1:$SERVE_PORT" -- "$z" \
        >"$OUT/wrk-map-$z.txt" 2>&1 || die "wrk failed (map $z)"
    line=$(grep -m1 '^RESULT ' "$OUT/wrk-map-$z.txt") || die "no RESULT from wrk (map $z)"
    MAP_P95[$z]=$(val p95_us) MAP_RPS[$z]=$(val rps)
    if [ "$(val err_status)" -ne 0 ] || grep -q 'Non-2xx' "$OUT/wrk-map-$z.txt"; then
        ERRORS=1; say "map zoom $z: non-2xx answers"
    fi
    MAP_V[$z]=$(awk -v x="${MAP_P95[$z]}" 'BEGIN { print (x < 30000) ? "PASS" : "FAIL" }')
done

# Memory of serve after the runs (kB).
RSS=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVE_PID/status")
HWM=$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVE_PID/status")

# ---- report ----------------------------------------------------------------
RATIO=$(awk -v a="${RPS[kontakt-get]}" -v b="${RPS[ref-get]}" 'BEGIN { printf "%.1f", 100 * a / b }')
V_GET=$(verdict "$RATIO" 50 '>=')
V_POST=$(verdict "${RPS[kontakt-post]}" 2000 '>=')
V_RSS=$(verdict "$RSS" $((64 * 1024)) '<')
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo ' (+ uncommitted changes)' || true)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo "Kontakt benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $COMMIT$DIRTY"
    echo "machine: $(nproc) cores ($CPU), $(uname -r), load $LOAD after the runs"
    echo "database: $TOTAL appeals (SQLite, $DB); wrk -t$THREADS -c$CONNS -d$DURATION after a $WARMUP warm-up, 127.0.0.1"
    [ -f "$OUT/demo-time-$COUNT.txt" ] && cat "$OUT/demo-time-$COUNT.txt"
    echo
    printf '%-36s %10s %10s %10s %9s %8s\n' run requests req/s p50_ms p99_ms non-2xx
    for n in ref-get kontakt-get kontakt-post; do
        case $n in
            ref-get) label='reference GET /appeals/{n}' ;;
            kontakt-get) label='kontakt GET /api/v1/appeals/{n}' ;;
            kontakt-post) label='kontakt POST /api/v1/appeals' ;;
        esac
        printf '%-36s %10d %10.0f %10s %9s %8d\n' "$label" "${REQ[$n]}" "${RPS[$n]}" \
            "$(ms "${P50[$n]}")" "$(ms "${P99[$n]}")" "$((BAD[$n] + SOCK[$n]))"
    done
    echo
    printf '%-36s %12s   %-16s %s\n' target measured goal verdict
    printf '%-36s %11s%%   %-16s %s\n' 'kontakt GET / reference GET' "$RATIO" '>= 50%' "$V_GET"
    printf '%-36s %12.0f   %-16s %s\n' 'POST appeals/s' "${RPS[kontakt-post]}" '>= 2000' "$V_POST"
    for z in 11 17; do
        printf '%-36s %9.2f ms   %-16s %s\n' "map zoom $z p95 ($MAP_CONNS conn., ${MAP_RPS[$z]%.*} req/s)" \
            "$(ms "${MAP_P95[$z]}")" '< 30 ms' "${MAP_V[$z]}"
    done
    printf '%-36s %9.1f MB   %-16s %s\n' 'serve VmRSS after the runs' "$(awk -v k="$RSS" 'BEGIN{print k/1024}')" '< 64 MB' "$V_RSS"
    printf '%-36s %9.1f MB\n' 'serve VmHWM (peak)' "$(awk -v k="$HWM" 'BEGIN{print k/1024}')"
    printf '%-36s %12d   %s\n' 'appeals stored by the POST phase' "$STORED" "(201 answers: $EXPECTED)"
    dashboard_report
    if [ "$ERRORS" -ne 0 ]; then echo; echo "ERRORS: non-2xx answers or socket errors (see $OUT/wrk-*.txt)"; fi
} | tee "$OUT/last.txt"

# ---- scenario: address autocomplete over 100,000 addresses -----------------
# Its own database (cached): the street register (../shared/data/geo, when
# present) + 100,000 demo addresses from scripts/make-demo-addresses.py;
# its own serve. Realistic partial queries (bench/addresses.lua) from
# BENCH_AC_CONNECTIONS [4] connections; target p95 < 5 ms (wrk's latency,
# i.e. seen by the client; the server's own p95 from its log beside it).
AC_COUNT=${BENCH_AC_COUNT:-100000}
AC_DB=$OUT/addresses-$AC_COUNT.db
if [ ! -s "$AC_DB" ]; then
    say "creating $AC_DB with $AC_COUNT addresses (once; cached)"
    rm -f "$AC_DB.building"*
    python3 scripts/make-demo-addresses.py --count "$AC_COUNT" --out "$OUT/addresses-$AC_COUNT.csv" 2>/dev/null ||
        die "make-demo-addresses failed"
    KONTAKT_DEMO_PLACES=0 "$KONTAKT" migrate --db "$AC_DB.building" >/dev/null 2>&1 || die "migrate failed ($AC_DB)"
    "$KONTAKT" import streets --db "$AC_DB.building" 2>/dev/null || say "no street register: old names not benchmarked"
    "$KONTAKT" import addresses "$OUT/addresses-$AC_COUNT.csv" --db "$AC_DB.building" >&2 || die "import addresses failed"
    sqlite3 "$AC_DB.building" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
    rm -f "$AC_DB.building-wal" "$AC_DB.building-shm"
    mv "$AC_DB.building" "$AC_DB"
fi
start_server "$OUT/serve-addresses.log" "$KONTAKT" serve --db "$AC_DB" --port 0
AC_PORT=$STARTED_PORT
AC_ADDRS=$(sqlite3 "$AC_DB" 'SELECT count(*) FROM addresses;')
check_get 200 "http://127.0.0.1:$AC_PORT/api/v1/addresses?q=%D1%80%D0%BE%D0%B1%D0%BE%D1%87%D0%B0"
CONNS_MAIN=$CONNS CONNS=${BENCH_AC_CONNECTIONS:-4}
run addresses bench/addresses.lua "http://127.0.0.1:$AC_PORT"
CONNS=$CONNS_MAIN
record addresses
AC_P95=$(grep -m1 '^RESULT ' "$OUT/wrk-addresses.txt" | tr ' ' '\n' | grep '^p95_us=' | cut -d= -f2)
AC_SERVER_P95=$(grep '"route":"/api/v1/addresses"' "$OUT/serve-addresses.log" | grep -o '"ms":[0-9.]*' |
    cut -d: -f2 | sort -g | awk '{ v[NR] = $1 } END { i = int(NR * 0.95); if (i < 1) i = 1; printf "%.2f", v[i] }')
V_AC=$(verdict "$AC_P95" 5000 '<')
{
    echo
    printf '%-36s %10s %10s %10s %9s %8s\n' run requests req/s p50_ms p95_ms non-2xx
    printf '%-36s %10d %10.0f %10s %9s %8d\n' "autocomplete GET /api/v1/addresses" "${REQ[addresses]}" \
        "${RPS[addresses]}" "$(ms "${P50[addresses]}")" "$(ms "$AC_P95")" "$((BAD[addresses] + SOCK[addresses]))"
    printf '%-36s %9s ms   %-16s %s\n' "autocomplete p95, $AC_ADDRS addresses" "$(ms "$AC_P95")" '< 5 ms' "$V_AC"
    printf '%-36s (wrk -c%s; server-side p95: %s ms)\n' '' "${BENCH_AC_CONNECTIONS:-4}" "$AC_SERVER_P95"
} | tee -a "$OUT/last.txt"
if [ "$STRICT" = 1 ] && [ "$V_AC" = FAIL ] && [ "$ERRORS" -eq 0 ]; then exit 3; fi

[ "$ERRORS" -eq 0 ] || exit 1
if [ "$STRICT" = 1 ] && { [ "$V_GET" = FAIL ] || [ "$V_POST" = FAIL ] || [ "$V_RSS" = FAIL ] ||
    [ "${MAP_V[11]}" = FAIL ] || [ "${MAP_V[17]}" = FAIL ]; }; then
    exit 3
fi
for name in "${DASH_NAMES[@]}"; do
    [ "$STRICT" = 1 ] && [ "${DASH_V[$name]}" = FAIL ] && exit 3
done
exit 0
