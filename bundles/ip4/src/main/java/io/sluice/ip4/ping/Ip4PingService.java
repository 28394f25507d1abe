package io.sluice.ip4.ping;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.ip4.api.Ip4Ping;
import io.sluice.ip4.internal.fib.Adjacencies;
import io.sluice.ip4.internal.fib.Ip4FibImpl;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The control plane of {@link Ip4Ping}: picks the source, publishes a {@link PingRun} the two nodes read (one
 * volatile write), releases one request per interval and wakes the workers (one may sleep in rx-mode
 * interrupt), then collects the replies. Also published under its own class for ip4-ping and
 * ip4-icmp-echo-reply, a bundle-private service.
 */
@Component(service = {Ip4Ping.class, Ip4PingService.class})
public final class Ip4PingService implements Ip4Ping {

    /** The interface of the box itself, whose FIB table is table 0 (vnet's local0). */
    static final int LOCAL0 = 0;
    /** Requests per ping and bytes per request: what fits a buffer, and enough for any test of a path. */
    static final int MAX_COUNT = 100_000;
    static final int MAX_DATA_LENGTH = BufferPool.DATA_SIZE - 20 - 8 - 14;

    private final GraphRuntime graph;
    private final InterfaceTable interfaces;
    private final Ip4FibImpl fib;
    private volatile PingRun run;
    private int nextIdentifier = (int) (System.nanoTime() & 0xffff);

    @Activate
    public Ip4PingService(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces,
                          @Reference Ip4FibImpl fib) {
        this.graph = graph;
        this.interfaces = interfaces;
        this.fib = fib;
    }

    /** The ping in progress, or null: read once per frame by the nodes. */
    PingRun current() {
        return run;
    }

    /** Publishes {@code ping} to the nodes (null: none in progress). */
    void publish(PingRun ping) {
        run = ping;
    }

    @Override
    public synchronized Result ping(Request request) throws InterruptedException {
        if (request.count() < 1 || request.count() > MAX_COUNT) {
            throw new IllegalArgumentException("count " + request.count() + ": 1 to " + MAX_COUNT);
        }
        if (request.dataLength() < 0 || request.dataLength() > MAX_DATA_LENGTH) {
            throw new IllegalArgumentException("size " + request.dataLength() + ": 0 to " + MAX_DATA_LENGTH + " bytes");
        }
        int source = request.source() != 0 ? request.source() : sourceFor(request.destination(), request.swIfIndex());
        int rx = request.swIfIndex() >= 0 ? request.swIfIndex() : LOCAL0;
        nextIdentifier = (nextIdentifier + 1) & 0xffff;
        PingRun ping = new PingRun(nextIdentifier, source, request.destination(), rx, request.dataLength(),
                request.count());
        publish(ping);
        try {
            for (int i = 1; i <= request.count(); i++) {
                ping.due.set(i);
                graph.wakeWorkers();
                if (i < request.count()) {
                    Thread.sleep(request.intervalMillis());
                }
            }
            long deadline = System.nanoTime() + request.timeoutMillis() * 1_000_000L;
            while (ping.replies() < request.count() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            publish(null);
        }
        List<Reply> replies = new ArrayList<>();
        for (int i = 0; i < ping.count; i++) {
            long replied = ping.repliedAt.get(i);
            if (replied != 0) {
                replies.add(new Reply(i + 1, replied - ping.sentAt.get(i)));
            }
        }
        return new Result(source, ping.sent.get(), replies);
    }

    /**
     * RFC 1122 section 3.3.4.3's choice for a host with one address per interface: the address of the
     * interface asked for, or of the one the route to {@code destination} leaves by.
     */
    private int sourceFor(int destination, int swIfIndex) {
        InterfaceSnapshot snapshot = interfaces.snapshot();
        int out = swIfIndex;
        if (out < 0) {
            Ip4FibImpl.Forwarding forwarding = fib.forwarding();
            int adjacency = forwarding.lookup(forwarding.tableOf(LOCAL0), destination);
            byte kind = forwarding.adjacencies().kind(adjacency);
            if (kind != Adjacencies.REWRITE && kind != Adjacencies.INCOMPLETE && kind != Adjacencies.GLEAN) {
                throw new IllegalArgumentException("no route to " + PacketFormat.formatIp4(destination) + " ("
                        + Adjacencies.kindName(kind) + "); give --source to send anyway");
            }
            out = forwarding.adjacencies().swIfIndex(adjacency);
        }
        int[] addresses = out < snapshot.size() && snapshot.exists(out) ? snapshot.ip4Addresses(out) : new int[0];
        if (addresses.length == 0) {
            throw new IllegalArgumentException("interface " + (snapshot.exists(out) ? snapshot.name(out) : out)
                    + " has no IPv4 address to send from; give --source");
        }
        return addresses[0];
    }
}
