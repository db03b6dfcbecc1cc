#!/usr/bin/env bash
# Builds Abseil, protobuf and gRPC, the versions Debian ships, with ThreadSanitizer into
# ${CRM_TSAN_PREFIX:-/opt/crm-tsan}, from Debian's source packages with Debian's patches. A TSan build of the suite needs them: gRPC synchronises inside
# itself, and with Debian's uninstrumented libraries TSan cannot see that synchronisation, so it
# reports every hand-off between a client thread and a server thread as a race.
# tests/sanitize.sh thread uses the prefix when it holds all three (CMAKE_PREFIX_PATH).
#
#   tests/sanitizers/build_tsan_deps.sh        # about 20 minutes on 2 cores; skips what is built
#
# CRM_BUILD_JOBS (default 2) as for tests/run.sh; CRM_TSAN_WORK is where sources and build trees
# go (default /var/tmp/crm-tsan-src, about 3 GB).
set -euo pipefail

prefix=${CRM_TSAN_PREFIX:-/opt/crm-tsan}
work=${CRM_TSAN_WORK:-/var/tmp/crm-tsan-src}
jobs=${CRM_BUILD_JOBS:-2}
mkdir -p "$work/apt/lists/partial" "$prefix"

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# What the builds need besides the compiler: the libraries gRPC links as they are.
sudo_if_needed apt-get install -y -q clang-14 cmake ninja-build dpkg-dev libc-ares-dev libre2-dev libssl-dev zlib1g-dev \
  >/dev/null

# Debian's source index in a private apt directory: the machine's own sources stay untouched.
cat >"$work/apt/sources.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_private=(-o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$work/apt"
             -o "Dir::State::Lists=$work/apt/lists" -o Debug::NoLocking=1)

apt-get "${apt_private[@]}" update -q >/dev/null

# The version of each library the suite builds against elsewhere: Debian's binary package's.
abseil_version=$(dpkg-query -W -f='${Version}' libabsl-dev | sed 's/-[^-]*$//; s/^[0-9]*://')
protobuf_version=$(dpkg-query -W -f='${Version}' libprotobuf-dev | sed 's/-[^-]*$//; s/^[0-9]*://')
grpc_version=$(dpkg-query -W -f='${Version}' libgrpc++-dev | sed 's/-[^-]*$//; s/^[0-9]*://')
echo "tsan deps: abseil $abseil_version, protobuf $protobuf_version, grpc $grpc_version into $prefix"

export CC=clang-14 CXX=clang++-14
tsan_flags="-fsanitize=thread -g -O1 -fno-omit-frame-pointer"
common=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_C_FLAGS=$tsan_flags" "-DCMAKE_CXX_FLAGS=$tsan_flags"
        -DCMAKE_CXX_STANDARD=17 -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=ON
        "-DCMAKE_INSTALL_PREFIX=$prefix" "-DCMAKE_PREFIX_PATH=$prefix" -DCMAKE_INSTALL_LIBDIR=lib
        -DBUILD_TESTING=OFF)

# fetch <source package> <version>: the source tree as Debian builds it (its patches applied, e.g.
# gRPC's that stop its CMake from downloading archives), unpacked once under $work.
fetch() {
  local package=$1 version=$2
  local tree="$work/$package-$version"
  if [ ! -d "$tree" ]; then
    (cd "$work" && apt-get "${apt_private[@]}" source --download-only -q "$package" >/dev/null 2>&1)
    local dsc
    dsc=$(ls "$work/${package}_${version}"-*.dsc | head -1)
    (cd "$work" && dpkg-source --no-check -x "$dsc" "$tree" >/dev/null)
  fi
  echo "$tree"
}

# build <name> <source tree> <cmake args...>: configure, build and install unless installed.
build() {
  local name=$1 tree=$2
  shift 2
  if [ -f "$prefix/.built-$name" ]; then
    echo "tsan deps: $name already in $prefix"
    return
  fi
  local started=$SECONDS
  cmake -S "$tree" -B "$work/build-$name" "${common[@]}" "$@" >"$work/build-$name.log" 2>&1 ||
    { tail -30 "$work/build-$name.log"; exit 1; }
  cmake --build "$work/build-$name" -j "$jobs" >>"$work/build-$name.log" 2>&1 || { tail -30 "$work/build-$name.log"; exit 1; }
  cmake --install "$work/build-$name" >>"$work/build-$name.log" 2>&1 || { tail -30 "$work/build-$name.log"; exit 1; }
  touch "$prefix/.built-$name"
  echo "tsan deps: $name built in $((SECONDS - started))s"
}

build abseil "$(fetch abseil "$abseil_version")" -DABSL_PROPAGATE_CXX_STD=ON
build protobuf "$(fetch protobuf "$protobuf_version")" -Dprotobuf_BUILD_TESTS=OFF -Dprotobuf_BUILD_SHARED_LIBS=ON
build grpc "$(fetch grpc "$grpc_version")" -DgRPC_INSTALL=ON -DgRPC_BUILD_TESTS=OFF \
  -DgRPC_ABSL_PROVIDER=package -DgRPC_PROTOBUF_PROVIDER=package -DgRPC_CARES_PROVIDER=package \
  -DgRPC_RE2_PROVIDER=package -DgRPC_SSL_PROVIDER=package -DgRPC_ZLIB_PROVIDER=package \
  -DgRPC_BUILD_CSHARP_EXT=OFF -DgRPC_BUILD_GRPC_CSHARP_PLUGIN=OFF -DgRPC_BUILD_GRPC_NODE_PLUGIN=OFF \
  -DgRPC_BUILD_GRPC_OBJECTIVE_C_PLUGIN=OFF -DgRPC_BUILD_GRPC_PHP_PLUGIN=OFF -DgRPC_BUILD_GRPC_PYTHON_PLUGIN=OFF \
  -DgRPC_BUILD_GRPC_RUBY_PLUGIN=OFF
echo "tsan deps: ready in $prefix"
