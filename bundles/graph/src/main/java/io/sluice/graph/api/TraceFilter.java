package io.sluice.graph.api;

import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import io.sluice.packet.api.PacketFormat;

import java.lang.foreign.MemorySegment;

/**
 * Which packets an input node marks for tracing (VPP users' long-standing request, FDio/vpp VPP-923): IPv4
 * source and destination prefixes, protocol and ports, each "any" when not given. Evaluated once per packet, at
 * the input, only while a trace count is armed, on the frame as the driver received it (Ethernet, any 802.1Q or
 * 802.1ad tags, IPv4); a packet that does not match is not traced and does not use up the count.
 *
 * @param srcAddress the source prefix's address ({@code srcLength} 0: any source)
 * @param protocol   the IPv4 protocol number, or -1 for any
 * @param srcPort    the TCP or UDP source port, or -1 for any (a packet without one does not match a port)
 */
public record TraceFilter(int srcAddress, int srcLength, int dstAddress, int dstLength, int protocol, int srcPort,
                          int dstPort) {

    public static final TraceFilter ANY = new TraceFilter(0, 0, 0, 0, -1, -1, -1);

    private static final int ETHERNET_HEADER = 14;
    private static final int VLAN_TAG = 4;
    private static final int TYPE_IP4 = 0x0800;
    private static final int TYPE_VLAN = 0x8100;
    private static final int TYPE_QINQ = 0x88a8;

    public TraceFilter {
        checkLength("source", srcLength);
        checkLength("destination", dstLength);
        if (protocol < -1 || protocol > 255) {
            throw new IllegalArgumentException("protocol " + protocol + " is not 0..255");
        }
        checkPort("source", srcPort);
        checkPort("destination", dstPort);
        srcAddress &= mask(srcLength);
        dstAddress &= mask(dstLength);
    }

    /**
     * The filter the console's options describe; null or blank means any. {@code proto} is tcp, udp, icmp or a
     * number; prefixes are {@code a.b.c.d/len} or an address. Throws naming the option and why.
     */
    public static TraceFilter of(String src, String dst, String proto, Integer sport, Integer dport) {
        int[] source = prefix("--src", src);
        int[] destination = prefix("--dst", dst);
        int protocol = -1;
        if (proto != null && !proto.isBlank()) {
            protocol = switch (proto.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "tcp" -> Ipv4.PROTOCOL_TCP;
                case "udp" -> Ipv4.PROTOCOL_UDP;
                case "icmp" -> Ipv4.PROTOCOL_ICMP;
                default -> {
                    try {
                        yield Integer.parseInt(proto.trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--proto " + proto + ": tcp, udp, icmp or a protocol number");
                    }
                }
            };
        }
        if ((sport != null || dport != null) && protocol != -1 && protocol != Ipv4.PROTOCOL_TCP
                && protocol != Ipv4.PROTOCOL_UDP) {
            throw new IllegalArgumentException("--sport and --dport need --proto tcp or udp (or no --proto)");
        }
        return new TraceFilter(source[0], source[1], destination[0], destination[1], protocol,
                sport == null ? -1 : sport, dport == null ? -1 : dport);
    }

    public boolean any() {
        return equals(ANY);
    }

    /** Does the frame of {@code length} bytes at {@code frame} match? Reads only within those bytes. */
    public boolean matches(MemorySegment seg, long frame, int length) {
        if (length < ETHERNET_HEADER) {
            return false;
        }
        int type = NetworkOrder.u16(seg, frame + 12);
        int l3 = ETHERNET_HEADER;
        while ((type == TYPE_VLAN || type == TYPE_QINQ) && l3 + VLAN_TAG <= length) {
            type = NetworkOrder.u16(seg, frame + l3 + 2);
            l3 += VLAN_TAG;
        }
        if (type != TYPE_IP4 || length < l3 + Ipv4.MIN_HEADER_LENGTH) {
            return false;
        }
        long ip = frame + l3;
        if ((Ipv4.src(seg, ip) & mask(srcLength)) != srcAddress || (Ipv4.dst(seg, ip) & mask(dstLength)) != dstAddress) {
            return false;
        }
        int packetProtocol = Ipv4.protocol(seg, ip);
        if (protocol >= 0 && packetProtocol != protocol) {
            return false;
        }
        if (srcPort < 0 && dstPort < 0) {
            return true;
        }
        int l4 = l3 + Ipv4.headerLength(seg, ip);
        if ((packetProtocol != Ipv4.PROTOCOL_TCP && packetProtocol != Ipv4.PROTOCOL_UDP)
                || Ipv4.fragmentOffset(seg, ip) != 0 || length < l4 + 4) {
            return false;
        }
        return (srcPort < 0 || NetworkOrder.u16(seg, frame + l4) == srcPort)
                && (dstPort < 0 || NetworkOrder.u16(seg, frame + l4 + 2) == dstPort);
    }

    /** As the console shows it: {@code src 10.1.1.4/32 proto tcp dport 80}, or {@code any}. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        if (srcLength > 0) {
            out.append(" src ").append(PacketFormat.formatIp4(srcAddress)).append('/').append(srcLength);
        }
        if (dstLength > 0) {
            out.append(" dst ").append(PacketFormat.formatIp4(dstAddress)).append('/').append(dstLength);
        }
        if (protocol >= 0) {
            out.append(" proto ").append(PacketFormat.ipProtocolName(protocol).toLowerCase(java.util.Locale.ROOT));
        }
        if (srcPort >= 0) {
            out.append(" sport ").append(srcPort);
        }
        if (dstPort >= 0) {
            out.append(" dport ").append(dstPort);
        }
        return out.isEmpty() ? "any" : out.substring(1);
    }

    private static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    private static void checkLength(String which, int length) {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException(which + " prefix length " + length + " is not 0..32");
        }
    }

    private static void checkPort(String which, int port) {
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException(which + " port " + port + " is not 0..65535");
        }
    }

    private static int[] prefix(String option, String text) {
        if (text == null || text.isBlank()) {
            return new int[] {0, 0};
        }
        String[] parts = text.trim().split("/", 2);
        try {
            int address = PacketFormat.parseIp4(parts[0]);
            int length = parts.length == 2 ? Integer.parseInt(parts[1]) : 32;
            if (length < 0 || length > 32) {
                throw new IllegalArgumentException("length " + length + " is not 0..32");
            }
            return new int[] {address, length};
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + text + ": not an IPv4 prefix (a.b.c.d/len): "
                    + e.getMessage());
        }
    }
}
