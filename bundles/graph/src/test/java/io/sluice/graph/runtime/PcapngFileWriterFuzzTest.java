package io.sluice.graph.runtime;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.CaptureRing;
import io.sluice.graph.testkit.FuzzCorpus;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing (issue 18) of the capture's pcapng writer: packets of any length up to and past the
 * snaplen, on any interface (its name any text, as an operator may name a port), at any capture point, through
 * the {@link CaptureRing} the workers fill. The file must read back (every block's two lengths agree, options
 * inside their blocks) with each packet's bytes, lengths and direction, and names that are valid UTF-8 prefixes
 * of the interface's name (an option is cut at 256 bytes).
 *
 * <p>Input: byte 0 the snaplen's scale, byte 1 the name's length, the name, then packets each introduced by
 * three bytes (interface, point, length).
 */
class PcapngFileWriterFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void everyCaptureReadsBack(byte[] input) throws IOException {
        if (input.length < 2) {
            return;
        }
        int snaplen = 1 + (input[0] & 0xff) * 8;
        int nameLength = Math.min(input[1] & 0xff, input.length - 2);
        String name = new String(input, 2, nameLength, StandardCharsets.UTF_8);
        Path file = Files.createTempFile("fuzz", ".pcapng");
        try (CaptureRing ring = new CaptureRing(16, snaplen, Long.MAX_VALUE)) {
            byte[][] packets = new byte[16][];
            int[] points = new int[16];
            int[] interfaces = new int[16];
            int count = 0;
            int at = 2 + nameLength;
            while (at + 3 <= input.length && count < packets.length) {
                interfaces[count] = (input[at] & 0x0f) - 1;
                points[count] = 1 << ((input[at + 1] & 0xff) % 3);
                int length = Math.min((input[at + 2] & 0xff) * 9, input.length - at - 3);
                packets[count] = Arrays.copyOfRange(input, at + 3, at + 3 + length);
                at += 3 + length;
                assertTrue(ring.offer(MemorySegment.ofArray(packets[count]), 0, length, interfaces[count],
                        points[count], points[count] == ArmedCapture.DROP ? count - 1 : -1));
                count++;
            }
            try (PcapngFileWriter writer = new PcapngFileWriter(file, snaplen, sw -> sw < 0 ? "none" : name + sw,
                    slot -> "node" + slot)) {
                for (int i = 0; i < ring.available(); i++) {
                    writer.write(ring.segment(), ring.peek(i));
                }
            }
            PcapngReader pcap = PcapngReader.read(file);
            assertEquals(count, pcap.packets().size());
            for (int i = 0; i < count; i++) {
                PcapngReader.Packet packet = pcap.packets().get(i);
                assertArrayEquals(PcapngReader.prefix(packets[i], snaplen), packet.bytes());
                assertEquals(packets[i].length, packet.originalLength());
                assertEquals(points[i] == ArmedCapture.TX ? PcapngFileWriter.EPB_FLAGS_OUTBOUND
                        : PcapngFileWriter.EPB_FLAGS_INBOUND, packet.flags() & 3);
                String written = pcap.interfaces().get(packet.interfaceId()).name();
                String expected = interfaces[i] < 0 ? "none" : name + interfaces[i];
                assertTrue(expected.startsWith(written) && !written.isEmpty() == !expected.isEmpty(),
                        "interface name '" + expected + "' written as '" + written + "'");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The committed seeds pass too (and are rewritten with -Dsluice.fuzz.writeCorpus=true). */
    @Test
    void seeds() throws IOException {
        // snaplen 2049 (byte 0 = 0xff... scaled) with three packets, a long non-ASCII name cut inside a character
        byte[] name = "GigabitEthernet0/8/0-\u00e9t\u00e9-\u4e2d\u6587".repeat(9).getBytes(StandardCharsets.UTF_8);
        byte[] named = new byte[2 + Math.min(255, name.length) + 3 * (3 + 18)];
        named[0] = 8;
        named[1] = (byte) Math.min(255, name.length);
        System.arraycopy(name, 0, named, 2, named[1] & 0xff);
        for (int p = 0, at = 2 + (named[1] & 0xff); p < 3; p++, at += 21) {
            named[at] = (byte) (p + 1);
            named[at + 1] = (byte) p;
            named[at + 2] = 2;
        }
        byte[] short0 = {0, 4, 't', 'a', 'p', '2', 0, 0, 1, (byte) 0x45};
        for (byte[] seed : FuzzCorpus.maybeWrite(PcapngFileWriterFuzzTest.class, "everyCaptureReadsBack",
                List.of(named, short0))) {
            everyCaptureReadsBack(seed);
        }
    }
}
