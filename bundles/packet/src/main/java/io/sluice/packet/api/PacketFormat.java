package io.sluice.packet.api;

import java.lang.foreign.MemorySegment;

/**
 * Header text as VPP prints it in packet traces, for the control plane and {@code show trace}; never
 * called per packet unless a trace is being shown. Allocation is fine here.
 *
 * <p>The wording follows FD.io VPP v18.01: {@code format_ethernet_header_with_length}
 * (src/vnet/ethernet/format.c), {@code format_ethernet_arp_header} (src/vnet/ethernet/arp.c),
 * {@code format_ip4_header} (src/vnet/ip/ip4_format.c), {@code format_tcp_header}
 * (src/vnet/tcp/tcp_format.c), {@code format_udp_header} (src/vnet/udp/udp_format.c),
 * {@code format_ip4_icmp_header} (src/vnet/ip/icmp4.c) and {@code format_hex_bytes}
 * (src/vppinfra/std-formats.c). For the seed's packets the output is the seed's trace lines exactly.
 *
 * <p>Indentation works as in VPP's {@code format_get_indent}: a block's first line is appended where the
 * builder's cursor is, and {@code indent} is that cursor's column. Detail lines go two columns further in;
 * a nested header (TCP under IPv4, IPv4 under Ethernet) starts a new line at the same column as its
 * parent's first line. The overloads without {@code indent} take it from the builder (characters since
 * its last newline).
 *
 * <p>{@code maxBytes} is how many bytes at {@code off} may be read (a trace record keeps a copy of the
 * first bytes only). As in VPP, 0 means "header only, no limit": the Ethernet line is printed without
 * decoding what follows.
 *
 * <p>Deviations from v18.01, on purpose: for a non-first IPv4 fragment VPP folds the byte offset back into
 * the flags word with an XOR and can print an empty {@code ", flags "}; here the flag names are taken from
 * the flag bits alone. 802.1ah (PBB) frames are printed as {@code DOT1AH: src -> dst} without the b-tag and
 * i-tag decode.
 */
public final class PacketFormat {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static final String[] ICMP4_TYPE_NAMES = new String[41];
    private static final int ROUTER_ADVERTISEMENT = 9;
    private static final String[] ICMP4_DESTINATION_UNREACHABLE_CODES = {
            "destination_unreachable_net", "destination_unreachable_host", "protocol_unreachable",
            "port_unreachable", "fragmentation_needed_and_dont_fragment_set", "source_route_failed",
            "destination_network_unknown", "destination_host_unknown", "source_host_isolated",
            "network_administratively_prohibited", "host_administratively_prohibited",
            "network_unreachable_for_type_of_service", "host_unreachable_for_type_of_service",
            "communication_administratively_prohibited", "host_precedence_violation",
            "precedence_cutoff_in_effect"};
    private static final String[] ICMP4_REDIRECT_CODES = {
            "network_redirect", "host_redirect", "type_of_service_and_network_redirect",
            "type_of_service_and_host_redirect"};
    private static final String[] ICMP4_TIME_EXCEEDED_CODES = {
            "ttl_exceeded_in_transit", "fragment_reassembly_time_exceeded"};
    private static final String[] ICMP4_PARAMETER_PROBLEM_CODES = {
            "pointer_indicates_error", "missing_required_option", "bad_length"};
    private static final String[] TCP_FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
    private static final String[] ARP_OPCODE_NAMES = {
            "reserved", "request", "reply", "reverse_request", "reverse_reply"};

    static {
        // IANA "ICMP Type Numbers", spelled as VPP's foreach_icmp4_type (src/vnet/ip/icmp46_packet.h).
        String[] t = ICMP4_TYPE_NAMES;
        t[0] = "echo_reply";
        t[3] = "destination_unreachable";
        t[4] = "source_quench";
        t[5] = "redirect";
        t[6] = "alternate_host_address";
        t[8] = "echo_request";
        t[9] = "router_advertisement";
        t[10] = "router_solicitation";
        t[11] = "time_exceeded";
        t[12] = "parameter_problem";
        t[13] = "timestamp_request";
        t[14] = "timestamp_reply";
        t[15] = "information_request";
        t[16] = "information_reply";
        t[17] = "address_mask_request";
        t[18] = "address_mask_reply";
        t[30] = "traceroute";
        t[31] = "datagram_conversion_error";
        t[32] = "mobile_host_redirect";
        t[33] = "ip6_where_are_you";
        t[34] = "ip6_i_am_here";
        t[35] = "mobile_registration_request";
        t[36] = "mobile_registration_reply";
        t[37] = "domain_name_request";
        t[38] = "domain_name_reply";
        t[39] = "skip";
        t[40] = "photuris";
    }

    private PacketFormat() {
    }

    // ---- addresses ----

    /** {@code 08:00:27:44:9f:d8} for {@code 0x080027449fd8L}. */
    public static String formatMac(long mac) {
        return appendMac(new StringBuilder(17), mac).toString();
    }

    public static StringBuilder appendMac(StringBuilder out, long mac) {
        for (int shift = 40; shift >= 0; shift -= 8) {
            int b = (int) (mac >>> shift) & 0xff;
            out.append(HEX[b >>> 4]).append(HEX[b & 0xf]);
            if (shift != 0) {
                out.append(':');
            }
        }
        return out;
    }

    /** {@code 10.1.1.3} for {@code 0x0a010103}. */
    public static String formatIp4(int address) {
        return appendIp4(new StringBuilder(15), address).toString();
    }

    public static StringBuilder appendIp4(StringBuilder out, int address) {
        return out.append(address >>> 24).append('.').append((address >>> 16) & 0xff).append('.')
                .append((address >>> 8) & 0xff).append('.').append(address & 0xff);
    }

    /** Parses dotted-quad {@code a.b.c.d}, each part 0..255 in decimal. */
    public static int parseIp4(String text) {
        int address = 0;
        int parts = 0;
        int value = -1;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    throw new IllegalArgumentException("IPv4 address part above 255 in \"" + text + "\"");
                }
            } else if (c == '.' && value >= 0 && parts < 4) {
                address = (address << 8) | value;
                parts++;
                value = -1;
            } else {
                throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\"");
            }
        }
        if (parts != 4) {
            throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\"");
        }
        return address;
    }

    /**
     * Parses a MAC address as VPP's {@code unformat_ethernet_address} accepts it: six colon-separated hex
     * bytes ({@code 08:00:27:44:9f:d8}) or three dot-separated hex 16-bit groups ({@code 0800.2744.9fd8}).
     */
    public static long parseMac(String text) {
        boolean cisco = text.indexOf('.') >= 0;
        char separator = cisco ? '.' : ':';
        int groups = cisco ? 3 : 6;
        int groupBits = cisco ? 16 : 8;
        long mac = 0;
        int parsed = 0;
        int value = -1;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : separator;
            int digit = Character.digit(c, 16);
            if (digit >= 0) {
                value = (value < 0 ? 0 : value << 4) | digit;
                if (value >= (1 << groupBits)) {
                    throw new IllegalArgumentException("MAC address group too large in \"" + text + "\"");
                }
            } else if (c == separator && value >= 0 && parsed < groups) {
                mac = (mac << groupBits) | value;
                parsed++;
                value = -1;
            } else {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
        }
        if (parsed != groups) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        }
        return mac;
    }

    // ---- names ----

    /** VPP's name for an EtherType (src/vnet/ethernet/types.def), or {@code 0x%04x}. */
    public static String etherTypeName(int type) {
        return switch (type) {
            case Ethernet.TYPE_IP4 -> "IP4";
            case Ethernet.TYPE_ARP -> "ARP";
            case Ethernet.TYPE_VLAN -> "VLAN";
            case Ethernet.TYPE_IP6 -> "IP6";
            case Ethernet.TYPE_DOT1AD -> "DOT1AD";
            case 0x8035 -> "REVERSE_ARP";
            case 0x8847 -> "MPLS";
            case 0x8848 -> "MPLS_UPSTREAM_ASSIGNED";
            case 0x8863 -> "PPPOE_DISCOVERY";
            case 0x8864 -> "PPPOE_SESSION";
            case 0x888e -> "802_1X_AUTHENTICATION";
            case 0x88cc -> "802_1_LLDP";
            case 0x88e5 -> "802_1_AE_MACSEC";
            case 0x88e7 -> "DOT1AH";
            case 0x894f -> "NSH";
            case 0x9000 -> "LOOPBACK";
            case 0x9100 -> "VLAN_9100";
            case 0x9200 -> "VLAN_9200";
            default -> String.format("0x%04x", type);
        };
    }

    /** VPP's name for an IP protocol (src/vnet/ip/protocols.def), or {@code unknown %d}. */
    public static String ipProtocolName(int protocol) {
        return switch (protocol) {
            case 0 -> "IP6_HOP_BY_HOP_OPTIONS";
            case Ipv4.PROTOCOL_ICMP -> "ICMP";
            case 2 -> "IGMP";
            case 4 -> "IP_IN_IP";
            case Ipv4.PROTOCOL_TCP -> "TCP";
            case Ipv4.PROTOCOL_UDP -> "UDP";
            case 41 -> "IPV6";
            case 46 -> "RSVP";
            case 47 -> "GRE";
            case 50 -> "IPSEC_ESP";
            case 51 -> "IPSEC_AH";
            case 58 -> "ICMP6";
            case 88 -> "EIGRP";
            case 89 -> "OSPF";
            case 103 -> "PIM";
            case 112 -> "VRRP";
            case 115 -> "L2TP";
            case 132 -> "SCTP";
            case 136 -> "UDP_LITE";
            case 137 -> "MPLS_IN_IP";
            default -> "unknown " + protocol;
        };
    }

    /** {@code 0x12 SYN ACK}: the flags byte then each set flag's name, in bit order. */
    public static StringBuilder appendTcpFlags(StringBuilder out, int flags) {
        out.append("0x");
        appendHexByte(out, flags);
        for (int bit = 0; bit < TCP_FLAG_NAMES.length; bit++) {
            if ((flags & (1 << bit)) != 0) {
                out.append(' ').append(TCP_FLAG_NAMES[bit]);
            }
        }
        return out;
    }

    // ---- headers ----

    public static StringBuilder appendEthernetHeader(MemorySegment seg, long off, int maxBytes, StringBuilder out) {
        return appendEthernetHeader(seg, off, maxBytes, out, column(out));
    }

    /**
     * {@code IP4: 08:00:27:44:9f:d8 -> 08:00:27:02:a5:36}: the payload's EtherType, then source, then
     * destination, then each VLAN tag; when {@code maxBytes} leaves room past the header, the IPv4 or ARP
     * payload on the next lines at the same column.
     */
    public static StringBuilder appendEthernetHeader(MemorySegment seg, long off, int maxBytes, StringBuilder out,
                                                     int indent) {
        int type = Ethernet.etherType(seg, off);
        int firstTagType = type;
        int tags = 0;
        while (Ethernet.isVlanTpid(type) && tags < Ethernet.MAX_VLAN_TAGS) {
            type = NetworkOrder.u16(seg, off + Ethernet.VLAN_INNER_ETHERTYPE + (long) Ethernet.VLAN_TAG_LENGTH * tags);
            tags++;
        }
        int headerBytes = Ethernet.HEADER_LENGTH + Ethernet.VLAN_TAG_LENGTH * tags;
        if (maxBytes != 0 && headerBytes > maxBytes) {
            return out.append("ethernet header truncated");
        }
        out.append(etherTypeName(type)).append(": ");
        appendMac(out, Ethernet.src(seg, off)).append(" -> ");
        appendMac(out, Ethernet.dst(seg, off));
        for (int i = 0; i < tags; i++) {
            int tci = NetworkOrder.u16(seg, off + Ethernet.VLAN_TCI + (long) Ethernet.VLAN_TAG_LENGTH * i);
            // VPP labels every tag by the outermost TPID.
            out.append(firstTagType == Ethernet.TYPE_VLAN ? " 802.1q vlan " : " 802.1ad vlan ").append(tci & 0xfff);
            if ((tci >>> 13) != 0) {
                out.append(" priority ").append(tci >>> 13);
            }
            if (((tci >>> 12) & 1) != 0) {
                out.append(" cfi");
            }
        }
        if (maxBytes != 0 && headerBytes < maxBytes) {
            if (type == Ethernet.TYPE_IP4) {
                newLine(out, indent);
                appendIp4Header(seg, off + headerBytes, maxBytes - headerBytes, out, indent);
            } else if (type == Ethernet.TYPE_ARP) {
                newLine(out, indent);
                appendArpHeader(seg, off + headerBytes, maxBytes - headerBytes, out, indent);
            }
        }
        return out;
    }

    public static StringBuilder appendArpHeader(MemorySegment seg, long off, int maxBytes, StringBuilder out) {
        return appendArpHeader(seg, off, maxBytes, out, column(out));
    }

    /**
     * {@code request, type ethernet/IP4, address size 6/4} and, for Ethernet/IPv4, a second line
     * {@code <sender mac>/<sender ip> -> <target mac>/<target ip>}.
     */
    public static StringBuilder appendArpHeader(MemorySegment seg, long off, int maxBytes, StringBuilder out,
                                                int indent) {
        if (maxBytes != 0 && maxBytes < Arp.LENGTH) {
            return out.append("ARP header truncated");
        }
        int opcode = Arp.opcode(seg, off);
        int hardwareType = Arp.hardwareType(seg, off);
        int protocolType = Arp.protocolType(seg, off);
        if (opcode < ARP_OPCODE_NAMES.length) {
            out.append(ARP_OPCODE_NAMES[opcode]);
        } else {
            out.append("unknown 0x").append(Integer.toHexString(opcode));
        }
        out.append(", type ");
        if (hardwareType == Arp.HARDWARE_ETHERNET) {
            out.append("ethernet");
        } else {
            out.append("unknown 0x").append(Integer.toHexString(hardwareType));
        }
        out.append('/').append(etherTypeName(protocolType))
                .append(", address size ").append(Arp.hardwareLength(seg, off))
                .append('/').append(Arp.protocolLength(seg, off));
        if (hardwareType == Arp.HARDWARE_ETHERNET && protocolType == Ethernet.TYPE_IP4) {
            newLine(out, indent);
            appendMac(out, Arp.senderMac(seg, off)).append('/');
            appendIp4(out, Arp.senderIp(seg, off)).append(" -> ");
            appendMac(out, Arp.targetMac(seg, off)).append('/');
            appendIp4(out, Arp.targetIp(seg, off));
        }
        return out;
    }

    public static StringBuilder appendIp4Header(MemorySegment seg, long off, int maxBytes, StringBuilder out) {
        return appendIp4Header(seg, off, maxBytes, out, column(out));
    }

    /**
     * VPP's IPv4 header block, then the TCP, UDP or ICMP header when {@code maxBytes} reaches past the IP
     * header and the packet is not a later fragment:
     * <pre>
     * TCP: 10.1.1.3 -> 31.134.97.51
     *   tos 0x00, ttl 64, length 60, checksum 0x3154
     *   fragment id 0x7dab, flags DONT_FRAGMENT
     * TCP: 41084 -> 80
     *   ...
     * </pre>
     * A wrong header checksum is followed by {@code (should be 0x....)}; version and header length are
     * shown only when they are not 4 and 20.
     */
    public static StringBuilder appendIp4Header(MemorySegment seg, long off, int maxBytes, StringBuilder out,
                                                int indent) {
        if (maxBytes < Ipv4.MIN_HEADER_LENGTH) {
            return out.append("IP header truncated");
        }
        int detail = indent + 2;
        int version = Ipv4.version(seg, off);
        int headerBytes = Ipv4.headerLength(seg, off);
        int protocol = Ipv4.protocol(seg, off);

        out.append(ipProtocolName(protocol)).append(": ");
        appendIp4(out, Ipv4.src(seg, off)).append(" -> ");
        appendIp4(out, Ipv4.dst(seg, off));

        if (version != 4 || headerBytes != Ipv4.MIN_HEADER_LENGTH) {
            newLine(out, detail).append("version ").append(version).append(", header length ").append(headerBytes);
        }

        int checksum = Ipv4.checksum(seg, off);
        newLine(out, detail).append("tos 0x");
        appendHexByte(out, Ipv4.tos(seg, off));
        out.append(", ttl ").append(Ipv4.ttl(seg, off))
                .append(", length ").append(Ipv4.totalLength(seg, off))
                .append(", checksum 0x");
        appendHex16(out, checksum);
        if (headerBytes >= Ipv4.MIN_HEADER_LENGTH && headerBytes <= maxBytes) {
            int expected = Checksum.ip4HeaderChecksum(seg, off);
            if (expected != checksum) {
                out.append(" (should be 0x");
                appendHex16(out, expected);
                out.append(')');
            }
        }

        int flagsAndOffset = Ipv4.flagsAndFragmentOffset(seg, off);
        int offsetBytes = 8 * (flagsAndOffset & Ipv4.FRAGMENT_OFFSET_MASK);
        int flags = flagsAndOffset & ~Ipv4.FRAGMENT_OFFSET_MASK;
        newLine(out, detail).append("fragment id 0x");
        appendHex16(out, Ipv4.id(seg, off));
        if (offsetBytes != 0) {
            out.append(" offset ").append(offsetBytes);
        }
        if (flags != 0) {
            out.append(", flags ");
            if ((flags & Ipv4.FLAG_MORE_FRAGMENTS) != 0) {
                out.append("MORE_FRAGMENTS");
            }
            if ((flags & Ipv4.FLAG_DONT_FRAGMENT) != 0) {
                out.append("DONT_FRAGMENT");
            }
            if ((flags & Ipv4.FLAG_RESERVED) != 0) {
                out.append("CONGESTION");
            }
        }
        if (offsetBytes != 0) {
            return out; // a later fragment: no transport header to show
        }

        if (headerBytes < maxBytes) {
            long l4 = off + headerBytes;
            int l4Bytes = maxBytes - headerBytes;
            switch (protocol) {
                case Ipv4.PROTOCOL_TCP -> appendTcpHeader(seg, l4, l4Bytes, newLine(out, indent), indent);
                case Ipv4.PROTOCOL_UDP -> appendUdpHeader(seg, l4, l4Bytes, newLine(out, indent), indent);
                case Ipv4.PROTOCOL_ICMP -> appendIcmpHeader(seg, l4, l4Bytes, newLine(out, indent));
                default -> {
                }
            }
        }
        return out;
    }

    /**
     * <pre>
     * TCP: 41084 -> 80
     *   seq. 0x940482c0 ack 0x00000000
     *   flags 0x02 SYN, tcp header: 40 bytes
     *   window 29200, checksum 0x91d0
     * </pre>
     */
    public static StringBuilder appendTcpHeader(MemorySegment seg, long off, int maxBytes, StringBuilder out,
                                                int indent) {
        if (maxBytes < Tcp.MIN_HEADER_LENGTH) {
            return out.append("TCP header truncated");
        }
        int detail = indent + 2;
        out.append("TCP: ").append(Tcp.srcPort(seg, off)).append(" -> ").append(Tcp.dstPort(seg, off));
        newLine(out, detail).append("seq. 0x");
        appendHex32(out, Tcp.seq(seg, off));
        out.append(" ack 0x");
        appendHex32(out, Tcp.ack(seg, off));
        newLine(out, detail).append("flags ");
        appendTcpFlags(out, Tcp.flags(seg, off));
        out.append(", tcp header: ").append(Tcp.headerLength(seg, off)).append(" bytes");
        newLine(out, detail).append("window ").append(Tcp.window(seg, off)).append(", checksum 0x");
        appendHex16(out, Tcp.checksum(seg, off));
        return out;
    }

    /**
     * <pre>
     * UDP: 68 -> 67
     *   length 308, checksum 0x1c4b
     * </pre>
     */
    public static StringBuilder appendUdpHeader(MemorySegment seg, long off, int maxBytes, StringBuilder out,
                                                int indent) {
        if (maxBytes < Udp.HEADER_LENGTH) {
            return out.append("UDP header truncated");
        }
        out.append("UDP: ").append(Udp.srcPort(seg, off)).append(" -> ").append(Udp.dstPort(seg, off));
        newLine(out, indent + 2).append("length ").append(Udp.length(seg, off)).append(", checksum 0x");
        appendHex16(out, Udp.checksum(seg, off));
        return out;
    }

    /**
     * One line: {@code ICMP echo_request checksum 0xf7ff}, or with a code name
     * {@code ICMP destination_unreachable port_unreachable checksum 0x...}; the checksum without padding,
     * as VPP prints it.
     */
    public static StringBuilder appendIcmpHeader(MemorySegment seg, long off, int maxBytes, StringBuilder out) {
        if (maxBytes < 4) {
            return out.append("ICMP header truncated");
        }
        int type = Icmp.type(seg, off);
        int code = Icmp.code(seg, off);
        out.append("ICMP ");
        String typeName = type < ICMP4_TYPE_NAMES.length ? ICMP4_TYPE_NAMES[type] : null;
        if (typeName == null) {
            out.append("unknown 0x").append(Integer.toHexString(type));
        } else {
            out.append(typeName);
            String codeName = icmpCodeName(type, code);
            if (codeName != null) {
                out.append(' ').append(codeName);
            }
        }
        return out.append(" checksum 0x").append(Integer.toHexString(Icmp.checksum(seg, off)));
    }

    private static String icmpCodeName(int type, int code) {
        if (type == ROUTER_ADVERTISEMENT) {
            return code == 0 ? "normal_router_advertisement"
                    : code == 16 ? "does_not_route_common_traffic" : null;
        }
        String[] names = switch (type) {
            case Icmp.TYPE_DESTINATION_UNREACHABLE -> ICMP4_DESTINATION_UNREACHABLE_CODES;
            case Icmp.TYPE_REDIRECT -> ICMP4_REDIRECT_CODES;
            case Icmp.TYPE_TIME_EXCEEDED -> ICMP4_TIME_EXCEEDED_CODES;
            case Icmp.TYPE_PARAMETER_PROBLEM -> ICMP4_PARAMETER_PROBLEM_CODES;
            default -> null;
        };
        return names != null && code < names.length ? names[code] : null;
    }

    // ---- hex ----

    public static StringBuilder hexDump(MemorySegment seg, long off, int len, StringBuilder out) {
        return hexDump(seg, off, len, out, column(out));
    }

    /**
     * VPP's {@code format_hex_bytes}: up to 32 bytes as one plain hex string; more as lines of 32 bytes,
     * each prefixed with its offset as {@code %08x: }, continuation lines indented to {@code indent}.
     */
    public static StringBuilder hexDump(MemorySegment seg, long off, int len, StringBuilder out, int indent) {
        if (len <= 32) {
            return appendHex(seg, off, len, out);
        }
        for (int i = 0; i < len; i++) {
            if (i % 32 == 0) {
                appendHex32(out, i);
                out.append(": ");
            }
            appendHexByte(out, NetworkOrder.u8(seg, off + i));
            if ((i + 1) % 32 == 0 && i + 1 < len) {
                newLine(out, indent);
            }
        }
        return out;
    }

    /** {@code 08002702a536...}: each byte as two lower-case hex digits. */
    public static String hex(MemorySegment seg, long off, int len) {
        return appendHex(seg, off, len, new StringBuilder(2 * len)).toString();
    }

    public static StringBuilder appendHex(MemorySegment seg, long off, int len, StringBuilder out) {
        for (int i = 0; i < len; i++) {
            appendHexByte(out, NetworkOrder.u8(seg, off + i));
        }
        return out;
    }

    /** Bytes from a hex string such as the seed's dumps (whitespace ignored): for tests and tools. */
    public static byte[] parseHex(String text) {
        String digits = text.replaceAll("\\s+", "");
        if ((digits.length() & 1) != 0) {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            int hi = Character.digit(digits.charAt(2 * i), 16);
            int lo = Character.digit(digits.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not a hex digit near position " + 2 * i);
            }
            bytes[i] = (byte) ((hi << 4) | lo);
        }
        return bytes;
    }

    // ---- helpers ----

    /** The builder's current column: characters since its last newline (VPP's format_get_indent). */
    public static int column(StringBuilder out) {
        return out.length() - (out.lastIndexOf("\n") + 1);
    }

    private static StringBuilder newLine(StringBuilder out, int indent) {
        out.append('\n');
        for (int i = 0; i < indent; i++) {
            out.append(' ');
        }
        return out;
    }

    private static void appendHexByte(StringBuilder out, int b) {
        out.append(HEX[(b >>> 4) & 0xf]).append(HEX[b & 0xf]);
    }

    private static void appendHex16(StringBuilder out, int v) {
        appendHexByte(out, v >>> 8);
        appendHexByte(out, v);
    }

    private static void appendHex32(StringBuilder out, int v) {
        appendHex16(out, v >>> 16);
        appendHex16(out, v);
    }
}
