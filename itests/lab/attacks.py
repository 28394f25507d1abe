#!/usr/bin/env python3
"""Attacks on the box's state for the lab's tests, sent with scapy from a lab namespace
(ip netns exec internet python3 attacks.py ...). Nothing leaves the lab: every packet is addressed to the box.

  rst-storm SERVER SPORT BOX DPORT COUNT SECONDS
        waits (up to SECONDS) for one segment of the live connection SERVER:SPORT -> BOX:DPORT, as the server sends
        it, then sends COUNT RSTs on that connection's 4-tuple with random sequence numbers at least 2^30 away from
        the server's (out of any TCP window, which is at most 2^30: RFC 7323 2.3), as a blind attacker who knows
        the 4-tuple but not the sequence; prints "ready" once it listens, then "sent N"
  udp-flood BOX POD COUNT
        COUNT UDP datagrams, each a flow of its own (sources spread over 198.51.100.0/24 and ports 1024-65535),
        at unmapped ports of BOX and at POD; prints "sent N"
"""
import random
import sys

from scapy.all import IP, TCP, UDP, AsyncSniffer, conf, send

TCP_WINDOW_MAX = 1 << 30


def rst_storm(server, sport, box, dport, count, seconds):
    iface = conf.route.route(box)[0]
    sniffer = AsyncSniffer(iface=iface, count=1, timeout=seconds,
                           filter="tcp and src host %s and src port %d and dst host %s and dst port %d"
                                  % (server, sport, box, dport))
    sniffer.start()
    # AsyncSniffer has its socket open once start() returns its thread running; give it a moment to bind.
    import time
    time.sleep(1)
    print("ready", flush=True)
    sniffer.join()
    seen = sniffer.results
    if not seen:
        print("sent 0 (no segment of the connection seen)", flush=True)
        return
    seq = seen[0][TCP].seq
    rng = random.Random(5961)
    packets = []
    for _ in range(count):
        offset = rng.randrange(TCP_WINDOW_MAX + (1 << 24), (1 << 32) - TCP_WINDOW_MAX - (1 << 24))
        packets.append(IP(src=server, dst=box) / TCP(sport=sport, dport=dport, flags="R",
                                                     seq=(seq + offset) & 0xffffffff))
    send(packets, verbose=0, inter=0.001)
    print("sent %d" % count, flush=True)


def udp_flood(box, pod, count):
    rng = random.Random(830)
    packets = []
    for n in range(count):
        source = "198.51.100.%d" % (1 + n % 254)
        destination = pod if n % 4 == 3 else box
        packets.append(IP(src=source, dst=destination)
                       / UDP(sport=1024 + rng.randrange(64512), dport=20000 + rng.randrange(40000)) / b"flood")
    send(packets, verbose=0)
    print("sent %d" % count, flush=True)


def main():
    mode = sys.argv[1]
    if mode == "rst-storm":
        rst_storm(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
    elif mode == "udp-flood":
        udp_flood(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
