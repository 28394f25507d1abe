#!/usr/bin/env python3
"""Spoofing attacks for AntiSpoofingLab, sent with scapy (Debian's python3-scapy: run it with /usr/bin/python3)
inside a lab namespace (ip netns exec NS /usr/bin/python3 spoof.py ...).

  udp IFACE SRC_MAC DST_MAC SRC DST PORT COUNT KIND
                             COUNT UDP datagrams from SRC (any address, the attack) to DST:PORT, framed at layer 2
                             from SRC_MAC to DST_MAC (no ARP, no routing: exactly what is asked), the payload
                             "sluice-KIND"; prints "sent N"
  arpflood IFACE COUNT TARGET
                             COUNT ARP requests for TARGET, each from another sender address (10.200.0.0/16, then
                             the addresses in CLAIMED: another pod's, the server's) and another MAC (02:5e:...), as a
                             pod flooding the box's proxy ARP; prints "sent N"
  listen PORT SECONDS        counts UDP datagrams on PORT by their payload's kind ("sluice-legit", "sluice-spoof");
                             prints "ready", then after SECONDS (or SIGTERM) "legit N spoof M"

Every mode is bounded: the senders send COUNT packets and end, the listener ends after SECONDS.
"""
import select
import signal
import socket
import sys
import time

CLAIMED = ["10.1.1.3", "203.0.113.51", "192.168.16.100"]
stopping = False


def _stop(signum, frame):
    global stopping
    stopping = True


def udp(iface, src_mac, dst_mac, src, dst, port, count, kind):
    from scapy.all import Ether, IP, UDP, Raw, sendp
    frame = Ether(src=src_mac, dst=dst_mac) / IP(src=src, dst=dst, ttl=64) / UDP(sport=40404, dport=port) \
        / Raw(load=("sluice-" + kind).encode())
    sendp(frame, iface=iface, count=count, inter=0.002, verbose=False)
    print("sent %d" % count, flush=True)


def arpflood(iface, count, target):
    from scapy.all import Ether, ARP, sendp
    frames = []
    for n in range(count):
        sender = CLAIMED[n - count + len(CLAIMED)] if n >= count - len(CLAIMED) else \
            "10.200.%d.%d" % ((n >> 8) & 0xFF, n & 0xFF)
        mac = "02:5e:%02x:%02x:%02x:%02x" % ((n >> 24) & 0xFF, (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF)
        frames.append(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
                      / ARP(op=1, hwsrc=mac, psrc=sender, hwdst="00:00:00:00:00:00", pdst=target))
    sendp(frames, iface=iface, verbose=False)
    print("sent %d" % count, flush=True)


def listen(port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    counts = {"legit": 0, "spoof": 0}
    print("ready", flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end and not stopping:
        if select.select([s], [], [], 0.2)[0]:
            data = s.recv(2048)
            kind = data.decode(errors="replace").removeprefix("sluice-")
            if kind in counts:
                counts[kind] += 1
    print("legit %d spoof %d" % (counts["legit"], counts["spoof"]), flush=True)


def main():
    signal.signal(signal.SIGTERM, _stop)
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "udp":
        udp(args[0], args[1], args[2], args[3], args[4], int(args[5]), int(args[6]), args[7])
    elif mode == "arpflood":
        arpflood(args[0], int(args[1]), args[2])
    elif mode == "listen":
        listen(int(args[0]), float(args[1]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
