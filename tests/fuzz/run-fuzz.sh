#!/usr/bin/env bash
# run-fuzz.sh BINARY TARGET SOURCE_DIR WORK_DIR [libFuzzer options...]
# Runs one libFuzzer target on a fresh corpus seeded from the fixture trees (seeds.sh), with a
# fixed seed so a CTest run is repeatable. Extra options choose the length: -runs=N (CTest,
# a bounded number of executions) or -max_total_time=S (tools/fuzz.sh).
set -euo pipefail
bin=$1 target=$2 src=$3 work=$4
shift 4
corpus=$work/corpus-$target
rm -rf "$corpus"
mkdir -p "$corpus" "$work/crashes"
bash "$src/tests/fuzz/seeds.sh" "$target" "$src" "$corpus"
echo "fuzz-$target: $(find "$corpus" -type f | wc -l) seed files"
# -artifact_prefix: a crashing input is kept for the report (and for a regression seed)
exec "$bin" -seed=1 -print_final_stats=1 -max_len=65536 -timeout=60 -rss_limit_mb=2048 \
	-artifact_prefix="$work/crashes/$target-" "$@" "$corpus"
