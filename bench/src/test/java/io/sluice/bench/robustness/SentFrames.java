package io.sluice.bench.robustness;

import java.util.List;

import static io.sluice.bench.robustness.Frames.IP;
import static io.sluice.bench.robustness.Frames.fold;
import static io.sluice.bench.robustness.Frames.sum;
import static io.sluice.bench.robustness.Frames.u16;
import static io.sluice.bench.robustness.Frames.u32;
import static io.sluice.bench.robustness.Frames.u8;

/**
 * What a port may be handed, whatever came in: an Ethernet frame no longer than the MTU allows; an IPv4 packet
 * in it well formed (version, header length, header checksum, total length equal to what the frame carries,
 * TTL above 0); an L4 checksum right whenever the packet it came from had a right one, or the box made the
 * packet; and nothing from the pod leaving the GbE with its inside address (NAT never fails open).
 */
final class SentFrames {
    private static final int MAX_FRAME = 14 + 1500;

    private SentFrames() {
    }

    /** The first thing wrong with {@code sent} (made from {@code in}), or null. */
    static String problem(byte[] in, boolean fromPodToGbe, List<byte[]> sent, int natAddress, byte poison,
                          boolean poisonMatters) {
        for (byte[] out : sent) {
            String problem = problem(in, fromPodToGbe, out, natAddress, poison, poisonMatters);
            if (problem != null) {
                return problem + " in " + Frames.hex(out);
            }
        }
        return null;
    }

    private static String problem(byte[] in, boolean fromPodToGbe, byte[] out, int natAddress, byte poison,
                                  boolean poisonMatters) {
        if (out.length < 14 || out.length > MAX_FRAME) {
            return "a frame of " + out.length + " bytes";
        }
        if (poisonMatters && containsPoison(out, poison) && !containsPoison(in, poison)) {
            return "bytes from outside the packet (the buffer's poison)";
        }
        if (u16(out, 12) == Frames.ETHERTYPE_ARP) {
            return arpProblem(out);
        }
        if (u16(out, 12) != Frames.ETHERTYPE_IP4) {
            return "ethertype " + Integer.toHexString(u16(out, 12)) + " (the box sends IPv4 and ARP only)";
        }
        if (out.length < IP + 20 || (u8(out, IP) >>> 4) != 4 || (u8(out, IP) & 0x0f) < 5) {
            return "a malformed IPv4 header";
        }
        int headerLength = (u8(out, IP) & 0x0f) * 4;
        int total = u16(out, IP + 2);
        if (total != out.length - IP || total < headerLength) {
            return "total length " + total + " in a frame carrying " + (out.length - IP) + " bytes of IPv4";
        }
        if (fold(sum(out, IP, headerLength)) != 0xffff && headerChecksumValid(in)) {
            // A driver may vouch for a header whose checksum is wrong: an incremental update keeps it wrong.
            return "a wrong IPv4 header checksum";
        }
        if (u8(out, IP + 8) == 0) {
            return "TTL 0";
        }
        if (fromPodToGbe && u32(out, IP + 12) != natAddress) {
            return "the pod's packet not translated";
        }
        int protocol = u8(out, IP + 9);
        if (protocol == 1 && isIcmpError(out) && !(u8(in.length > IP + 9 ? in : out, IP + 9) == 1 && isIcmpError(in))) {
            String refused = icmpErrorRefused(in);
            if (refused != null) {
                return "an ICMP error about " + refused;
            }
            if (total > 576) {
                return "an ICMP error of " + total + " bytes (RFC 1812 section 4.3.2.3: at most 576)";
            }
        }
        boolean madeByTheBox = protocol == 1 && (in.length < IP + 10 || u8(in, IP + 9) != 1) && headerChecksumValid(in);
        if ((madeByTheBox || l4ChecksumValid(in) == Boolean.TRUE) && l4ChecksumValid(out) == Boolean.FALSE) {
            return "a wrong " + protocol + " checksum";
        }
        return null;
    }

    /**
     * An ARP request or reply the box sent (RFC 826): Ethernet/IPv4 sizes, a request broadcast, a reply to the
     * MAC it names as target and not to a broadcast or multicast one, a sender address that is no broadcast.
     */
    private static String arpProblem(byte[] out) {
        if (out.length < 42 || u16(out, 14) != 1 || u16(out, 16) != Frames.ETHERTYPE_IP4 || u8(out, 18) != 6
                || u8(out, 19) != 4) {
            return "a malformed ARP packet";
        }
        int operation = u16(out, 20);
        boolean broadcastDst = (u8(out, 0) & 1) != 0;
        if (operation == 1) {
            return broadcastDst ? null : "an ARP request not broadcast";
        }
        if (operation != 2) {
            return "ARP operation " + operation;
        }
        if (broadcastDst || (u8(out, 32) & 1) != 0) {
            return "an ARP reply to a broadcast or multicast address";
        }
        for (int i = 0; i < 6; i++) {
            if (out[i] != out[32 + i]) {
                return "an ARP reply sent to another MAC than its target's";
            }
        }
        int sender = u32(out, 28);
        if (sender == 0 || sender == -1 || (sender >>> 28) >= 0xe) {
            return "an ARP reply for " + Integer.toHexString(sender);
        }
        return null;
    }

    /** Four bytes of the fill the test puts around each frame: a node copied from outside the packet. */
    private static boolean containsPoison(byte[] frame, byte poison) {
        for (int i = 0; i + 3 < frame.length; i++) {
            if (frame[i] == poison && frame[i + 1] == poison && frame[i + 2] == poison && frame[i + 3] == poison) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIcmpError(byte[] frame) {
        if (frame.length < IP + 21 || u16(frame, 12) != Frames.ETHERTYPE_IP4) {
            return false;
        }
        int l4 = IP + (u8(frame, IP) & 0x0f) * 4;
        if (l4 >= frame.length || (u16(frame, IP + 6) & 0x1fff) != 0) {
            return false;
        }
        int type = u8(frame, l4);
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    /**
     * Why no ICMP error may be sent about {@code in} (RFC 1122 section 3.2.2, RFC 1812 section 4.3.2.7), or null:
     * a source that names no single host, a broadcast or multicast destination, a later fragment.
     */
    private static String icmpErrorRefused(byte[] in) {
        if (in.length < IP + 20) {
            return "a packet too short to quote";
        }
        int src = u32(in, IP + 12);
        int dst = u32(in, IP + 16);
        if (src == 0 || (src >>> 24) == 127 || (src >>> 28) >= 0xe || src == 0xc0a810ff) {
            return "a packet from " + Integer.toHexString(src);
        }
        if ((dst >>> 28) >= 0xe || dst == 0xc0a810ff) {
            return "a packet to " + Integer.toHexString(dst);
        }
        if ((u16(in, IP + 6) & 0x1fff) != 0) {
            return "a later fragment";
        }
        return null;
    }

    private static boolean headerChecksumValid(byte[] frame) {
        if (frame.length < IP + 20 || u16(frame, 12) != Frames.ETHERTYPE_IP4) {
            return false;
        }
        int headerLength = (u8(frame, IP) & 0x0f) * 4;
        return headerLength >= 20 && IP + headerLength <= frame.length && fold(sum(frame, IP, headerLength)) == 0xffff;
    }

    /**
     * Whether the TCP, UDP or ICMP checksum of the IPv4 packet in {@code frame} is right; null when it cannot be
     * told (not one of those, a fragment, the packet cut short, IPv4 header malformed, UDP without a checksum).
     */
    static Boolean l4ChecksumValid(byte[] frame) {
        if (frame.length < IP + 20 || u16(frame, 12) != Frames.ETHERTYPE_IP4 || (u8(frame, IP) >>> 4) != 4) {
            return null;
        }
        int headerLength = (u8(frame, IP) & 0x0f) * 4;
        int total = u16(frame, IP + 2);
        if (headerLength < 20 || total < headerLength || IP + total > frame.length
                || (u16(frame, IP + 6) & 0x3fff) != 0) {
            return null;
        }
        int protocol = u8(frame, IP + 9);
        int l4 = IP + headerLength;
        int l4Length = total - headerLength;
        int minimum = switch (protocol) {
            case 1 -> 8;
            case 6 -> 20;
            case 17 -> 8;
            default -> -1;
        };
        if (minimum < 0 || l4Length < minimum) {
            return null;
        }
        if (protocol == 17 && u16(frame, l4 + 6) == 0) {
            return null;
        }
        long acc = sum(frame, l4, l4Length);
        if (protocol != 1) {
            int src = u32(frame, IP + 12);
            int dst = u32(frame, IP + 16);
            acc += (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + l4Length;
        }
        return fold(acc) == 0xffff;
    }
}
