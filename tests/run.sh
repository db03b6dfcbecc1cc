#!/usr/bin/env bash
# Runs the whole test suite: installs the packages, builds RelWithDebInfo into build/, starts a
# throwaway MariaDB on loopback (own temp dir, free port) so every store test also runs on MariaDB,
# runs ctest, and always stops MariaDB and deletes its files afterwards. Then the fuzz targets'
# short run (tests/fuzz/run.sh smoke: a clang ASan+UBSan build in build-fuzz/, ctest -L fuzz).
#
#   tests/run.sh [extra ctest args...]      e.g. tests/run.sh -R Account
#
# Environment: CRM_SKIP_MYSQL=1 runs the tests on SQLite only (no MariaDB);
# CRM_BUILD_JOBS / CRM_TEST_JOBS set build / test parallelism (default 2);
# CRM_SANITIZE=address|thread builds with clang-14 and ASan+UBSan / TSan into build-asan /
# build-tsan and runs the suite under them (settings in tests/sanitizers/env.sh; tests/sanitize.sh
# runs both); CRM_BUILD_DIR overrides the build directory (default build/); CRM_CMAKE_ARGS adds
# cmake arguments (split on whitespace); CRM_SKIP_FUZZ=1 leaves the fuzz run out (it is also left
# out of sanitizer runs and of runs given ctest arguments).
# Tests read CRM_TEST_MYSQL_URL=mysql://crm:crm@127.0.0.1:<port>/ and append their own database.
# shellcheck disable=SC2317  # the functions below are also called from traps
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

mariadb_dir=""   # temp dir holding MariaDB's data, socket and logs
mariadb_pid=""
ctest_pid=""

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Waits up to $2 tenths of a second for process $1 to go away.
wait_gone() {
  local i
  for ((i = 0; i < $2; i++)); do
    alive "$1" || return 0
    sleep 0.1
  done
  ! alive "$1"
}

stop_mariadb() {
  [ -n "$mariadb_dir" ] || return 0
  if alive "$mariadb_pid"; then
    echo "tests: stopping MariaDB"
    # A server still starting up refuses the shutdown command; SIGTERM also shuts it down cleanly.
    if ! { mariadb-admin --no-defaults --socket="$mariadb_dir/sock" -uroot --connect-timeout=5 \
          shutdown >/dev/null 2>&1 && wait_gone "$mariadb_pid" 300; }; then
      kill -TERM "$mariadb_pid" 2>/dev/null || true
      if ! wait_gone "$mariadb_pid" 100; then
        echo "tests: MariaDB did not stop; killing it" >&2
        kill -KILL "$mariadb_pid" 2>/dev/null || true
      fi
    fi
  fi
  if [ -n "$mariadb_pid" ]; then wait "$mariadb_pid" 2>/dev/null || true; fi
  mariadb_pid=""
  rm -rf "$mariadb_dir"
  mariadb_dir=""
}

on_exit() {
  local rc=$?
  trap - EXIT INT TERM HUP
  # ctest runs in its own session (see below), so stop it and its tests here.
  if alive "$ctest_pid"; then
    kill -TERM -- "-$ctest_pid" 2>/dev/null || true
    wait_gone "$ctest_pid" 50 || kill -KILL -- "-$ctest_pid" 2>/dev/null || true
  fi
  stop_mariadb
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

free_port() {
  local py
  py=$(command -v /usr/bin/python3 python3 | head -n1 || true)
  if [ -n "$py" ]; then
    "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    echo $((20000 + RANDOM % 12000))
  fi
}

start_mariadb() {
  local user base port attempt i
  user=$(id -un)
  # The socket path must stay short (108 bytes), so fall back to /tmp for a long TMPDIR.
  base=${TMPDIR:-/tmp}
  if [ ! -d "$base" ] || [ ${#base} -gt 60 ]; then base=/tmp; fi
  mariadb_dir=$(mktemp -d "$base/crm-mariadb.XXXXXX")

  echo "tests: initialising MariaDB in $mariadb_dir"
  if ! mariadb-install-db --no-defaults --user="$user" --datadir="$mariadb_dir/data" \
      --auth-root-authentication-method=normal --skip-test-db \
      >"$mariadb_dir/install.log" 2>&1; then
    cat "$mariadb_dir/install.log" >&2
    echo "tests: mariadb-install-db failed" >&2
    return 1
  fi

  # A port found free may be taken before mariadbd binds it; then try another one.
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    : >"$mariadb_dir/error.log"
    mariadbd --no-defaults --user="$user" --datadir="$mariadb_dir/data" \
      --socket="$mariadb_dir/sock" --port="$port" --bind-address=127.0.0.1 \
      --pid-file="$mariadb_dir/mariadbd.pid" --log-error="$mariadb_dir/error.log" \
      --skip-log-bin --skip-name-resolve \
      --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 --innodb-flush-method=nosync \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      </dev/null >>"$mariadb_dir/mariadbd.out" 2>&1 &
    mariadb_pid=$!

    for ((i = 0; i < 300; i++)); do
      if mariadb-admin --no-defaults --socket="$mariadb_dir/sock" -uroot --connect-timeout=1 \
          ping >/dev/null 2>&1; then
        break
      fi
      alive "$mariadb_pid" || break
      sleep 0.1
    done

    if alive "$mariadb_pid" && [ -S "$mariadb_dir/sock" ]; then
      break
    fi
    if ! alive "$mariadb_pid"; then
      wait "$mariadb_pid" 2>/dev/null || true
      mariadb_pid=""
      if grep -qiE 'Bind on TCP/IP port|Address already in use' "$mariadb_dir/error.log" &&
          [ "$attempt" -lt 5 ]; then
        echo "tests: port $port was taken; retrying"
        continue
      fi
      echo "tests: MariaDB failed to start; its error log:" >&2
    else
      echo "tests: MariaDB did not answer within 30 s; its error log:" >&2
    fi
    cat "$mariadb_dir/error.log" "$mariadb_dir/mariadbd.out" >&2 || true
    return 1
  done

  mariadb --no-defaults --socket="$mariadb_dir/sock" -uroot <<'SQL'
CREATE USER 'crm'@'127.0.0.1' IDENTIFIED BY 'crm';
CREATE USER 'crm'@'localhost' IDENTIFIED BY 'crm';
GRANT ALL PRIVILEGES ON *.* TO 'crm'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'crm'@'localhost' WITH GRANT OPTION;
SQL
  # Prove the URL the tests get really works over TCP before handing it out.
  mariadb --no-defaults -h127.0.0.1 -P"$port" -ucrm -pcrm -e 'SELECT 1' >/dev/null

  export CRM_TEST_MYSQL_URL="mysql://crm:crm@127.0.0.1:$port/"
  echo "tests: MariaDB $(mariadbd --version | awk '{print $3}') on 127.0.0.1:$port (pid $mariadb_pid)"
}

build_dir=build
cmake_args=(-DCRM_BUILD_TESTS=ON -DCRM_BUILD_BENCH=ON)
if [ -n "${CRM_SANITIZE:-}" ]; then
  # Sets san_build_dir and san_cmake_args, and exports the sanitizers' runtime options before the
  # build, whose test discovery already runs the instrumented binaries.
  # shellcheck source=tests/sanitizers/env.sh
  source "$repo_root/tests/sanitizers/env.sh"
  build_dir=$san_build_dir
  cmake_args+=("${san_cmake_args[@]}")
fi
build_dir=${CRM_BUILD_DIR:-$build_dir}
# shellcheck disable=SC2206  # split on whitespace on purpose
if [ -n "${CRM_CMAKE_ARGS:-}" ]; then cmake_args+=($CRM_CMAKE_ARGS); fi

# build.sh runs deploy/install-deps.sh first; builds all targets, tests included.
"$repo_root/deploy/build.sh" "$build_dir" RelWithDebInfo "${cmake_args[@]}"

if [ "${CRM_SKIP_MYSQL:-0}" = 1 ]; then
  unset CRM_TEST_MYSQL_URL
  echo "tests: CRM_SKIP_MYSQL=1, running on SQLite only"
else
  start_mariadb
  # From here a test that cannot reach MariaDB fails instead of skipping.
  export CRM_REQUIRE_MYSQL=1
fi

# ctest gets its own session so that on Ctrl-C / SIGTERM the trap can stop it and every test it
# started, instead of bash waiting for a foreground ctest to finish first.
setsid ctest --test-dir "$build_dir" --output-on-failure -j"${CRM_TEST_JOBS:-2}" --timeout 300 "$@" &
ctest_pid=$!
rc=0
wait "$ctest_pid" || rc=$?
ctest_pid=""

# The fuzz targets' short run: its own clang build under ASan + UBSan (build-fuzz/), through
# ctest there. In the default run only, not in a sanitizer run or one narrowed by ctest
# arguments; CRM_SKIP_FUZZ=1 leaves it out.
if [ -z "${CRM_SANITIZE:-}" ] && [ $# -eq 0 ] && [ "${CRM_SKIP_FUZZ:-0}" != 1 ]; then
  fuzz_rc=0
  "$repo_root/tests/fuzz/run.sh" smoke || fuzz_rc=$?
  if [ "$rc" -eq 0 ]; then rc=$fuzz_rc; fi
fi
exit "$rc"
