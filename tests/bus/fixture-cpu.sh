# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# A fixture tree playing the kernel for CPU hotplug (docs/kernel-interfaces.md, *CPU topology files*): after a
# CPU's online file changes, the rest of sysfs must look as the kernel leaves it, or the daemon
# re-probing on the event sees a host that cannot exist. Sourced by tests/bus/test-cpu-guard.sh
# and tests/bench/bench-cpu-guard.sh; set FX_ROOT to the tree first. Only bash builtins in the
# per-CPU loops (the large host has 960 CPUs).
#
#   fx_cpu_offline N...      online=0, topology/ gone, online/offline and node lists updated
#   fx_cpu_online PKG N...   online=1, topology/physical_package_id back, lists updated
#   fx_online_of N           the CPU's online file

# The kernel's range-list format comes from the fixture generator (hg_cpulist).
# shellcheck source=tests/fixtures/hostgen.sh
. "$(dirname "${BASH_SOURCE[0]}")/../fixtures/hostgen.sh"

# Rewrite cpu/online, cpu/offline and node*/cpulist from the per-CPU online files (a CPU
# without one, cpu0 on x86, is online). Node lists name online CPUs only.
fx_relist() {
	local cpu=$FX_ROOT/sys/devices/system/cpu node=$FX_ROOT/sys/devices/system/node
	local -a on=() off=() nodes
	local -A node_on=()
	local n v l max=-1
	for l in "$cpu"/cpu[0-9]*; do
		n=${l##*cpu}
		((n > max)) && max=$n
	done
	for ((n = 0; n <= max; n++)); do
		[ -d "$cpu/cpu$n" ] || continue
		v=1
		[ -f "$cpu/cpu$n/online" ] && read -r v <"$cpu/cpu$n/online"
		if [ "$v" = 1 ]; then
			on+=("$n")
			nodes=("$cpu/cpu$n"/node[0-9]*)
			[ -e "${nodes[0]}" ] && node_on[${nodes[0]##*node}]+="$n "
		else
			off+=("$n")
		fi
	done
	hg_cpulist "${on[@]}" >"$cpu/online"
	hg_cpulist "${off[@]}" >"$cpu/offline"
	for l in "$node"/node[0-9]*; do
		n=${l##*node}
		# shellcheck disable=SC2086 # the list is space-separated numbers in ascending order
		hg_cpulist ${node_on[$n]:-} >"$l/cpulist"
	done
}

fx_cpu_offline() {
	local cpu=$FX_ROOT/sys/devices/system/cpu n
	for n in "$@"; do
		echo 0 >"$cpu/cpu$n/online"
		rm -rf "$cpu/cpu$n/topology"
	done
	fx_relist
}

fx_cpu_online() {
	local cpu=$FX_ROOT/sys/devices/system/cpu pkg=$1 n
	shift
	for n in "$@"; do
		echo 1 >"$cpu/cpu$n/online"
		mkdir -p "$cpu/cpu$n/topology"
		echo "$pkg" >"$cpu/cpu$n/topology/physical_package_id"
	done
	fx_relist
}

fx_online_of() {
	local v
	read -r v <"$FX_ROOT/sys/devices/system/cpu/cpu$1/online"
	printf '%s\n' "$v"
}
