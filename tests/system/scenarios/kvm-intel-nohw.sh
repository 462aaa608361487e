# SPDX-License-Identifier: LGPL-2.1-or-later
# The real kvm_intel on this CPU (no VMX under TCG) refuses to load, as kernel-interfaces.md
# section 10 records: EOPNOTSUPP and "kvm: no hardware support for 'kvm_intel'".
dmesg_mark
expect_errno "modprobe kvm_intel" "Operation not supported" modprobe kvm_intel
expect_log "kvm_intel load" "kvm: no hardware support for 'kvm_intel'"
if [ -e /sys/module/kvm_intel ]; then fail "kvm_intel is loaded"; else pass "kvm_intel is not loaded"; fi
