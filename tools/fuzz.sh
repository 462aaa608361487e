#!/usr/bin/env bash
# tools/fuzz.sh [SECONDS]: run every libFuzzer target in tests/fuzz for SECONDS each (default
# 60) in a clang build (build-fuzz/), one after another, with coverage stats at the end of each.
# Crashing inputs land in build-fuzz/tests/fuzz/crashes/. CTest's `fuzz` label runs the same
# targets for a fixed number of executions instead.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
secs=${1:-60}
dir=${TDXD_FUZZ_BUILD_DIR:-$top/build-fuzz}
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DTDXD_FUZZ=ON \
	-DTDXD_SYSTEM_TESTS=OFF >/dev/null
cmake --build "$dir" -j"$(nproc)"
failed=()
for bin in "$dir"/tests/fuzz/fuzz-*; do
	[ -x "$bin" ] && [ -f "$bin" ] || continue
	t=${bin##*/fuzz-}
	echo "== fuzz-$t for ${secs}s"
	log=$dir/tests/fuzz/fuzz-$t.log
	rc=0
	bash tests/fuzz/run-fuzz.sh "$bin" "$t" "$top" "$dir/tests/fuzz" -max_total_time="$secs" \
		>"$log" 2>&1 || rc=$?
	grep -E '^(fuzz-|#[0-9]+[[:space:]]+DONE|stat::|==[0-9]+==|SUMMARY)' "$log" || true
	[ "$rc" -eq 0 ] || failed+=("$t (log: $log)")
done
if [ "${#failed[@]}" -gt 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}"
	exit 1
fi
echo "fuzz: every target ran ${secs}s without a finding"
