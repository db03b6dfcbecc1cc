#!/usr/bin/env bash
# Runs the fault drills in full and prints their figures (issue 7, "Faults"):
#   kill-sqlite   kill -9 of crm-server at random moments of write load, 20 rounds, SQLite
#   kill-mysql    the same on MariaDB
#   outage        MariaDB stopped for 10 s under load and started again
#   outage-idle   the same with no calls from just before the stop until 2 s after the restart:
#                 the pool's connections sit idle through the outage, then every call must succeed
#   galera        a three-node Galera cluster (galera-4) on loopback loses a node to kill -9 under
#                 load: one the server does not use, then (after it rejoined) the server's own, the
#                 server restarted on a survivor's URL; nothing acknowledged lost, no duplicates
#   scaleout      three crm-server processes started together on one MariaDB database, called
#                 through the client's round-robin: background jobs once, every event once and in
#                 order on a subscriber of each process, 64 etag updaters of one account lose no
#                 update; the mixed workload's throughput on one process and on all three
# Each MariaDB is a throw-away mariadbd that fault_drill starts on a free loopback port with its
# own data directory under this script's temp dir; it is stopped and deleted afterwards in every
# case. Exits non-zero when any drill broke a promise.
#
#   tests/faults/run.sh [kill-sqlite] [kill-mysql] [outage] [outage-idle] [galera] [scaleout]
#   (default: all)
#
# Environment: CRM_BUILD_DIR (default build/; configured RelWithDebInfo with tests and benchmarks
# when it has no build.ninja yet, then only crm-server and fault_drill are built), CRM_BUILD_JOBS
# (default 2), CRM_FAULT_ROUNDS (default 20), CRM_FAULT_FLAGS (extra fault_drill flags, e.g.
# "--seed=42 --keep_data"), CRM_FAULT_JSON_DIR (keep each drill's JSON summary there).
# shellcheck disable=SC2317  # cleanup is called from the trap
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"

build_dir=${CRM_BUILD_DIR:-build}
case "$build_dir" in /*) ;; *) build_dir=$repo_root/$build_dir ;; esac
rounds=${CRM_FAULT_ROUNDS:-20}
read -r -a extra_flags <<<"${CRM_FAULT_FLAGS:-}"

drills=("$@")
[ ${#drills[@]} -gt 0 ] || drills=(kill-sqlite kill-mysql outage outage-idle galera scaleout)
for drill in "${drills[@]}"; do
  case "$drill" in
    kill-sqlite | kill-mysql | outage | outage-idle | galera | scaleout) ;;
    *) echo "faults: unknown drill '$drill' (kill-sqlite, kill-mysql, outage, outage-idle, galera, scaleout)" >&2
       exit 2 ;;
  esac
done

# The drills' files; a short path, since each MariaDB keeps its socket there.
base=${TMPDIR:-/tmp}
if [ ! -d "$base" ] || [ ${#base} -gt 40 ]; then base=/tmp; fi
work_dir=$(mktemp -d "$base/crm-faults-run.XXXXXX")
# Galera's rsync state transfer runs as nobody when the drill runs as root: it must pass through
# to the joiners' data directories (others may traverse, not list).
chmod 711 "$work_dir"
drill_pid=""

# fault_drill stops its own mariadbd and crm-server processes (and they die with it), so this only
# matters when the drill itself was killed: stop whatever it left under the work dir, then delete it.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ -n "$drill_pid" ] && kill -0 "$drill_pid" 2>/dev/null; then
    kill -TERM "$drill_pid" 2>/dev/null || true
    wait "$drill_pid" 2>/dev/null || true
  fi
  local pid_file pid
  while IFS= read -r pid_file; do
    pid=$(cat "$pid_file" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      echo "faults: stopping leftover mariadbd $pid" >&2
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done < <(find "$work_dir" -name mariadbd.pid 2>/dev/null)
  rm -rf "$work_dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

"$repo_root/deploy/install-deps.sh"
if [ ! -f "$build_dir/build.ninja" ]; then
  echo "faults: configuring $build_dir"
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCRM_BUILD_TESTS=ON -DCRM_BUILD_BENCH=ON >/dev/null
fi
echo "faults: building crm-server and fault_drill in $build_dir"
ninja -C "$build_dir" -j "${CRM_BUILD_JOBS:-2}" crm-server fault_drill
drill_binary=$build_dir/tests/faults/fault_drill

declare -A results=()
failed=0
for drill in "${drills[@]}"; do
  case "$drill" in
    kill-sqlite) args=(--drill=kill --db=sqlite --rounds="$rounds") ;;
    kill-mysql) args=(--drill=kill --db=mysql --rounds="$rounds") ;;
    outage) args=(--drill=outage) ;;
    outage-idle) args=(--drill=outage --idle_outage) ;;
    galera) args=(--drill=galera) ;;
    scaleout) args=(--drill=scaleout --servers=3 --load_seconds=20) ;;
  esac
  if [ -n "${CRM_FAULT_JSON_DIR:-}" ]; then
    mkdir -p "$CRM_FAULT_JSON_DIR"
    args+=(--json_out="$CRM_FAULT_JSON_DIR/$drill.json")
  fi
  echo
  echo "faults: === $drill ==="
  rc=0
  # In the background so that a signal reaches the trap at once; the drill's children die with it.
  "$drill_binary" "${args[@]}" --tmp_dir="$work_dir" "${extra_flags[@]}" &
  drill_pid=$!
  wait "$drill_pid" || rc=$?
  drill_pid=""
  if [ "$rc" -eq 0 ]; then results[$drill]=ok; else results[$drill]="FAILED (exit $rc)"; failed=1; fi
done

echo
echo "faults: summary"
for drill in "${drills[@]}"; do printf '  %-12s %s\n' "$drill" "${results[$drill]}"; done
exit "$failed"
