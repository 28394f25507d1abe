package io.sluice.graph.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        PcapReader pcap = PcapReader.read(file);
        assertEquals(0xa1b2c3d4, pcap.magic());
        assertEquals(2, pcap.versionMajor());
        assertEquals(4, pcap.versionMinor());
        assertEquals(64, pcap.snaplen());
        assertEquals(1, pcap.linkType(), "LINKTYPE_ETHERNET");
        assertEquals(2, pcap.packets().size());
        assertEquals(60, pcap.packets().get(0).capturedLength());
        assertEquals(60, pcap.packets().get(0).originalLength());
        assertArrayEquals(a, pcap.packets().get(0).bytes());
        assertEquals(64, pcap.packets().get(1).capturedLength(), "cut at the snaplen");
        assertEquals(100, pcap.packets().get(1).originalLength());
        assertArrayEquals(PcapReader.prefix(b, 64), pcap.packets().get(1).bytes());
        long now = System.currentTimeMillis() / 1000;
        assertTrue(Math.abs(pcap.packets().get(0).seconds() - now) < 60, "wall-clock timestamps");
        assertEquals(0, harness.outstanding(), "captured drops are still freed");
    }

    @Test
    void onlyTheChosenInterfaceIsCaptured() throws Exception {
        harness.engine().startCapture(drops(2, 10, "sw2.pcap", 2048));
        harness.inject(GraphRuntime.ERROR_DROP, packet(60, 1), 1, false);
        harness.inject(GraphRuntime.ERROR_DROP, packet(70, 2), 2, false);
        harness.inject(GraphRuntime.ERROR_DROP, packet(80, 3), 3, false);
        harness.run();
        harness.engine().stopCapture();

        PcapReader pcap = PcapReader.read(directory.resolve("sw2.pcap"));
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
        assertEquals(3, PcapReader.read(directory.resolve("max.pcap")).packets().size());
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
        assertEquals(status.written(), PcapReader.read(directory.resolve("full.pcap")).packets().size());
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
