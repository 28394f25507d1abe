#!/usr/bin/env python3
"""A long-lived TCP connection for the lab's tests: connects to the echo server, then for every line read on
stdin sends it and prints what came back (or ERROR and the reason). The connection is the same one
throughout, so a test can check it survives what happens to the box in between.

  echo-client.py HOST PORT [TIMEOUT]   TIMEOUT: seconds a send or an echo may take (default 20); a box that is away
                                       longer (a package upgrade) needs TCP's retransmissions, whose interval
                                       doubles with each one (RFC 6298), to bridge the gap."""
import socket
import sys

timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 20
sock = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=timeout)
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
