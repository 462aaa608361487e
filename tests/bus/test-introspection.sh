#!/usr/bin/env bash
# The API as served and as kept in the repository, held against the API of org.tdxd.Tdx1(5).
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

# 1. The repository's XML is what the daemon serves.
"$TDXD" --bus-introspect >"$WORK/introspect.xml"
diff -u "$SOURCE_DIR/bus/org.tdxd.Tdx1.Manager.xml" "$WORK/introspect.xml" ||
	fail "bus/org.tdxd.Tdx1.Manager.xml differs from 'tdxd --bus-introspect' (regenerate it)"
pass "repository XML equals tdxd --bus-introspect"

# 2. Both hold against the spec, written out by hand.
python3 "$here/check-introspection.py" <"$WORK/introspect.xml" || fail "--bus-introspect vs spec"
pass "--bus-introspect matches the API of org.tdxd.Tdx1(5)"

# 3. What the running daemon serves on the bus matches the spec too.
bus_setup spr-2s-v6.16-ready
bctl introspect --xml-interface org.tdxd.Tdx1 /org/tdxd/Tdx1 >"$WORK/live.xml"
python3 "$here/check-introspection.py" <"$WORK/live.xml" || fail "live introspection vs spec"
pass "live introspection matches the API of org.tdxd.Tdx1(5)"

# 4. busctl's table shows named arguments and the property flags.
bctl introspect org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager >"$WORK/table.txt"
grep -Eq '^\.CheckMemoryRange +method +tt +bs' "$WORK/table.txt" || fail "busctl table: CheckMemoryRange"
grep -Eq '^\.KVMModule +property +s +"kvm_intel" +const' "$WORK/table.txt" ||
	fail "busctl table: KVMModule const"
grep -Eq '^\.State +property +s .*emits-change' "$WORK/table.txt" || fail "busctl table: State emits-change"
pass "busctl introspect shows the interface with flags"
