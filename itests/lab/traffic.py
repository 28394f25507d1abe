#!/usr/bin/env python3
"""Traffic and watchers for the lab's tests, run inside a lab namespace (ip netns exec NS python3 traffic.py ...).

  flood DST PORT PPS SECONDS         UDP datagrams at a steady rate; prints "sent N"
  echo DST PORT PPS SECONDS          UDP to an echo server at a steady rate, counting the replies that come back;
                                     prints "sent N received M"
  sink PORT SECONDS                  counts UDP datagrams arriving on PORT; prints "received N"
  sniff IFACE PREFIX/LEN SECONDS     counts IPv4 frames on IFACE whose source is in the prefix (AF_PACKET, both
                                     directions); prints "matched N of M dropped D control C" (D: frames
                                     the kernel dropped before the capture read them; C: 1 when the capture saw
                                     the control frame it sends itself with a source in the prefix)

Every mode stops by itself after SECONDS (bounded: the tests never leave traffic running) and prints its line
when it ends, or soon after it gets SIGTERM (an echo first waits up to 2 s for the replies of what it sent).
"""
import ipaddress
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_STATISTICS = 6


stopping = False


def _stop(signum, frame):
    """SIGTERM ends the sending or watching; an echo still waits for the replies of what it sent."""
    global stopping
    stopping = True


def paced(pps, seconds):
    """Yields once per packet slot until SECONDS pass, sleeping so that the rate stays near PPS."""
    start = time.monotonic()
    interval = 1.0 / pps
    n = 0
    while not stopping:
        now = time.monotonic()
        if now - start >= seconds:
            return
        due = start + n * interval
        if due > now:
            time.sleep(due - now)
        yield n
        n += 1


def flood(dst, port, pps, seconds, counts):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for n in paced(pps, seconds):
        try:
            s.sendto(struct.pack("!I", n) + b"x" * 28, (dst, port))
            counts["sent"] += 1
        except OSError:
            counts["errors"] += 1


def echo(dst, port, pps, seconds, counts):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    s.connect((dst, port))
    for n in paced(pps, seconds):
        try:
            s.send(struct.pack("!I", n) + b"e" * 28)
            counts["sent"] += 1
        except OSError:
            counts["errors"] += 1
        drain(s, counts)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and counts["received"] < counts["sent"]:
        select.select([s], [], [], 0.1)
        drain(s, counts)


def drain(s, counts):
    while True:
        try:
            s.recv(2048)
            counts["received"] += 1
        except (BlockingIOError, ConnectionRefusedError):
            return


def sink(port, seconds, counts):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    end = time.monotonic() + seconds
    while time.monotonic() < end and not stopping:
        if select.select([s], [], [], 0.2)[0]:
            s.recv(2048)
            counts["received"] += 1


def sniff(iface, prefix, seconds, counts):
    network = ipaddress.ip_network(prefix)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((iface, 0))
    s.setblocking(False)
    send_control_frame(iface, network)
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end and not stopping:
            select.select([s], [], [], 0.2)
            while True:
                try:
                    frame = s.recv(65535)
                except BlockingIOError:
                    break
                if len(frame) < 34 or frame[12:14] != b"\x08\x00":
                    continue
                counts["total"] += 1
                if frame[:6] == CONTROL_MAC:
                    counts["control"] += 1
                elif ipaddress.ip_address(frame[26:30]) in network:
                    counts["matched"] += 1
    finally:
        # struct tpacket_stats (linux/if_packet.h): frames seen, frames dropped for want of buffer space; a
        # capture that dropped some cannot vouch for what it did not see.
        packets, drops = struct.unpack("II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
        counts["drops"] += drops


CONTROL_MAC = b"\x02\x00\x00\x00\x00\xfe"


def send_control_frame(iface, network):
    """One IPv4 frame with a source in the watched prefix, sent out of IFACE to a MAC nobody has: the capture must
    see it (counted apart as control), or it could not have seen a leak either."""
    source = (network.network_address + network.num_addresses - 2).packed
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8, 0, 0, 1, 17, 0, source, bytes([192, 0, 2, 1]))
    frame = CONTROL_MAC + b"\x02\x00\x00\x00\x00\xfd" + b"\x08\x00" + ip + struct.pack("!HHHH", 9, 9, 8, 0)
    sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sender.bind((iface, 0))
    sender.send(frame)
    sender.close()


def main():
    signal.signal(signal.SIGTERM, _stop)
    mode, args = sys.argv[1], sys.argv[2:]
    counts = {"sent": 0, "received": 0, "errors": 0, "matched": 0, "total": 0, "drops": 0, "control": 0}
    print("ready", flush=True)
    if mode == "flood":
        flood(args[0], int(args[1]), float(args[2]), float(args[3]), counts)
    elif mode == "echo":
        echo(args[0], int(args[1]), float(args[2]), float(args[3]), counts)
    elif mode == "sink":
        sink(int(args[0]), float(args[1]), counts)
    elif mode == "sniff":
        sniff(args[0], args[1], float(args[2]), counts)
    else:
        sys.exit("unknown mode " + mode)
    if mode == "flood":
        print("sent %d" % counts["sent"], flush=True)
    elif mode == "echo":
        print("sent %d received %d" % (counts["sent"], counts["received"]), flush=True)
    elif mode == "sink":
        print("received %d" % counts["received"], flush=True)
    else:
        print("matched %d of %d dropped %d control %d"
              % (counts["matched"], counts["total"], counts["drops"], counts["control"]), flush=True)


if __name__ == "__main__":
    main()
