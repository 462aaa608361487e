#!/usr/bin/env bash
# The README's test command with a busy machine beside it: `stress --cpu N` (default 4, on
# these 2-core machines a load of about 6) runs for as long as tools/test.sh does, so that a
# test that depends on the machine's speed shows itself here rather than on a shared CI
# machine. Prints the load average every minute to test-under-load.log in the build
# directory; its exit status is tools/test.sh's.
#   tools/test-under-load.sh [N]     N CPU hogs (stress --cpu N)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
hogs=${1:-4}

if ! command -v stress >/dev/null; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq stress >/dev/null ||
		{ echo "test-under-load: cannot install stress" >&2; exit 1; }
fi

log=${TDXD_BUILD_DIR:-$top/build}/test-under-load.log
mkdir -p "$(dirname "$log")"
stress --cpu "$hogs" >/dev/null 2>&1 &
stress_pid=$!
{
	while sleep 60; do echo "$(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; done
} >"$log" &
sampler=$!
trap 'kill "$stress_pid" "$sampler" 2>/dev/null; wait 2>/dev/null' EXIT

echo "test-under-load: stress --cpu $hogs beside tools/test.sh (load averages in $log)" >&2
rc=0
bash "$top/tools/test.sh" || rc=$?
echo "test-under-load: load averages during the run:" >&2
sort -k2 -n "$log" | tail -1 | sed 's/^/  highest (1 min): /' >&2
exit "$rc"
