package io.sluice.bench.seed;

import io.sluice.acl.api.AclSessions.SessionStats;
import io.sluice.graph.api.Frame;
import io.sluice.nat44.api.Nat44Event;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ethernet;
import io.sluice.packet.api.Tcp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The seed's whole path on one worker, in memory (seed/POD_TO_INTERNET.md): what a gateway core does per packet
 * between its receive ring and its transmit ring, 64-byte TCP frames, frames of 256 through the worker's own
 * dispatch loop ({@link SeedBox}).
 *
 * <ul>
 *   <li>{@link #request}: pod to internet, on established sessions: ethernet-input, ip4-input,
 *       acl-plugin-in-ip4-fa (a reflect session hit), nat44-out2in (not the outside: passes), ip4-lookup,
 *       ip4-rewrite, acl-plugin-out-ip4-fa (the global list, classified), nat44-in2out-output (a session hit),
 *       GigabitEthernet0/8/0-output and -tx.</li>
 *   <li>{@link #reply}: internet to pod: ethernet-input, ip4-input, acl-plugin-in-ip4-fa (a session hit),
 *       nat44-out2in (translated back), ip4-lookup, ip4-rewrite, acl-plugin-out-ip4-fa (passes on the pod's
 *       session: its own list denies everything), tap2-output and -tx.</li>
 *   <li>{@link #requestAndReply}: one frame each way per pass, as a worker polling both ports sees them.</li>
 *   <li>{@link #newConnections}: RFC 9693's connection establishment rate: per operation one TCP connection opened
 *       through the box, its SYN (an ACL session made by the reflect rule, a NAT44 session by the slow path), the
 *       server's SYN-ACK (a second reflect session on the GbE, translated back) and the pod's ACK (hits both); the
 *       connection's NAT44 session is deleted as its ACK leaves (as a close would), and the ACL's small session
 *       table is cleared each time it is half full, both inside the measurement.</li>
 * </ul>
 *
 * Each pass also plays both drivers (the buffers allocated and the 60 bytes copied in, as a receive ring's copy)
 * and the wire (the buffers freed). The 256 flows of the steady state have their sessions from the set-up. The
 * tear-down checks that every packet sent came out of the far port: a drop would make the figure a lie.
 *
 * <p>{@code logging=on} (issue 20: the figure should move by less than 5 %): NAT event logging (RFC 6888 REQ-12) is on
 * as the telemetry exporter turns it on (a ring of 65,536 events), and a second thread drains it in the exporter's
 * duty cycle (batches of 512, a 20 ms rest after a pass that took less than a batch). On the steady state no packet makes an event
 * (every one hits a session); in {@link #newConnections} each connection is two (its NAT44 session created and
 * deleted). The tear-down prints the events recorded, drained and lost.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
@State(Scope.Thread)
public class SeedPathBenchmark {
    static final int FRAME = Frame.CAPACITY;
    static final int FIRST_POD_PORT = 1024;
    /** Windows of 256 consecutive pod ports that new connections cycle through (ports 1024 to 65023). */
    static final int WINDOWS = 250;
    static final long ACL_SESSIONS = 65_536;
    /** A connection makes two ACL sessions (one per direction's reflect rule): clear at half the limit. */
    static final long ACL_CLEAR_AT = ACL_SESSIONS / 2;
    static final int NAT_SESSIONS = 8192;

    /** Events the drain takes at a time, and its rest when the ring was empty: the telemetry exporter's. */
    static final int DRAIN_BATCH = 512;
    static final long DRAIN_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** JMH sets it per run; "off" for the CPU-time driver (SeedPathCpuTime), which builds the state itself. */
    @Param({"off", "on"})
    public String logging = "off";

    SeedBox box;
    private volatile boolean draining;
    private Thread drainer;
    private long drained;
    /**
     * SYN of every pod port, window after window; the pod's ACK of every pod port, likewise. Off-heap, as a driver's
     * receive ring is.
     */
    final MemorySegment syns = Arena.ofAuto().allocate((long) WINDOWS * FRAME * SeedFrames.LENGTH);
    final MemorySegment acks = Arena.ofAuto().allocate((long) WINDOWS * FRAME * SeedFrames.LENGTH);
    /** The server's frames to the NAT ports: SYN-ACKs rewritten per connection, ACKs for the steady state. */
    final MemorySegment synAcks = Arena.ofAuto().allocate(FRAME * SeedFrames.LENGTH);
    final MemorySegment replies = Arena.ofAuto().allocate(FRAME * SeedFrames.LENGTH);
    int window;
    long aclSessionsMade;
    long podFramesSent;
    long internetFramesSent;

    @Setup(Level.Trial)
    public void setUp() {
        box = new SeedBox(ACL_SESSIONS, NAT_SESSIONS);
        for (int i = 0; i < WINDOWS * FRAME; i++) {
            SeedFrames.request(syns, (long) i * SeedFrames.LENGTH, FIRST_POD_PORT + i, Tcp.FLAG_SYN);
            SeedFrames.request(acks, (long) i * SeedFrames.LENGTH, FIRST_POD_PORT + i, Tcp.FLAG_ACK);
        }
        for (int i = 0; i < FRAME; i++) {
            SeedFrames.reply(synAcks, (long) i * SeedFrames.LENGTH, 0, Tcp.FLAG_SYN | Tcp.FLAG_ACK);
        }
        // The steady state's 256 flows: window 0 opened, their sessions kept.
        int[] natPorts = handshake(0, false);
        for (int i = 0; i < FRAME; i++) {
            SeedFrames.reply(replies, (long) i * SeedFrames.LENGTH, natPorts[i], Tcp.FLAG_ACK);
        }
        window = 1;
        request();
        reply();
        expect(box.gbePort.sent == podFramesSent && box.tapPort.sent == internetFramesSent, "set-up");
        if (logging.equals("on")) {
            box.nat.enableEventLogging(1 << 16);
            draining = true;
            drainer = new Thread(this::drainEvents, "nat44-event-export");
            drainer.setDaemon(true);
            drainer.start();
        }
    }

    /** The exporter's side, as NatEventExporter's duty cycle takes the ring (the encoding left out). */
    private void drainEvents() {
        long[] records = new long[DRAIN_BATCH * Nat44Event.LONGS];
        while (draining) {
            int n = box.nat.drainEvents(records, DRAIN_BATCH);
            drained += n;
            if (n < DRAIN_BATCH) {
                LockSupport.parkNanos(DRAIN_IDLE_NANOS);
            }
        }
    }

    /**
     * Opens the 256 connections of pod-port window {@code w}; the NAT ports the SYNs left with (the GbE port's
     * record, valid until the next handshake). {@code close}: their NAT44 sessions are deleted as the ACKs leave.
     */
    private int[] handshake(int w, boolean close) {
        box.gbePort.recorded = 0;
        box.gbePort.recordSourcePorts = true;
        box.fromPod.arm(syns, w * FRAME, FRAME);
        box.run();
        box.gbePort.recordSourcePorts = false;
        expect(box.gbePort.recorded == FRAME, "SYNs out of the GbE: " + box.gbePort.recorded);
        int[] natPorts = box.gbePort.sourcePorts;
        answer(natPorts);
        box.fromPod.arm(acks, w * FRAME, FRAME);
        box.gbePort.closeNatSessions = close ? box.nat : null;
        box.run();
        box.gbePort.closeNatSessions = null;
        podFramesSent += 2 * FRAME;
        internetFramesSent += FRAME;
        aclSessionsMade += 2 * FRAME;
        return natPorts;
    }

    /** The server's SYN-ACKs to {@code natPorts}: the destination port and the TCP checksum rewritten. */
    private void answer(int[] natPorts) {
        for (int i = 0; i < FRAME; i++) {
            long ip = (long) i * SeedFrames.LENGTH + Ethernet.HEADER_LENGTH;
            Tcp.setDstPort(synAcks, ip + SeedFrames.IP_HEADER, natPorts[i]);
            Checksum.setTcpChecksum(synAcks, ip);
        }
        box.fromInternet.arm(synAcks, 0, FRAME);
        box.run();
    }

    private static void expect(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException(what + ": packets dropped on the seed path");
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAME)
    public int request() {
        box.fromPod.arm(acks, 0, FRAME);
        podFramesSent += FRAME;
        return box.run();
    }

    @Benchmark
    @OperationsPerInvocation(FRAME)
    public int reply() {
        box.fromInternet.arm(replies, 0, FRAME);
        internetFramesSent += FRAME;
        return box.run();
    }

    @Benchmark
    @OperationsPerInvocation(2 * FRAME)
    public int requestAndReply() {
        box.fromPod.arm(acks, 0, FRAME);
        box.fromInternet.arm(replies, 0, FRAME);
        podFramesSent += FRAME;
        internetFramesSent += FRAME;
        return box.run();
    }

    @Benchmark
    @OperationsPerInvocation(FRAME)
    public int newConnections() {
        int w = window;
        window = w + 1 < WINDOWS ? w + 1 : 1;
        if (aclSessionsMade >= ACL_CLEAR_AT) {
            box.acl.sessions().clear();
            aclSessionsMade = 0;
        }
        return handshake(w, true).length;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (drainer != null) {
            draining = false;
            LockSupport.unpark(drainer);
            try {
                drainer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long[] counts = box.nat.eventCounts();
            System.out.printf("%nNAT event logging: %d events recorded, %d drained, %d lost (ring full)%n", counts[0],
                    drained, counts[1]);
        }
        SessionStats acl = box.acl.sessions().stats();
        System.out.printf("%nframes sent by the pod %d, out of the GbE %d; by the internet %d, out of tap2 %d;"
                        + " ACL sessions added %d, refused (full) %d; errors %s%n", podFramesSent, box.gbePort.sent,
                internetFramesSent, box.tapPort.sent, acl.added(), acl.refusedFull(), box.errors());
        boolean forwarded = box.gbePort.sent == podFramesSent && box.tapPort.sent == internetFramesSent;
        box.close();
        expect(forwarded, "the run");
    }
}
