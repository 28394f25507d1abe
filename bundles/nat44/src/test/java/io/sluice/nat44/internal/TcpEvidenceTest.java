package io.sluice.nat44.internal;

import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Tcp;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static io.sluice.nat44.internal.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * RFC 5961's idea in nat44-out2in: a RST or FIN from outside moves an established session's state only when its
 * sequence number lies in the window the inside host advertised; any other is dropped, counted as
 * tcp-out-of-window, and the session stays established with its long timeout.
 */
class TcpEvidenceTest {
    private static final String POD = "10.1.1.3";
    private static final String SERVER = "31.134.97.51";
    private static final int POD_PORT = 41000;
    private static final int POD_ISN = 0x10000000;
    private static final int SERVER_ISN = 0x70000000;
    private static final long ESTABLISHED_MILLIS = 7_440_000;
    private static final long TRANSITORY_MILLIS = 240_000;

    /** The pod's connection through the NAT, handshake done: returns the session; the outside port in {@code port[0]}. */
    private static int established(TestBed bed, int[] port) {
        bed.sendOut(tcp(POD, POD_PORT, SERVER, 80, Tcp.FLAG_SYN, POD_ISN, 0, 64240), TestBed.TAP2);
        port[0] = Tcp.srcPort(MemorySegment.ofArray(bed.gbeOutput.getLast().bytes()), 34);
        bed.receive(tcp(SERVER, 80, "192.168.16.1", port[0], Tcp.FLAG_SYN | Tcp.FLAG_ACK, SERVER_ISN, POD_ISN + 1,
                65160), TestBed.GBE);
        bed.sendOut(tcp(POD, POD_PORT, SERVER, 80, Tcp.FLAG_ACK, POD_ISN + 1, SERVER_ISN + 1, 502), TestBed.TAP2);
        int s = bed.dataplane.table().lookupIn2Out(SessionTable.key(ip(POD), POD_PORT, 6), ip(SERVER), 80);
        assertEquals("established", TcpTracker.name(bed.dataplane.table().tcpState(s)));
        return s;
    }

    @Test
    void spoofedRstsAndFinsOutOfTheWindowLeaveTheSessionEstablished() {
        try (TestBed bed = TestBed.inMemory()) {
            int[] port = new int[1];
            int s = established(bed, port);
            long t0 = bed.clock.get();
            int delivered = bed.lookup.size();
            java.util.SplittableRandom random = new java.util.SplittableRandom(5961);
            int sent = 0;
            for (int i = 0; i < 200; i++) {
                int seq = random.nextInt();
                if (Math.abs((long) (seq - (SERVER_ISN + 1))) <= TcpWindows.MIN_WINDOW) {
                    continue;
                }
                int flags = i % 2 == 0 ? Tcp.FLAG_RST : Tcp.FLAG_FIN | Tcp.FLAG_ACK;
                bed.receive(tcp(SERVER, 80, "192.168.16.1", port[0], flags, seq, POD_ISN + 1, 65160), TestBed.GBE);
                sent++;
            }
            assertEquals(sent, bed.error(Nat44Out2InNode.NAME, "tcp-out-of-window"));
            assertEquals(delivered, bed.lookup.size(), "none of them reached the pod");
            assertEquals("established", TcpTracker.name(bed.dataplane.table().tcpState(s)));
            assertEquals(t0 + ESTABLISHED_MILLIS, bed.dataplane.table().expiresAt(s), "the long timeout stays");

            bed.receive(tcp(SERVER, 80, "192.168.16.1", port[0], Tcp.FLAG_ACK | Tcp.FLAG_PSH, SERVER_ISN + 1,
                    POD_ISN + 1, 65160), TestBed.GBE);
            assertEquals(delivered + 1, bed.lookup.size(), "the connection's data still passes");
        }
    }

    @Test
    void aRstInTheWindowClosesTheSession() {
        try (TestBed bed = TestBed.inMemory()) {
            int[] port = new int[1];
            int s = established(bed, port);
            long t0 = bed.clock.get();
            int delivered = bed.lookup.size();
            // Data in flight the pod has not acknowledged yet: the RST comes after it.
            bed.receive(tcp(SERVER, 80, "192.168.16.1", port[0], Tcp.FLAG_RST, SERVER_ISN + 1 + 1000, 0, 0),
                    TestBed.GBE);
            assertEquals(delivered + 1, bed.lookup.size(), "the RST reaches the pod");
            assertEquals("reset", TcpTracker.name(bed.dataplane.table().tcpState(s)));
            assertEquals(t0 + TRANSITORY_MILLIS, bed.dataplane.table().expiresAt(s));
            assertEquals(0, bed.error(Nat44Out2InNode.NAME, "tcp-out-of-window"));
        }
    }

    @Test
    void aFinInTheWindowMovesTheSessionToClosing() {
        try (TestBed bed = TestBed.inMemory()) {
            int[] port = new int[1];
            int s = established(bed, port);
            bed.receive(tcp(SERVER, 80, "192.168.16.1", port[0], Tcp.FLAG_FIN | Tcp.FLAG_ACK, SERVER_ISN + 1,
                    POD_ISN + 1, 65160), TestBed.GBE);
            assertEquals("closing", TcpTracker.name(bed.dataplane.table().tcpState(s)));
            assertEquals(0, bed.error(Nat44Out2InNode.NAME, "tcp-out-of-window"));
        }
    }

    @Test
    void theWindowScaleOfThePodsSynWidensTheWindow() {
        try (TestBed bed = TestBed.inMemory()) {
            byte[] syn = tcpWithWindowScale(POD, POD_PORT, SERVER, 80, POD_ISN, 7);
            bed.sendOut(syn, TestBed.TAP2);
            int port = Tcp.srcPort(MemorySegment.ofArray(bed.gbeOutput.getLast().bytes()), 34);
            bed.receive(tcp(SERVER, 80, "192.168.16.1", port, Tcp.FLAG_SYN | Tcp.FLAG_ACK, SERVER_ISN, POD_ISN + 1,
                    65160), TestBed.GBE);
            bed.sendOut(tcp(POD, POD_PORT, SERVER, 80, Tcp.FLAG_ACK, POD_ISN + 1, SERVER_ISN + 1, 1000), TestBed.TAP2);
            int s = bed.dataplane.table().lookupIn2Out(SessionTable.key(ip(POD), POD_PORT, 6), ip(SERVER), 80);
            TcpWindows windows = bed.dataplane.table().tcpWindows();
            assertEquals(true, windows.inWindow(s, SERVER_ISN + 1 + 1000 * 128), "1000 << 7 bytes ahead: in");
            assertEquals(false, windows.inWindow(s, SERVER_ISN + 1 + 1000 * 128 + 1), "one more: out");
            assertEquals(true, windows.inWindow(s, SERVER_ISN + 1 - 65535), "an older ACK's RST, within 64 KiB");
        }
    }

    @Test
    void aSessionWhoseWindowIsUnknownRefusesOutsideRsts() {
        try (TestBed bed = TestBed.inMemory()) {
            int[] port = new int[1];
            int s = established(bed, port);
            bed.dataplane.table().tcpWindows().forget(s); // as after a restart: the windows are not in the file
            bed.receive(tcp(SERVER, 80, "192.168.16.1", port[0], Tcp.FLAG_RST, SERVER_ISN + 1, 0, 0), TestBed.GBE);
            assertEquals(1, bed.error(Nat44Out2InNode.NAME, "tcp-out-of-window"), "no evidence, no state change");
            assertEquals("established", TcpTracker.name(bed.dataplane.table().tcpState(s)));
            bed.sendOut(tcp(POD, POD_PORT, SERVER, 80, Tcp.FLAG_ACK, POD_ISN + 1, SERVER_ISN + 1, 502), TestBed.TAP2);
            bed.receive(tcp(SERVER, 80, "192.168.16.1", port[0], Tcp.FLAG_RST, SERVER_ISN + 1, 0, 0), TestBed.GBE);
            assertEquals("reset", TcpTracker.name(bed.dataplane.table().tcpState(s)), "the pod's next segment tells");
        }
    }

    @Test
    void theWindowScaleOptionIsReadWithinTheHeaderOnly() {
        byte[] syn = tcpWithWindowScale(POD, POD_PORT, SERVER, 80, POD_ISN, 9);
        MemorySegment seg = MemorySegment.ofArray(syn);
        long tcp = Frames.ETH + 20;
        assertEquals(9, TcpWindows.windowScale(seg, tcp, syn.length));
        assertEquals(0, TcpWindows.windowScale(seg, tcp, tcp + 22), "cut short by the packet's end");
        syn[(int) tcp + 23] = 30;
        assertEquals(TcpWindows.MAX_SHIFT, TcpWindows.windowScale(seg, tcp, syn.length), "RFC 7323: at most 14");
    }

    static byte[] tcp(String src, int sport, String dst, int dport, int flags, int seq, int ack, int window) {
        byte[] frame = Frames.tcp(src, sport, dst, dport, flags);
        MemorySegment s = MemorySegment.ofArray(frame);
        Tcp.setSeq(s, Frames.ETH + 20, seq);
        Tcp.setAck(s, Frames.ETH + 20, ack);
        Tcp.setWindow(s, Frames.ETH + 20, window);
        Checksum.setTcpChecksum(s, Frames.ETH);
        return frame;
    }

    /** A SYN with options NOP, window scale {@code shift} (RFC 7323), then END: a 24-byte header. */
    private static byte[] tcpWithWindowScale(String src, int sport, String dst, int dport, int seq, int shift) {
        byte[] frame = Frames.ipv4(6, src, dst, 24);
        MemorySegment s = MemorySegment.ofArray(frame);
        long tcp = Frames.ETH + 20;
        Tcp.setSrcPort(s, tcp, sport);
        Tcp.setDstPort(s, tcp, dport);
        Tcp.setSeq(s, tcp, seq);
        Tcp.setDataOffset(s, tcp, 6);
        Tcp.setFlags(s, tcp, Tcp.FLAG_SYN);
        Tcp.setWindow(s, tcp, 64240);
        frame[(int) tcp + 20] = 1;
        frame[(int) tcp + 21] = 3;
        frame[(int) tcp + 22] = 3;
        frame[(int) tcp + 23] = (byte) shift;
        Checksum.setTcpChecksum(s, Frames.ETH);
        return frame;
    }
}
