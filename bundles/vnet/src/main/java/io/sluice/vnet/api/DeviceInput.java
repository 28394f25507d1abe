package io.sluice.vnet.api;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.InterruptibleInput;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.TraceRing;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.PacketFormat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The loop every device-input node shares (VPP's device-input: src/vnet/devices/devices.h and the drivers'
 * node.c): poll each port in turn, the first one rotating so a busy port cannot starve the others; let the
 * driver receive a batch into the frame, stamp each buffer's rx sw_if_index and write its next arc; add the
 * batch's rx packets, bytes, errors and drops to the interface's counters once per port; in a traced frame,
 * let the driver write its trace records in a second pass over the batch; count the node's errors once per
 * frame. A packet capture of rx (VPP's {@code pcap trace rx}) copies each stamped batch of a captured interface,
 * tested once per frame. A driver's input node composes one and implements {@link Driver}.
 *
 * <p>Calls into the driver are one per port and batch, never per packet on the untraced path (the trace's
 * {@link Driver#traceRecord} is one per traced buffer); a driver's per-packet work stays in its own final class,
 * or in {@link #acceptEthernet}, with its counters in locals.
 *
 * <p>Every worker runs the node ({@link io.sluice.graph.api.QueuePlacedInput}) and polls the ports placed on it
 * ({@link InterfaceTable#rxQueueWorker}: the port's {@code rx-placement}, or after the node's worker in turn), so a
 * port or queue is polled by exactly one worker and its driver state needs no lock. The control plane replaces the
 * ports, and each worker's share of them, as copy-on-write arrays; a worker's rotation and tallies are its own.
 *
 * @param <P> what the node polls: a port, or one receive queue of a port
 */
public final class DeviceInput<P extends DeviceInput.Port> {

    /** One thing a device-input node polls: a port, or one receive queue of it. */
    public interface Port {
        /** The interface its frames arrive on. */
        int swIfIndex();

        /**
         * The descriptor poll(2) reports readable when frames wait (a TAP's fd, an AF_PACKET socket), or -1 when
         * there is none (a DPDK queue): then the node's worker keeps polling (rx-mode, graph key rx-mode).
         */
        default int rxFd() {
            return -1;
        }

        /** The port's receive queue this polls (shown by interface:rx-placement); 0 for a single-queue port. */
        default int rxQueue() {
            return 0;
        }
    }

    /** The driver's half of a device-input node. */
    public interface Driver<P extends Port> {

        /**
         * Receives up to {@code max} frames of {@code port} into {@code frame.buffers()[from..]}, stamps each
         * buffer's rx sw_if_index, writes its next arc into {@code frame.nexts()} and adds what it counted to
         * {@code rx}. Returns how many buffers it placed.
         */
        int receive(P port, NodeContext context, Frame frame, int from, int max, InterfaceSnapshot interfaces, Rx rx);

        /**
         * The second pass of a traced frame over buffers {@code [from, end)} of {@code port}: each buffer the
         * trace takes gets a record that starts with its next arc ({@link #TRACE_NEXT}) and sw_if_index
         * ({@link #TRACE_HW_IF_INDEX}), the driver writing the rest in {@link #traceRecord}. That call is one per
         * traced buffer, on the traced path only (the trace's count bounds it).
         */
        default void trace(NodeContext context, Frame frame, P port, int from, int end) {
            int[] buffers = frame.buffers();
            int[] nexts = frame.nexts();
            BufferPool pool = context.pool();
            int sw = port.swIfIndex();
            for (int i = from; i < end; i++) {
                int bi = buffers[i];
                long record = context.traceInput(bi);
                if (record < 0) {
                    continue; // not traced: the count is used up, or the trace's filter passes this one by
                }
                frame.setTraced(true);
                MemorySegment trace = context.traceSegment();
                trace.set(ValueLayout.JAVA_INT, record + TRACE_NEXT, nexts[i]);
                trace.set(ValueLayout.JAVA_INT, record + TRACE_HW_IF_INDEX, sw);
                traceRecord(trace, record, pool, bi);
            }
        }

        /** The driver's fields of buffer {@code bi}'s record, from {@link #TRACE_DRIVER} on. */
        void traceRecord(MemorySegment trace, long record, BufferPool pool, int bi);
    }

    /** A device-input trace record: the next arc, the hw_if_index (= sw_if_index here), then the driver's part. */
    public static final int TRACE_NEXT = 0;
    public static final int TRACE_HW_IF_INDEX = 4;
    public static final int TRACE_DRIVER = 8;

    /**
     * What the driver counted in one port's batch (moved to the interface's counters after each port) and the
     * node's error counters of the frame (flushed once per frame). One per node, reused.
     */
    public static final class Rx {
        /** Frames delivered on, their bytes, frames refused as bad, frames dropped (interface down). */
        public long packets;
        public long bytes;
        public long errors;
        public long drops;
        private boolean tracing;
        /** The node's error base in the graph it runs in ({@link NodeContext#errorBase}), for drop stamps. */
        private int errorBase;
        /** The index, in this worker's share of the ports, of the port polled first next time. */
        private int firstPort;
        /** One worker's: the tail pads it so that two workers' tallies, written every pass, share no cache line. */
        private final long[] nodeErrors;
        @SuppressWarnings("unused")
        private long pad0, pad1, pad2, pad3, pad4, pad5, pad6, pad7;

        Rx(int errorCount) {
            this.nodeErrors = new long[errorCount + CACHE_LINE_LONGS];
        }

        /** Adds {@code n} to the node's error counter {@code ordinal} (its NodeError enum's ordinal). */
        public void countError(int ordinal, long n) {
            nodeErrors[ordinal] += n;
        }

        /**
         * Adds {@code n} frames the device refused in its ring (or could not read) to the port's rx errors and to
         * the node's error counter {@code ordinal}.
         */
        public void countDeviceErrors(int ordinal, long n) {
            if (n > 0) {
                errors += n;
                nodeErrors[ordinal] += n;
            }
        }

        /** This frame is traced: a driver that keeps what the trace shows (a ring header) keeps it now. */
        public boolean tracing() {
            return tracing;
        }
    }

    /**
     * Where {@link #acceptEthernet} sends an Ethernet device's frames and which of the node's errors it counts:
     * one constant per node.
     */
    public record EthernetArcs(int next, int drop, int runtError, int oversizeError, int downError) {

        /** To ethernet-input, or to error-drop ({@link DeviceNext}), counting the node's errors given. */
        public static EthernetArcs toEthernetInput(NodeError runt, NodeError oversize, NodeError down) {
            return new EthernetArcs(DeviceNext.ETHERNET_INPUT.ordinal(), DeviceNext.DROP.ordinal(),
                    ((Enum<?>) runt).ordinal(), ((Enum<?>) oversize).ordinal(), ((Enum<?>) down).ordinal());
        }
    }

    /** Ethernet header and one 802.1Q tag beyond the MTU (IEEE 802.3 clause 3.2.7, 802.1Q clause 9). */
    public static final int L2_OVERHEAD = 14 + 4;
    /** The shortest frame an Ethernet device delivers: two MAC addresses and an EtherType (IEEE 802.3 3.1.1). */
    public static final int ETHERNET_HEADER = 14;

    private static final Port[] NO_PORTS = new Port[0];
    /** Two cache lines of longs: what keeps one worker's written array from the next object's line. */
    private static final int CACHE_LINE_LONGS = 16;

    private final InterfaceTable interfaces;
    private final String nodeName;
    private final Driver<P> driver;
    private final Object portsLock = new Object();
    private volatile Port[] ports = NO_PORTS;
    /** Each worker's share of {@link #ports}, by worker index; replaced whole with it. */
    private volatile Port[][] portsByWorker;
    /** Each worker's tallies and rotation, by worker index. */
    private final Rx[] rxByWorker;
    private final int errorCount;

    /**
     * {@code nodeName}: the input node this loop is, named with the queues it polls ({@link InterfaceTable#rxQueues});
     * {@code errorCount}: the constants of the node's NodeError enum.
     */
    public DeviceInput(InterfaceTable interfaces, String nodeName, Driver<P> driver, int errorCount) {
        this.interfaces = interfaces;
        this.nodeName = nodeName;
        this.driver = driver;
        this.errorCount = errorCount;
        int workers = Math.max(1, interfaces.workerCount());
        this.rxByWorker = new Rx[workers];
        this.portsByWorker = new Port[workers][];
        for (int w = 0; w < workers; w++) {
            rxByWorker[w] = new Rx(errorCount);
            portsByWorker[w] = NO_PORTS;
        }
    }

    /** The input node this loop is. */
    public String nodeName() {
        return nodeName;
    }

    /** Starts polling {@code port}. Control plane. */
    public void attach(P port) {
        synchronized (portsLock) {
            Port[] next = Arrays.copyOf(ports, ports.length + 1);
            next[ports.length] = port;
            ports = next;
            publishQueues(false);
        }
    }

    /**
     * Stops polling {@code port}. Call under the graph's barrier, so that no worker is still receiving from it
     * when the caller closes it.
     */
    public void detach(P port) {
        synchronized (portsLock) {
            Port[] current = ports;
            Port[] next = new Port[current.length];
            int n = 0;
            for (Port p : current) {
                if (p != port) {
                    next[n++] = p;
                }
            }
            ports = Arrays.copyOf(next, n);
            publishQueues(false);
        }
    }

    /** Polls exactly {@code polled}, in that order. Control plane. */
    public void set(List<? extends P> polled) {
        synchronized (portsLock) {
            ports = polled.toArray(NO_PORTS);
            publishQueues(false);
        }
    }

    /**
     * Publishes each worker's share of the ports and tells the interface table which queues this node polls now, and
     * where. A port new to the node goes where {@link InterfaceTable#rxQueueWorker} says; one it polls already stays
     * on its worker unless {@code replace} (only under the barrier: a queue must never be polled by its old worker and
     * its new one at once). Under the ports' lock.
     */
    private void publishQueues(boolean replace) {
        Port[] all = ports;
        int workers = rxByWorker.length;
        int[] workerOf = new int[all.length];
        int[] share = new int[workers];
        List<InterfaceTable.RxQueue> queues = new ArrayList<>();
        for (int p = 0; p < all.length; p++) {
            Port port = all[p];
            int worker = replace ? -1 : workerOf(port);
            if (worker < 0) {
                worker = Math.floorMod(interfaces.rxQueueWorker(nodeName, port.swIfIndex(), port.rxQueue()), workers);
            }
            workerOf[p] = worker;
            share[worker]++;
            queues.add(new InterfaceTable.RxQueue(nodeName, port.swIfIndex(), port.rxQueue(), worker));
        }
        Port[][] byWorker = new Port[workers][];
        for (int w = 0; w < workers; w++) {
            byWorker[w] = new Port[share[w]];
            share[w] = 0;
        }
        for (int p = 0; p < all.length; p++) {
            byWorker[workerOf[p]][share[workerOf[p]]++] = all[p];
        }
        portsByWorker = byWorker;
        interfaces.setRxQueues(nodeName, queues);
    }

    /** The worker whose share holds {@code port} (equal to it: a driver may list its queues anew), or -1. */
    private int workerOf(Port port) {
        Port[][] byWorker = portsByWorker;
        for (int w = 0; w < byWorker.length; w++) {
            for (Port placed : byWorker[w]) {
                if (placed.equals(port)) {
                    return w;
                }
            }
        }
        return -1;
    }

    /**
     * Places every port again, as the interface table now says ({@link InterfaceTable#setRxPlacement}, the node's
     * placement in the graph). Only under the graph's barrier ({@link io.sluice.graph.api.GraphRuntime#placeQueues}).
     */
    public void place() {
        synchronized (portsLock) {
            publishQueues(true);
        }
    }

    /** The worker that polls queue {@code queue} of interface {@code swIfIndex}, or -1 when this node has none such. */
    public int queueWorker(int swIfIndex, int queue) {
        Port[][] byWorker = portsByWorker;
        for (int w = 0; w < byWorker.length; w++) {
            for (Port placed : byWorker[w]) {
                if (placed.swIfIndex() == swIfIndex && placed.rxQueue() == queue) {
                    return w;
                }
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    public List<P> ports() {
        List<P> list = new ArrayList<>();
        for (Port port : ports) {
            list.add((P) port);
        }
        return List.copyOf(list);
    }

    /**
     * The ports' descriptors for a worker about to sleep ({@link io.sluice.graph.api.InterruptibleInput}): written
     * to {@code fds[from..]}, their count returned, or {@code InterruptibleInput.POLLING_ONLY} when a port has
     * none, is in rx-mode polling ({@link PortRxMode#POLLING}: it reports no descriptor, so its worker keeps
     * polling) or they do not fit. Only the ports placed on {@code worker}. On that worker, when it found no work.
     */
    public int rxFds(int worker, int[] fds, int from) {
        Port[][] byWorker = portsByWorker;
        if (worker < 0 || worker >= byWorker.length) {
            return 0;
        }
        Port[] current = byWorker[worker];
        if (from + current.length > fds.length) {
            return InterruptibleInput.POLLING_ONLY;
        }
        for (int p = 0; p < current.length; p++) {
            Port port = current[p];
            int fd = interfaces.rxMode(port.swIfIndex()) == PortRxMode.POLLING ? -1 : port.rxFd();
            if (fd < 0) {
                return InterruptibleInput.POLLING_ONLY;
            }
            fds[from + p] = fd;
        }
        return current.length;
    }

    /** The node's {@code process}: one batch per port until the frame is full. Returns the buffers placed. */
    @SuppressWarnings("unchecked")
    public int process(NodeContext context, Frame frame) {
        int worker = context.workerIndex();
        Port[][] byWorker = portsByWorker;
        if (worker >= byWorker.length) {
            return 0;
        }
        Port[] current = byWorker[worker];
        int portCount = current.length;
        if (portCount == 0) {
            return 0;
        }
        InterfaceSnapshot snapshot = interfaces.snapshot();
        InterfaceCounters counters = interfaces.counters(worker);
        Rx tally = rxByWorker[worker];
        boolean tracing = context.traceArmed() > 0;
        tally.tracing = tracing;
        tally.errorBase = context.errorBase();
        ArmedCapture capture = context.capture();
        boolean capturing = capture.captures(ArmedCapture.RX);
        int first = tally.firstPort < portCount ? tally.firstPort : 0;
        tally.firstPort = first + 1 < portCount ? first + 1 : 0;
        for (int p = 0; p < portCount; p++) {
            int from = frame.count();
            if (from == Frame.CAPACITY) {
                break;
            }
            int index = first + p;
            P port = (P) current[index < portCount ? index : index - portCount];
            tally.packets = 0;
            tally.bytes = 0;
            tally.errors = 0;
            tally.drops = 0;
            int received = driver.receive(port, context, frame, from, Frame.CAPACITY - from, snapshot, tally);
            if (received == 0 && tally.errors == 0) {
                continue;
            }
            int end = from + received;
            frame.setCount(end);
            int sw = port.swIfIndex();
            counters.rxPackets[sw] += tally.packets;
            counters.rxBytes[sw] += tally.bytes;
            counters.rxErrors[sw] += tally.errors;
            counters.drops[sw] += tally.drops;
            if (tracing && received > 0) {
                driver.trace(context, frame, port, from, end);
            }
            if (capturing && received > 0 && capture.captures(ArmedCapture.RX, sw)) {
                capture.take(context.workerIndex(), context.pool(), frame.buffers(), from, end, sw, ArmedCapture.RX);
            }
        }
        long[] errors = tally.nodeErrors;
        for (int e = 0; e < errorCount; e++) {
            if (errors[e] != 0) {
                context.countError(e, errors[e]);
                errors[e] = 0;
            }
        }
        return frame.count();
    }

    /** {@link #acceptEthernet} of {@code received} buffers from {@code from} of {@code port}'s batch in {@code frame}. */
    public static void acceptEthernet(BufferPool pool, InterfaceSnapshot interfaces, Port port, Frame frame, int from,
                                      int received, EthernetArcs arcs, Rx rx) {
        acceptEthernet(pool, interfaces, port.swIfIndex(), frame.buffers(), frame.nexts(), from, from + received,
                arcs.next(), arcs.drop(), arcs.runtError(), arcs.oversizeError(), arcs.downError(), rx);
    }

    /**
     * The tail of a driver's trace record that ends with the frame: its length at {@code record + lengthField},
     * then as many of its first bytes as the record still holds.
     */
    public static void traceFrame(MemorySegment trace, long record, int lengthField, BufferPool pool, int bi) {
        int length = pool.length(bi);
        trace.set(ValueLayout.JAVA_INT, record + lengthField, length);
        MemorySegment.copy(pool.segment(), pool.dataOffset(bi), trace, record + lengthField + 4,
                Math.min(length, frameCapture(lengthField)));
    }

    /** The Ethernet and IP decode of the frame {@link #traceFrame} kept at {@code lengthField}. */
    public static void formatFrame(MemorySegment record, long offset, int lengthField, StringBuilder out) {
        int length = record.get(ValueLayout.JAVA_INT, offset + lengthField);
        PacketFormat.appendEthernetHeader(record, offset + lengthField + 4, Math.min(length, frameCapture(lengthField)),
                out);
    }

    /** VPP's device-input trace's first words: {@code <driver>: hw_if_index N next-index M}, no newline. */
    public static StringBuilder formatNodeLine(String driver, MemorySegment record, long offset, StringBuilder out) {
        return out.append(driver).append(": hw_if_index ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_HW_IF_INDEX))
                .append(" next-index ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_NEXT));
    }

    private static int frameCapture(int lengthField) {
        return TraceRing.PAYLOAD_SIZE - lengthField - 4;
    }

    /**
     * The stamping of an Ethernet device's batch {@code [from, end)} on interface {@code sw}: every buffer gets
     * its rx sw_if_index; on an administratively down interface all go to {@code drop}, counted as drops and
     * error {@code downError}; otherwise runts (shorter than an Ethernet header) and frames longer than the
     * MTU allows (MTU + {@link #L2_OVERHEAD}) go to {@code drop}, counted as rx errors and errors
     * {@code runtError} / {@code oversizeError}, and the rest to {@code next}, counted as rx packets and bytes.
     */
    public static void acceptEthernet(BufferPool pool, InterfaceSnapshot interfaces, int sw, int[] buffers,
                                      int[] nexts, int from, int end, int next, int drop, int runtError,
                                      int oversizeError, int downError, Rx rx) {
        int received = end - from;
        if (!interfaces.adminUp(sw)) {
            for (int i = from; i < end; i++) {
                pool.setRxSwIfIndex(buffers[i], sw);
                nexts[i] = drop;
                pool.setError(buffers[i], rx.errorBase + downError);
            }
            rx.drops += received;
            rx.nodeErrors[downError] += received;
            return;
        }
        int maxFrame = interfaces.mtu(sw) + L2_OVERHEAD;
        long runts = 0;
        long oversize = 0;
        long bytes = 0;
        for (int i = from; i < end; i++) {
            int bi = buffers[i];
            int length = pool.length(bi);
            pool.setRxSwIfIndex(bi, sw);
            if (length < ETHERNET_HEADER) {
                nexts[i] = drop;
                pool.setError(bi, rx.errorBase + runtError);
                runts++;
            } else if (length > maxFrame) {
                nexts[i] = drop;
                pool.setError(bi, rx.errorBase + oversizeError);
                oversize++;
            } else {
                nexts[i] = next;
                bytes += length;
            }
        }
        rx.packets += received - runts - oversize;
        rx.bytes += bytes;
        rx.errors += runts + oversize;
        if (runts + oversize > 0) {
            rx.nodeErrors[runtError] += runts;
            rx.nodeErrors[oversizeError] += oversize;
        }
    }
}
