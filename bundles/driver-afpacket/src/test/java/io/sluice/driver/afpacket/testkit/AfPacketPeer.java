package io.sluice.driver.afpacket.testkit;

import io.sluice.driver.afpacket.api.AfPacketConfig;
import io.sluice.driver.afpacket.internal.AfPacketDevice;
import io.sluice.nativeio.api.NetNamespace;
import io.sluice.packet.api.BufferPool;

/**
 * The far end of a link in a test or a benchmark: an AF_PACKET socket (packet(7)) with the driver's default
 * rings on a netdev, opened inside a namespace. Other bundles' tests and bench/ drive a TAP's pod side or a
 * veth's peer with it without reaching into this driver's private package (this test-jar is their way in).
 *
 * <p>One thread sends and receives; the counters may be read from any thread.
 */
public final class AfPacketPeer implements AutoCloseable {

    private final AfPacketDevice device;

    private AfPacketPeer(AfPacketDevice device) {
        this.device = device;
    }

    /** Opens netdev {@code ifName} in {@code namespace} (null: the caller's own). */
    public static AfPacketPeer open(String namespace, String ifName) {
        return new AfPacketPeer(NetNamespace.call(namespace, () -> AfPacketDevice.open(ifName, AfPacketConfig.defaults())));
    }

    /** Sends {@code buffers[from..from+n)}; the buffers stay the caller's. Returns how many left. */
    public int transmit(BufferPool pool, int[] buffers, int from, int n) {
        return device.transmit(pool, buffers, from, n);
    }

    /** Receives up to {@code max} frames into buffers from {@code pool}, stored at {@code buffers[from..]}. */
    public int receive(BufferPool pool, int[] buffers, int from, int max) {
        return device.receive(pool, buffers, from, max);
    }

    /** Blocks up to {@code timeoutMillis} until a frame can be read; true when one can. */
    public boolean awaitReadable(int timeoutMillis) {
        return device.awaitReadable(timeoutMillis);
    }

    public long rxPackets() {
        return device.rxPackets();
    }

    public long txPackets() {
        return device.txPackets();
    }

    @Override
    public void close() {
        device.close();
    }
}
