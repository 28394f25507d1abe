package io.sluice.shell.commands;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.TraceFilter;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * VPP's {@code trace add <input-node> <count>}, with a 5-tuple filter evaluated once at the input: only matching
 * packets are traced and counted, so on a busy box the flow of interest is the one caught.
 */
@Command(scope = "trace", name = "add", description = "Traces the next packets entering an input node, optionally "
        + "only those matching --src, --dst, --proto, --sport, --dport")
@Service
public class TraceAdd implements Action {

    @Reference
    GraphRuntime graph;

    @Argument(index = 0, name = "input-node", description = "An input node, e.g. virtio-input or dpdk-input",
            required = true)
    @Completion(NodeNameCompleter.class)
    String node;

    @Argument(index = 1, name = "count", description = "How many packets to trace", required = true)
    int count;

    @Option(name = "--src", description = "IPv4 source prefix, a.b.c.d/len or an address")
    String src;

    @Option(name = "--dst", description = "IPv4 destination prefix, a.b.c.d/len or an address")
    String dst;

    @Option(name = "--proto", description = "tcp, udp, icmp or a protocol number")
    String proto;

    @Option(name = "--sport", description = "TCP or UDP source port")
    Integer sport;

    @Option(name = "--dport", description = "TCP or UDP destination port")
    Integer dport;

    @Option(name = "--last", description = "Keep tracing and keep the last <count> packets (the trace buffer wraps) "
            + "instead of stopping after the first <count>; trace:clear ends it")
    boolean last;

    @Override
    public Object execute() {
        TraceFilter filter = TraceFilter.of(src, dst, proto, sport, dport);
        graph.traceAdd(node, count, filter, last);
        if (last) {
            System.out.println("tracing every packet at " + node + (filter.any() ? "" : " matching "
                    + filter.describe()) + ", keeping the last " + count + " (trace:clear to stop)");
        } else if (!filter.any()) {
            System.out.println("tracing " + count + " packets at " + node + " matching " + filter.describe());
        }
        return null;
    }
}
