# Sanitizer settings shared by tests/run.sh (CRM_SANITIZE=address|thread) and tests/sanitize.sh.
# Sourced, not run. Given $CRM_SANITIZE it sets
#   san_build_dir    the default build directory (build-asan / build-tsan)
#   san_cmake_args   cmake arguments: clang-14 and the sanitizer flags
# and exports the runtime options under which any report fails the test.
# shellcheck shell=bash disable=SC2034  # the variables are read by the sourcing script

san_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The Debian libraries (gRPC, Abseil, protobuf, SOCI) are gcc builds without instrumentation; the
# sanitizers see only our code and what it inlines from their headers. Under TSan, gRPC, Abseil
# and protobuf come from a TSan build of their Debian sources when tests/sanitizers/build_tsan_deps.sh
# has made one.
case "${CRM_SANITIZE:-}" in
  address)
    san_build_dir=build-asan
    # -fno-sanitize=vptr: SOCI's backends hide their typeinfo, so UBSan's dynamic-type check
    # cannot match it and reports every virtual call into SOCI.
    san_cmake_args=(
      -DCMAKE_CXX_COMPILER=/usr/bin/clang++
      "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=all -fno-sanitize=vptr -fno-omit-frame-pointer"
    )
    export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:print_suppressions=0"
    export LSAN_OPTIONS="suppressions=$san_dir/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$san_dir/ubsan.supp:print_suppressions=0"
    ;;
  thread)
    san_build_dir=build-tsan
    san_cmake_args=(
      -DCMAKE_CXX_COMPILER=/usr/bin/clang++
      "-DCMAKE_CXX_FLAGS=-fsanitize=thread -fno-omit-frame-pointer"
    )
    # gRPC, protobuf and Abseil built with TSan (tests/sanitizers/build_tsan_deps.sh), when there:
    # without them TSan cannot see gRPC's own synchronisation and reports its hand-offs as races.
    tsan_prefix=${CRM_TSAN_PREFIX:-/opt/crm-tsan}
    if [ -f "$tsan_prefix/.built-abseil" ] && [ -f "$tsan_prefix/.built-protobuf" ] && [ -f "$tsan_prefix/.built-grpc" ]; then
      san_cmake_args+=("-DCMAKE_PREFIX_PATH=$tsan_prefix")
      # Its libraries find each other there (they carry no run path of their own).
      export LD_LIBRARY_PATH="$tsan_prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      echo "sanitizers: gRPC, protobuf and Abseil with TSan from $tsan_prefix"
    else
      echo "sanitizers: no TSan build of gRPC, protobuf and Abseil in $tsan_prefix" \
        "(tests/sanitizers/build_tsan_deps.sh); hand-offs inside gRPC will be reported as races" >&2
    fi
    # halt_on_error: the first race fails the test (exit 66) instead of a summary at exit.
    export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$san_dir/tsan.supp:print_suppressions=0"
    ;;
  *)
    echo "sanitizers: CRM_SANITIZE must be address or thread, not '${CRM_SANITIZE:-}'" >&2
    return 2
    ;;
esac
