package io.sluice.graph.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.PacketCapture.CaptureRequest;
import io.sluice.graph.api.PacketCapture.CaptureStatus;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packet capture at error-drop into a pcap file, read back by an independent reader. */
class PcapRecorderTest {

    @TempDir
    Path directory;

    private GraphHarness harness;

    @BeforeEach
    void setUp() {
        harness = new GraphHarness(directory);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    private static byte[] packet(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 31 + i);
        }
        return bytes;
    }

    private CaptureRequest drops(int swIfIndex, long max, String file, int snaplen) {
        return new CaptureRequest(ArmedCapture.DROP, swIfIndex, max, file, snaplen);
    }

    @Test
    void droppedPacketsAreWrittenAsAnEthernetPcapWithTheirLengthsAndBytes() throws Exception {
        CaptureStatus started = harness.engine().startCapture(drops(ArmedCapture.ANY_INTERFACE, 10, "drops.pcap", 64));
        assertTrue(started.active());
        byte[] a = packet(60, 1);
        byte[] b = packet(100, 2);
        harness.inject(GraphRuntime.ERROR_DROP, a, 1, false);
        harness.inject(GraphRuntime.ERROR_DROP, b, 2, false);
        harness.run();
        CaptureStatus stopped = harness.engine().stopCapture();

        assertFalse(stopped.active());
        assertEquals(2, stopped.written());
        assertEquals(0, stopped.ringFull());
        Path file = directory.resolve("drops.pcap");
        assertEquals(file.toString(), stopped.file());
        PcapngReader pcap = PcapngReader.read(file);
        assertEquals(1, pcap.versionMajor());
        assertEquals(0, pcap.versionMinor());
        assertEquals("Sluice", pcap.application());
        assertEquals(2, pcap.interfaces().size(), "one interface block per interface seen");
        for (PcapngReader.Interface described : pcap.interfaces()) {
            assertEquals(1, described.linkType(), "LINKTYPE_ETHERNET");
            assertEquals(64, described.snaplen());
            assertEquals(9, described.tsResolution(), "nanosecond timestamps");
        }
        assertEquals("sw_if_index 1", pcap.interfaces().get(0).name());
        assertEquals("sw_if_index 2", pcap.interfaces().get(1).name());
        assertEquals(2, pcap.packets().size());
        assertEquals(0, pcap.packets().get(0).interfaceId());
        assertEquals(1, pcap.packets().get(1).interfaceId());
        assertEquals(60, pcap.packets().get(0).capturedLength());
        assertEquals(60, pcap.packets().get(0).originalLength());
        assertArrayEquals(a, pcap.packets().get(0).bytes());
        assertEquals(64, pcap.packets().get(1).capturedLength(), "cut at the snaplen");
        assertEquals(100, pcap.packets().get(1).originalLength());
        assertArrayEquals(PcapngReader.prefix(b, 64), pcap.packets().get(1).bytes());
        assertEquals(PcapngFileWriter.EPB_FLAGS_INBOUND, pcap.packets().get(0).flags() & 3, "a drop was received");
        assertEquals("dropped", pcap.packets().get(0).comment(), "injected straight into error-drop: no node");
        long now = System.currentTimeMillis() / 1000;
        assertTrue(Math.abs(pcap.packets().get(0).seconds() - now) < 60, "wall-clock timestamps");
        assertEquals(0, harness.outstanding(), "captured drops are still freed");
    }

    @Test
    void aDropNamesTheNodeThatDroppedItAndTheInterfaceItCameIn() throws Exception {
        harness.engine().addNode(new TestNodes.Pass("acl-test-deny", GraphRuntime.ERROR_DROP));
        harness.engine().setTraceContext(sw -> sw == 7 ? "tap7" : "sw_if_index " + sw);
        harness.engine().startCapture(drops(ArmedCapture.ANY_INTERFACE, 10, "named.pcapng", 2048));
        harness.inject("acl-test-deny", packet(60, 1), 7, false);
        harness.inject("acl-test-deny", packet(61, 2), 7, false);
        harness.run();
        harness.engine().stopCapture();

        PcapngReader pcap = PcapngReader.read(directory.resolve("named.pcapng"));
        assertEquals(1, pcap.interfaces().size());
        assertEquals("tap7", pcap.interfaces().get(0).name());
        assertEquals(2, pcap.packets().size());
        for (PcapngReader.Packet dropped : pcap.packets()) {
            assertEquals("dropped by acl-test-deny", dropped.comment());
            assertEquals(0, dropped.interfaceId());
        }
        assertEquals(0, harness.outstanding());
    }

    @Test
    void theFileIsReadByTsharkWithItsInterfacesAndComments() throws Exception {
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v tshark").start().waitFor() == 0,
                "tshark is not installed (./sluice test installs it)");
        harness.engine().addNode(new TestNodes.Pass("acl-test-deny", GraphRuntime.ERROR_DROP));
        harness.engine().setTraceContext(sw -> sw == 7 ? "tap7" : "sw_if_index " + sw);
        harness.engine().startCapture(drops(ArmedCapture.ANY_INTERFACE, 10, "tshark.pcapng", 2048));
        harness.inject("acl-test-deny", packet(60, 1), 7, false);
        harness.run();
        harness.engine().stopCapture();
        Process tshark = new ProcessBuilder("tshark", "-r", directory.resolve("tshark.pcapng").toString(), "-T",
                "fields", "-e", "frame.interface_name", "-e", "frame.comment", "-e", "frame.len")
                .redirectErrorStream(true).start();
        String out = new String(tshark.getInputStream().readAllBytes()).trim();
        assertEquals(0, tshark.waitFor(), out);
        assertEquals("tap7\tdropped by acl-test-deny\t60", out.lines().reduce((x, y) -> y).orElse(""), out);
    }

    @Test
    void onlyTheChosenInterfaceIsCaptured() throws Exception {
        harness.engine().startCapture(drops(2, 10, "sw2.pcap", 2048));
        harness.inject(GraphRuntime.ERROR_DROP, packet(60, 1), 1, false);
        harness.inject(GraphRuntime.ERROR_DROP, packet(70, 2), 2, false);
        harness.inject(GraphRuntime.ERROR_DROP, packet(80, 3), 3, false);
        harness.run();
        harness.engine().stopCapture();

        PcapngReader pcap = PcapngReader.read(directory.resolve("sw2.pcap"));
        assertEquals(1, pcap.packets().size());
        assertArrayEquals(packet(70, 2), pcap.packets().get(0).bytes());
    }

    @Test
    void maxPacketsStopsTheCaptureByItself() throws Exception {
        harness.engine().startCapture(drops(ArmedCapture.ANY_INTERFACE, 3, "max.pcap", 2048));
        for (int i = 0; i < 8; i++) {
            harness.inject(GraphRuntime.ERROR_DROP, packet(60, i), 1, false);
        }
        harness.run();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (harness.engine().captureStatus().active() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        CaptureStatus status = harness.engine().captureStatus();
        assertFalse(status.active(), "stopped after max packets");
        assertEquals(3, status.written());
        assertEquals(3, PcapngReader.read(directory.resolve("max.pcap")).packets().size());
        // off after it stopped by itself: nothing more to do, the last capture's status
        assertEquals(3, harness.engine().stopCapture().written());
    }

    @Test
    void aRingTheDrainerCannotEmptyInTimeCountsWhatItRefused() throws Exception {
        harness.engine().startCapture(drops(ArmedCapture.ANY_INTERFACE, 1_000_000, "full.pcap", 2048));
        int sent = 0;
        // one frame of error-drop per run: more than a ring holds goes in between two drains only sometimes, so
        // inject several rings' worth at once
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < PcapRecorder.RING_RECORDS + 200; i++) {
                harness.inject(GraphRuntime.ERROR_DROP, packet(60, i), 1, false);
                sent++;
                if (i % 256 == 255) {
                    harness.run();
                }
            }
            harness.run();
        }
        CaptureStatus status = harness.engine().stopCapture();
        assertEquals(sent, status.written() + status.ringFull(), "every packet written or counted as refused");
        assertEquals(status.written(), PcapngReader.read(directory.resolve("full.pcap")).packets().size());
    }

    @Test
    void aNameThatIsNoPlainFileNameIsRefused() {
        for (String name : new String[] {"../escape.pcap", "a/b.pcap", "..", "/etc/passwd", "", "x\\y"}) {
            assertThrows(IllegalArgumentException.class,
                    () -> harness.engine().startCapture(drops(ArmedCapture.ANY_INTERFACE, 1, name, 2048)), name);
        }
        assertFalse(harness.engine().captureStatus().active());
        assertFalse(Files.exists(directory.resolveSibling("escape.pcap")));
    }

    @Test
    void aSecondCaptureIsRefusedWhileOneRuns() {
        harness.engine().startCapture(drops(ArmedCapture.ANY_INTERFACE, 10, "one.pcap", 2048));
        assertThrows(IllegalStateException.class,
                () -> harness.engine().startCapture(drops(ArmedCapture.ANY_INTERFACE, 10, "two.pcap", 2048)));
        harness.engine().stopCapture();
        assertFalse(Files.exists(directory.resolve("two.pcap")));
    }
}
