package io.sluice.bench.robustness;

import java.util.Arrays;
import java.util.SplittableRandom;

import static io.sluice.bench.robustness.Frames.IP;
import static io.sluice.bench.robustness.Frames.put16;
import static io.sluice.bench.robustness.Frames.put32;
import static io.sluice.bench.robustness.Frames.u16;
import static io.sluice.bench.robustness.Frames.u8;

/**
 * A hand-written, seeded mutator of Ethernet/IPv4 frames: each call applies one to three edits aimed at the
 * parsers' length and offset arithmetic, then (most of the time) makes the IPv4 header checksum right again so
 * the edit reaches the nodes behind ip4-input instead of dying at its checksum check.
 */
final class FrameMutator {

    /** The edits, named in a failure report. */
    enum Edit {
        BIT_FLIPS, TRUNCATE, EXTEND, IHL, TOTAL_LENGTH, UDP_LENGTH, TCP_DATA_OFFSET, OPTIONS, FRAGMENT, TTL,
        ADDRESS, MAC, ETHERTYPE, PROTOCOL, QUOTE, L4_BYTES
    }

    private static final Edit[] EDITS = Edit.values();
    private static final int[] ODD_ADDRESSES = {
        0xffffffff, 0x00000000, 0xe0000001, 0xe00000fb, 0xefffffff, 0x7f000001, 0xc0a810ff, 0xc0a81000,
        0xc0a81001, 0x0a010103, 0x0a0101ff, 0xa9fe0001, 0x0ac80101, 0xc0a81064
    };
    private static final long[] ODD_MACS = {
        0xffffffffffffL, 0x01005e000001L, 0x333300000001L, 0x000000000000L, 0x080027449fd8L, 0x02fe163f5f0fL,
        0x0180c2000000L
    };

    private final SplittableRandom random;
    private final StringBuilder applied = new StringBuilder();

    FrameMutator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** What the last {@link #mutate} did, for a failure message. */
    String applied() {
        return applied.toString();
    }

    SplittableRandom random() {
        return random;
    }

    byte[] mutate(byte[] seed) {
        applied.setLength(0);
        byte[] b = seed.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            Edit edit = EDITS[random.nextInt(EDITS.length)];
            applied.append(edit).append(' ');
            b = apply(edit, b);
        }
        if (random.nextInt(10) < 8) {
            Frames.fixIpChecksum(b);
            applied.append("ip-checksum-fixed ");
        }
        if (random.nextInt(10) < 5) {
            Frames.fixL4Checksum(b);
            applied.append("l4-checksum-fixed ");
        }
        return b;
    }

    private byte[] apply(Edit edit, byte[] b) {
        int headerLength = b.length > IP ? (u8(b, IP) & 0x0f) * 4 : 20;
        int l4 = IP + headerLength;
        switch (edit) {
            case BIT_FLIPS -> {
                if (b.length == 0) {
                    return b;
                }
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int at = random.nextInt(Math.min(b.length, 80));
                    b[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case TRUNCATE -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
            case EXTEND -> {
                int more = random.nextInt(4) == 0 ? 1500 : random.nextInt(64);
                int from = b.length;
                b = Arrays.copyOf(b, Math.min(from + more, 1514));
                for (int i = from; i < b.length; i++) {
                    b[i] = (byte) random.nextInt(256);
                }
            }
            case IHL -> {
                if (b.length > IP) {
                    b[IP] = (byte) ((b[IP] & 0xf0) | random.nextInt(16));
                }
            }
            case TOTAL_LENGTH -> {
                if (b.length >= IP + 4) {
                    int total = u16(b, IP + 2);
                    put16(b, IP + 2, random.nextBoolean() ? random.nextInt(65536)
                            : Math.max(0, total + random.nextInt(-24, 25)));
                }
            }
            case UDP_LENGTH -> {
                if (b.length >= l4 + 6) {
                    put16(b, l4 + 4, random.nextBoolean() ? random.nextInt(65536) : random.nextInt(0, 16));
                }
            }
            case TCP_DATA_OFFSET -> setIf(b, l4 + 12, random.nextInt(16) << 4);
            case OPTIONS -> b = withOptions(b);
            case FRAGMENT -> {
                if (b.length >= IP + 8) {
                    int flags = new int[] {0, 0x2000, 0x4000, 0x8000, 0x6000}[random.nextInt(5)];
                    int offset = random.nextInt(4) == 0 ? random.nextInt(0x2000) : random.nextInt(4);
                    put16(b, IP + 6, flags | offset);
                }
            }
            case TTL -> setIf(b, IP + 8, random.nextInt(3));
            case ADDRESS -> {
                if (b.length >= IP + 20) {
                    int field = IP + (random.nextBoolean() ? 12 : 16);
                    put32(b, field, ODD_ADDRESSES[random.nextInt(ODD_ADDRESSES.length)]);
                }
            }
            case MAC -> {
                if (b.length >= 12) {
                    Frames.putMac(b, random.nextBoolean() ? 0 : 6, ODD_MACS[random.nextInt(ODD_MACS.length)]);
                }
            }
            case ETHERTYPE -> {
                if (b.length >= 14) {
                    put16(b, 12, new int[] {0x0800, 0x0806, 0x8100, 0x86dd, 0x0000, 0x05dc, 0x88a8}[random.nextInt(7)]);
                }
            }
            case PROTOCOL -> setIf(b, IP + 9, new int[] {0, 1, 2, 6, 17, 47, 50, 255}[random.nextInt(8)]);
            case QUOTE -> b = requote(b, headerLength);
            case L4_BYTES -> {
                for (int i = 0; i < 4 && b.length > l4; i++) {
                    int at = l4 + random.nextInt(Math.min(b.length - l4, 48));
                    b[at] = (byte) random.nextInt(256);
                }
            }
        }
        return b;
    }

    private static void setIf(byte[] b, int at, int value) {
        if (at >= 0 && at < b.length) {
            b[at] = (byte) value;
        }
    }

    /**
     * Inserts 4 to 40 bytes of IPv4 options (RFC 791 section 3.1), well or badly formed, and says so in IHL and
     * total length.
     */
    private byte[] withOptions(byte[] b) {
        if (b.length < IP + 20) {
            return b;
        }
        int words = 1 + random.nextInt(10);
        byte[] options = new byte[words * 4];
        switch (random.nextInt(4)) {
            case 0 -> Arrays.fill(options, (byte) 1); // NOPs
            case 1 -> { // record route with a length and pointer that may lie
                options[0] = 7;
                options[1] = (byte) random.nextInt(256);
                options[2] = (byte) random.nextInt(256);
            }
            case 2 -> { // router alert (RFC 2113) then end of list
                options[0] = (byte) 0x94;
                options[1] = 4;
            }
            default -> {
                for (int i = 0; i < options.length; i++) {
                    options[i] = (byte) random.nextInt(256);
                }
            }
        }
        int oldHeader = Math.min((u8(b, IP) & 0x0f) * 4, b.length - IP);
        byte[] out = new byte[Math.min(b.length + options.length, 1514)];
        System.arraycopy(b, 0, out, 0, IP + oldHeader);
        System.arraycopy(options, 0, out, IP + oldHeader, Math.min(options.length, out.length - IP - oldHeader));
        int rest = Math.min(b.length - IP - oldHeader, out.length - IP - oldHeader - options.length);
        System.arraycopy(b, IP + oldHeader, out, IP + oldHeader + options.length, Math.max(0, rest));
        out[IP] = (byte) ((out[IP] & 0xf0) | Math.min(15, oldHeader / 4 + words));
        put16(out, IP + 2, u16(out, IP + 2) + options.length);
        return out;
    }

    /**
     * For an ICMP error: cuts the quoted packet short, lies in its IHL or total length, or makes it another ICMP
     * error (an error about an error, which RFC 1122 section 3.2.2 says must not be answered).
     */
    private byte[] requote(byte[] b, int headerLength) {
        int quoted = IP + headerLength + 8;
        if (b.length < quoted + 20 || u8(b, IP + 9) != 1) {
            return b;
        }
        switch (random.nextInt(4)) {
            case 0 -> b = Arrays.copyOf(b, quoted + random.nextInt(b.length - quoted + 1));
            case 1 -> b[quoted] = (byte) (0x40 | random.nextInt(16));
            case 2 -> put16(b, quoted + 2, random.nextInt(65536));
            default -> {
                int quotedHeader = (u8(b, quoted) & 0x0f) * 4;
                b[quoted + 9] = 1;
                if (b.length > quoted + quotedHeader) {
                    b[quoted + quotedHeader] = (byte) new int[] {3, 11, 12, 5, 0, 8}[random.nextInt(6)];
                }
            }
        }
        if (b.length >= IP + 4) {
            put16(b, IP + 2, b.length - IP);
        }
        return b;
    }
}
