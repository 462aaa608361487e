#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The D-Bus API page against the daemon: man/org.tdxd.Tdx1.5 must
#  1. carry, between its INTROSPECTION markers, exactly what `tdxd --bus-introspect` prints
#     (tools/update-man-api.sh puts it there);
#  2. name every method, signal and property of org.tdxd.Tdx1.Manager in its IDL block with
#     the exact signature (argument directions, types and names; property types and their
#     EmitsChangedSignal annotation), and no member the daemon does not have;
#  3. describe every member in a paragraph of its own (a .TP tag naming it), and every error
#     name the daemon defines (bus/bus-errors.h).
# Usage: check-man-api.py TDXD PAGE [ERRORS_HEADER]
import difflib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

IFACE = "org.tdxd.Tdx1.Manager"
BEGIN = '.\\" BEGIN INTROSPECTION'
END = '.\\" END INTROSPECTION'
ANNOTATION = "org.freedesktop.DBus.Property.EmitsChangedSignal"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def unescape(line):
    # Undo tools/update-man-api.sh: a leading \& and \e for a backslash.
    if line.startswith("\\&"):
        line = line[2:]
    return line.replace("\\e", "\\")


def page_text(lines):
    # Text as a reader sees it, whitespace collapsed: enough troff to match signatures.
    text = " ".join(l for l in lines if not l.startswith('.\\"'))
    text = text.replace("\\-", "-").replace("\\e", "\\").replace("\\&", "")
    return re.sub(r"\s+", " ", text)


def main():
    tdxd, page = sys.argv[1], sys.argv[2]
    errors_header = sys.argv[3] if len(sys.argv) > 3 else None

    xml = subprocess.run([tdxd, "--bus-introspect"], check=True, capture_output=True,
                         text=True).stdout
    with open(page, encoding="utf-8") as f:
        lines = f.read().split("\n")

    # 1. the XML block
    try:
        b, e = lines.index(BEGIN), lines.index(END)
    except ValueError:
        fail(f"{page}: the marker lines {BEGIN!r} / {END!r} are missing")
        return
    block = "".join(unescape(l) + "\n" for l in lines[b + 1:e])
    if block != xml:
        diff = difflib.unified_diff(block.splitlines(), xml.splitlines(), "page",
                                    "tdxd --bus-introspect", lineterm="")
        print("\n".join(diff), file=sys.stderr)
        fail(f"{page}: the introspection block differs from `tdxd --bus-introspect`; "
             f"run tools/update-man-api.sh {tdxd} {page}")
    else:
        print("ok: the introspection block equals `tdxd --bus-introspect`")

    # 2. the IDL block, from the text outside the XML block
    prose = lines[:b] + lines[e + 1:]
    text = page_text(prose)
    root = ET.fromstring(xml)
    iface = root.find(f"interface[@name='{IFACE}']")
    if iface is None:
        fail(f"`tdxd --bus-introspect` has no interface {IFACE}")
        return

    members = []
    for m in iface.findall("method"):
        args = ", ".join(f"{a.get('direction', 'in')} {a.get('type')} {a.get('name')}"
                         for a in m.findall("arg"))
        members.append((m.get("name"), f"{m.get('name')}({args});"))
    for s in iface.findall("signal"):
        args = ", ".join(f"{a.get('type')} {a.get('name')}" for a in s.findall("arg"))
        members.append((s.get("name"), f"{s.get('name')}({args});"))
    for p in iface.findall("property"):
        access = "readonly" if p.get("access") == "read" else "readwrite"
        decl = f"{access} {p.get('type')} {p.get('name')} ="
        ann = p.find(f"annotation[@name='{ANNOTATION}']")
        if ann is not None:
            decl = f'@{ANNOTATION}("{ann.get("value")}") {decl}'
        elif re.search(re.escape(f'") {decl}'), text):
            fail(f"property {p.get('name')}: the page annotates it, the daemon does not")
        members.append((p.get("name"), decl))

    for name, sig in members:
        if sig in text:
            print(f"ok: {sig}")
        else:
            fail(f"the page's IDL block lacks `{sig}`")

    # no member the daemon lacks: names in the IDL block of the interface
    idl = text[text.find(f"interface {IFACE} {{"):]
    idl = idl[:idl.find("};")]
    known = {n for n, _ in members}
    documented = set(re.findall(r"(?:readonly|readwrite) \S+ (\w+) =", idl))
    documented |= set(re.findall(r"[;:] (\w+)\(", idl))
    for n in sorted(documented - known):
        fail(f"the page's IDL block names {n}, which the daemon does not have")

    # 3. a paragraph per member and per error
    tags = set()
    for i, l in enumerate(prose[:-1]):
        if l.startswith(".TP"):
            tags.update(re.findall(r"[\w.]+", prose[i + 1]))
    for n in sorted(known):
        if n not in tags:
            fail(f"{n} has no paragraph (.TP) of its own")
    if errors_header:
        with open(errors_header, encoding="utf-8") as f:
            errors = set(re.findall(r'"(org\.tdxd\.Tdx1\.Error\.\w+)"', f.read()))
        if not errors:
            fail(f"{errors_header}: no error names found")
        for err in sorted(errors):
            if err not in tags:
                fail(f"error {err} has no paragraph (.TP) of its own")
            else:
                print(f"ok: {err}")


main()
if failures:
    sys.exit(1)
print("ok: the API page matches the daemon")
