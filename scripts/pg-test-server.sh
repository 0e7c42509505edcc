#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests (never for real data: fsync is off).
#
#   scripts/pg-test-server.sh [start]   start one; prints exactly one line on
#                                       stdout: postgresql://postgres@127.0.0.1:PORT/postgres
#                                       (the data dir and how to stop go to stderr)
#   scripts/pg-test-server.sh stop [DIR]
#                                       stop the server in DIR and delete DIR
#                                       (default: the last one started and not yet
#                                       stopped; var/pg-test-server.dir lists them)
#
# Typical use:
#   export KONTAKT_TEST_PG="$(scripts/pg-test-server.sh)"
#   ... run the tests ...
#   scripts/pg-test-server.sh stop
#
# Works as root on a fresh Debian 12: installs Debian's postgresql when no
# /usr/lib/postgresql/*/bin/initdb exists, and runs the server as the
# "postgres" user (PostgreSQL refuses to run as root). The server listens on
# 127.0.0.1 only, on a free port, with trust auth for 127.0.0.1 and for its
# private unix socket inside DIR. Binaries are called by full path, never
# through PATH (a pg_ctl elsewhere in PATH may be something else).
#
# Environment: KONTAKT_PG_TMP (default /tmp) is where DIR is made; it must be
# reachable by the postgres user.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state_file="$here/var/pg-test-server.dir"
marker=".kontakt-pg-test-server"

say() { printf 'pg-test-server: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

pg_bindir() {
    local d
    d="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
        printf '%s\n' "$d"
    fi
}

ensure_postgresql() {
    if [[ -n "$(pg_bindir)" ]] && id -u postgres >/dev/null 2>&1; then
        return 0
    fi
    [[ "$(id -u)" == 0 ]] || die "PostgreSQL is not installed and we are not root: apt-get install postgresql"
    say "installing Debian's postgresql"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q postgresql >&2; then
        apt-get update -q >&2
        apt-get install -y -q postgresql >&2
    fi
    [[ -n "$(pg_bindir)" ]] || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
    id -u postgres >/dev/null 2>&1 || die "postgresql installed but there is no postgres user"
}

# Runs a PostgreSQL binary as the postgres user (or as ourselves if we are
# not root: then we must own DIR).
as_pg() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    # A successful connect means someone listens there.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

random_port() {
    local p
    for _ in $(seq 1 100); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        if ! port_in_use "$p"; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    die "no free port found"
}

start() {
    ensure_postgresql
    local bin dir port tries
    bin="$(pg_bindir)"
    dir="$(mktemp -d "${KONTAKT_PG_TMP:-/tmp}/kontakt-pg.XXXXXX")"
    touch "$dir/$marker"
    chmod 700 "$dir"
    if [[ "$(id -u)" == 0 ]]; then
        chown -R postgres:postgres "$dir"
    fi
    if ! as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust \
            --encoding=UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        rm -rf "$dir"
        die "initdb failed"
    fi
    # Trust only the loopback address and the private socket in DIR (0700).
    as_pg tee "$dir/data/pg_hba.conf" >/dev/null <<'EOF'
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
    as_pg tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# kontakt test server: throwaway, speed over durability
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 100
log_min_messages = warning
log_timezone = 'UTC'
timezone = 'UTC'
EOF
    for tries in 1 2 3 4 5; do
        port="$(random_port)"
        if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
                -o "-p $port" start >"$dir/pg_ctl.log" 2>&1; then
            mkdir -p "$(dirname "$state_file")"
            printf '%s\n' "$dir" >>"$state_file"
            printf '%s\n' "$port" >"$dir/port"
            say "data dir $dir (stop: $0 stop $dir)"
            printf 'postgresql://postgres@127.0.0.1:%s/postgres\n' "$port"
            return 0
        fi
        # Lost a race for the port? Try another; anything else is fatal.
        if ! grep -q 'could not bind\|Address already in use' "$dir/server.log" 2>/dev/null; then
            break
        fi
        say "port $port taken, retrying ($tries)"
        as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    done
    cat "$dir/pg_ctl.log" "$dir/server.log" >&2 2>/dev/null || true
    rm -rf "$dir"
    die "PostgreSQL did not start"
}

stop() {
    local dir="${1:-}" bin
    if [[ -z "$dir" ]]; then
        [[ -s "$state_file" ]] || die "no DIR given and no server listed in $state_file"
        dir="$(tail -n 1 "$state_file")"
    fi
    # Refuse to delete anything this script did not make.
    [[ -f "$dir/$marker" ]] || die "$dir is not a pg-test-server dir"
    bin="$(pg_bindir)"
    if [[ -n "$bin" && -f "$dir/data/postmaster.pid" ]]; then
        as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 ||
            say "pg_ctl stop failed (already stopped?)"
    fi
    rm -rf "$dir"
    if [[ -f "$state_file" ]]; then
        grep -vxF -- "$dir" "$state_file" >"$state_file.new" || true
        mv -f "$state_file.new" "$state_file"
        [[ -s "$state_file" ]] || rm -f "$state_file"
    fi
    say "stopped and removed $dir"
}

case "${1:-start}" in
start) start ;;
stop) stop "${2:-}" ;;
-h | --help | help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//' ;;
*) die "usage: $0 [start] | stop [DIR]" ;;
esac
