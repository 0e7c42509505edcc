#!/usr/bin/env bash
# Every test: what `make test` runs, and CI through .ci/run.
#  1. Debian packages and npm packages the tests need
#  2. gcc build with ASan+UBSan (the binary the tests drive), clang build (-Werror)
#  3. cmocka unit tests (deadlines, validators, lifecycle, catalogue, store+sweeper, pg driver)
#  4. HTTP tests against the real binary, on SQLite and on PostgreSQL
#  5. browser tests (playwright-core + Debian's chromium), on SQLite and on PostgreSQL
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

passed=0; failed=0
run() { # name, command...
  local name=$1; shift
  echo "=== $name"
  if "$@"; then passed=$((passed+1)); echo "--- ok: $name"; else failed=$((failed+1)); echo "--- FAILED: $name"; fi
}

run "unit tests (cmocka)" meson test -C $san --print-errorlogs
export KONTAKT_BIN=$san/kontakt
for dbk in sqlite pg; do
  run "HTTP tests on $dbk" env KONTAKT_TEST_DB=$dbk node --test --test-concurrency=1 tests/http/
  run "browser tests on $dbk" env KONTAKT_TEST_DB=$dbk node --test --test-concurrency=1 tests/browser/
done
echo
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
