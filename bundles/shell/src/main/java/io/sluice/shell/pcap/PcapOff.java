package io.sluice.shell.pcap;

import io.sluice.graph.api.PacketCapture;
import io.sluice.graph.api.PacketCapture.CaptureStatus;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** VPP's {@code pcap trace off}: stops the capture, flushes and closes the file, says what it holds. */
@Command(scope = "pcap", name = "off", description = "Stops the packet capture, closes its file and prints the counts")
@Service
public class PcapOff implements Action {

    @Reference
    PacketCapture capture;

    @Override
    public Object execute() {
        boolean wasActive = capture.captureStatus().active();
        CaptureStatus status = capture.stopCapture();
        if (status.file() == null) {
            System.out.println("no capture is running");
        } else {
            System.out.println((wasActive ? "" : "no capture is running; the last one: ") + CaptureLines.written(status));
        }
        return null;
    }
}
