#!/usr/bin/env bash
# Shared build helper: installs the Debian packages, configures CMake (Ninja + ccache) when needed
# and builds every target.
#
#   deploy/build.sh <build-dir> <Release|RelWithDebInfo|Debug> [extra cmake args...]
#
# A relative <build-dir> is taken relative to the current directory. CMake is re-run only when the
# build dir has no build.ninja yet, or the build type or the extra cmake args changed since the
# last configure. Parallelism: CRM_BUILD_JOBS (default 2).
set -euo pipefail

usage() {
  echo "usage: $0 <build-dir> <Release|RelWithDebInfo|Debug> [extra cmake args...]" >&2
  exit 2
}
[ $# -ge 2 ] || usage
build_arg=$1
build_type=$2
shift 2
case "$build_type" in
  Release | RelWithDebInfo | Debug) ;;
  *) echo "build: unknown build type '$build_type'" >&2; usage ;;
esac

# Resolve the build dir against the caller's directory before moving to the repo root.
case "$build_arg" in
  /*) build_dir=$build_arg ;;
  *) build_dir=$PWD/$build_arg ;;
esac
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

jobs=${CRM_BUILD_JOBS:-2}
started=$SECONDS

"$repo_root/deploy/install-deps.sh"

mkdir -p "$build_dir"
cache=$build_dir/CMakeCache.txt
args_stamp=$build_dir/.crm-cmake-args
wanted_args=$(printf '%s\n' "$build_type" "$@")

reason=""
if [ ! -f "$build_dir/build.ninja" ]; then
  reason="no build.ninja yet"
elif ! grep -qx "CMAKE_BUILD_TYPE:STRING=$build_type" "$cache" 2>/dev/null; then
  reason="build type changed to $build_type"
elif [ ! -f "$args_stamp" ]; then
  reason="not configured by this script yet"
elif [ "$(cat "$args_stamp")" != "$wanted_args" ]; then
  reason="cmake arguments changed"
fi

if [ -n "$reason" ]; then
  # A cache made by another generator cannot be reused with Ninja; start that dir afresh.
  if [ -f "$cache" ] && ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$cache"; then
    echo "build: $build_dir was configured with another generator; clearing its CMake cache"
    rm -rf "$cache" "$build_dir/CMakeFiles"
  fi
  echo "build: configuring $build_dir ($build_type; $reason)"
  log=$build_dir/cmake-configure.log
  if ! cmake -S "$repo_root" -B "$build_dir" -G Ninja \
      -DCMAKE_BUILD_TYPE="$build_type" \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
      "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "build: cmake configure failed (log: $log)" >&2
    rm -f "$args_stamp"
    exit 1
  fi
  printf '%s\n' "$wanted_args" >"$args_stamp"
fi

echo "build: building $build_dir with $jobs jobs"
ninja -C "$build_dir" -j "$jobs"
echo "build: $build_dir ($build_type) done in $((SECONDS - started))s"
