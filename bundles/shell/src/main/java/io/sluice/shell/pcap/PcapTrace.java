package io.sluice.shell.pcap;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.PacketCapture;
import io.sluice.graph.api.PacketCapture.CaptureRequest;
import io.sluice.graph.api.PacketCapture.CaptureStatus;
import io.sluice.shell.vnet.InterfaceNameCompleter;
import io.sluice.vnet.api.InterfaceTable;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * VPP's {@code pcap trace rx tx drop max N intfc <if>|any file <name>}: packets seen at rx, tx and error-drop
 * written to a pcapng file under {@code ${karaf.data}/pcap/}. It stops by itself after {@code --max} packets.
 */
@Command(scope = "pcap", name = "trace", description = "Captures packets at rx, tx and/or drop into a pcapng file "
        + "under data/pcap/ (stops after --max packets, or at pcap:off)")
@Service
public class PcapTrace implements Action {

    @Reference
    PacketCapture capture;

    @Reference
    InterfaceTable interfaces;

    @Option(name = "--rx", description = "Capture what interfaces receive")
    boolean rx;

    @Option(name = "--tx", description = "Capture what interfaces transmit")
    boolean tx;

    @Option(name = "--drop", description = "Capture what error-drop frees")
    boolean drop;

    @Option(name = "--max", description = "Packets to write before the capture stops by itself (default 100)")
    long max = CaptureRequest.DEFAULT_MAX_PACKETS;

    @Option(name = "--interface", description = "An interface name, or any (the default)")
    @Completion(InterfaceNameCompleter.class)
    String interfaceName = CaptureLines.ANY;

    @Option(name = "--file", description = "A file name (no '/' or '..') under data/pcap/ (default: the points, e.g. rx-tx.pcapng)")
    String file;

    @Override
    public Object execute() {
        int points = (rx ? ArmedCapture.RX : 0) | (tx ? ArmedCapture.TX : 0) | (drop ? ArmedCapture.DROP : 0);
        if (points == 0) {
            throw new IllegalArgumentException("choose what to capture: --rx, --tx and/or --drop");
        }
        int sw = ArmedCapture.ANY_INTERFACE;
        if (!CaptureLines.ANY.equals(interfaceName)) {
            sw = interfaces.find(interfaceName);
            if (sw < 0) {
                throw new IllegalArgumentException("no interface " + interfaceName);
            }
        }
        String name = file != null ? file : CaptureLines.points(points).replace(' ', '-') + ".pcapng";
        CaptureStatus status = capture.startCapture(new CaptureRequest(points, sw, max, name,
                CaptureRequest.DEFAULT_SNAPLEN));
        System.out.println("capturing " + CaptureLines.points(points) + " on " + interfaceName + ", max "
                + max + " packets, into " + status.file());
        return null;
    }
}
