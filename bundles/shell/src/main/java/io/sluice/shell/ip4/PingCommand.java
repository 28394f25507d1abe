package io.sluice.shell.ip4;

import io.sluice.ip4.api.Ip4Ping;
import io.sluice.packet.api.PacketFormat;
import io.sluice.shell.vnet.InterfaceNameCompleter;
import io.sluice.vnet.api.InterfaceTable;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * VPP's {@code ping}: echo requests from the box through the graph (ip4-ping, then ip4-lookup), the replies
 * counted at ip4-local's ip4-icmp-echo-reply. Prints a line per reply and VPP's statistics line.
 */
@Command(scope = "ip", name = "ping", description = "Sends ICMP echo requests from the box and counts the replies")
@Service
public class PingCommand implements Action {

    @Reference
    Ip4Ping ping;

    @Reference
    InterfaceTable interfaces;

    @Argument(index = 0, name = "address", required = true, description = "Destination IPv4 address")
    String address;

    @Option(name = "--source", description = "Source address (default: the address of the interface the route leaves by)")
    String source;

    @Option(name = "--interface", description = "Send from this interface's address and FIB table")
    @Completion(InterfaceNameCompleter.class)
    String interfaceName;

    @Option(name = "--count", description = "Requests to send (default 5, as VPP)")
    int count = 5;

    @Option(name = "--interval", description = "Seconds between requests (default 1)")
    double interval = 1;

    @Option(name = "--size", description = "Data bytes per request (default 56)")
    int size = Ip4Ping.DEFAULT_DATA_LENGTH;

    @Option(name = "--timeout", description = "Seconds to wait for replies after the last request (default 2)")
    double timeout = 2;

    @Override
    public Object execute() throws Exception {
        int sw = -1;
        if (interfaceName != null) {
            sw = interfaces.find(interfaceName);
            if (sw < 0) {
                throw new IllegalArgumentException("no interface named '" + interfaceName + "'");
            }
        }
        if (!(interval >= 0 && interval <= 60) || !(timeout >= 0 && timeout <= 60)) {
            throw new IllegalArgumentException("--interval and --timeout: seconds from 0 to 60");
        }
        int destination = PacketFormat.parseIp4(address);
        int from = source == null ? 0 : PacketFormat.parseIp4(source);
        Ip4Ping.Result result = ping.ping(new Ip4Ping.Request(destination, from, sw, count,
                Math.round(interval * 1000), Math.round(timeout * 1000), size));
        for (Ip4Ping.Reply reply : result.replies()) {
            System.out.printf(Locale.ROOT, "%d bytes from %s: icmp_seq=%d time=%.3f ms%n", size + 8, address,
                    reply.sequence(), reply.roundTripNanos() / 1e6);
        }
        System.out.println(statistics(result));
        return null;
    }

    /** VPP's last line: {@code Statistics: 5 sent, 5 received, 0% packet loss}, from {@code source}. */
    static String statistics(Ip4Ping.Result result) {
        int received = result.replies().size();
        int loss = result.sent() == 0 ? 100 : (int) Math.round(100.0 * (result.sent() - received) / result.sent());
        return "Statistics: " + result.sent() + " sent, " + received + " received, " + loss + "% packet loss (from "
                + PacketFormat.formatIp4(result.source()) + ")";
    }
}
