package io.sluice.shell.pcap;

import io.sluice.graph.api.PacketCapture;
import io.sluice.graph.api.PacketCapture.CaptureStatus;
import io.sluice.vnet.api.InterfaceTable;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** VPP's {@code pcap trace status}: the capture running (or the last one), its file and its counts. */
@Command(scope = "pcap", name = "status", description = "Shows the packet capture: points, interface, file, packets "
        + "written, packets not captured because the ring was full")
@Service
public class PcapStatus implements Action {

    @Reference
    PacketCapture capture;

    @Reference
    InterfaceTable interfaces;

    @Override
    public Object execute() {
        CaptureStatus status = capture.captureStatus();
        if (status.file() == null) {
            System.out.println("pcap capture: off, none since the start");
            return null;
        }
        System.out.println("pcap capture: " + (status.active() ? "on" : "off"));
        System.out.println("points: " + CaptureLines.points(status.points()));
        System.out.println("interface: " + CaptureLines.interfaceName(interfaces, status.swIfIndex()));
        System.out.println("file: " + status.file());
        System.out.println("written: " + status.written() + " of max " + status.maxPackets());
        System.out.println("ring full: " + status.ringFull());
        return null;
    }
}
