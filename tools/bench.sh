#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tools/bench.sh [ITERATIONS]: build bench-probe (Release), generate the very large host
# (8 packages x 120 CPUs, 50,000 memory blocks: tests/fixtures/gen-large-host.sh) and time
# probe_host + status_derive on it, then on the committed 2-socket sample host.
#   TDXD_BENCH_BUILD_DIR  build directory (default: build-bench)
#   TDXD_BENCH_HOST_DIR   where the large host is generated (default: BUILD/large-host);
#                         an existing tree there is reused
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TDXD_BENCH_BUILD_DIR:-$top/build-bench}
host=${TDXD_BENCH_HOST_DIR:-$build/large-host}
iterations=${1:-20}

cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target bench-probe -j"$(nproc)" >/dev/null

if [[ ! -f $host/sys/devices/system/memory/block_size_bytes ]]; then
	echo "== generating the very large host in $host"
	rm -rf "$host"
	time "$top/tests/fixtures/gen-large-host.sh" "$host"
fi

echo "== $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
echo "== very large host (8 x 120 CPUs, 50,000 memory blocks)"
# drop nothing from the caches (needs root and disturbs others): the first probe after the
# generation is warm already; run `echo 3 > /proc/sys/vm/drop_caches` first for a cold one
"$build/tests/bench/bench-probe" "$host" "$iterations"
echo "== sample host (tests/fixtures/spr-2s-v6.16-ready: 2 x 16 CPUs, 128 memory blocks)"
"$build/tests/bench/bench-probe" "$top/tests/fixtures/spr-2s-v6.16-ready" "$iterations"
