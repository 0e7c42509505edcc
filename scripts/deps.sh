#!/usr/bin/env bash
# Installs the Debian packages a purpose needs, only those missing.
#   scripts/deps.sh build|test|bench
# Runs as root on Debian 12 (apt-get); elsewhere it only reports.
set -euo pipefail
purpose=${1:-build}
pkgs=(gcc meson ninja-build pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev
      libpq-dev libsodium-dev nettle-dev libcurl4-openssl-dev libcrack2-dev cracklib-runtime john-data tzdata ca-certificates sqlite3
      libmagic-dev libvips-dev libxlsxwriter-dev)
case "$purpose" in
  build) ;;
  test) pkgs+=(clang libcmocka-dev postgresql postgresql-client chromium python3-aiosmtpd
              libvips-tools libimage-exiftool-perl python3-openpyxl) ;;
  bench) pkgs+=(wrk postgresql postgresql-client) ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: not root: install these Debian packages first: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
