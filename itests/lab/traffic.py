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
  hostile POD BOX PPS SECONDS        unsolicited traffic as an attacker sends it, from source port (ICMP id) 6666:
                                     TCP SYNs, UDP datagrams and ICMP echo requests in turn, at POD and at unmapped
                                     ports of BOX, through raw sockets; prints "sent N"
  watch IFACE SECONDS                counts frames on IFACE that carry the hostile mode's signature (TCP/UDP from
                                     source port 6666, ICMP echo requests with id 6666); prints "hostile N control C"
                                     (C: 1 when it saw the control frame it sends itself with that signature)
  tcpsink PORT SECONDS               accepts one TCP connection on PORT, reads it to its end and answers with the
                                     byte count and SHA-256 of what came; prints "received N sha256 H"
  tcpsend DST PORT BYTES_PER_S SECONDS
                                     one TCP connection to a tcpsink: a deterministic byte stream at that rate until
                                     SECONDS pass or SIGTERM, then the end of the stream and the sink's answer;
                                     prints "sent N sha256 H answer N' H'" or "reset after N" when the connection
                                     was reset or refused

Every mode stops by itself after SECONDS (bounded: the tests never leave traffic running) and prints its line
when it ends, or soon after it gets SIGTERM (an echo first waits up to 2 s for the replies of what it sent).
"""
import ctypes
import hashlib
import ipaddress
import random
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


SO_ATTACH_FILTER = 26


def source_prefix_filter(network):
    """A classic BPF program (linux/filter.h) that passes only IPv4 frames whose source lies in NETWORK: the kernel
    drops every other frame before the socket's queue, so a busy interface cannot overrun the capture with frames it
    does not care about (the capture's drop count then concerns only frames that matter)."""
    net = int(network.network_address)
    mask = int(network.netmask)
    program = [
        (0x28, 0, 0, 12),          # ldh [12]: the EtherType
        (0x15, 0, 4, 0x0800),      # jeq IPv4, else drop
        (0x20, 0, 0, 26),          # ld [26]: the IPv4 source
        (0x54, 0, 0, mask),        # and the prefix's mask
        (0x15, 0, 1, net),         # jeq the prefix, else drop
        (0x06, 0, 0, 0xFFFF),      # ret: pass the frame
        (0x06, 0, 0, 0),           # ret 0: drop it
    ]
    code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *insn) for insn in program))
    return code, struct.pack("HL", len(program), ctypes.addressof(code))


def sniff(iface, prefix, seconds, counts):
    network = ipaddress.ip_network(prefix)
    # Protocol 0 receives nothing until the bind below, so no frame is queued before the filter is in place.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    code, program = source_prefix_filter(network)
    s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, program)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((iface, ETH_P_ALL))
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

HOSTILE_PORT = 6666


def checksum(data):
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def hostile_packet(n, src, pod, box):
    """Packet N of the hostile mix: TCP SYN, UDP, ICMP echo, in turn, at the pod and at unmapped ports of the box."""
    dst = pod if (n // 3) % 2 == 0 else box
    kind = n % 3
    dport = 20000 + (n * 7919) % 40000
    if kind == 0:
        l4 = struct.pack("!HHIIBBHHH", HOSTILE_PORT, dport, n, 0, 5 << 4, 0x02, 64240, 0, 0)
        proto = 6
    elif kind == 1:
        l4 = struct.pack("!HHHH", HOSTILE_PORT, dport, 8 + 16, 0) + b"h" * 16
        proto = 17
    else:
        body = struct.pack("!HH", HOSTILE_PORT, n & 0xFFFF) + b"p" * 16
        l4 = struct.pack("!BBH", 8, 0, checksum(struct.pack("!BBH", 8, 0, 0) + body)) + body
        proto = 1
    if proto != 1:
        pseudo = struct.pack("!4s4sBBH", src, dst, 0, proto, len(l4))
        sum_at = 16 if proto == 6 else 6
        l4 = l4[:sum_at] + struct.pack("!H", checksum(pseudo + l4)) + l4[sum_at + 2:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), n & 0xFFFF, 0, 64, proto, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + l4, dst


def hostile(pod, box, pps, seconds, counts):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    src = socket.inet_aton(local_address_towards(pod))
    pod, box = socket.inet_aton(pod), socket.inet_aton(box)
    for n in paced(pps, seconds):
        packet, dst = hostile_packet(n, src, pod, box)
        try:
            s.sendto(packet, (socket.inet_ntoa(dst), 0))
            counts["sent"] += 1
        except OSError:
            counts["errors"] += 1


def local_address_towards(dst):
    """The source address the namespace's routing picks for DST."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.connect((dst, 9))
    address = probe.getsockname()[0]
    probe.close()
    return address


def is_hostile(frame):
    """An IPv4 frame with the hostile mode's signature."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return False
    ihl = (frame[14] & 0x0F) * 4
    proto = frame[23]
    l4 = 14 + ihl
    if len(frame) < l4 + 8:
        return False
    if proto in (6, 17):
        return struct.unpack("!H", frame[l4:l4 + 2])[0] == HOSTILE_PORT
    return proto == 1 and frame[l4] == 8 and struct.unpack("!H", frame[l4 + 4:l4 + 6])[0] == HOSTILE_PORT


def watch(iface, seconds, counts):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((iface, 0))
    s.setblocking(False)
    control, _ = hostile_packet(1, bytes([192, 0, 2, 2]), bytes([192, 0, 2, 1]), bytes([192, 0, 2, 1]))
    sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sender.bind((iface, 0))
    sender.send(CONTROL_MAC + b"\x02\x00\x00\x00\x00\xfd" + b"\x08\x00" + control)
    sender.close()
    end = time.monotonic() + seconds
    while time.monotonic() < end and not stopping:
        select.select([s], [], [], 0.2)
        while True:
            try:
                frame = s.recv(65535)
            except (BlockingIOError, OSError):
                break
            if not is_hostile(frame):
                continue
            if frame[:6] == CONTROL_MAC:
                counts["control"] += 1
            else:
                counts["matched"] += 1


def stream_block(n):
    """Block N of the deterministic stream tcpsend writes: the same bytes every run, different from block to block."""
    return hashlib.sha256(struct.pack("!Q", n)).digest() * 128


def tcpsink(port, seconds, counts):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", port))
    server.listen(1)
    server.settimeout(seconds)
    try:
        connection, _ = server.accept()
    except socket.timeout:
        counts["line"] = "received nothing"
        return
    digest = hashlib.sha256()
    received = 0
    connection.settimeout(seconds)
    try:
        while True:
            data = connection.recv(65536)
            if not data:
                break
            digest.update(data)
            received += len(data)
        connection.sendall(("%d %s\n" % (received, digest.hexdigest())).encode())
        counts["line"] = "received %d sha256 %s" % (received, digest.hexdigest())
    except OSError as error:
        counts["line"] = "reset after %d (%s)" % (received, error)
    finally:
        connection.close()


def tcpsend(dst, port, rate, seconds, counts):
    digest = hashlib.sha256()
    sent = 0
    try:
        connection = socket.create_connection((dst, port), timeout=10)
        # TCP's retransmission timer doubles with each loss (RFC 6298): after a few seconds of lost segments the
        # next retransmission can be half a minute away. A stall is not a reset; only a much longer one fails.
        connection.settimeout(120)
        start = time.monotonic()
        block = 0
        while not stopping and time.monotonic() - start < seconds:
            data = stream_block(block)
            connection.sendall(data)
            digest.update(data)
            sent += len(data)
            block += 1
            # One reading of the clock: with two, the second could pass DUE and ask sleep() for a negative time.
            delay = start + sent / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while not answer.endswith(b"\n"):
            data = connection.recv(256)
            if not data:
                break
            answer += data
        connection.close()
        counts["line"] = "sent %d sha256 %s answer %s" % (sent, digest.hexdigest(), answer.decode().strip())
    except OSError as error:
        counts["line"] = "reset after %d (%s)" % (sent, error)


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
    counts = {"sent": 0, "received": 0, "errors": 0, "matched": 0, "total": 0, "drops": 0, "control": 0,
              "line": ""}
    print("ready", flush=True)
    if mode == "flood":
        flood(args[0], int(args[1]), float(args[2]), float(args[3]), counts)
    elif mode == "echo":
        echo(args[0], int(args[1]), float(args[2]), float(args[3]), counts)
    elif mode == "sink":
        sink(int(args[0]), float(args[1]), counts)
    elif mode == "sniff":
        sniff(args[0], args[1], float(args[2]), counts)
    elif mode == "hostile":
        hostile(args[0], args[1], float(args[2]), float(args[3]), counts)
    elif mode == "watch":
        watch(args[0], float(args[1]), counts)
    elif mode == "tcpsink":
        tcpsink(int(args[0]), float(args[1]), counts)
    elif mode == "tcpsend":
        tcpsend(args[0], int(args[1]), float(args[2]), float(args[3]), counts)
    else:
        sys.exit("unknown mode " + mode)
    if mode in ("flood", "hostile"):
        print("sent %d" % counts["sent"], flush=True)
    elif mode == "watch":
        print("hostile %d control %d" % (counts["matched"], counts["control"]), flush=True)
    elif mode in ("tcpsink", "tcpsend"):
        print(counts["line"], flush=True)
    elif mode == "echo":
        print("sent %d received %d" % (counts["sent"], counts["received"]), flush=True)
    elif mode == "sink":
        print("received %d" % counts["received"], flush=True)
    else:
        print("matched %d of %d dropped %d control %d"
              % (counts["matched"], counts["total"], counts["drops"], counts["control"]), flush=True)


if __name__ == "__main__":
    main()
