package io.sluice.shell.nat44;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.nat44.api.Nat44;
import io.sluice.nat44.api.SessionInfo;
import io.sluice.nat44.api.UserInfo;
import io.sluice.packet.api.PacketFormat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * NAT44 sessions per inside address, in the shape of VPP's {@code show nat44 sessions [detail]} for NAT44-ED: each
 * session is a flow, listed with its external host and both directions' match and rewrite. With several workers the
 * sessions are listed by the thread that owns them, each thread headed as VPP heads it
 * ({@code -------- thread 1 sluice_wk_0: 2 sessions --------}); with one, the one heading of before.
 */
@Command(scope = "nat44", name = "sessions", description = "Shows NAT44 translations per inside address")
@Service
public class Nat44Sessions implements Action {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    @Reference
    Nat44 nat44;

    @Reference
    GraphRuntime graph;

    @Option(name = "--detail", description = "Every session: both endpoints, external host, index, last heard, packets, bytes")
    boolean detail;

    @Option(name = "--inside", description = "Only the sessions of this inside address")
    String inside;

    @Option(name = "--max", description = "At most this many sessions in --detail (default 1000)")
    int max = 1000;

    @Override
    public Object execute() {
        int filter = inside == null ? 0 : PacketFormat.parseIp4(inside);
        int workers = graph.workerCount();
        if (workers > 1) {
            printByThread(filter, workers);
            return null;
        }
        List<SessionInfo> sessions = detail ? nat44.sessions(filter, max) : List.of();
        System.out.println("NAT44 sessions: " + nat44.sessionCount() + " of " + nat44.sessionCapacity());
        System.out.println("-------- thread 0 sluice_main --------");
        for (UserInfo user : nat44.users()) {
            if (filter != 0 && user.insideAddress() != filter) {
                continue;
            }
            System.out.println("  " + PacketFormat.formatIp4(user.insideAddress()) + ": " + user.dynamicSessions()
                    + " dynamic translations, " + user.staticSessions() + " static translations");
            for (SessionInfo s : sessions) {
                if (s.insideAddress() == user.insideAddress()) {
                    printSession(s);
                }
            }
        }
        return null;
    }

    /** Each thread's sessions (at most --max in all) under its heading, its inside addresses with their counts. */
    private void printByThread(int filter, int workers) {
        List<SessionInfo> sessions = nat44.sessions(filter, max);
        long total = nat44.sessionCount();
        System.out.println("NAT44 sessions: " + total + " of " + nat44.sessionCapacity());
        List<String> names = graph.workerHealth().stream().map(GraphRuntime.WorkerHealth::thread).toList();
        List<List<SessionInfo>> byThread = byThread(sessions, workers, nat44::owner);
        for (int thread = 0; thread < workers; thread++) {
            List<SessionInfo> owned = byThread.get(thread);
            String name = thread < names.size() ? names.get(thread) : "thread" + thread;
            System.out.println("-------- thread " + thread + " " + name + ": " + owned.size() + " sessions --------");
            Map<Integer, int[]> users = new LinkedHashMap<>();
            for (SessionInfo s : owned) {
                users.computeIfAbsent(s.insideAddress(), address -> new int[2])[s.isStatic() ? 1 : 0]++;
            }
            for (Map.Entry<Integer, int[]> user : users.entrySet()) {
                System.out.println("  " + PacketFormat.formatIp4(user.getKey()) + ": " + user.getValue()[0]
                        + " dynamic translations, " + user.getValue()[1] + " static translations");
                if (detail) {
                    for (SessionInfo s : owned) {
                        if (s.insideAddress() == user.getKey()) {
                            printSession(s);
                        }
                    }
                }
            }
        }
        if (sessions.size() < total && sessions.size() >= max) {
            System.out.println("(the first " + sessions.size() + " of " + total + " sessions by thread; --max lists more)");
        }
    }

    /** {@code sessions} split by the worker that owns each (0 .. workers - 1; an owner outside that range on 0). */
    static List<List<SessionInfo>> byThread(List<SessionInfo> sessions, int workers, ToIntFunction<SessionInfo> owner) {
        List<List<SessionInfo>> result = new ArrayList<>();
        for (int thread = 0; thread < workers; thread++) {
            result.add(new ArrayList<>());
        }
        for (SessionInfo s : sessions) {
            int thread = owner.applyAsInt(s);
            result.get(thread >= 0 && thread < workers ? thread : 0).add(s);
        }
        return result;
    }

    private static void printSession(SessionInfo s) {
        String proto = switch (s.protocol()) {
            case 6 -> "tcp";
            case 17 -> "udp";
            default -> "icmp";
        };
        System.out.println("    i2o " + PacketFormat.formatIp4(s.insideAddress()) + " proto " + proto + " port "
                + s.insidePort() + " fib 0");
        System.out.println("    o2i " + PacketFormat.formatIp4(s.outsideAddress()) + " proto " + proto + " port "
                + s.outsidePort() + " fib 0");
        System.out.println("       index " + s.index() + " last heard " + CLOCK.format(Instant.ofEpochMilli(s.lastHeardMillis()))
                + " expires " + CLOCK.format(Instant.ofEpochMilli(s.expiresAtMillis()))
                + (s.tcpState().isEmpty() ? "" : " tcp " + s.tcpState()));
        System.out.println("       total pkts " + s.packets() + ", total bytes " + s.bytes());
        System.out.println("       " + (s.isStatic() ? "static translation" : "dynamic translation"));
        // NAT44-ED: a session is one flow, so its remote endpoint is part of it (VPP's "external host"); after the
        // lines of before, which scripts read by their place.
        String remote = PacketFormat.formatIp4(s.remoteAddress());
        System.out.println("       external host " + remote + ":" + s.remotePort());
        System.out.println("       i2o flow: match: saddr " + PacketFormat.formatIp4(s.insideAddress()) + " sport "
                + s.insidePort() + " daddr " + remote + " dport " + s.remotePort() + " proto " + proto
                + " rewrite: saddr " + PacketFormat.formatIp4(s.outsideAddress()) + " sport " + s.outsidePort());
        System.out.println("       o2i flow: match: saddr " + remote + " sport " + s.remotePort() + " daddr "
                + PacketFormat.formatIp4(s.outsideAddress()) + " dport " + s.outsidePort() + " proto " + proto
                + " rewrite: daddr " + PacketFormat.formatIp4(s.insideAddress()) + " dport " + s.insidePort());
    }
}
