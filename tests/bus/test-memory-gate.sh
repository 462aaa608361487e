#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The memory gate on fixture copies, with hot-adds injected as `add` events (the memoryN
# directory is created in the copy first, state `offline`, as the kernel does):
#  1. module initialized (vendor-cmr-log): the TDX memory is recorded; new blocks are refused
#     (state stays `offline`; one pre-set `online` by "someone else" ends `offline`),
#     MemoryRefused per block, one journal line per contiguous run; a dax device is judged
#     when it appears; CheckMemoryRange answers, InvalidRange for size 0 and a wrap.
#  2. before initialization (same host, init line removed, kvm_intel not loaded): a block
#     inside the CMRs is onlined (online_movable), one outside stays offline.
#  3. MemoryGate=warn: nothing is written, the signal still says what enforce would do.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

MEM=sys/devices/system/memory
BS=$((0x80000000)) # the fixture's block_size_bytes
AFTER='added after the TDX module was initialized'
WOULD='the kernel would refuse it'

# hot_add ID [STATE]: create memoryID as the kernel would, then send its add event
hot_add() {
	local d=$ROOT/$MEM/memory$1
	mkdir -p "$d"
	printf '%08x\n' "$1" >"$d/phys_index"
	echo "${2:-offline}" >"$d/state"
	send_uevent "add /devices/system/memory/memory$1"
}

state_of() {
	cat "$ROOT/$MEM/memory$1/state"
}

# refused_signal DEVICE ADDRESS SIZE REASON_REGEX: the jq filter for that MemoryRefused
refused_signal() {
	local f='.member == "MemoryRefused" and .payload.data[0] == "%s"'
	f+=' and .payload.data[1] == %s and .payload.data[2] == %s'
	f+=' and (.payload.data[3] | test("%s"))'
	# shellcheck disable=SC2059
	printf "$f" \
		"$1" "$2" "$3" "$4"
}

# check_range ADDRESS SIZE: "true REASON" / "false REASON" from CheckMemoryRange
check_range() {
	call CheckMemoryRange tt "$1" "$2"
}

# ---------------------------------------------------------------- 1. initialized
bus_setup vendor-cmr-log --config "[Manager]
EnableTDX=no"

# the record: block 0 clipped at 1 MiB, blocks 2-128 (block 1 is the PCI hole)
wait_for test -s "$ROOT/run/tdxd/tdx-memory" || fail "no /run/tdxd/tdx-memory"
assert_eq "0x100000 0x80000000
0x100000000 0x4080000000" "$(cat "$ROOT/run/tdxd/tdx-memory")" "tdx-memory records the boot memory"

monitor_start
hot_add 200
hot_add 201 online # another agent (an auto-online udev rule) was faster
hot_add 202
wait_signal "$(refused_signal memory200 $((200 * BS)) $BS "$AFTER; $WOULD")"
wait_signal "$(refused_signal memory201 $((201 * BS)) $BS "$AFTER")"
wait_signal "$(refused_signal memory202 $((202 * BS)) $BS 'added after')"
wait_for grep -q 'memory200-202' "$WORK/tdxd.log" || fail "no journal line for the run"
assert_eq offline "$(state_of 200)" "ineligible block stays offline"
assert_eq offline "$(state_of 201)" "ineligible block onlined by someone else is offlined again"
assert_eq offline "$(state_of 202)" "third block stays offline"
line=$(grep 'memory20[0-2]' "$WORK/tdxd.log")
assert_eq 1 "$(printf '%s\n' "$line" | wc -l)" "one journal line for three contiguous blocks"
re="memory200-202 \\[0x6400000000, 0x6580000000\\) \\(6 GiB\\) was $AFTER; $WOULD"
re+='.*kept offline \(1 block offlined again'
assert_match "$re" "$line" "journal line names the run, its range and the reason"

# the auto-online rule's own `online` event for 201 arrives after tdxd undid it: already
# decided and reported, not reported again
send_uevent "online /devices/system/memory/memory201"
sleep 0.5
n=$(jq -s '[.[] | select(.member == "MemoryRefused" and .payload.data[0] == "memory201")] | length' \
	"$WORK/monitor.json")
assert_eq 1 "$n" "one MemoryRefused for memory201 (its late online event is not a second refusal)"

# a block of boot memory offlined and onlined again by the operator is left alone
echo online >"$ROOT/$MEM/memory50/state"
send_uevent "online /devices/system/memory/memory50"
# a dax device appears: judged before anyone runs daxctl reconfigure-device
dax=$ROOT/sys/bus/dax/devices/dax0.0
mkdir -p "$dax"
echo 0x6600000000 >"$dax/resource"
echo $((16 * 1024 * 1024 * 1024)) >"$dax/size"
send_uevent "add /devices/platform/hmem.0/dax0.0"
wait_signal "$(refused_signal dax0.0 $((0x6600000000)) $((16 << 30)) "$AFTER")"
assert_match 'dax0.0 \[0x6600000000, 0x6a00000000\) \(16 GiB\).*daxctl reconfigure-device' \
	"$(grep dax0.0 "$WORK/tdxd.log")" "dax device verdict in the journal"
assert_eq online "$(state_of 50)" "boot memory onlined again is left online"
monitor_has '.member == "MemoryRefused" and .payload.data[0] == "memory50"' &&
	fail "MemoryRefused for boot memory"
pass "no MemoryRefused for boot memory"

out=$(check_range $((4 << 30)) $BS)
assert_match '^bs true ".*is TDX memory' "$out" "CheckMemoryRange: boot memory allowed"
out=$(check_range $((200 * BS)) $BS)
assert_match "^bs false \"\\[0x6400000000, 0x6480000000\\) was $AFTER; $WOULD" \
	"$out" "CheckMemoryRange: hot-added range refused with the reason"
out=$(check_range $((2 * BS - BS / 2)) $BS)
assert_match '^bs false ' "$out" "CheckMemoryRange: a range straddling the hole is refused"
expect_error org.tdxd.Tdx1.Error.InvalidRange CheckMemoryRange uint64:0x100000000 uint64:0
expect_error org.tdxd.Tdx1.Error.InvalidRange CheckMemoryRange \
	uint64:0xfffffffff0000000 uint64:0x10000001
out=$(dsend CheckMemoryRange uint64:0xfffffffff0000000 uint64:0x10000000)
assert_match 'boolean false' "$out" "CheckMemoryRange: a range ending exactly at 2^64 is valid"
assert_match '0x10000000000000000\)' "$out" "... and its reason names the range up to 2^64"

# tdxctl check-memory, once tdxctl has it
if tctl check-memory 0x6400000000 2G >"$WORK/cm.out" 2>"$WORK/cm.err"; then
	fail "tdxctl check-memory allowed a hot-added range"
else
	rc=$?
	if [ "$rc" = 1 ]; then
		assert_match "$AFTER" "$(cat "$WORK/cm.out" "$WORK/cm.err")" \
			"tdxctl check-memory says why"
		tctl check-memory 4G 2G >/dev/null 2>&1 ||
			fail "tdxctl check-memory refused boot memory"
		pass "tdxctl check-memory allows boot memory"
	else
		echo "skip: tdxctl check-memory exit $rc: $(cat "$WORK/cm.err")"
	fi
fi

# a restart keeps the record: memory200 (present now) is still not TDX memory
bus_stop_daemon
monitor_stop
bus_start_daemon
out=$(check_range $((200 * BS)) $BS)
assert_match '^bs false .*added after the TDX module was initialized' "$out" \
	"after a restart, the record from /run/tdxd still refuses the hot-added block"
daemon_alive

# ---------------------------------------------------------------- 2. before initialization
bus_stop_daemon
rm -rf "$ROOT"
cp -a "$FIXTURES/vendor-cmr-log" "$ROOT"
mkdir -p "$ROOT/etc/tdxd"
printf '[Manager]\nEnableTDX=no\n' >"$ROOT/etc/tdxd/tdxd.conf"
# TDX not initialized yet (v6.16-v7.0, kvm_intel not loaded): no init line, no module
sed -i '/module initialized/d; /kvm_intel: TDX is supported/d; /allocated for PAMT/d' \
	"$ROOT/dev/kmsg"
rm -rf "$ROOT/sys/module/kvm_intel"
rm -rf "$ROOT/$MEM/memory100" # will be hot-added
bus_start_daemon
[ -e "$ROOT/run/tdxd/tdx-memory" ] && fail "tdx-memory recorded before initialization"
pass "no tdx-memory before initialization"

monitor_start
hot_add 100  # [0x3200000000, 0x3280000000): inside the CMR [0x100000000, 0x407a000000)
hot_add 300  # far outside the CMRs
wait_signal "$(refused_signal memory300 $((300 * BS)) $BS 'outside the convertible memory regions')"
wait_for grep -q 'memory300 ' "$WORK/tdxd.log" || fail "no journal line for memory300"
assert_eq online_movable "$(state_of 100)" "eligible block onlined as online_movable"
assert_eq offline "$(state_of 300)" "block outside the CMRs stays offline"
monitor_has '.member == "MemoryRefused" and .payload.data[0] == "memory100"' &&
	fail "MemoryRefused for an eligible block"
out=$(check_range $((100 * BS)) $BS)
assert_match '^bs true ".*inside the convertible memory regions; the TDX module is not init' \
	"$out" "CheckMemoryRange before init: inside the CMRs"
out=$(check_range $((0x77800000 - 0x100000)) $((0x200000)))
assert_match '^bs false ".*outside the convertible memory regions' "$out" \
	"CheckMemoryRange before init: past the end of a CMR"
monitor_stop

# ---------------------------------------------------------------- 3. warn
bus_stop_daemon
printf '[Manager]\nEnableTDX=no\nMemoryGate=warn\n' >"$ROOT/etc/tdxd/tdxd.conf"
bus_start_daemon
monitor_start
hot_add 301 online
hot_add 101
wait_signal "$(refused_signal memory301 $((301 * BS)) $BS \
	'outside the convertible memory regions.*MemoryGate=warn')"
assert_eq online "$(state_of 301)" "warn: nothing offlined"
assert_eq offline "$(state_of 101)" "warn: nothing onlined"
wait_for grep -q 'memory301 .*left as it is' "$WORK/tdxd.log" || fail "no warn journal line"
pass "warn: the journal says what enforce would do"
daemon_alive
