#!/usr/bin/env python3
"""Many short flows for the churn soak, run inside a lab namespace (ip netns exec pod1 python3 churn.py ...).

  udp DST DPORTS FIRST LAST PPS      one UDP datagram per flow from every source port FIRST..LAST to each of the
                                     comma-separated DPORTS of DST, through a raw socket (the kernel writes the IP
                                     header, so the source is the namespace's address), at about PPS; UDP checksum 0
                                     (RFC 768: none computed); prints "sent N"
  tcp DST DPORT COUNT TIMEOUT        COUNT short TCP connections to an echo server one after the other: connect
                                     (TIMEOUT seconds at most), one line there and back, close; prints
                                     "connected N failed M"

Both end by themselves (bounded: nothing is left running).
"""
import socket
import struct
import sys
import time


def udp(dst, dports, first, last, pps):
    sender = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    payload = b"soak"
    sent = 0
    start = time.monotonic()
    for dport in dports:
        for sport in range(first, last + 1):
            datagram = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
            try:
                sender.sendto(datagram, (dst, 0))
                sent += 1
            except OSError:
                time.sleep(0.001)
            if sent % 256 == 0:
                due = start + sent / pps
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)
    return "sent %d" % sent


def tcp(dst, dport, count, timeout):
    connected = failed = 0
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect((dst, dport))
            s.sendall(b"soak\n")
            answer = b""
            while not answer.endswith(b"\n"):
                data = s.recv(64)
                if not data:
                    break
                answer += data
            if answer == b"soak\n":
                connected += 1
            else:
                failed += 1
        except OSError:
            failed += 1
        finally:
            s.close()
    return "connected %d failed %d" % (connected, failed)


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "udp":
        line = udp(args[0], [int(p) for p in args[1].split(",")], int(args[2]), int(args[3]), float(args[4]))
    elif mode == "tcp":
        line = tcp(args[0], int(args[1]), int(args[2]), float(args[3]))
    else:
        sys.exit("unknown mode " + mode)
    print(line, flush=True)


if __name__ == "__main__":
    main()
