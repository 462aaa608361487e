#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tools/bench.sh [ITERATIONS]: every figure of the performance table, each as a ratio against
# its floor, in one run (tests/bench/README.md keeps the history and what the figures mean):
#
#   Get(State), GetAll p50     vs the broker's GetId p50 on the same private bus (a dbus-daemon
#                              with the project's policy, tdxd --root on a fixture copy: the
#                              harness of tests/bus/lib.sh), one sd-bus client for all calls
#   tdxctl check --json        whole process on the very large host (8 x 120 CPUs, 50,000
#                              memory blocks: tests/fixtures/gen-large-host.sh) vs the 2-socket
#                              sample host, run in turn
#   probe of the large host    in-process (bench-probe: probe_host + status_derive), median
#   daemon VmRSS               after the calls above, vs a minimal sd-bus process on that bus
#   idle wake-ups              context switches of the idle daemon over a window (20 s)
#
# ITERATIONS: probes per host for bench-probe (default 20). Environment:
#   TDXD_BENCH_BUILD_DIR  build directory (default: build-bench, a Release build)
#   TDXD_BENCH_HOST_DIR   where the large host is generated (default: BUILD/large-host);
#                         an existing tree there is reused
#   TDXD_BENCH_CALLS      rounds of bus calls (default 3000; each round: GetId, Peer.Ping,
#                         Get(State), Get(ModuleVersion), GetAll, GetCapabilities)
#   TDXD_BENCH_RUNS       whole-process runs of tdxctl check per host (default 20)
#   TDXD_BENCH_IDLE       the idle window in seconds (default 20)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TDXD_BENCH_BUILD_DIR:-$top/build-bench}
host=${TDXD_BENCH_HOST_DIR:-$build/large-host}
iterations=${1:-20}
calls=${TDXD_BENCH_CALLS:-3000}
runs=${TDXD_BENCH_RUNS:-20}
idle=${TDXD_BENCH_IDLE:-20}
small=spr-2s-v6.16-ready

cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target bench-probe bench-bus tdxd tdxctl -j"$(nproc)" >/dev/null

if [[ ! -f $host/sys/devices/system/memory/block_size_bytes ]]; then
	echo "== generating the very large host in $host"
	rm -rf "$host"
	time "$top/tests/fixtures/gen-large-host.sh" "$host"
fi

bench=$build/tests/bench
export TDXD=$build/daemon/tdxd TDXCTL=$build/client/tdxctl
export POLICY_FILE=$top/policy/org.tdxd.Tdx1.conf FIXTURES=$top/tests/fixtures

echo "== $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"

# The private bus and the daemon on a copy of the sample host (stopped on exit by lib.sh).
# shellcheck source=tests/bus/lib.sh
. "$top/tests/bus/lib.sh"
bus_setup "$small"

# kB of VmRSS, and the context switches of every thread, of a process
vmrss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
ctxt() { cat /proc/"$1"/task/*/status | awk '/ctxt_switches:/ { n += $2 } END { print n }'; }

"$bench/bench-bus" idle >"$WORK/idle.out" &
IDLE_PID=$!
wait_for grep -q ready "$WORK/idle.out" || fail "the minimal sd-bus process did not start"

echo "== bus: $calls rounds of calls on a private bus (tdxd --root on $small)"
"$bench/bench-bus" calls "$calls" | tee "$WORK/calls.out"
p50() { awk -v k="$1" '$1 == k { print $(NF-2) }' "$WORK/calls.out"; }
getid=$(p50 broker)
ping=$(p50 tdxd)
state=$(p50 'Get(State)')
modver=$(p50 'Get(ModuleVersion)')
getall=$(p50 GetAll)
caps=$(p50 GetCapabilities)
rss_tdxd=$(vmrss "$TDXD_PID")
rss_idle=$(vmrss "$IDLE_PID")

# The idle window: nothing calls the daemon meanwhile; the whole-process and in-process
# timings run in it (they do not touch the bus).
c0=$(ctxt "$TDXD_PID")
i0=$(ctxt "$IDLE_PID")
t0=$SECONDS

echo "== tdxctl check --json, whole process, $runs runs each in turn: large host (A), $small (B)"
"$bench/bench-bus" spawn "$runs" "$TDXCTL" check --json --root "$host" :: \
	"$TDXCTL" check --json --root "$FIXTURES/$small" | tee "$WORK/spawn.out"
check_large=$(awk '$1 == "A" { print $3 }' "$WORK/spawn.out")
check_small=$(awk '$1 == "B" { print $3 }' "$WORK/spawn.out")
cpu_large=$(awk '$1 == "A" { print $7 }' "$WORK/spawn.out")
cpu_small=$(awk '$1 == "B" { print $7 }' "$WORK/spawn.out")

echo "== in-process probe, very large host (8 x 120 CPUs, 50,000 memory blocks)"
"$bench/bench-probe" "$host" "$iterations" | tee "$WORK/probe.out"
echo "== in-process probe, sample host ($small: 2 x 16 CPUs, 128 memory blocks)"
"$bench/bench-probe" "$FIXTURES/$small" "$iterations"
probe_large=$(sed -nE 's/^probe_host.*median ([0-9.]+) ms.*/\1/p' "$WORK/probe.out")
probe_large_cpu=$(sed -nE 's/^CPU time.*median ([0-9.]+) ms.*/\1/p' "$WORK/probe.out")

left=$((idle - (SECONDS - t0)))
[[ $left -gt 0 ]] && sleep "$left"
wake_tdxd=$(($(ctxt "$TDXD_PID") - c0))
wake_idle=$(($(ctxt "$IDLE_PID") - i0))
window=$((SECONDS - t0))
daemon_alive

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

echo
echo "| figure | measured | floor | ratio | target |"
echo "|---|---|---|---|---|"
echo "| \`Peer.Ping\` to tdxd p50 (any service's floor) | $ping us | broker \`GetId\` $getid us | $(ratio "$ping" "$getid") | |"
echo "| \`Get(State)\` p50 | $state us | broker \`GetId\` $getid us | $(ratio "$state" "$getid") ($(ratio "$state" "$ping") of Ping) | <= 1.2x |"
echo "| \`Get(ModuleVersion)\` p50 (no I/O) | $modver us | broker \`GetId\` $getid us | $(ratio "$modver" "$getid") ($(ratio "$modver" "$ping") of Ping) | |"
echo "| \`GetAll\` p50 | $getall us | broker \`GetId\` $getid us | $(ratio "$getall" "$getid") ($(ratio "$getall" "$ping") of Ping) | <= 3x |"
echo "| \`GetCapabilities\` p50 | $caps us | broker \`GetId\` $getid us | $(ratio "$caps" "$getid") ($(ratio "$caps" "$ping") of Ping) | |"
echo "| \`tdxctl check --json\`, large host, whole process (median wall) | $check_large ms | $small $check_small ms | $(ratio "$check_large" "$check_small") | <= 2x, <= 25 ms |"
echo "| \`tdxctl check --json\`, large host, whole process (median CPU) | $cpu_large ms | $small $cpu_small ms | $(ratio "$cpu_large" "$cpu_small") | |"
echo "| probe + derive of the large host, in-process (median wall / CPU) | $probe_large / $probe_large_cpu ms | | | <= 20 ms |"
echo "| daemon VmRSS after $((calls * 5)) calls | $(mib "$rss_tdxd") | minimal sd-bus process $(mib "$rss_idle") | $(ratio "$rss_tdxd" "$rss_idle") | <= 4 MiB |"
echo "| idle wake-ups in ${window} s (context switches) | $wake_tdxd | minimal sd-bus process $wake_idle | | 0 |"
