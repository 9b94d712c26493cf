#!/usr/bin/env bash
# Runs every test suite: installs dependencies, builds with warnings as errors,
# runs ctest (labels unit, vectors, interop, rtl, cosim, e2e, fuzz), then the unit
# tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

scripts/deps.sh

cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIPSEC_WERROR=ON \
  -DAIPSEC_RTL_CI_SCALE="${AIPSEC_RTL_CI_SCALE:-ci}" -DAIPSEC_BUILD_BENCH=ON
cmake --build build/test -j"$JOBS"

cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=Debug -DAIPSEC_WERROR=ON -DAIPSEC_SANITIZE=ON \
  -DAIPSEC_BUILD_RTL=OFF -DAIPSEC_BUILD_BENCH=OFF -DAIPSEC_BUILD_FUZZ=OFF
cmake --build build/sanitize -j"$JOBS" --target tests-unit

status=0
echo "== sanitizer run (ASan + UBSan): unit tests =="
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/sanitize -L unit -j"$JOBS" --output-on-failure --timeout 600 || status=1

echo "== all suites =="
ctest --test-dir build/test -j"$JOBS" --output-on-failure --timeout 1200 || status=1
exit $status
