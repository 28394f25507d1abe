package io.sluice.graph.api;

/**
 * VPP's {@code pcap trace rx tx drop max N intfc <if>|any file <name>}, {@code pcap trace off} and
 * {@code pcap trace status}: packets seen at interface rx, tx and error-drop written to a libpcap file
 * (LINKTYPE_ETHERNET). The workers copy into rings; a control-plane thread writes the file.
 */
public interface PacketCapture {

    /** Starts a capture; refused while one runs or when the file name is not a plain name. */
    CaptureStatus startCapture(CaptureRequest request);

    /** Stops the capture, flushes and closes its file: the status says what was written. */
    CaptureStatus stopCapture();

    /** The capture in progress, or the last one. */
    CaptureStatus captureStatus();

    /**
     * {@code points}: {@link ArmedCapture#RX}, {@link ArmedCapture#TX}, {@link ArmedCapture#DROP} ORed;
     * {@code swIfIndex}: {@link ArmedCapture#ANY_INTERFACE} for all; {@code file}: a name without {@code /}
     * or {@code ..}, under the capture directory; {@code snaplen}: bytes kept of each packet.
     */
    record CaptureRequest(int points, int swIfIndex, long maxPackets, String file, int snaplen) {
        public static final int DEFAULT_SNAPLEN = 2048;
        public static final long DEFAULT_MAX_PACKETS = 100;
    }

    /**
     * {@code file}: the path written, null before the first capture; {@code written}: packets in the file;
     * {@code ringFull}: packets the workers could not copy because the drainer was behind.
     */
    record CaptureStatus(boolean active, String file, int points, int swIfIndex, long maxPackets, long written,
                         long ringFull) {
    }
}
