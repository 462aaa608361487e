#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The system test lane: builds the image (build-image.sh), then boots the guest once per group
# of groups.list under QEMU/TCG and collects each scenario's verdict lines. A group whose
# scenarios report FAIL, or that never reports END, fails the lane and its guest journal is
# printed. Exit: 0 all passed, 1 something failed, 77 the lane could not run (skipped, loudly).
#
# usage: lane.sh --work DIR [--build TDXD_BUILD_DIR] [GROUP...]
# Environment: TDXD_SYSTEM_CACHE (cache dir), TDXD_SYSTEM_ACCEL (default tcg,thread=multi),
#              TDXD_SYSTEM_KEEP=1 (keep the per-boot initramfs copies),
#              TDXD_SYSTEM_STALL_SECS, TDXD_SYSTEM_QEMU_EXTRA (extra QEMU arguments).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work="" build="" only=()
while [ $# -gt 0 ]; do
	case $1 in
	--work) work=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	-*) sys_die "unknown option $1" ;;
	*) only+=("$1"); shift ;;
	esac
done
[ -n "$work" ] || sys_die "usage: lane.sh --work DIR [--build DIR] [GROUP...]"

command -v qemu-system-x86_64 >/dev/null || sys_skip "qemu-system-x86_64 is not installed"
command -v socat >/dev/null || sys_skip "socat is not installed"

start=$(date +%s)
rc=0
bash "$here/build-image.sh" --work "$work" ${build:+--build "$build"} || rc=$?
[ $rc -eq 0 ] || exit $rc
work=$(cd "$work" && pwd)
. "$work/image.env"

ACCEL=${TDXD_SYSTEM_ACCEL:-tcg,thread=multi}
STALL_SECS=${TDXD_SYSTEM_STALL_SECS:-60}	# no console output this long while the kernel boots
read -r -a QEMU_EXTRA <<<"${TDXD_SYSTEM_QEMU_EXTRA:-}"	# e.g. "-S" to try the stall handling
GROUP_SECS=1800		# a whole boot with its scenarios: a hang bound (a busy host needs 3-4x a quiet one)
MAX_BOOTS=3		# attempts per group when boots stall

# --- QMP -------------------------------------------------------------------------------------
# One short connection per command: negotiate, send, read the answer.
qmp() { # SOCKET JSON -> prints the command's reply line
	printf '{"execute":"qmp_capabilities"}\n%s\n' "$2" |
		socat -t 2 - "UNIX-CONNECT:$1" 2>&1 | grep -E '"(return|error)"' | tail -n 1
}

# A guest request over the tdxd.ctl port; prints the one-line answer.
handle_request() { # GDIR LINE
	local gdir=$1 sock=$1/qmp.sock verb id addr size node r
	read -r verb id addr size node <<<"$2"
	case $verb in
	dimm)
		r=$(qmp "$sock" "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"memory-backend-ram\",\"id\":\"mem-$id\",\"size\":$((size))}}")
		if [[ $r == *'"error"'* ]]; then echo "error object-add: $r"; return; fi
		r=$(qmp "$sock" "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"pc-dimm\",\"id\":\"$id\",\"memdev\":\"mem-$id\",\"addr\":$((addr)),\"node\":$((node))}}")
		if [[ $r == *'"error"'* ]]; then echo "error device_add: $r"; return; fi
		echo ok
		;;
	*)
		echo "error unknown request: $2"
		;;
	esac
}

# --- one boot --------------------------------------------------------------------------------
# boot GROUP: 0 booted and reported END, 2 stalled before the scenarios, 1 other failure.
boot() {
	local g=$1 gdir=$work/boot-$1 qpid ctl_pid="" last_size=-1 last_change now t0 size line reply
	rm -rf "$gdir" && mkdir -p "$gdir"
	# groups/GROUP/kernel-cmdline: words added to this boot's kernel command line
	local cmdline_extra=""
	[ -r "$here/groups/$g/kernel-cmdline" ] &&
		cmdline_extra=" $(grep -v '^#' "$here/groups/$g/kernel-cmdline" | tr -s '\n' ' ')"
	: >"$gdir/results.txt"
	: >"$gdir/journal.txt"
	qemu-system-x86_64 -nodefaults -no-reboot -display none -monitor none \
		-accel "$ACCEL" -machine pc \
		-cpu max,vendor=GenuineIntel,-hypervisor,-svm,-la57 \
		-smp 4,sockets=2,cores=2,threads=1 \
		-m 2G,slots=4,maxmem=4G \
		-object memory-backend-ram,id=ram0,size=1G \
		-object memory-backend-ram,id=ram1,size=1G \
		-numa node,nodeid=0,cpus=0-1,memdev=ram0 \
		-numa node,nodeid=1,cpus=2-3,memdev=ram1 \
		-kernel "$SYS_VMLINUZ" -initrd "$work/initrd-$g.cpio" \
		-append "rdinit=/sbin/init console=ttyS0 nohibernate panic=-1 systemd.show_status=1${cmdline_extra% }" \
		-serial "file:$gdir/console.log" \
		-qmp "unix:$gdir/qmp.sock,server=on,wait=off" \
		-device virtio-serial-pci,id=vser \
		-chardev "socket,id=ctl,path=$gdir/ctl.sock,server=on,wait=off" \
		-device virtserialport,bus=vser.0,chardev=ctl,name=tdxd.ctl \
		-chardev "file,id=res,path=$gdir/results.txt" \
		-device virtserialport,bus=vser.0,chardev=res,name=tdxd.results \
		-chardev "file,id=jr,path=$gdir/journal.txt" \
		-device virtserialport,bus=vser.0,chardev=jr,name=tdxd.journal \
		"${QEMU_EXTRA[@]}" </dev/null >"$gdir/qemu.log" 2>&1 &
	qpid=$!
	t0=$(date +%s) last_change=$t0
	for _ in $(seq 50); do [ -S "$gdir/ctl.sock" ] && break; sleep 0.1; done
	coproc CTL { socat - "UNIX-CONNECT:$gdir/ctl.sock,retry=100,interval=0.1" 2>/dev/null; }
	ctl_pid=$CTL_PID
	local ctl_in=${CTL[0]} ctl_out=${CTL[1]}

	while kill -0 "$qpid" 2>/dev/null; do
		if ! kill -0 "$ctl_pid" 2>/dev/null; then
			sleep 1	# the channel is gone (QEMU is exiting): just watch QEMU
		elif read -r -t 1 line <&"$ctl_in"; then
			reply=$(handle_request "$gdir" "$line")
			sys_log "[$g] guest asked '$line': $reply"
			printf '%s\n' "$reply" >&"$ctl_out"
		fi
		now=$(date +%s)
		size=$(stat -c %s "$gdir/console.log" 2>/dev/null || echo 0)
		if [ "$size" != "$last_size" ]; then last_size=$size last_change=$now; fi
		# The known stall is in the kernel, before init: once init ran, a slow (loaded) host
		# only counts against the group's time limit.
		if [ $((now - last_change)) -ge $STALL_SECS ] &&
			! grep -q 'Run /sbin/init as init process' "$gdir/console.log"; then
			sys_log "[$g] no console output for ${STALL_SECS}s before init: stalled boot"
			kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null || true
			kill "$ctl_pid" 2>/dev/null || true
			return 2
		fi
		if [ $((now - t0)) -ge $GROUP_SECS ]; then
			sys_log "[$g] still running after ${GROUP_SECS}s: killed"
			kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null || true
			kill "$ctl_pid" 2>/dev/null || true
			return 1
		fi
	done
	wait "$qpid" 2>/dev/null || true
	kill "$ctl_pid" 2>/dev/null || true
	wait "$ctl_pid" 2>/dev/null || true
	sys_log "[$g] guest ran $(($(date +%s) - t0))s"
	grep -q '^END ' "$gdir/results.txt" || return 1
	return 0
}

# --- groups ----------------------------------------------------------------------------------
total_fail=0 total_pass=0 total_skip=0 ran=0
summary=()
while read -r g needs scenarios; do
	case $g in ''|'#'*) continue ;; esac
	if [ ${#only[@]} -gt 0 ] && [[ " ${only[*]} " != *" $g "* ]]; then continue; fi
	if [ "$needs" = tdxd ] && [ "$SYS_HAVE_TDXD" != 1 ]; then
		sys_log "[$g] SKIPPED: the build has no tdxd.service to install yet (scenarios: $scenarios)"
		summary+=("SKIP  $g (no tdxd in the build)")
		total_skip=$((total_skip + 1))
		continue
	fi
	if [ "$needs" = no-tdxd ] && [ "$SYS_HAVE_TDXD" = 1 ]; then
		sys_log "[$g] not booted: its scenarios run in a tdxd group ($scenarios)"
		continue
	fi
	ran=$((ran + 1))

	# This boot's overlay: the scenario list and the group's own files (groups/GROUP/).
	ov=$work/overlay-$g
	rm -rf "$ov" && mkdir -p "$ov/etc/tdxd-system"
	[ -d "$here/groups/$g" ] && cp -a "$here/groups/$g/." "$ov/"
	rm -f "$ov/kernel-cmdline"
	tr ' ' '\n' <<<"$scenarios" >"$ov/etc/tdxd-system/scenarios"
	(cd "$ov" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) >"$work/overlay-$g.cpio"
	cat "$SYS_BASE_CPIO" "$SYS_PAYLOAD_CPIO" "$work/overlay-$g.cpio" >"$work/initrd-$g.cpio"

	brc=2
	for attempt in $(seq $MAX_BOOTS); do
		sys_log "[$g] boot $attempt: $scenarios"
		brc=0
		boot "$g" || brc=$?
		[ $brc -eq 2 ] && [ "$attempt" -lt $MAX_BOOTS ] || break
		rm -rf "$work/boot-$g.stalled-$attempt"
		mv "$work/boot-$g" "$work/boot-$g.stalled-$attempt"	# kept for a look
	done
	[ "${TDXD_SYSTEM_KEEP:-0}" = 1 ] || rm -f "$work/initrd-$g.cpio"

	gdir=$work/boot-$g
	res=$gdir/results.txt
	echo "---- group $g: verdicts"
	grep -E '^(SCENARIO|PASS|FAIL|SKIP) ' "$res" || true
	p=$(grep -c '^PASS ' "$res" || true)
	f=$(grep -c '^FAIL ' "$res" || true)
	s=$(grep -c '^SKIP ' "$res" || true)
	# Every scenario of the list must have run and asserted something.
	for sc in $scenarios; do
		if ! grep -qE "^(PASS|SKIP) $sc: " "$res"; then
			echo "FAIL $sc: no verdict (the scenario did not run to an assertion)"
			f=$((f + 1))
		fi
	done
	if [ $brc -ne 0 ]; then
		if [ $brc -eq 2 ]; then
			echo "FAIL $g: all $MAX_BOOTS boots stalled before init; QEMU said:"
		else
			echo "FAIL $g: the boot did not complete (no END from the guest); QEMU said:"
		fi
		sed 's/^/  qemu| /' "$gdir/qemu.log"
		echo "  console tail:"
		tail -n 60 "$gdir/console.log" | sed 's/^/  console| /'
		f=$((f + 1))
	fi
	if [ "$f" -gt 0 ]; then
		echo "---- group $g: guest journal (journalctl -b)"
		if [ -s "$gdir/journal.txt" ]; then sed 's/^/  journal| /' "$gdir/journal.txt"
		else echo "  (no journal came back; console log follows)"
			sed 's/^/  console| /' "$gdir/console.log"; fi
	fi
	summary+=("$( [ "$f" -gt 0 ] && echo FAIL || echo ok  )    $g: $p passed, $f failed, $s skipped")
	total_fail=$((total_fail + f)) total_pass=$((total_pass + p)) total_skip=$((total_skip + s))
done <"$here/groups.list"

echo "==== system lane: $(($(date +%s) - start))s, $ran boots"
printf '  %s\n' "${summary[@]}"
if [ "$total_fail" -gt 0 ]; then exit 1; fi
if [ "$total_pass" -eq 0 ]; then
	sys_skip "no scenario ran (nothing passed, nothing failed)"
fi
exit 0
