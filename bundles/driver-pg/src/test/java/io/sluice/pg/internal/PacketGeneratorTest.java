package io.sluice.pg.internal;

import io.sluice.graph.runtime.GraphHarness;
import io.sluice.pg.api.PacketGenerator;
import io.sluice.pg.api.Pcap;
import io.sluice.pg.api.PgStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketGeneratorTest {
    private final GraphHarness harness = new GraphHarness();
    private final PacketGeneratorImpl generator = new PacketGeneratorImpl(harness.engine());

    @AfterEach
    void close() {
        harness.close();
    }

    /** An Ethernet frame carrying an IPv4 header with a marker byte, so frames can be told apart. */
    private static byte[] frame(int marker, int length) {
        byte[] frame = new byte[length];
        frame[12] = 0x08; // EtherType IPv4
        frame[14] = 0x45;
        frame[length - 1] = (byte) marker;
        return frame;
    }

    @Test
    void aStreamSendsItsCountInTurnAndStops() {
        List<GraphHarness.Captured> out = harness.capture("ethernet-input");
        generator.add(new PgStream("s1", List.of(frame(1, 60), frame(2, 70)), 3, 5, 0, "ethernet-input"));
        harness.run();
        assertTrue(out.isEmpty(), "a new stream is disabled");

        generator.enable("s1");
        harness.run();

        assertEquals(5, out.size());
        assertArrayEquals(frame(1, 60), out.get(0).bytes());
        assertArrayEquals(frame(2, 70), out.get(1).bytes());
        assertArrayEquals(frame(1, 60), out.get(4).bytes());
        assertEquals(3, out.get(0).rxSwIfIndex());
        PacketGenerator.StreamStatus status = generator.streams().get(0);
        assertEquals(5, status.sent());
        assertTrue(status.done());
        assertEquals(0, harness.outstanding());
    }

    /** rx-mode: pg-input keeps its worker polling only while a stream has packets to send. */
    @Test
    void pgInputLetsItsWorkerSleepUnlessAStreamHasPacketsLeft() {
        generator.add(new PgStream("s1", List.of(frame(1, 60)), 3, 5, 0, "ethernet-input"));
        int[] fds = new int[4];
        assertEquals(0, generator.inputNode().rxFds(0, fds, 0), "a disabled stream sends nothing");
        generator.enable("s1");
        assertEquals(io.sluice.graph.api.InterruptibleInput.POLLING_ONLY, generator.inputNode().rxFds(0, fds, 0));
        harness.run();
        assertEquals(0, generator.inputNode().rxFds(0, fds, 0), "a stream that sent its count is done");
    }

    @Test
    void aStreamForAnotherNodeAddsAnArcAndBothRun() {
        List<GraphHarness.Captured> ethernet = harness.capture("ethernet-input");
        List<GraphHarness.Captured> ip4 = harness.capture("ip4-input");
        generator.add(new PgStream("l2", List.of(frame(1, 60)), 1, 3, 0, "ethernet-input"));
        generator.add(new PgStream("l3", List.of(frame(2, 60)), 1, 4, 0, "ip4-input"));
        generator.enable("l2");
        generator.enable("l3");
        harness.run();
        assertEquals(3, ethernet.size());
        assertEquals(4, ip4.size());
        assertEquals(0, harness.outstanding());
    }

    @Test
    void theRateBoundsWhatAStreamMaySend() {
        StreamState stream = new StreamState(new PgStream("r", List.of(frame(1, 60)), 1, 0, 1_000_000,
                "ethernet-input"), 0, 0);
        assertEquals(0, stream.budget(256, 1_000_000_000L), "the first call starts the clock");
        assertEquals(100, stream.budget(256, 1_000_100_000L), "100 us at 1 Mpps");
        stream.tokens -= 100;
        assertEquals(256, stream.budget(256, 2_000_000_000L), "a second of idleness allows one frame, not a burst");
        stream.close();
    }

    @Test
    void tracedPacketsShowTheStreamAndTheDecode() {
        harness.capture("ethernet-input");
        generator.add(new PgStream("seed", List.of(frame(1, 60)), 6, 3, 0, "ethernet-input"));
        harness.engine().traceAdd(PacketGenerator.INPUT_NODE, 2);
        generator.enable("seed");
        harness.run();
        String trace = harness.trace();
        assertEquals(2, trace.split("PG: stream seed, 60 bytes, sw_if_index 6", -1).length - 1, trace);
        assertTrue(trace.contains("  IP4: 00:00:00:00:00:00 -> 00:00:00:00:00:00"), trace);
    }

    @Test
    void pcapFilesRoundTripAndBadFilesAreNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("two.pcap");
        Pcap.write(file, List.of(frame(1, 60), frame(2, 1500)));
        List<byte[]> read = Pcap.read(file);
        assertEquals(2, read.size());
        assertArrayEquals(frame(2, 1500), read.get(1));

        Path bad = dir.resolve("bad.pcap");
        java.nio.file.Files.write(bad, new byte[40]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pcap.read(bad));
        assertTrue(e.getMessage().startsWith(bad + ": not a pcap file"), e.getMessage());
    }

    @Test
    void unknownStreamsAndEmptyStreamsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> generator.enable("none"));
        assertEquals("no packet-generator stream named 'none'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PgStream("empty", List.of(), 1, 1, 0, "x"));
    }
}
