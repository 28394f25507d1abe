package io.sluice.graph.api;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.packet.api.NetworkOrder;

import io.sluice.graph.testkit.FuzzCorpus;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Coverage-guided fuzzing (issue 18) of {@link TraceFilter#matches}, which the input nodes run on every frame as
 * the driver received it while a trace is armed. The input's first {@value #PARAMETERS} bytes make the filter,
 * the rest is the frame, given in a segment of exactly its size: a read past its end throws. The answer must be
 * the one of a plain reading of the filter's contract (below) over the frame's bytes.
 *
 * <p>Without {@code JAZZER_FUZZ} only the committed corpus runs (TraceFilterFuzzTestInputs/); docs/testing.md.
 */
class TraceFilterFuzzTest {
    /** src (4), src length, dst (4), dst length, protocol (0xff: any), sport (2), dport (2), which ports are set. */
    static final int PARAMETERS = 16;

    @FuzzTest(maxDuration = "30s")
    void matchesReadsOnlyTheFrameAndAgreesWithTheContract(byte[] input) {
        if (input.length < PARAMETERS) {
            return;
        }
        MemorySegment in = MemorySegment.ofArray(input);
        int ports = input[15];
        TraceFilter filter = new TraceFilter(NetworkOrder.u32(in, 0), Byte.toUnsignedInt(input[4]) % 33,
                NetworkOrder.u32(in, 5), Byte.toUnsignedInt(input[9]) % 33,
                input[10] == (byte) 0xff ? -1 : Byte.toUnsignedInt(input[10]),
                (ports & 1) != 0 ? NetworkOrder.u16(in, 11) : -1, (ports & 2) != 0 ? NetworkOrder.u16(in, 13) : -1);
        byte[] frame = java.util.Arrays.copyOfRange(input, PARAMETERS, input.length);
        boolean matched = filter.matches(MemorySegment.ofArray(frame), 0, frame.length);
        assertEquals(reference(filter, frame), matched, filter.describe());
    }

    /** The committed seeds pass too (and are rewritten with -Dsluice.fuzz.writeCorpus=true). */
    @Test
    void seeds() {
        List<byte[]> seeds = new ArrayList<>();
        byte[] tcp = ipv4Frame(6, 0x0a010103, 0x1f866133, 40000, 80);
        // the seed's `trace add --src 10.1.1.3 --proto tcp --dport 80`, then a VLAN-tagged copy and a UDP miss
        seeds.add(concat(filter(0x0a010103, 32, 0, 0, 6, -1, 80), tcp));
        byte[] tagged = new byte[tcp.length + 4];
        System.arraycopy(tcp, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[14] = 0x00;
        tagged[15] = 0x07;
        System.arraycopy(tcp, 12, tagged, 16, tcp.length - 12);
        seeds.add(concat(filter(0x0a010100, 24, 0x1f866100, 24, -1, 40000, -1), tagged));
        seeds.add(concat(filter(0, 0, 0x08080808, 32, 17, -1, 53), ipv4Frame(17, 0x0a010103, 0x08080808, 40001, 53)));
        for (byte[] seed : FuzzCorpus.maybeWrite(TraceFilterFuzzTest.class,
                "matchesReadsOnlyTheFrameAndAgreesWithTheContract", seeds)) {
            matchesReadsOnlyTheFrameAndAgreesWithTheContract(seed);
        }
    }

    private static byte[] filter(int src, int srcLength, int dst, int dstLength, int protocol, int sport, int dport) {
        byte[] p = new byte[PARAMETERS];
        put32(p, 0, src);
        p[4] = (byte) srcLength;
        put32(p, 5, dst);
        p[9] = (byte) dstLength;
        p[10] = (byte) protocol;
        p[11] = (byte) (sport >> 8);
        p[12] = (byte) sport;
        p[13] = (byte) (dport >> 8);
        p[14] = (byte) dport;
        p[15] = (byte) ((sport >= 0 ? 1 : 0) | (dport >= 0 ? 2 : 0));
        return p;
    }

    /** Ethernet, a 20-byte IPv4 header and the L4 header's ports, eight bytes of it. */
    private static byte[] ipv4Frame(int protocol, int src, int dst, int sport, int dport) {
        byte[] f = new byte[14 + 20 + 8];
        f[12] = 0x08;
        f[14] = 0x45;
        f[17] = (byte) (f.length - 14);
        f[22] = 64;
        f[23] = (byte) protocol;
        put32(f, 26, src);
        put32(f, 30, dst);
        f[34] = (byte) (sport >> 8);
        f[35] = (byte) sport;
        f[36] = (byte) (dport >> 8);
        f[37] = (byte) dport;
        return f;
    }

    private static void put32(byte[] b, int at, int value) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (value >>> (24 - 8 * i));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * The contract read plainly: Ethernet, any 802.1Q/802.1ad tags, IPv4 with its prefixes and protocol; a port
     * filter needs an unfragmented-at-offset-0 TCP or UDP header's first four bytes inside the frame.
     */
    static boolean reference(TraceFilter f, byte[] frame) {
        int l3 = 14;
        if (frame.length < l3) {
            return false;
        }
        int type = u16(frame, 12);
        while ((type == 0x8100 || type == 0x88a8) && l3 + 4 <= frame.length) {
            type = u16(frame, l3 + 2);
            l3 += 4;
        }
        if (type != 0x0800 || frame.length < l3 + 20) {
            return false;
        }
        int src = (u16(frame, l3 + 12) << 16) | u16(frame, l3 + 14);
        int dst = (u16(frame, l3 + 16) << 16) | u16(frame, l3 + 18);
        long srcMask = f.srcLength() == 0 ? 0 : (0xffffffffL << (32 - f.srcLength())) & 0xffffffffL;
        long dstMask = f.dstLength() == 0 ? 0 : (0xffffffffL << (32 - f.dstLength())) & 0xffffffffL;
        if ((src & srcMask) != (f.srcAddress() & srcMask) || (dst & dstMask) != (f.dstAddress() & dstMask)) {
            return false;
        }
        int protocol = frame[l3 + 9] & 0xff;
        if (f.protocol() >= 0 && protocol != f.protocol()) {
            return false;
        }
        if (f.srcPort() < 0 && f.dstPort() < 0) {
            return true;
        }
        int l4 = l3 + (frame[l3] & 0x0f) * 4;
        boolean firstFragment = (u16(frame, l3 + 6) & 0x1fff) == 0;
        if ((protocol != 6 && protocol != 17) || !firstFragment || frame.length < l4 + 4) {
            return false;
        }
        return (f.srcPort() < 0 || u16(frame, l4) == f.srcPort()) && (f.dstPort() < 0 || u16(frame, l4 + 2) == f.dstPort());
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }
}
