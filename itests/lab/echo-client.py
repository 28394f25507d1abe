#!/usr/bin/env python3
"""A long-lived TCP connection for the lab's tests: connects to the echo server, then for every line read on
stdin sends it and prints what came back (or ERROR and the reason). The connection is the same one
throughout, so a test can check it survives what happens to the box in between."""
import socket
import sys

sock = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
print("connected from %s:%d" % sock.getsockname(), flush=True)
for line in sys.stdin:
    message = line.strip().encode()
    try:
        sock.sendall(message)
        received = b""
        while len(received) < len(message):
            chunk = sock.recv(65535)
            if not chunk:
                raise ConnectionError("closed by the peer")
            received += chunk
        print(received.decode(), flush=True)
    except OSError as e:
        print("ERROR %s" % e, flush=True)
sock.close()
