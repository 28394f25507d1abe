package io.sluice.shell.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.PacketCapture;
import io.sluice.graph.api.PacketCapture.CaptureRequest;
import io.sluice.graph.api.PacketCapture.CaptureStatus;
import io.sluice.vnet.api.InterfaceTable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** The pcap commands turn the operator's words into a capture request and print what the capture did. */
class PcapCommandsTest {
    private static final int TAP2 = 3;
    private final List<CaptureRequest> requests = new ArrayList<>();
    private CaptureStatus status = new CaptureStatus(false, null, 0, ArmedCapture.ANY_INTERFACE, 0, 0, 0);

    private final PacketCapture capture = (PacketCapture) Proxy.newProxyInstance(PacketCapture.class.getClassLoader(),
            new Class<?>[] {PacketCapture.class}, (proxy, method, arguments) -> switch (method.getName()) {
                case "startCapture" -> {
                    CaptureRequest request = (CaptureRequest) arguments[0];
                    requests.add(request);
                    status = new CaptureStatus(true, "/data/pcap/" + request.file(), request.points(),
                            request.swIfIndex(), request.maxPackets(), 0, 0);
                    yield status;
                }
                case "stopCapture" -> {
                    status = new CaptureStatus(false, status.file(), status.points(), status.swIfIndex(),
                            status.maxPackets(), 12, 1);
                    yield status;
                }
                case "captureStatus" -> status;
                default -> throw new AssertionError("command called " + method.getName());
            });

    private final InterfaceTable interfaces = (InterfaceTable) Proxy.newProxyInstance(
            InterfaceTable.class.getClassLoader(), new Class<?>[] {InterfaceTable.class},
            (proxy, method, arguments) -> switch (method.getName()) {
                case "find" -> "tap2".equals(arguments[0]) ? TAP2 : -1;
                default -> throw new AssertionError("command called " + method.getName());
            });

    private PcapTrace trace() {
        PcapTrace trace = new PcapTrace();
        trace.capture = capture;
        trace.interfaces = interfaces;
        return trace;
    }

    @Test
    void traceAsksForThePointsTheInterfaceTheMaxAndTheFile() throws Exception {
        PcapTrace trace = trace();
        trace.rx = true;
        trace.tx = true;
        trace.max = 50;
        trace.interfaceName = "tap2";
        trace.file = "seed.pcap";
        String out = printed(trace::execute);

        assertEquals(List.of(new CaptureRequest(ArmedCapture.RX | ArmedCapture.TX, TAP2, 50, "seed.pcap",
                CaptureRequest.DEFAULT_SNAPLEN)), requests);
        assertEquals("capturing rx tx on tap2, max 50 packets, into /data/pcap/seed.pcap\n", out);
    }

    @Test
    void traceDefaultsToAnyInterfaceAndAFileNamedAfterThePoints() throws Exception {
        PcapTrace trace = trace();
        trace.drop = true;
        printed(trace::execute);
        assertEquals(new CaptureRequest(ArmedCapture.DROP, ArmedCapture.ANY_INTERFACE,
                CaptureRequest.DEFAULT_MAX_PACKETS, "drop.pcapng", CaptureRequest.DEFAULT_SNAPLEN), requests.get(0));
    }

    @Test
    void traceRefusesNoPointsAndAnUnknownInterface() {
        PcapTrace none = trace();
        assertThrows(IllegalArgumentException.class, none::execute);
        PcapTrace unknown = trace();
        unknown.rx = true;
        unknown.interfaceName = "tap9";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, unknown::execute);
        assertEquals("no interface tap9", e.getMessage());
        assertTrue(requests.isEmpty());
    }

    @Test
    void offPrintsTheFileAndTheCounts() throws Exception {
        PcapOff off = new PcapOff();
        off.capture = capture;
        assertEquals("no capture is running\n", printed(off::execute));
        PcapTrace trace = trace();
        trace.rx = true;
        trace.file = "a.pcap";
        printed(trace::execute);
        assertEquals("/data/pcap/a.pcap: 12 packets written, 1 not captured (ring full)\n", printed(off::execute));
    }

    @Test
    void statusShowsTheCaptureAndItsCounts() throws Exception {
        PcapTrace trace = trace();
        trace.rx = true;
        trace.drop = true;
        trace.file = "s.pcap";
        printed(trace::execute);
        PcapStatus show = new PcapStatus();
        show.capture = capture;
        show.interfaces = interfaces;
        assertEquals("""
                pcap capture: on
                points: rx drop
                interface: any
                file: /data/pcap/s.pcap
                written: 0 of max 100
                ring full: 0
                """, printed(show::execute));
    }

    private static String printed(Callable<Object> execution) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            execution.call();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
