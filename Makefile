# The two commands of the README:
#   make run   build, migrate, load demo data if empty, serve on 127.0.0.1:8080
#   make test  every test (unit, HTTP and browser, on SQLite and PostgreSQL)
PORT ?= 8080
DB ?= var/kontakt.db
BUILD ?= build

.PHONY: all deps run test bench clean format

all: deps node_modules/.installed
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=debugoptimized >/dev/null
	ninja -C $(BUILD) kontakt

deps:
	@scripts/deps.sh build

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: all
	$(BUILD)/kontakt migrate --db $(DB)
	$(BUILD)/kontakt demo --db $(DB) --if-empty
	$(BUILD)/kontakt serve --db $(DB) --port $(PORT)

test:
	scripts/test.sh

bench:
	scripts/bench.sh

clean:
	rm -rf build build-* test-results
