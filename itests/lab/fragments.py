#!/usr/bin/python3
"""Fragmented UDP through the lab's box, run inside the lab's namespaces (FragmentsLab, from SeedLab).

  fragments.py echo SERVER PORT SIZE [--reverse]
      in pod1: send one UDP datagram of SIZE bytes of payload to SERVER:PORT from a bound socket (the kernel
      fragments it in order; with --reverse scapy sends the fragments last first) and wait for the same bytes back.
      Prints "echoed SIZE" or exits 1.
  fragments.py reverse-echo ADDRESS PORT COUNT
      in internet: a UDP echo on ADDRESS:PORT that answers each of COUNT datagrams with its fragments last first
      (the kernel reassembles what comes in); exits after COUNT or 120 s.
  fragments.py flood SRC DST COUNT
      in internet: COUNT later fragments (offset 1480, no first fragment ever) of distinct datagrams to DST.

Only the lab's addresses are used; nothing leaves the namespaces.
"""
import os
import socket
import sys

from scapy.all import IP, UDP, Raw, conf, fragment, send
from scapy.supersocket import L3RawSocket

conf.verb = 0
# The kernel's raw socket: its route and neighbour table, as the namespace's own traffic uses.
conf.L3socket = L3RawSocket
MTU = 1500


def payload(size, seed):
    return bytes((seed + i * 7) & 0xff for i in range(size))


def reversed_fragments(src, sport, dst, dport, data):
    datagram = IP(src=src, dst=dst, id=int.from_bytes(os.urandom(2), "big")) / UDP(sport=sport, dport=dport) / Raw(data)
    return list(reversed(fragment(datagram, fragsize=MTU - 20)))


def echo(server, port, size, reverse):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("10.1.1.3", 0))
    sock.settimeout(10)
    data = payload(size, size)
    if reverse:
        src, sport = sock.getsockname()
        send(reversed_fragments(src, sport, server, port, data))
    else:
        sock.sendto(data, (server, port))
    got, peer = sock.recvfrom(65535)
    if got != data:
        print("echo of %d bytes came back different (%d bytes)" % (size, len(got)))
        sys.exit(1)
    print("echoed %d" % size)


def reverse_echo(address, port, count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, port))
    sock.settimeout(120)
    print("listening", flush=True)
    for _ in range(count):
        data, peer = sock.recvfrom(65535)
        print("reverse-echo %s:%d %d bytes" % (peer[0], peer[1], len(data)), flush=True)
        send(reversed_fragments(address, port, peer[0], peer[1], data))


def flood(src, dst, count):
    packets = [IP(src=src, dst=dst, id=i & 0xffff, proto=17, frag=1480 // 8, flags=0) / Raw(bytes(64))
               for i in range(count)]
    send(packets)
    print("sent %d" % count)


if __name__ == "__main__":
    verb = sys.argv[1]
    if verb == "echo":
        echo(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), "--reverse" in sys.argv[5:])
    elif verb == "reverse-echo":
        reverse_echo(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif verb == "flood":
        flood(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit("usage: fragments.py echo|reverse-echo|flood ...")
