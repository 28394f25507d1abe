package io.sluice.shell.pcap;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.PacketCapture.CaptureStatus;
import io.sluice.vnet.api.InterfaceTable;

import java.util.StringJoiner;

/** How the pcap commands name points and interfaces, shared so that trace, off and status read alike. */
final class CaptureLines {

    static final String ANY = "any";

    private CaptureLines() {
    }

    /** {@code rx tx drop}, in that order, for the points set. */
    static String points(int points) {
        StringJoiner out = new StringJoiner(" ");
        if ((points & ArmedCapture.RX) != 0) {
            out.add("rx");
        }
        if ((points & ArmedCapture.TX) != 0) {
            out.add("tx");
        }
        if ((points & ArmedCapture.DROP) != 0) {
            out.add("drop");
        }
        return out.toString();
    }

    static String interfaceName(InterfaceTable interfaces, int swIfIndex) {
        if (swIfIndex == ArmedCapture.ANY_INTERFACE) {
            return ANY;
        }
        String name = interfaces.snapshot().name(swIfIndex);
        return name != null ? name : "sw_if_index " + swIfIndex;
    }

    /** What a stopped capture left: {@code <file>: N packets written, M not captured (ring full)}. */
    static String written(CaptureStatus status) {
        return status.file() + ": " + status.written() + " packets written, " + status.ringFull()
                + " not captured (ring full)";
    }
}
