#!/usr/bin/env bash
# Every test: what `make test` runs, and CI through .ci/run.
#  1. Debian packages and npm packages the tests need
#  2. gcc build with ASan+UBSan (the binary the tests drive), clang build (-Werror)
#  3. cmocka unit tests (deadlines, validators, lifecycle, catalogue, store+sweeper, pg driver)
#  4. HTTP tests against the real binary, on SQLite and on PostgreSQL
#  5. browser tests (playwright-core + Debian's chromium), on SQLite and on PostgreSQL
#     (4 and 5 run for the two databases side by side)
# PostgreSQL: a throwaway server started here (scripts/pg-test-server.sh), or the
# one named by KONTAKT_TEST_PG.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test
if [ ! -f node_modules/.installed ] || [ package-lock.json -nt node_modules/.installed ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.installed
fi

san=build-asan
[ -f $san/build.ninja ] || meson setup $san --buildtype=debug -Db_sanitize=address,undefined \
  -Db_lundef=false >/dev/null
ninja -C $san
[ -f build-clang/build.ninja ] || CC=clang meson setup build-clang --buildtype=debug >/dev/null
ninja -C build-clang

started_pg=""
cleanup() {
  if [ -n "$started_pg" ]; then scripts/pg-test-server.sh stop "$started_pg" || true; fi
}
trap cleanup EXIT
if [ -z "${KONTAKT_TEST_PG:-}" ]; then
  pglog=$(mktemp)
  KONTAKT_TEST_PG="$(scripts/pg-test-server.sh 2>"$pglog")" || { cat "$pglog"; exit 1; }
  started_pg="$(sed -n 's/^pg-test-server: data dir \([^ ]*\).*/\1/p' "$pglog" | tail -1)"
  rm -f "$pglog"
fi
export KONTAKT_TEST_PG
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Totals of test cases (not suites), counted from each runner's own summary.
passed=0; failed=0; broken=0
out=$(mktemp)
count() { # pattern-for-passed pattern-for-failed
  local p f
  p=$( { grep -aE "$1" "$out" || true; } | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) { s += $i; break } } END { print s + 0 }')
  f=$( { grep -aE "$2" "$out" || true; } | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) { s += $i; break } } END { print s + 0 }')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}
run() { # name, kind (cmocka|node), command...
  local name=$1 kind=$2; shift 2
  echo "=== $name"
  if "$@" 2>&1 | tee "$out"; then echo "--- ok: $name"; else broken=$((broken+1)); echo "--- FAILED: $name"; fi
  if [ "$kind" = node ]; then count '^# pass [0-9]+' '^# fail [0-9]+'
  else count '^\[  PASSED  \] [0-9]+ test' '^\[  FAILED  \] [0-9]+ test'; fi
}

rm -f $san/meson-logs/testlog.txt
run "unit tests (cmocka)" cmocka sh -c "meson test -C $san; rc=\$?; cat $san/meson-logs/testlog.txt; exit \$rc"
export KONTAKT_BIN=$san/kontakt
# The two databases' suites run side by side: every test starts its own
# server on a free port with its own database (a fresh SQLite file, or a
# database of its own on the PostgreSQL server), so they share nothing but
# the CPU; much of their time is waiting (deadlines, refresh passes, TOTP
# steps). Each side's output is kept apart and shown when both are done.
logs=$(mktemp -d)
side() { # dbk: its HTTP then its browser suite, output and status into $logs
  local dbk=$1 kind
  for kind in http browser; do
    if env KONTAKT_TEST_DB="$dbk" node --test --test-concurrency=1 "tests/$kind/" >"$logs/$dbk-$kind" 2>&1; then
      echo 0 >"$logs/$dbk-$kind.rc"
    else
      echo 1 >"$logs/$dbk-$kind.rc"
    fi
  done
}
side sqlite & sqlite_pid=$!
side pg & pg_pid=$!
wait "$sqlite_pid" "$pg_pid" || true
for dbk in sqlite pg; do
  for kind in http browser; do
    name="$( [ "$kind" = http ] && echo HTTP || echo browser ) tests on $dbk"
    run "$name" node sh -c "cat '$logs/$dbk-$kind'; exit \$(cat '$logs/$dbk-$kind.rc' 2>/dev/null || echo 1)"
  done
done
rm -rf "$logs"
rm -f "$out"
echo
[ "$broken" -gt 0 ] && echo "$broken test suite(s) failed to run cleanly (see above)"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$broken" -eq 0 ]
