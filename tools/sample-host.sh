#!/usr/bin/env bash
# The README's first command: build tdxd, start it on a bundled sample host (a fixture tree
# modelled on a 2-socket Sapphire Rapids host on a 6.8 "-intel" vendor kernel, which reports
# the module version and the convertible memory regions, with attestation set up) on a private
# system bus, and show what it reports: tdxctl status and busctl introspect.
#   tools/sample-host.sh [FIXTURE]   (any directory name under tests/fixtures/)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
fixture=${1:-showcase}

TDXD_SKIP_SYSTEM=1 bash tools/install-deps.sh
build=${TDXD_BUILD_DIR:-$top/build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j"$(nproc)" --target tdxd tdxctl >/dev/null

work=$(mktemp -d /tmp/tdxd-sample.XXXXXX)
chmod 755 "$work"
cleanup() {
	[ -n "${tdxd_pid:-}" ] && kill "$tdxd_pid" 2>/dev/null
	[ -n "${bus_pid:-}" ] && kill "$bus_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

cp -a "tests/fixtures/$fixture" "$work/root"
sed -e "s|@SOCKET@|$work/bus|" -e "s|@POLICY@|<include>$top/policy/org.tdxd.Tdx1.conf</include>|" \
	tests/bus/system-bus.conf.in >"$work/bus.conf"
dbus-daemon --config-file="$work/bus.conf" --nofork --nopidfile 2>"$work/bus.log" &
bus_pid=$!
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/bus"
for _ in $(seq 50); do [ -S "$work/bus" ] && break; sleep 0.1; done

mkfifo "$work/uevents"
"$build/daemon/tdxd" --root "$work/root" --uevents "$work/uevents" 2>"$work/tdxd.log" &
tdxd_pid=$!
for _ in $(seq 100); do
	busctl --system status org.tdxd.Tdx1 >/dev/null 2>&1 && break
	sleep 0.1
done

about=$(head -n1 "tests/fixtures/$fixture/README" 2>/dev/null || true)
echo "### tdxd on the sample host '$fixture'${about:+: $about}"
echo
echo "\$ tdxctl status"
"$build/client/tdxctl" status
echo
echo "\$ busctl introspect org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager"
# busctl pads every row to the longest value (the Checks array); shorten long values so the
# table fits a terminal.
busctl --system introspect org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager |
	awk 'NR == 1 { t = index($0, "TYPE"); g = index($0, "SIGNATURE");
			v = index($0, "RESULT/VALUE"); f = index($0, "FLAGS") }
		{ val = substr($0, v, f - v); sub(/ +$/, "", val)
		  if (length(val) > 46) val = substr(val, 1, 43) "..."
		  printf "%s%-48s %s\n", substr($0, 1, v - 1), val, substr($0, f) }'
echo
echo "Other hosts: tools/sample-host.sh NAME, with NAME one of:"
for d in tests/fixtures/*/; do if [ -f "$d/expected.json" ]; then printf "%s " "$(basename "$d")"; fi; done
echo
echo
echo "### tdxd's log"
cat "$work/tdxd.log"
