#!/usr/bin/env python3
"""Stand in for systemd's notification socket: print every sd_notify datagram received on the
AF_UNIX socket given as argv[1], one message a line (newlines inside become '|')."""
import os
import socket
import sys

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o777)
while True:
    data = s.recv(4096)
    print(data.decode(errors="replace").strip().replace("\n", "|"), flush=True)
