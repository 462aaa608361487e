#!/usr/bin/env python3
# make-tree.py BASE ROOT CLASS VARIANT: copy BASE to ROOT, then replace its files (every one
# for VARIANT "all", else those whose index in sorted order is VARIANT modulo 3) by what CLASS
# names, and add entries with names no kernel produces. One process: a tree has hundreds of
# files. See test-hostile-roots.sh.
import os
import shutil
import sys

base, root, cls, variant = sys.argv[1:5]
shutil.rmtree(root, ignore_errors=True)
shutil.copytree(base, root, symlinks=True)

CONTENT = {
    # bytes a terminal would act on, invalid UTF-8, a NUL, a CR
    "bytes": b"\xff\xfe\x1b]0;owned\x07\x1b[2J\x9b31m\xc3(\x00tail\r\n",
    "past64": b"18446744073709551616\n",
    "negative": b"-1\n",
    "hugelist": b"0-4294967295\n",
}

files = sorted(
    os.path.join(d, f) for d, _, names in os.walk(root) for f in names
    if os.path.isfile(os.path.join(d, f)) and not os.path.islink(os.path.join(d, f)))
for i, f in enumerate(files):
    if variant != "all" and i % 3 != int(variant):
        continue
    os.unlink(f)
    if cls == "fifo":
        os.mkfifo(f)
    elif cls == "loop":
        os.symlink(os.path.basename(f), f)  # points at itself: ELOOP
    elif cls == "dir":
        os.mkdir(f)
    elif cls == "oversized":
        # sparse, past every bound tdxd applies (the kernel log's is 32 MiB): no disk used
        with open(f, "wb") as o:
            o.truncate(40 << 20)
    else:
        with open(f, "wb") as o:
            o.write(CONTENT[cls])

system = os.path.join(root, "sys/devices/system")
for d in ("cpu/cpu99999999", "node/node4294967296", "memory/memory18446744073709551615"):
    os.makedirs(os.path.join(system, d), exist_ok=True)
os.makedirs(os.path.join(root, "sys/firmware/memmap/99999999999"), exist_ok=True)
