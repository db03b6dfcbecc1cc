#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the local run need.
# Idempotent: when every package is already present it does not touch apt at all.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libsoci-dev libboost-dev libsqlite3-dev default-libmysqlclient-dev
  mariadb-server mariadb-client libgtest-dev libgmock-dev libbenchmark-dev libssl-dev
  nlohmann-json3-dev openssl
  libre2-dev  # custom field patterns (RE2)
  tzdata  # IANA time zones of the service desk calendars (absl::LoadTimeZone reads /usr/share/zoneinfo)
  galera-4 rsync  # the Galera fault drill (tests/faults): the replication library, and rsync state transfer
  clang-14 libclang-rt-14-dev  # tests/sanitize.sh: clang and its ASan/UBSan/TSan runtimes
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
