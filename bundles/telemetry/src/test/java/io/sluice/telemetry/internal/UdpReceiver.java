package io.sluice.telemetry.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/** A collector or syslog server for the exporters' tests: a non-blocking UDP socket on a free loopback port. */
final class UdpReceiver implements AutoCloseable {
    /** Long enough for a datagram on a loaded loopback; only a test that fails waits this long. */
    static final long WAIT_MILLIS = 5_000;

    private final DatagramChannel channel;

    UdpReceiver() throws IOException {
        channel = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
        channel.configureBlocking(false);
    }

    /** "127.0.0.1:port", as a configuration names it. */
    String endpoint() throws IOException {
        return "127.0.0.1:" + ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /** The next datagram, or null when none came within {@code waitMillis}. */
    ByteBuffer receive(long waitMillis) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(65_536);
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        while (channel.receive(buffer) == null) {
            if (System.nanoTime() > deadline) {
                return null;
            }
            Thread.sleep(5);
        }
        return buffer.flip();
    }

    ByteBuffer receive() throws Exception {
        return receive(WAIT_MILLIS);
    }

    /** The next datagram as UTF-8 text (a syslog message), or null. */
    String line(long waitMillis) throws Exception {
        ByteBuffer datagram = receive(waitMillis);
        return datagram == null ? null : StandardCharsets.UTF_8.decode(datagram).toString();
    }

    String line() throws Exception {
        return line(WAIT_MILLIS);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
