package io.sluice.driver.tap.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.graph.testkit.FuzzCorpus;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Coverage-guided fuzzing (issue 18) of what driver-tap reads from the virtio-net header a TAP puts before each
 * frame (the kernel's, so any values a peer's offload settings give): the compact copy kept in the buffer's
 * metadata, and the partial checksum completed at csum_start + csum_offset ({@link TapDevice#completeChecksum}).
 * The input is the 10-byte header then the frame, in a segment of exactly that size: a read or write outside it
 * throws. The checksum must be refused when its field is not inside the frame, else equal a plain RFC 1071 sum,
 * and no other byte may change.
 */
class VirtioNetHeaderFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void headerFieldsAndPartialChecksumStayInsideTheFrame(byte[] input) {
        if (input.length < VirtioNetHeader.SIZE + 14) {
            return;
        }
        MemorySegment segment = MemorySegment.ofArray(input.clone());
        int length = input.length - VirtioNetHeader.SIZE;
        int packed = VirtioNetHeader.packed(segment, 0);
        assertEquals(input[0] & 0xff, VirtioNetHeader.packedFlags(packed));
        assertEquals(input[1] & 0xff, VirtioNetHeader.packedGsoType(packed));
        assertEquals((input[2] & 0xff) | (input[3] & 0xff) << 8, VirtioNetHeader.packedHdrLen(packed));
        int start = VirtioNetHeader.csumStart(segment, 0);
        int field = start + VirtioNetHeader.csumOffset(segment, 0);
        boolean completed = TapDevice.completeChecksum(segment, 0, VirtioNetHeader.SIZE, length);
        byte[] after = segment.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        byte[] expected = input.clone();
        assertEquals(field + 2 <= length, completed, "refused exactly when the field is outside the frame");
        if (completed) {
            int checksum = ~sum(input, VirtioNetHeader.SIZE + start, length - start) & 0xffff;
            checksum = checksum == 0 ? 0xffff : checksum;
            expected[VirtioNetHeader.SIZE + field] = (byte) (checksum >>> 8);
            expected[VirtioNetHeader.SIZE + field + 1] = (byte) checksum;
        }
        assertArrayEquals(expected, after);
    }

    /** RFC 1071's sum of {@code length} bytes at {@code from}, an odd last byte padded with zero. */
    private static int sum(byte[] bytes, int from, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += (bytes[from + i] & 0xff) << 8 | (bytes[from + i + 1] & 0xff);
        }
        if ((length & 1) != 0) {
            sum += (bytes[from + length - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** A plain frame, a UDP frame with its checksum partial (csum_start 34, offset 6), GSO TCP; corpus files. */
    @Test
    void seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(header(0, 0, 0, 0, 0, 60));
        seeds.add(header(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 42, 34, 6, 70));
        seeds.add(header(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, 34, 16, 1514));
        seeds.add(header(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 14));
        for (byte[] seed : FuzzCorpus.maybeWrite(VirtioNetHeaderFuzzTest.class,
                "headerFieldsAndPartialChecksumStayInsideTheFrame", seeds)) {
            headerFieldsAndPartialChecksumStayInsideTheFrame(seed);
        }
    }

    private static byte[] header(int flags, int gsoType, int hdrLen, int csumStart, int csumOffset, int frame) {
        byte[] input = new byte[VirtioNetHeader.SIZE + frame];
        input[0] = (byte) flags;
        input[1] = (byte) gsoType;
        input[2] = (byte) hdrLen;
        input[6] = (byte) csumStart;
        input[8] = (byte) csumOffset;
        Arrays.fill(input, VirtioNetHeader.SIZE + 14, input.length, (byte) 0x5a);
        input[VirtioNetHeader.SIZE + 12] = 0x08;
        return input;
    }
}
