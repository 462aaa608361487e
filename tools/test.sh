#!/usr/bin/env bash
# The README's test command: installs what is missing, then configures, builds (-Werror) and
# runs every test layer: unit, fixture, bus, hostile, lint, install, system (QEMU); the unit,
# fixture, bus and hostile layers again with ASan + UBSan; the fuzz targets in a clang build.
# Every layer runs even when an earlier one failed; the script ends with one line per layer
# ("layer NAME: passed|FAILED|skipped") and exits non-zero when any layer failed.
#   TDXD_SKIP_SYSTEM=1  leave out the QEMU lane (it is then reported as skipped, loudly)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash tools/install-deps.sh || exit 1

build=${TDXD_BUILD_DIR:-$top/build}
asan=${TDXD_ASAN_BUILD_DIR:-$top/build-asan}
fuzz=${TDXD_FUZZ_BUILD_DIR:-$top/build-fuzz}
jobs=$(nproc)

declare -a summary=()
failed=0
# result NAME RC: record a layer's verdict
result() {
	if [ "$2" -eq 0 ]; then
		summary+=("layer $1: passed")
	else
		summary+=("layer $1: FAILED")
		failed=1
	fi
}

# layer NAME DIR LABELS [ctest args...]: one ctest run, its verdict recorded
layer() {
	local name=$1 dir=$2 labels=$3 rc=0
	shift 3
	echo "== layer $name ($labels in $(basename "$dir"))"
	(cd "$dir" && ctest -L "$labels" --output-on-failure -j"$jobs" "$@") || rc=$?
	result "$name" "$rc"
}

# configure_build NAME DIR cmake-args...: configure and build; the verdict is a layer too
configure_build() {
	local name=$1 dir=$2 rc=0
	shift 2
	echo "== build $name"
	{ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DTDXD_WERROR=ON "$@" >/dev/null &&
		cmake --build "$dir" -j"$jobs"; } || rc=$?
	result "build-$name" "$rc"
	return "$rc"
}

if configure_build gcc "$build"; then
	layer unit "$build" '^unit$'
	layer fixture "$build" '^fixture$'
	layer bus "$build" '^bus$'
	layer hostile "$build" '^hostile$'
	layer lint "$build" '^lint$'
	layer install "$build" '^install$'
	if [ "${TDXD_SKIP_SYSTEM:-0}" = 1 ]; then
		echo "######## TDXD_SKIP_SYSTEM=1: the system test lane (QEMU) is NOT run ########" >&2
		summary+=("layer system: skipped (TDXD_SKIP_SYSTEM=1)")
	else
		layer system "$build" '^system$'
	fi
fi

# The sanitizers: leaks are errors (the daemon exits non-zero on SIGTERM when one is found,
# which the bus tests assert), and UBSan reports abort.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if configure_build asan "$asan" -DTDXD_SANITIZE=ON -DTDXD_SYSTEM_TESTS=OFF; then
	layer unit-asan "$asan" '^(unit|fixture)$' -E fixture-large-host
	layer bus-asan "$asan" '^bus$'
	layer hostile-asan "$asan" '^hostile$'
fi

# libFuzzer needs clang: a bounded number of runs of every target (tests/fuzz/README.md).
if command -v clang >/dev/null; then
	if configure_build fuzz "$fuzz" -DCMAKE_C_COMPILER=clang -DTDXD_FUZZ=ON -DTDXD_SYSTEM_TESTS=OFF; then
		layer fuzz "$fuzz" '^fuzz$'
	fi
else
	echo "######## clang not found: the fuzz layer is NOT run ########" >&2
	summary+=("layer fuzz: skipped (no clang)")
fi

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
	echo "tools/test.sh: FAILED (see the layers above)"
	exit 1
fi
echo "tools/test.sh: every layer passed"
