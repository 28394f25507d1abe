package io.sluice.shell.acl;

import io.sluice.acl.api.AclSessions;
import io.sluice.acl.api.AclSessions.SessionInfo;
import io.sluice.acl.api.AclSessions.SessionStats;
import io.sluice.acl.api.AclSessions.SessionTimeouts;
import java.io.PrintStream;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** Reflect sessions, like VPP's {@code show acl-plugin sessions}; {@code --detail} adds one row per session. */
@Command(scope = "acl", name = "sessions", description = "Shows reflect session totals, timeouts and, with --detail, each session")
@Service
public class AclSessionsShow implements Action {

    @Reference
    AclSessions sessions;

    @Option(name = "--detail", description = "One row per live session")
    boolean detail;

    @Option(name = "--max", description = "At most this many sessions with --detail (default 1000)")
    int max = 1000;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        PrintStream out = System.out;
        SessionStats stats = sessions.stats();
        SessionTimeouts timeouts = sessions.timeouts();
        out.printf("Sessions total: add %d - del %d = %d%n", stats.added(), stats.deleted(), stats.added() - stats.deleted());
        out.printf("Sessions active: %d, max %d (%d slots), refused when full: %d, expired: %d%n",
                stats.live(), stats.maxSessions(), stats.capacity(), stats.refusedFull(), stats.expired());
        out.printf("Timeouts: tcp idle %d s, tcp transient %d s, udp idle %d s%n",
                timeouts.tcpIdleSeconds(), timeouts.tcpTransientSeconds(), timeouts.udpIdleSeconds());
        if (detail) {
            table(sessions, max).print(out, !noFormat);
        }
        return null;
    }

    static ShellTable table(AclSessions sessions, int max) {
        ShellTable table = new ShellTable();
        for (String column : new String[] {"Index", "sw_if_index", "Side", "Proto", "Initiator", "Responder",
                "TCP flags", "Idle s", "Timeout", "Packets", "Bytes"}) {
            table.column(column);
        }
        for (SessionInfo s : sessions.sessions(max)) {
            table.addRow().addContent(s.index(), s.swIfIndex(), s.createdOnInput() ? "input" : "output",
                    s.protocol(), address(s.sourceAddress()) + ":" + s.sourcePort(),
                    address(s.destinationAddress()) + ":" + s.destinationPort(),
                    String.format("%02x/%02x", s.tcpFlagsForward(), s.tcpFlagsReverse()),
                    s.idleNanos() / 1_000_000_000L, s.timeoutType() + " " + s.timeoutSeconds() + "s",
                    s.packets(), s.bytes());
        }
        return table;
    }

    static String address(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }
}
