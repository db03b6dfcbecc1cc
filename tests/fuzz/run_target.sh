#!/usr/bin/env bash
# Runs one libFuzzer target: first every input of its seed directories, then fuzzing for a
# bounded time; prints one summary line (executions, exec/s, coverage, crashes) and exits
# non-zero on any crash, sanitizer report or failed check. Used by the ctest entries and run.sh.
#
#   run_target.sh <fuzzer-binary> <work-dir> <seconds> [seed-dir...] [-- extra libFuzzer flags]
#
# <work-dir>/corpus is the corpus it grows (emptied first unless CRM_FUZZ_KEEP_CORPUS=1),
# <work-dir>/artifacts/ receives crash, timeout and out-of-memory inputs, <work-dir>/fuzz.log the
# fuzzer's output.
set -uo pipefail

[ $# -ge 3 ] || { echo "usage: $0 <fuzzer> <work-dir> <seconds> [seed-dir...] [-- flags]" >&2; exit 2; }
fuzzer=$1 work=$2 seconds=$3
shift 3
seeds=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  if [ -d "$1" ]; then seeds+=("$1"); fi
  shift
done
[ "${1:-}" = "--" ] && shift
name=$(basename "$fuzzer")

if [ "${CRM_FUZZ_KEEP_CORPUS:-0}" != 1 ]; then rm -rf "$work/corpus"; fi
mkdir -p "$work/corpus" "$work/artifacts"
log=$work/fuzz.log
started_mark=$work/.started
touch "$started_mark"

# A sanitizer report is a crash; UBSan stops at the first one (the build has no recovery either).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_stack_use_after_return=1:handle_abort=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

"$fuzzer" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=6144 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "${seeds[@]}" >"$log" 2>&1
rc=$?

stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
features=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corpus=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
crashes=$(find "$work/artifacts" -type f -newer "$started_mark" 2>/dev/null | wc -l)
echo "fuzz: $name: $(stat number_of_executed_units) execs, $(stat average_exec_per_sec) exec/s," \
  "cov ${cov:-?}, ft ${features:-?}, corpus ${corpus:-?}, new crash files ${crashes}, exit $rc" \
  "(log $log, crash files in $work/artifacts/)"
if [ "$rc" -ne 0 ]; then
  echo "fuzz: $name FAILED; the end of its log:" >&2
  tail -60 "$log" >&2
fi
exit "$rc"
