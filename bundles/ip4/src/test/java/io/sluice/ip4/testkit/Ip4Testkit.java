package io.sluice.ip4.testkit;

import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.graph.api.Node;
import io.sluice.ip4.api.Ip4Fib;
import io.sluice.ip4.internal.fib.Ip4FibImpl;
import io.sluice.ip4.node.Ip4IcmpErrorNode;
import io.sluice.ip4.node.Ip4InputNoChecksumNode;
import io.sluice.ip4.node.Ip4InputNode;
import io.sluice.ip4.node.Ip4LocalNode;
import io.sluice.ip4.ping.Ip4EchoReplyNode;
import io.sluice.ip4.ping.Ip4PingService;
import io.sluice.ip4.node.Ip4LookupNode;
import io.sluice.ip4.node.Ip4RewriteNode;
import io.sluice.ip4.node.Ip4SourceCheckViaAnyNode;
import io.sluice.ip4.node.Ip4SourceCheckViaRxNode;
import io.sluice.ip4.node.Ip4SvReassemblyFeatureNode;
import io.sluice.ip4.node.SvReassemblySettings;
import io.sluice.vnet.api.InterfaceTable;

import java.util.function.LongSupplier;

/**
 * ip4's FIB and nodes for benchmarks and other bundles' tests, reached through the api types only: a
 * {@link Fib} is the {@link Ip4Fib} plus what only the bundle's own nodes read (the forwarding lookup).
 */
public final class Ip4Testkit {

    private Ip4Testkit() {
    }

    /** A FIB over {@code interfaces} and {@code neighbours}, and the ip4 nodes that read it. */
    public static final class Fib {
        private final Ip4FibImpl fib;

        private Fib(Ip4FibImpl fib) {
            this.fib = fib;
        }

        public Ip4Fib api() {
            return fib;
        }

        /** The published forwarding state as of now: the lookup ip4-lookup does, without the node. */
        public Lookup lookup() {
            return new Lookup(fib.forwarding());
        }

        /** ip4-lookup over this FIB. */
        public Node lookupNode() {
            return new Ip4LookupNode(fib);
        }

        /** ip4-rewrite over this FIB. */
        public Node rewriteNode(InterfaceTable interfaces) {
            return new Ip4RewriteNode(fib, interfaces);
        }

        /** ip4-source-check-via-rx ({@code strict}) or ip4-source-check-via-any over this FIB. */
        public Node sourceCheckNode(boolean strict) {
            return strict ? new Ip4SourceCheckViaRxNode(fib) : new Ip4SourceCheckViaAnyNode(fib);
        }
    }

    /** One published forwarding state (never changes). */
    public static final class Lookup {
        private final Ip4FibImpl.Forwarding forwarding;

        private Lookup(Ip4FibImpl.Forwarding forwarding) {
            this.forwarding = forwarding;
        }

        /** The adjacency of the longest prefix matching {@code address} in {@code table}. */
        public int lookup(int table, int address) {
            return forwarding.lookup(table, address);
        }
    }

    public static Fib fib(InterfaceTable interfaces, NeighbourTable neighbours) {
        return new Fib(new Ip4FibImpl(interfaces, neighbours));
    }

    /** ip4-input, the header-checksum-verifying variant. */
    public static Node ip4Input() {
        return new Ip4InputNode();
    }

    /** ip4-input-no-checksum, for buffers whose driver verified the header checksum. */
    public static Node ip4InputNoChecksum() {
        return new Ip4InputNoChecksumNode();
    }

    /** ip4-local: packets for the box's own addresses (ICMP echo). */
    public static Node ip4Local() {
        return new Ip4LocalNode();
    }

    /** ip4-icmp-echo-reply, where ip4-local sends echo replies to the box, with no ping of the box's running. */
    public static Node icmpEchoReply() {
        return new Ip4EchoReplyNode(new Ip4PingService(null, null, null));
    }

    /** ip4-icmp-error: the ICMP errors ip4-input, ip4-lookup and ip4-rewrite ask for. */
    public static Node ip4IcmpError(InterfaceTable interfaces) {
        return new Ip4IcmpErrorNode(interfaces);
    }

    /** ip4-icmp-error sending at most {@code perSecond} errors a second, {@code burst} at once. */
    public static Node ip4IcmpError(InterfaceTable interfaces, long perSecond, long burst) {
        Ip4IcmpErrorNode node = new Ip4IcmpErrorNode(interfaces);
        node.setRateLimit(perSecond, burst);
        return node;
    }

    /** ip4-sv-reassembly-feature with the shipped limits for one worker, on {@code nanoClock} (System::nanoTime). */
    public static Node svReassemblyFeature(LongSupplier nanoClock) {
        return new Ip4SvReassemblyFeatureNode(SvReassemblySettings.DEFAULTS, 1, nanoClock);
    }
}
