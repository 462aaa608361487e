#!/usr/bin/env bash
# The README's test command: installs what is missing, then configures, builds (-Werror) and
# runs every test layer (unit, bus, system), and the unit tests again under ASan + UBSan.
#   TDXD_SKIP_SYSTEM=1  leave out the QEMU lane (it is then reported as skipped, loudly)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash tools/install-deps.sh

build=${TDXD_BUILD_DIR:-$top/build}
asan=${TDXD_ASAN_BUILD_DIR:-$top/build-asan}
jobs=$(nproc)

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DTDXD_WERROR=ON >/dev/null
cmake --build "$build" -j"$jobs"

cmake -S . -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DTDXD_WERROR=ON -DTDXD_SANITIZE=ON \
	-DTDXD_SYSTEM_TESTS=OFF >/dev/null
cmake --build "$asan" -j"$jobs"

echo "== unit and fixture tests under AddressSanitizer + UndefinedBehaviorSanitizer"
(cd "$asan" && ASAN_OPTIONS=detect_leaks=1 ctest -L 'unit|fixture' -E fixture-large-host \
	--output-on-failure -j"$jobs")

labels="unit|bus|fixture|lint|install"
if [ "${TDXD_SKIP_SYSTEM:-0}" = 1 ]; then
	echo "######## TDXD_SKIP_SYSTEM=1: the system test lane (QEMU) is NOT run ########" >&2
else
	labels="$labels|system"
fi
echo "== all test layers ($labels)"
cd "$build"
ctest -L "$labels" --output-on-failure -j"$jobs"
