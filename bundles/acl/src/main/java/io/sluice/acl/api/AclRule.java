package io.sluice.acl.api;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * One ACL rule over IPv4: action, source and destination prefixes, protocol (0 is any), source and
 * destination port ranges, TCP flags as {@code (flags & mask) == value}. As in VPP, an ICMP packet's type
 * is matched by the source port range and its code by the destination port range.
 *
 * <p>Rule syntax, the line {@code show acl-plugin acl} prints, with every part after the action optional
 * (an omitted part matches anything) and the parts in any order:
 * <pre>
 *  [ipv4] deny|permit|permit+reflect [src A.B.C.D/LEN] [dst A.B.C.D/LEN] [proto N|tcp|udp|icmp]
 *         [sport P[-Q]] [dport P[-Q]] [icmp-type T[-U]] [icmp-code C[-D]] [tcpflags VALUE mask MASK]
 * </pre>
 * {@code icmp-type} and {@code icmp-code} are readable names for sport and dport under {@code proto icmp};
 * TCP flag numbers are the header's flag byte (RFC 9293 section 3.1: FIN 0x01, SYN 0x02, RST 0x04,
 * PSH 0x08, ACK 0x10), decimal or 0x-hex.
 */
public record AclRule(AclAction action, int sourceAddress, int sourcePrefixLength, int destinationAddress,
                      int destinationPrefixLength, int protocol, int sourcePortFirst, int sourcePortLast,
                      int destinationPortFirst, int destinationPortLast, int tcpFlagsMask, int tcpFlagsValue) {

    public static final int PROTOCOL_ANY = 0;
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    public AclRule {
        if (action == null || action == AclAction.SESSION) {
            throw new IllegalArgumentException("a rule's action is deny, permit or permit+reflect");
        }
        checkPrefix("src", sourceAddress, sourcePrefixLength);
        checkPrefix("dst", destinationAddress, destinationPrefixLength);
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("proto " + protocol + " is not 0..255");
        }
        checkRange(protocol == PROTOCOL_ICMP ? "icmp-type" : "sport", sourcePortFirst, sourcePortLast,
                protocol == PROTOCOL_ICMP ? 255 : 65535);
        checkRange(protocol == PROTOCOL_ICMP ? "icmp-code" : "dport", destinationPortFirst, destinationPortLast,
                protocol == PROTOCOL_ICMP ? 255 : 65535);
        if (tcpFlagsMask < 0 || tcpFlagsMask > 255 || tcpFlagsValue < 0 || tcpFlagsValue > 255) {
            throw new IllegalArgumentException("tcpflags value and mask are one byte each (0..255)");
        }
        if ((tcpFlagsValue & ~tcpFlagsMask) != 0) {
            throw new IllegalArgumentException("tcpflags value " + tcpFlagsValue + " has bits outside mask "
                    + tcpFlagsMask + ": such a rule never matches");
        }
        if (tcpFlagsMask != 0 && protocol != PROTOCOL_TCP) {
            throw new IllegalArgumentException("tcpflags need proto tcp (6)");
        }
    }

    /** A rule matching every IPv4 packet, with {@code action}. */
    public static AclRule any(AclAction action) {
        return new AclRule(action, 0, 0, 0, 0, PROTOCOL_ANY, 0, 65535, 0, 65535, 0, 0);
    }

    private static void checkPrefix(String what, int address, int length) {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException(what + " prefix length " + length + " is not 0..32");
        }
        if ((address & ~prefixMask(length)) != 0) {
            int network = address & prefixMask(length);
            throw new IllegalArgumentException(what + " " + formatIp4(address) + "/" + length
                    + " has host bits set; the network is " + formatIp4(network) + "/" + length);
        }
    }

    private static void checkRange(String what, int first, int last, int max) {
        if (first < 0 || last > max || first > last) {
            throw new IllegalArgumentException(what + " " + first + "-" + last + " is not a range within 0-" + max);
        }
    }

    /** The netmask of a prefix length: 0 for /0, 0xffffffff for /32. */
    public static int prefixMask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** Parses a rule in the syntax of the class comment; the message of the exception says what is wrong. */
    public static AclRule parse(String text) {
        String[] words = text.trim().toLowerCase(Locale.ROOT).split("\\s+");
        int at = 0;
        if (words.length > 0 && words[0].equals("ipv4")) {
            at++;
        }
        if (at >= words.length || words[at].isEmpty()) {
            throw new IllegalArgumentException("empty rule: expected deny, permit or permit+reflect");
        }
        AclAction action = AclAction.ofText(words[at]);
        if (action == null) {
            throw new IllegalArgumentException("'" + words[at] + "' is not an action: expected deny, permit or permit+reflect");
        }
        at++;
        int src = 0;
        int srcLength = 0;
        int dst = 0;
        int dstLength = 0;
        int protocol = PROTOCOL_ANY;
        int[] sport = {0, -1};
        int[] dport = {0, -1};
        int flagsValue = 0;
        int flagsMask = 0;
        Set<String> seen = new HashSet<>();
        while (at < words.length) {
            String keyword = words[at++];
            String canonical = switch (keyword) {
                case "icmp-type" -> "sport";
                case "icmp-code" -> "dport";
                default -> keyword;
            };
            if (!seen.add(canonical)) {
                throw new IllegalArgumentException("'" + keyword + "' given twice");
            }
            if (at >= words.length) {
                throw new IllegalArgumentException("'" + keyword + "' needs a value");
            }
            String value = words[at++];
            switch (keyword) {
                case "src", "dst" -> {
                    int slash = value.indexOf('/');
                    int address = parseAddress(keyword, slash < 0 ? value : value.substring(0, slash));
                    int length = slash < 0 ? 32 : parseNumber(keyword + " prefix length", value.substring(slash + 1), 32);
                    if (keyword.equals("src")) {
                        src = address;
                        srcLength = length;
                    } else {
                        dst = address;
                        dstLength = length;
                    }
                }
                case "proto" -> protocol = switch (value) {
                    case "tcp" -> PROTOCOL_TCP;
                    case "udp" -> PROTOCOL_UDP;
                    case "icmp" -> PROTOCOL_ICMP;
                    case "any" -> PROTOCOL_ANY;
                    default -> parseNumber("proto", value, 255);
                };
                case "sport", "icmp-type" -> parseRange(keyword, value, sport);
                case "dport", "icmp-code" -> parseRange(keyword, value, dport);
                case "tcpflags" -> {
                    flagsValue = parseNumber("tcpflags value", value, 255);
                    if (at + 1 >= words.length || !words[at].equals("mask")) {
                        throw new IllegalArgumentException("tcpflags needs 'VALUE mask MASK'");
                    }
                    flagsMask = parseNumber("tcpflags mask", words[at + 1], 255);
                    at += 2;
                }
                default -> throw new IllegalArgumentException("unknown word '" + keyword
                        + "': expected src, dst, proto, sport, dport, icmp-type, icmp-code or tcpflags");
            }
        }
        if ((containsWord(words, "icmp-type") || containsWord(words, "icmp-code")) && protocol != PROTOCOL_ICMP) {
            throw new IllegalArgumentException("icmp-type and icmp-code need proto icmp");
        }
        int portMax = protocol == PROTOCOL_ICMP ? 255 : 65535;
        return new AclRule(action, src, srcLength, dst, dstLength, protocol,
                sport[0], sport[1] < 0 ? portMax : sport[1], dport[0], dport[1] < 0 ? portMax : dport[1],
                flagsMask, flagsValue);
    }

    private static boolean containsWord(String[] words, String keyword) {
        for (String word : words) {
            if (word.equals(keyword)) {
                return true;
            }
        }
        return false;
    }

    private static void parseRange(String keyword, String value, int[] range) {
        int dash = value.indexOf('-');
        if (dash < 0) {
            range[0] = parseNumber(keyword, value, 65535);
            range[1] = range[0];
        } else {
            range[0] = parseNumber(keyword, value.substring(0, dash), 65535);
            range[1] = parseNumber(keyword, value.substring(dash + 1), 65535);
        }
    }

    private static int parseNumber(String what, String text, int max) {
        int value;
        try {
            value = text.startsWith("0x") ? Integer.parseInt(text.substring(2), 16) : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a number");
        }
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is not 0.." + max);
        }
        return value;
    }

    private static int parseAddress(String what, String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(what + " '" + text + "' is not an IPv4 address A.B.C.D");
        }
        int address = 0;
        for (String part : parts) {
            address = (address << 8) | parseNumber(what + " address byte", part, 255);
        }
        return address;
    }

    static String formatIp4(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    /** The rule in VPP's {@code show acl-plugin acl} shape; {@link #parse} reads it back to an equal rule. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("ipv4 ").append(action.text())
                .append(" src ").append(formatIp4(sourceAddress)).append('/').append(sourcePrefixLength)
                .append(" dst ").append(formatIp4(destinationAddress)).append('/').append(destinationPrefixLength)
                .append(" proto ").append(protocol)
                .append(" sport ").append(sourcePortFirst).append('-').append(sourcePortLast)
                .append(" dport ").append(destinationPortFirst).append('-').append(destinationPortLast);
        if (tcpFlagsMask != 0) {
            out.append(" tcpflags ").append(tcpFlagsValue).append(" mask ").append(tcpFlagsMask);
        }
        return out.toString();
    }
}
