package io.sluice.vnet.api;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.NodeContext;
import io.sluice.packet.api.BufferPool;

import java.util.function.Function;

/**
 * What every host-interface port (AF_PACKET, AF_XDP) holds and does the same way: a {@link HostNetdev} (the
 * netdev's name, namespace, MAC and MTU, its link state) and the driver's {@link Socket} on it; a batch sent
 * through the socket and freed, sent or not; a tx trace record per traced frame, as VPP's host drivers keep;
 * closing in order, the socket, then the control socket. The netdev is the host's whatever the reason for
 * closing, so nothing is kept across an update. A driver's port class adds the interface:hardware listing and
 * the tx trace's record. SPI for drivers.
 *
 * @param <S> the driver's socket
 */
public abstract class HostInterfacePort<S extends HostInterfacePort.Socket> extends AbstractPort {

    /** What a driver opened on the netdev: packet sockets and their rings, an XDP socket and its UMEM. */
    public interface Socket extends AutoCloseable {

        /** The descriptor poll(2) reports readable when frames wait. */
        int rxFd();

        /**
         * Receives up to {@code max} frames into {@code buffers[from..]}; {@code keepHeaders}: a traced frame, so
         * what the trace shows of the ring (its header, the descriptor) stays in each buffer's headroom.
         */
        int receive(BufferPool pool, int[] buffers, int from, int max, boolean keepHeaders);

        /** Frames the socket refused in its ring so far: longer than a buffer, shorter than two MAC addresses. */
        long rxErrors();

        /** As {@link #receive(BufferPool, int[], int, int, boolean)}, from receive queue {@code queue} (0 if it has one). */
        default int receive(int queue, BufferPool pool, int[] buffers, int from, int max, boolean keepHeaders) {
            return receive(pool, buffers, from, max, keepHeaders);
        }

        /** As {@link #rxErrors()}, of receive queue {@code queue} (0 if it has one). */
        default long rxErrors(int queue) {
            return rxErrors();
        }

        /** Sends {@code buffers[from, from + count)} without freeing them; returns how many left. */
        int transmit(BufferPool pool, int[] buffers, int from, int count);

        /** Closes what the driver opened; once. */
        @Override
        void close();
    }

    private final HostNetdev netdev;
    private final S socket;
    private volatile boolean closed;

    protected HostInterfacePort(String name, HostNetdev netdev, S socket) {
        super(name, netdev.mac(), netdev.mtu());
        this.netdev = netdev;
        this.socket = socket;
    }

    /**
     * Sets the configured netdev up (its MAC written first when configured), then lets {@code open} open the
     * driver's socket on it and build the port. Nothing is left open on failure.
     */
    protected static <P extends HostInterfacePort<?>> P open(HostInterfaceConfig config,
                                                             Function<HostNetdev, P> open) {
        HostNetdev netdev = HostNetdev.open(config.hostIfName(), config.namespace(), config.macOverride());
        try {
            return open.apply(netdev);
        } catch (RuntimeException e) {
            netdev.close();
            throw e;
        }
    }

    public final HostNetdev netdev() {
        return netdev;
    }

    /** The driver's socket on the netdev. */
    public final S device() {
        return socket;
    }

    public final String ifName() {
        return netdev.ifName();
    }

    /** The netdev's network namespace, or null for the box's own. */
    public final String namespace() {
        return netdev.namespace();
    }

    @Override
    public final int rxFd() {
        return socket.rxFd();
    }

    /**
     * A host-interface input node's {@link DeviceInput.Driver#receive}: one batch of {@code port}'s socket into
     * the frame, what its ring refused counted as the node's error {@code ringError}, the rest accepted as
     * Ethernet frames to {@code arcs}.
     */
    public static int receive(HostInterfacePort<?> port, NodeContext context, Frame frame, int from, int max,
                              InterfaceSnapshot interfaces, DeviceInput.Rx rx, int ringError,
                              DeviceInput.EthernetArcs arcs) {
        return receive(port, 0, context, frame, from, max, interfaces, rx, ringError, arcs);
    }

    /** As the above, from receive queue {@code queue} of the port's socket. */
    public static int receive(HostInterfacePort<?> port, int queue, NodeContext context, Frame frame, int from,
                              int max, InterfaceSnapshot interfaces, DeviceInput.Rx rx, int ringError,
                              DeviceInput.EthernetArcs arcs) {
        Socket socket = port.socket;
        BufferPool pool = context.pool();
        long errorsBefore = socket.rxErrors(queue);
        int received = socket.receive(queue, pool, frame.buffers(), from, max, rx.tracing());
        rx.countDeviceErrors(ringError, socket.rxErrors(queue) - errorsBefore);
        DeviceInput.acceptEthernet(pool, interfaces, port, frame, from, received, arcs, rx);
        return received;
    }

    /** A control-plane call (one ioctl): true while the netdev is UP and has carrier (RUNNING). */
    @Override
    public final boolean linkUp() {
        return !closed && netdev.linkUp();
    }

    /** The tx node keeps a record of each traced frame, as VPP's af_packet device does. */
    @Override
    public final boolean tracesTx() {
        return true;
    }

    /** Sends every buffer and frees them all, sent or not; returns how many left. */
    @Override
    public final int transmit(BufferPool pool, int[] buffers, int count) {
        int sent = closed ? 0 : socket.transmit(pool, buffers, 0, count);
        pool.free(buffers, 0, count);
        return sent;
    }

    /** The netdev is the host's whatever the reason: only the driver's socket closes. */
    @Override
    public final void close(boolean remove) {
        close();
    }

    /** Closes the driver's socket, then the control socket. Call only once no worker can reach this port. */
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeSocket(socket);
        netdev.close();
    }

    /** Closes the driver's socket; a driver whose socket must close elsewhere (a namespace) says so here. */
    protected void closeSocket(S socket) {
        socket.close();
    }
}
