#!/usr/bin/env python3
"""Hold the introspection XML of org.tdxd.Tdx1.Manager against the API of org.tdxd.Tdx1(5), written out
here by hand (names, signatures, argument names and directions, property access and change
flags). Reads the XML from stdin; exits 1 with every difference listed."""
import sys
import xml.etree.ElementTree as ET

IFACE = "org.tdxd.Tdx1.Manager"

# name -> (type, EmitsChangedSignal annotation: None = default (true), "const", "false")
PROPERTIES = {
    "State": ("s", None),
    "Ready": ("b", None),
    "StateReason": ("s", None),
    "Checks": ("a(sssss)", None),
    "ModuleVersion": ("s", None),
    "ModuleBuildDate": ("u", None),
    "ModuleBuildNumber": ("u", None),
    "ModuleMaxVCPUsPerTD": ("u", None),
    "MaxVCPUsPerTD": ("u", None),
    "TotalKeyIDs": ("u", None),
    "UsedKeyIDs": ("u", "false"),
    "ConvertibleMemory": ("a(tt)", None),
    "ConvertibleMemoryBytes": ("t", None),
    "GuestPhysAddrBits": ("u", "const"),
    "Packages": ("a(uuu)", None),
    "KVMModule": ("s", "const"),
    "KVMTDXEnabled": ("b", None),
    "CPUGuard": ("s", None),
    "MemoryGate": ("s", None),
    "Sources": ("a{ss}", None),
    "AttestationReady": ("b", None),
    "AttestationReason": ("s", None),
    "SEAMLoaderVersion": ("s", None),
    "ModuleUpdatesRemaining": ("u", None),
    "ModuleUpdate": ("s", None),
}

# name -> [(direction, type, name)]
METHODS = {
    "Refresh": [],
    "GetCapabilities": [("out", "s", "capabilities")],
    "CheckMemoryRange": [("in", "t", "address"), ("in", "t", "size"),
                         ("out", "b", "allowed"), ("out", "s", "reason")],
    "CheckCPUOffline": [("in", "u", "cpu"), ("out", "b", "allowed"), ("out", "s", "reason")],
    "OfflineCPU": [("in", "u", "cpu")],
    "EnableTDX": [],
    "UpdateModule": [("in", "h", "image")],
}

SIGNALS = {
    "CPUOfflineBlocked": [("u", "cpu"), ("u", "package"), ("s", "action")],
    "MemoryRefused": [("s", "device"), ("t", "address"), ("t", "size"), ("s", "reason")],
    "ModuleUpdateFinished": [("s", "result"), ("s", "old_version"), ("s", "new_version"),
                             ("s", "message")],
}


def main():
    tree = ET.fromstring(sys.stdin.read())
    ifaces = [i for i in tree.iter("interface") if i.get("name") == IFACE]
    errors = []
    if len(ifaces) != 1:
        print(f"interface {IFACE} not found exactly once", file=sys.stderr)
        return 1
    iface = ifaces[0]

    props = {p.get("name"): p for p in iface.findall("property")}
    for name, (typ, emits) in PROPERTIES.items():
        p = props.pop(name, None)
        if p is None:
            errors.append(f"property {name} missing")
            continue
        if p.get("type") != typ:
            errors.append(f"property {name}: type {p.get('type')}, spec says {typ}")
        if p.get("access") != "read":
            errors.append(f"property {name}: access {p.get('access')}, spec says read")
        ann = {a.get("name"): a.get("value") for a in p.findall("annotation")}
        got = ann.get("org.freedesktop.DBus.Property.EmitsChangedSignal")
        if got != emits:
            errors.append(f"property {name}: EmitsChangedSignal {got!r}, spec says {emits!r}")
    errors += [f"property {n} is not in the spec" for n in props]

    methods = {m.get("name"): m for m in iface.findall("method")}
    for name, args in METHODS.items():
        m = methods.pop(name, None)
        if m is None:
            errors.append(f"method {name} missing")
            continue
        got = [(a.get("direction", "in"), a.get("type"), a.get("name")) for a in m.findall("arg")]
        if got != args:
            errors.append(f"method {name}: args {got}, spec says {args}")
    errors += [f"method {n} is not in the spec" for n in methods]

    signals = {s.get("name"): s for s in iface.findall("signal")}
    for name, args in SIGNALS.items():
        s = signals.pop(name, None)
        if s is None:
            errors.append(f"signal {name} missing")
            continue
        got = [(a.get("type"), a.get("name")) for a in s.findall("arg")]
        if got != args:
            errors.append(f"signal {name}: args {got}, spec says {args}")
    errors += [f"signal {n} is not in the spec" for n in signals]

    for e in errors:
        print("introspection:", e, file=sys.stderr)
    print(f"{len(PROPERTIES)} properties, {len(METHODS)} methods, {len(SIGNALS)} signals checked;"
          f" {len(errors)} differences")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
