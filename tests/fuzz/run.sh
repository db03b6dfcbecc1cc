#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14; the whole tree under ASan + UBSan, in build-fuzz/) and
# runs them.
#
#   tests/fuzz/run.sh smoke                        seed corpora, then ~15 s of fuzzing per target,
#                                                  through ctest (label `fuzz`); about 2 minutes
#   tests/fuzz/run.sh long [seconds-per-target]    every target for that long (default 300),
#                                                  keeping its corpus; prints executions, exec/s,
#                                                  coverage and crashes per target
#
# Exits non-zero on any crash. Crash inputs land in build-fuzz/tests/fuzz/work/<target>/artifacts/;
# reproduce one with `<fuzzer> <file>`; for the service target,
# `make_service_seeds --describe <file>` prints it as a text seed for tests/fuzz/seeds/.
# CRM_FUZZ_BUILD_DIR (default build-fuzz), CRM_BUILD_JOBS (default 2), CRM_FUZZ_SMOKE_SECONDS (15).
set -euo pipefail

usage() { echo "usage: $0 smoke | long [seconds-per-target]" >&2; exit 2; }
mode=${1:-}
case "$mode" in smoke | long) ;; *) usage ;; esac

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${CRM_FUZZ_BUILD_DIR:-$repo_root/build-fuzz}
jobs=${CRM_BUILD_JOBS:-2}
targets=(service_requests page_token field_mask core_values)

"$repo_root/deploy/install-deps.sh"
# clang and the libFuzzer runtime (install-deps has them as well; checked so this stands alone).
if ! command -v clang++ >/dev/null || ! compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  echo "fuzz: installing clang-14 and libclang-rt-14-dev" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
fi

# Only the libraries and the fuzz targets: no tests, benchmarks or clients. -O1 keeps the
# instrumented build quicker and its stack traces close to the source.
cmake_args=(
  -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG"
  -DCMAKE_CXX_COMPILER=/usr/bin/clang++ -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
  -DCRM_BUILD_FUZZ=ON -DCRM_BUILD_TESTS=OFF -DCRM_BUILD_BENCH=OFF -DCRM_BUILD_CLIENTS=OFF
  -DCRM_FUZZ_SECONDS="${CRM_FUZZ_SMOKE_SECONDS:-15}"
)
mkdir -p "$build_dir"
stamp=$build_dir/.crm-fuzz-cmake-args
if [ ! -f "$build_dir/build.ninja" ] || [ "$(cat "$stamp" 2>/dev/null)" != "${cmake_args[*]}" ]; then
  echo "fuzz: configuring $build_dir"
  cmake -S "$repo_root" -B "$build_dir" "${cmake_args[@]}" >"$build_dir/cmake-configure.log" 2>&1 ||
    { cat "$build_dir/cmake-configure.log" >&2; exit 1; }
  echo "${cmake_args[*]}" >"$stamp"
fi
started=$SECONDS
nice -n 10 ninja -C "$build_dir" -j "$jobs" make_service_seeds "${targets[@]/%/_fuzzer}"
echo "fuzz: build done in $((SECONDS - started))s"

fuzz_dir=$build_dir/tests/fuzz
if [ "$mode" = smoke ]; then
  exec ctest --test-dir "$build_dir" -L fuzz --output-on-failure
fi

seconds=${2:-300}
[[ "$seconds" =~ ^[0-9]+$ ]] || usage
work=$fuzz_dir/work
"$fuzz_dir/make_service_seeds" "$work/service_requests/seeds" "$repo_root/tests/fuzz/seeds/service_requests"
summaries=()
failed=()
for target in "${targets[@]}"; do
  echo "fuzz: running $target for ${seconds}s"
  seed_dirs=("$repo_root/tests/fuzz/seeds/$target")
  if [ "$target" = service_requests ]; then seed_dirs=("$work/service_requests/seeds"); fi
  rc=0
  line=$(CRM_FUZZ_KEEP_CORPUS=1 "$repo_root/tests/fuzz/run_target.sh" "$fuzz_dir/${target}_fuzzer" \
    "$work/$target" "$seconds" "${seed_dirs[@]}") || rc=$?
  echo "$line"
  summaries+=("$line")
  if [ "$rc" -ne 0 ]; then failed+=("$target"); fi
done
echo "fuzz: ===== summary (${seconds}s per target) ====="
printf '%s\n' "${summaries[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: CRASHED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crashes"
