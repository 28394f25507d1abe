package io.sluice.graph.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.PacketCapture.CaptureRequest;
import io.sluice.packet.api.BufferPool;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frame through two nodes that drop for different reasons: each dropped packet's pcapng comment names the
 * counter that counted it, as errors:show names it, read back by PcapngReader and by tshark.
 */
class PcapDropErrorTest {

    /** Length of the packets the classifier drops as runts, of those the filter denies, of those it drops unstamped. */
    private static final int RUNT = 40;
    private static final int DENIED = 80;
    private static final int UNSTAMPED = 90;
    private static final int RESTAMPED = 95;

    @TempDir
    Path directory;

    private GraphHarness harness;

    @BeforeEach
    void setUp() {
        harness = new GraphHarness(directory);
        harness.add(new Classifier()).add(new Filter());
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    enum ClassifierError implements NodeError {
        SEEN("packets classified"),
        TOO_SHORT("packets shorter than the test's minimum");

        private final String description;

        ClassifierError(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    enum FilterError implements NodeError {
        PERMITTED("packets let through"),
        TEST_DENY("packets denied by the test's rule"),
        UNSTAMPED("packets dropped without a stamp");

        private final String description;

        FilterError(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    /** Drops runts (stamped too-short); every other packet goes to the filter; stamps the RESTAMPED ones anyway. */
    static final class Classifier implements Node {
        static final int NEXT_DROP = 0;
        static final int NEXT_FILTER = 1;
        private static final NodeRegistration REGISTRATION = NodeRegistration.internal("test-classify",
                List.of(GraphRuntime.ERROR_DROP, "test-filter"), List.of(ClassifierError.values()), null);

        @Override
        public NodeRegistration registration() {
            return REGISTRATION;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            int n = frame.count();
            int[] buffers = frame.buffers();
            int[] nexts = frame.nexts();
            BufferPool pool = context.pool();
            long runts = 0;
            for (int i = 0; i < n; i++) {
                int bi = buffers[i];
                int length = pool.length(bi);
                if (length == RUNT) {
                    nexts[i] = NEXT_DROP;
                    context.stampError(bi, ClassifierError.TOO_SHORT.ordinal());
                    runts++;
                } else {
                    if (length == RESTAMPED) {
                        // A stamp left on a packet that goes on: the node that drops it later must not inherit it.
                        context.stampError(bi, ClassifierError.TOO_SHORT.ordinal());
                    }
                    nexts[i] = NEXT_FILTER;
                }
            }
            context.countError(ClassifierError.SEEN.ordinal(), n);
            context.countError(ClassifierError.TOO_SHORT.ordinal(), runts);
            return n;
        }
    }

    /** Denies DENIED-long packets (stamped), drops UNSTAMPED- and RESTAMPED-long ones without a stamp. */
    static final class Filter implements Node {
        static final int NEXT_DROP = 0;
        private static final NodeRegistration REGISTRATION = NodeRegistration.internal("test-filter",
                List.of(GraphRuntime.ERROR_DROP), List.of(FilterError.values()), null);

        @Override
        public NodeRegistration registration() {
            return REGISTRATION;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            int n = frame.count();
            int[] buffers = frame.buffers();
            int[] nexts = frame.nexts();
            BufferPool pool = context.pool();
            long denied = 0;
            for (int i = 0; i < n; i++) {
                nexts[i] = NEXT_DROP;
                if (pool.length(buffers[i]) == DENIED) {
                    context.stampError(buffers[i], FilterError.TEST_DENY.ordinal());
                    denied++;
                }
            }
            context.countError(FilterError.TEST_DENY.ordinal(), denied);
            context.countError(FilterError.UNSTAMPED.ordinal(), n - denied);
            return n;
        }
    }

    private void captureOneFrame(String file) {
        harness.engine().startCapture(new CaptureRequest(ArmedCapture.DROP, ArmedCapture.ANY_INTERFACE, 10, file,
                2048));
        harness.inject("test-classify", new byte[RUNT], 1, false);
        harness.inject("test-classify", new byte[DENIED], 1, false);
        harness.inject("test-classify", new byte[UNSTAMPED], 1, false);
        harness.inject("test-classify", new byte[RESTAMPED], 1, false);
        harness.inject("test-classify", new byte[RUNT], 2, false);
        harness.run();
        harness.engine().stopCapture();
    }

    @Test
    void eachDropNamesTheCounterThatCountedItAsErrorsShowDoes() throws Exception {
        captureOneFrame("errors.pcapng");

        List<PcapngReader.Packet> packets = PcapngReader.read(directory.resolve("errors.pcapng")).packets();
        assertEquals(5, packets.size());
        assertEquals(List.of("dropped by test-classify: too-short", "dropped by test-classify: too-short",
                        "dropped by test-filter: test-deny", "dropped by test-filter", "dropped by test-filter"),
                packets.stream().sorted((a, b) -> Integer.compare(a.originalLength(), b.originalLength()))
                        .map(PcapngReader.Packet::comment).toList(),
                "by length: two runts, the denied packet, the unstamped one and the one whose stamp was stale");
        // The name in the comment is errors:show's node and counter, and that counter counted the packet.
        for (String counter : List.of("test-classify: too-short", "test-filter: test-deny")) {
            ErrorCount shown = harness.engine().errors().stream()
                    .filter(e -> (e.node() + ": " + e.error()).equals(counter)).findFirst().orElseThrow();
            assertTrue(shown.count() > 0, counter);
        }
        assertEquals(0, harness.outstanding(), "captured drops are still freed");
    }

    @Test
    void tsharkReadsTheCounterNamesFromTheComments() throws Exception {
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v tshark").start().waitFor() == 0,
                "tshark is not installed (./sluice test installs it)");
        captureOneFrame("tshark-errors.pcapng");
        Process tshark = new ProcessBuilder("tshark", "-r", directory.resolve("tshark-errors.pcapng").toString(),
                "-T", "fields", "-e", "frame.len", "-e", "frame.comment").redirectErrorStream(true).start();
        String out = new String(tshark.getInputStream().readAllBytes()).trim();
        assertEquals(0, tshark.waitFor(), out);
        List<String> lines = out.lines().filter(line -> line.matches("\\d+\t.*")).sorted().toList();
        assertEquals(List.of("40\tdropped by test-classify: too-short", "40\tdropped by test-classify: too-short",
                "80\tdropped by test-filter: test-deny", "90\tdropped by test-filter", "95\tdropped by test-filter"),
                lines, out);
    }
}
