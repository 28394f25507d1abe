package io.sluice.nat44.internal;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime.ThreadRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import io.sluice.packet.api.Opaque;
import io.sluice.packet.api.Tcp;
import io.sluice.packet.api.Udp;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.api.Test;

import static io.sluice.nat44.internal.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The multi-worker stress test: two live workers, the NAT44-ED handoffs and the real NAT nodes
 * (nat44-in2out-output with its slow path, nat44-out2in), flows opened and closed both ways, every packet of a flow
 * entering on a worker chosen at random (as two queues of an RSS NIC would give them), so about half of them cross to
 * the other worker. A flow is UDP (request, reply, request, reply) or TCP (SYN, SYN-ACK, FIN-ACK, FIN-ACK); its
 * next packet leaves only once the previous one came out of the NAT, so the flows interleave at random but each in
 * order. What must hold: every flow completes (no session lost: each reply met its session and went to its inside
 * endpoint), each flow made exactly one session and kept one outside endpoint (none duplicated), every translation ran
 * on the worker that owns the flow (its inside address's, and its outside port's block's), no congestion drop, and
 * both buffer pools back at their baseline. The clock moves 5 ms per completed flow, so old sessions expire and a full
 * table recycles them (VPP-ED's LRU reuse) while new ones are made.
 *
 * <p>Flows: {@value #DEFAULT_FLOWS} by default, a few seconds on the loaded 2-core CI box; the 1M with
 * {@code -Dsluice.nat44.stressFlows=1000000}. Nothing is timed: it waits on counters, and gives up only when no flow
 * has completed for 60 s.
 */
class Nat44HandoffStressTest {
    static final int DEFAULT_FLOWS = 100_000;
    private static final int[] POOL = {ip("192.168.16.1"), ip("192.168.16.2")};
    /** Flows a feed keeps open at once: with one packet of each in flight, far fewer than a frame queue holds. */
    private static final int WINDOW = 256;
    private static final int STEPS = 4;
    /** The flow id and step of a packet ride in an opaque slot no node of this graph uses (there is no ACL here). */
    private static final int OPAQUE_FLOW_STEP = Opaque.ACL_SESSION;
    private static final int SERVER_SEQ = 5000;
    private static final int CLIENT_SEQ = 1000;

    private final int flows = Integer.getInteger("sluice.nat44.stressFlows", DEFAULT_FLOWS);
    private final AtomicIntegerArray progress = new AtomicIntegerArray(flows);
    private final AtomicIntegerArray outsideAddress = new AtomicIntegerArray(flows);
    private final AtomicIntegerArray outsidePort = new AtomicIntegerArray(flows);
    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedQueue<Integer>[] ready = new ConcurrentLinkedQueue[] {
        new ConcurrentLinkedQueue<Integer>(), new ConcurrentLinkedQueue<Integer>()};
    private final AtomicInteger[] open = {new AtomicInteger(), new AtomicInteger()};
    private final AtomicInteger completed = new AtomicInteger();
    /** Per worker, each element written only by that worker: translations off their owner, and other faults. */
    private final AtomicLongArray wrongWorker = new AtomicLongArray(2);
    private final AtomicLongArray wrongTranslation = new AtomicLongArray(2);
    private final AtomicLongArray duplicates = new AtomicLongArray(2);
    private final AtomicLongArray translatedOn = new AtomicLongArray(2);
    private TwoWorkerBed bed;

    static int insideAddress(int flow) {
        return ip("10.0.0.0") + (flow & 4095) + 1;
    }

    static int insidePort(int flow) {
        return 1024 + (flow >>> 12);
    }

    static int remoteAddress(int flow) {
        return ip("31.134.97.0") + 1 + flow % 200;
    }

    static boolean tcp(int flow) {
        return (flow & 1) != 0;
    }

    static int remotePort(int flow) {
        return tcp(flow) ? 80 : 53;
    }

    /** The worker a flow's step enters on: a mixing hash of both, so the interleaving is random but repeatable. */
    static int entryWorker(int flow, int step) {
        return (int) (SessionTable.mix(((long) flow << 2) | step) & 1);
    }

    static int startingWorker(int flow, int flows) {
        return flow < flows / 2 ? 0 : 1;
    }

    @Test
    void flowsOpenedAndClosedBothWaysOnTwoWorkersMeetTheirSessionOnItsOwnerAndNoneIsLostOrDuplicated()
            throws InterruptedException {
        bed = new TwoWorkerBed(131_072, POOL, 4096, 2048, this::outOfTheNat, this::outOfTheNat);
        try {
            bed.engine.addNode(new FlowFeed(0, 0, flows / 2));
            bed.engine.addNode(new FlowFeed(1, flows / 2, flows));
            bed.enableFeatures();
            int baseline0 = bed.engine.pool(0).outstanding();
            int baseline1 = bed.engine.pool(1).outstanding();
            bed.start();
            int seen = -1;
            long lastProgress = System.nanoTime();
            while (completed.get() < flows && System.nanoTime() - lastProgress < 60_000_000_000L) {
                Thread.sleep(20);
                int now = completed.get();
                if (now != seen) {
                    seen = now;
                    lastProgress = System.nanoTime();
                }
            }
            String counters = "errors: " + bed.engine.errors().stream().filter(e -> e.count() > 0).toList();
            assertEquals(flows, completed.get(), "every flow completed (none stalled for 60 s); " + counters);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while ((bed.engine.pool(0).outstanding() != baseline0 || bed.engine.pool(1).outstanding() != baseline1)
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(baseline0, bed.engine.pool(0).outstanding(), "worker 0's pool back to its baseline");
            assertEquals(baseline1, bed.engine.pool(1).outstanding(), "worker 1's pool back to its baseline");
            assertEquals(0, wrongWorker.get(0) + wrongWorker.get(1),
                    "no packet translated by a worker that does not own its flow");
            assertEquals(0, wrongTranslation.get(0) + wrongTranslation.get(1),
                    "every reply went to its flow's inside endpoint, every request left from its one outside endpoint");
            assertEquals(0, duplicates.get(0) + duplicates.get(1), "no packet came out of the NAT twice");
            assertEquals(flows, bed.error(Nat44In2OutSlowPathNode.NAME, "sessions-created"),
                    "one session per flow: " + counters);
            assertEquals(0, bed.error(Nat44In2OutOutputWorkerHandoffNode.NAME, "congestion-drop")
                    + bed.error(Nat44Out2InWorkerHandoffNode.NAME, "congestion-drop"));
            long handedOff = bed.error(Nat44In2OutOutputWorkerHandoffNode.NAME, "do-handoff")
                    + bed.error(Nat44Out2InWorkerHandoffNode.NAME, "do-handoff");
            long kept = bed.error(Nat44In2OutOutputWorkerHandoffNode.NAME, "same-worker")
                    + bed.error(Nat44Out2InWorkerHandoffNode.NAME, "same-worker");
            assertEquals((long) flows * STEPS, handedOff + kept, "each packet handed off or kept, once");
            assertTrue(handedOff > flows && kept > flows, "both happened often: " + handedOff + " / " + kept);
            List<ThreadRuntime> threads = bed.engine.runtimeByThread();
            assertEquals(handedOff, threads.get(0).handoffSent() + threads.get(1).handoffSent());
            assertTrue(translatedOn.get(0) > flows / 2 && translatedOn.get(1) > flows / 2,
                    "both workers own flows: " + translatedOn);
            System.out.println("[nat44-handoff] " + flows + " flows on 2 workers: handed off " + handedOff
                    + " packets, kept " + kept + "; sessions reused " + bed.error(Nat44In2OutSlowPathNode.NAME,
                    "sessions-reused") + ", expired " + bed.error(Nat44In2OutSlowPathNode.NAME, "sessions-expired"));
        } finally {
            bed.close();
        }
    }

    /**
     * Both arc ends: a packet out of nat44-in2out-output (steps 0, 2) or nat44-out2in (steps 1, 3), on the worker
     * that ran the NAT for it. Checks the owner and the translation, then lets the flow's next step go.
     */
    private void outOfTheNat(int worker, BufferPool pool, int bi) {
        int tag = pool.opaque(bi, OPAQUE_FLOW_STEP);
        int flow = tag >>> 2;
        int step = tag & 3;
        MemorySegment seg = pool.segment();
        long ip = pool.l3Header(bi);
        long l4 = pool.l4Header(bi);
        int owner = Nat44WorkerOwner.ofInsideAddress(insideAddress(flow), 2);
        boolean outbound = (step & 1) == 0;
        int port = NetworkOrder.u16(seg, l4 + (outbound ? 0 : 2));
        if (step == 0) {
            outsideAddress.set(flow, Ipv4.src(seg, ip));
            outsidePort.set(flow, port);
        }
        if (worker != owner || bed.dataplane.ports().owner(outsidePort.get(flow)) != worker) {
            wrongWorker.lazySet(worker, wrongWorker.get(worker) + 1);
        }
        boolean right = outbound
                ? Ipv4.src(seg, ip) == outsideAddress.get(flow) && port == outsidePort.get(flow)
                : Ipv4.dst(seg, ip) == insideAddress(flow) && port == insidePort(flow);
        if (!right) {
            wrongTranslation.lazySet(worker, wrongTranslation.get(worker) + 1);
        }
        translatedOn.lazySet(worker, translatedOn.get(worker) + 1);
        if (!progress.compareAndSet(flow, step, step + 1)) {
            duplicates.lazySet(worker, duplicates.get(worker) + 1);
            return;
        }
        if (step + 1 < STEPS) {
            ready[entryWorker(flow, step + 1)].add(flow);
        } else {
            bed.clock.addAndGet(5);
            open[startingWorker(flow, flows)].decrementAndGet();
            completed.incrementAndGet();
        }
    }

    /**
     * {@code nat-feed-<w>}: opens its own flows (at most {@link #WINDOW} at once) and sends the next packet of any
     * flow whose next step enters on its worker, as ip4-input (inbound, from the GbE) or ip4-rewrite (outbound, to
     * it, from tap2) would leave it.
     */
    private final class FlowFeed implements Node {
        private final NodeRegistration registration;
        private final int worker;
        private int next;
        private final int end;
        private final byte[] scratch = new byte[Frames.ETH + 20 + 20 + 8];

        FlowFeed(int worker, int first, int end) {
            this.registration = TwoWorkerBed.feedRegistration(TwoWorkerBed.feedName(worker));
            this.worker = worker;
            this.next = first;
            this.end = end;
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            int budget = 64;
            while (budget > 0 && next < end && open[worker].get() < WINDOW) {
                open[worker].incrementAndGet();
                send(context, pool, frame, next++, 0);
                budget--;
            }
            Integer flow;
            while (budget > 0 && (flow = ready[worker].poll()) != null) {
                send(context, pool, frame, flow, progress.get(flow));
                budget--;
            }
            return frame.count();
        }

        private void send(NodeContext context, BufferPool pool, Frame frame, int flow, int step) {
            int length = build(flow, step);
            int bi = pool.alloc();
            if (bi < 0) {
                throw new IllegalStateException("worker " + worker + "'s pool is empty");
            }
            pool.write(bi, scratch, length);
            boolean outbound = (step & 1) == 0;
            int arc = TwoWorkerBed.startArc(context, pool, bi, outbound ? TwoWorkerBed.TAP2 : TwoWorkerBed.GBE,
                    outbound);
            pool.setOpaque(bi, OPAQUE_FLOW_STEP, flow << 2 | step);
            frame.add(bi, arc);
        }

        /** Writes step {@code step} of {@code flow} into the scratch frame; returns its length. */
        private int build(int flow, int step) {
            boolean outbound = (step & 1) == 0;
            boolean isTcp = tcp(flow);
            int l4Length = isTcp ? Tcp.MIN_HEADER_LENGTH : Udp.HEADER_LENGTH + 8;
            byte[] f = scratch;
            java.util.Arrays.fill(f, (byte) 0);
            MemorySegment s = MemorySegment.ofArray(f);
            int eth = Frames.ETH;
            NetworkOrder.setU16(s, 12, 0x0800);
            Ipv4.setVersionAndIhl(s, eth, Ipv4.VERSION_IHL_NO_OPTIONS);
            Ipv4.setTotalLength(s, eth, 20 + l4Length);
            Ipv4.setId(s, eth, flow & 0xffff);
            Ipv4.setTtl(s, eth, 63);
            Ipv4.setProtocol(s, eth, isTcp ? Ipv4.PROTOCOL_TCP : Ipv4.PROTOCOL_UDP);
            int srcAddress = outbound ? insideAddress(flow) : remoteAddress(flow);
            int dstAddress = outbound ? remoteAddress(flow) : outsideAddress.get(flow);
            int srcPort = outbound ? insidePort(flow) : remotePort(flow);
            int dstPort = outbound ? remotePort(flow) : outsidePort.get(flow);
            Ipv4.setSrc(s, eth, srcAddress);
            Ipv4.setDst(s, eth, dstAddress);
            Checksum.setIp4HeaderChecksum(s, eth);
            long l4 = eth + 20;
            if (isTcp) {
                Tcp.setSrcPort(s, l4, srcPort);
                Tcp.setDstPort(s, l4, dstPort);
                Tcp.setDataOffset(s, l4, 5);
                Tcp.setWindow(s, l4, 29200);
                switch (step) {
                    case 0 -> {
                        Tcp.setSeq(s, l4, CLIENT_SEQ);
                        Tcp.setFlags(s, l4, Tcp.FLAG_SYN);
                    }
                    case 1 -> {
                        Tcp.setSeq(s, l4, SERVER_SEQ);
                        Tcp.setAck(s, l4, CLIENT_SEQ + 1);
                        Tcp.setFlags(s, l4, Tcp.FLAG_SYN | Tcp.FLAG_ACK);
                    }
                    case 2 -> {
                        Tcp.setSeq(s, l4, CLIENT_SEQ + 1);
                        Tcp.setAck(s, l4, SERVER_SEQ + 1);
                        Tcp.setFlags(s, l4, Tcp.FLAG_FIN | Tcp.FLAG_ACK);
                    }
                    default -> {
                        // in the window the inside host's FIN-ACK advertised (RFC 5961 evidence)
                        Tcp.setSeq(s, l4, SERVER_SEQ + 1);
                        Tcp.setAck(s, l4, CLIENT_SEQ + 2);
                        Tcp.setFlags(s, l4, Tcp.FLAG_FIN | Tcp.FLAG_ACK);
                    }
                }
                Checksum.setTcpChecksum(s, eth);
            } else {
                Udp.setSrcPort(s, l4, srcPort);
                Udp.setDstPort(s, l4, dstPort);
                Udp.setLength(s, l4, l4Length);
                NetworkOrder.setU32(s, l4 + 8, flow);
                Checksum.setUdpChecksum(s, eth);
            }
            return eth + 20 + l4Length;
        }
    }
}
