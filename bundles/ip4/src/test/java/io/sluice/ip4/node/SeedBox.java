package io.sluice.ip4.node;

import io.sluice.ethernet.api.ArpProxy;
import io.sluice.ethernet.internal.ArpProxyImpl;
import io.sluice.ethernet.internal.NeighbourTableImpl;
import io.sluice.ethernet.node.ArpInputNode;
import io.sluice.ethernet.node.EthernetInputNode;
import io.sluice.ethernet.node.InterfaceOutputArc;
import io.sluice.ethernet.node.Ip4ArpNode;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.ip4.internal.fib.Ip4FibImpl;
import io.sluice.ip4.ping.Ip4EchoReplyNode;
import io.sluice.ip4.ping.Ip4PingService;
import io.sluice.vnet.internal.InterfaceTableImpl;
import io.sluice.vnet.testkit.CapturingDevice;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seed's box in memory (seed/POD_TO_INTERNET.md): GigabitEthernet0/8/0 (sw_if_index 1) with the node
 * address 192.168.16.1/24 and a default route via 192.168.16.100; tap2 (sw_if_index 2) with the pod
 * 10.1.1.3/32 behind it and proxy ARP for the pod's virtual gateway. No ACL or NAT.
 */
final class SeedBox implements AutoCloseable {
    static final long GBE_MAC = 0x080027449fd8L;
    static final long GATEWAY_MAC = 0x08002702a536L;
    static final long TAP2_MAC = 0x02fe163f5f0fL;
    static final long POD_MAC = 0x000000000002L;
    static final int NODE_IP = 0xc0a81001;
    static final int GATEWAY_IP = 0xc0a81064;
    static final int POD_IP = 0x0a010103;
    static final int SERVER_IP = 0x1f866133;

    final GraphHarness h = new GraphHarness();
    final InterfaceTableImpl interfaces = new InterfaceTableImpl(h.engine());
    final NeighbourTableImpl neighbours = new NeighbourTableImpl();
    final ArpProxy proxy = new ArpProxyImpl();
    final CapturingDevice gbeDevice = new CapturingDevice("GigabitEthernet0/8/0", GBE_MAC);
    final CapturingDevice tapDevice = new CapturingDevice("tap2", TAP2_MAC);
    final int gbe = interfaces.register(gbeDevice);
    final int tap2 = interfaces.register(tapDevice);
    final Ip4FibImpl fib;
    final Ip4IcmpErrorNode icmpError;

    SeedBox() {
        new InterfaceOutputArc(h.engine(), interfaces);
        interfaces.setAdminUp(gbe, true);
        interfaces.setAdminUp(tap2, true);
        fib = new Ip4FibImpl(interfaces, neighbours);
        neighbours.addStatic(gbe, GATEWAY_IP, GATEWAY_MAC);
        fib.addRoute(0, 0, 0, GATEWAY_IP, gbe);
        interfaces.addIp4Address(gbe, NODE_IP, 24);
        neighbours.addStatic(tap2, POD_IP, POD_MAC);
        // As the lab configures it: an attached /32 on the pod port, no next hop named.
        fib.addRoute(0, POD_IP, 32, 0, tap2);
        proxy.setEnabled(tap2, true);
        h.add(new EthernetInputNode(interfaces));
        h.add(new ArpInputNode(interfaces, neighbours, proxy));
        h.add(new Ip4ArpNode(interfaces));
        h.add(new Ip4InputNode());
        h.add(new Ip4InputNoChecksumNode());
        h.add(new Ip4LookupNode(fib));
        h.add(new Ip4RewriteNode(fib, interfaces));
        h.add(new Ip4LocalNode());
        // ip4-local hands echo replies to the box to it: without it they were parked, outstanding (a fuzzing find)
        h.add(new Ip4EchoReplyNode(new Ip4PingService(null, null, null)));
        icmpError = new Ip4IcmpErrorNode(interfaces);
        h.add(icmpError);
    }

    private static final Pattern NODE_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d:\\d{6}: (.+)$");

    /** The trace of packet {@code packet} (1-based) as node name to its lines (with the two-space indent). */
    Map<String, String> traceOf(int packet) {
        Map<String, String> blocks = new LinkedHashMap<>();
        String current = null;
        int seen = 0;
        StringBuilder lines = new StringBuilder();
        for (String line : h.trace().split("\n")) {
            if (line.startsWith("Packet ")) {
                seen = Integer.parseInt(line.substring(7).trim());
                continue;
            }
            if (seen != packet) {
                continue;
            }
            Matcher m = NODE_LINE.matcher(line);
            if (m.matches()) {
                if (current != null) {
                    blocks.put(current, lines.toString());
                }
                current = m.group(1);
                lines.setLength(0);
            } else if (current != null && line.startsWith("  ")) {
                if (!lines.isEmpty()) {
                    lines.append('\n');
                }
                lines.append(line);
            }
        }
        if (current != null) {
            blocks.put(current, lines.toString());
        }
        return blocks;
    }

    @Override
    public void close() {
        h.close();
    }
}
