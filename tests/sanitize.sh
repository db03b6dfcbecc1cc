#!/usr/bin/env bash
# Builds the whole suite with clang-14 under AddressSanitizer+UndefinedBehaviorSanitizer
# (build-asan/) and ThreadSanitizer (build-tsan/) and runs all of ctest under each, on SQLite and a
# throwaway MariaDB, through tests/run.sh (CRM_SANITIZE=...). Any sanitizer report fails its test.
#
#   tests/sanitize.sh [address|thread|all] [extra ctest args...]    default: all
#
# Flags, runtime options and suppressions: tests/sanitizers/. Each sanitizer runs even when the
# one before failed; the exit status is non-zero when any failed. CRM_SKIP_MYSQL, CRM_BUILD_JOBS
# and CRM_TEST_JOBS work as for tests/run.sh. A cold build is about 420 objects per sanitizer.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

which=all
case "${1:-}" in
  address | thread | all) which=$1; shift ;;
  -*|"") ;;
  *) echo "usage: $0 [address|thread|all] [extra ctest args...]" >&2; exit 2 ;;
esac
case "$which" in
  all) sanitizers=(address thread) ;;
  *) sanitizers=("$which") ;;
esac

# Tests left out under one sanitizer: "<ctest name regex>|<reason>" per entry.
asan_excluded=()
tsan_excluded=()

failed=()
for san in "${sanitizers[@]}"; do
  echo "sanitize: ===== $san ====="
  if [ "$san" = address ]; then excluded=("${asan_excluded[@]}"); else excluded=("${tsan_excluded[@]}"); fi
  ctest_args=()
  if [ ${#excluded[@]} -gt 0 ]; then
    regex=""
    for entry in "${excluded[@]}"; do
      echo "sanitize: excluding '${entry%%|*}' under $san: ${entry#*|}"
      regex+="${regex:+|}${entry%%|*}"
    done
    ctest_args=(-E "$regex")
  fi
  started=$SECONDS
  rc=0
  if [ "$san" = thread ]; then
    # gRPC, protobuf and Abseil with TSan, built once (about 20 minutes) and then reused.
    "$repo_root/tests/sanitizers/build_tsan_deps.sh" || rc=$?
  fi
  if [ "$rc" -eq 0 ]; then
    CRM_SANITIZE=$san "$repo_root/tests/run.sh" "${ctest_args[@]}" "$@" || rc=$?
  fi
  echo "sanitize: $san finished with status $rc in $((SECONDS - started))s (build and suite)"
  if [ "$rc" -ne 0 ]; then failed+=("$san"); fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "sanitize: FAILED under: ${failed[*]}" >&2
  exit 1
fi
echo "sanitize: clean under: ${sanitizers[*]}"
