package io.sluice.ethernet.node;

import io.sluice.graph.runtime.GraphHarness.Captured;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.internal.InterfaceTableImpl;
import io.sluice.vnet.testkit.CapturingDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EthernetInputNodeTest {
    static final long TAP2_MAC = 0x02fe163f5f0fL;
    static final long POD_MAC = 0x000000000002L;

    private GraphHarness h;
    private InterfaceTableImpl interfaces;
    private int tap2;
    private List<Captured> ip4;
    private List<Captured> ip4NoChecksum;
    private List<Captured> arp;

    @BeforeEach
    void setUp() {
        h = new GraphHarness();
        interfaces = new InterfaceTableImpl(h.engine());
        tap2 = interfaces.register(new CapturingDevice("tap2", TAP2_MAC));
        interfaces.setAdminUp(tap2, true);
        h.add(new EthernetInputNode(interfaces));
        ip4 = h.capture("ip4-input");
        ip4NoChecksum = h.capture("ip4-input-no-checksum");
        arp = h.capture("arp-input");
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, h.outstanding(), "buffers leaked");
        h.close();
    }

    @Test
    void ip4ToTheInterfaceMacGoesToIp4InputPastTheHeaderWithOffsetsSet() {
        byte[] frame = Frames.ethernet(TAP2_MAC, POD_MAC, 0x0800, 46);
        frame[14] = 0x45;
        h.inject("ethernet-input", frame, tap2, true);
        h.run();
        assertEquals(1, ip4.size());
        assertEquals(46, ip4.get(0).bytes().length);
        assertEquals(0x45, ip4.get(0).bytes()[0]);
        assertTrue(h.trace().contains("  IP4: 00:00:00:00:00:02 -> 02:fe:16:3f:5f:0f\n"), h.trace());
    }

    @Test
    void offsetsAreRelativeToTheDataStart() {
        BufferPool pool = h.pool();
        int[] seen = new int[3];
        h.add(new io.sluice.graph.api.Node() {
            @Override
            public io.sluice.graph.api.NodeRegistration registration() {
                return io.sluice.graph.api.NodeRegistration.internal("ip4-input", List.of("error-drop"), List.of(), null);
            }

            @Override
            public int process(io.sluice.graph.api.NodeContext context, io.sluice.graph.api.Frame frame) {
                int bi = frame.buffers()[0];
                seen[0] = pool.l2Offset(bi);
                seen[1] = pool.l3Offset(bi);
                seen[2] = pool.currentData(bi);
                frame.nexts()[0] = 0;
                return 1;
            }
        });
        h.inject("ethernet-input", Frames.ethernet(TAP2_MAC, POD_MAC, 0x0800, 46), tap2, false);
        h.run();
        assertEquals(0, seen[0]);
        assertEquals(14, seen[1]);
        assertEquals(14, seen[2]);
    }

    @Test
    void driverVerifiedChecksumSelectsTheNoChecksumVariant() {
        BufferPool pool = h.pool();
        int bi = h.inject("ethernet-input", Frames.ethernet(TAP2_MAC, POD_MAC, 0x0800, 46), tap2, false);
        pool.orFlags(bi, BufferPool.FLAG_IP4_CHECKSUM_VERIFIED);
        h.run();
        assertEquals(0, ip4.size());
        assertEquals(1, ip4NoChecksum.size());
    }

    @Test
    void broadcastArpGoesToArpInput() {
        h.inject("ethernet-input", Frames.arp(-1L >>> 16, POD_MAC, 1, POD_MAC, 0x0a010103, 0, 0x0a010101), tap2, false);
        h.run();
        assertEquals(1, arp.size());
        assertEquals(28, arp.get(0).bytes().length);
    }

    @Test
    void unicastToAnotherMacIsDroppedAsL3MacMismatch() {
        h.inject("ethernet-input", Frames.ethernet(0x020000000099L, POD_MAC, 0x0800, 46), tap2, false);
        h.run();
        assertEquals(0, ip4.size());
        assertEquals(1, h.error("ethernet-input", "l3-mac-mismatch"));
        assertEquals(1, interfaces.stats().get(tap2).drops());
    }

    @Test
    void multicastIsAccepted() {
        h.inject("ethernet-input", Frames.ethernet(0x01005e000001L, POD_MAC, 0x0800, 46), tap2, false);
        h.run();
        assertEquals(1, ip4.size());
    }

    @Test
    void taggedAndUnknownTypesAreCountedAndDropped() {
        h.inject("ethernet-input", Frames.ethernet(TAP2_MAC, POD_MAC, 0x8100, 50), tap2, false);
        h.inject("ethernet-input", Frames.ethernet(TAP2_MAC, POD_MAC, 0x88a8, 50), tap2, false);
        h.inject("ethernet-input", Frames.ethernet(TAP2_MAC, POD_MAC, 0x86dd, 50), tap2, false);
        h.run();
        assertEquals(1, h.error("ethernet-input", "unknown-vlan"));
        assertEquals(1, h.error("ethernet-input", "unknown-dot1ad-vlan"));
        assertEquals(1, h.error("ethernet-input", "unknown-type"));
        assertEquals(0, ip4.size() + arp.size());
    }

    @Test
    void runtFramesAndDownInterfacesAreDropped() {
        h.inject("ethernet-input", new byte[10], tap2, true);
        h.run();
        assertEquals(1, h.error("ethernet-input", "too-short"));
        assertTrue(h.trace().contains("frame of 10 bytes"), h.trace());
        interfaces.setAdminUp(tap2, false);
        h.inject("ethernet-input", Frames.ethernet(TAP2_MAC, POD_MAC, 0x0800, 46), tap2, false);
        h.run();
        assertEquals(1, h.error("ethernet-input", "down"));
        assertEquals(0, ip4.size());
    }
}
