package io.sluice.shell.commands;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.graph.api.GraphRuntime.NodeInfo;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.FrameworkWiring;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An operator's upgrade of one capability in one command: updates the bundle (from {@code url}, or from where
 * it was installed), refreshes exactly what is wired to it, waits until every node that was active is active
 * again, and reports the stall and what the graph dropped meanwhile (error-drop's packets, and of those the
 * parked-overflow ones: packets for an absent node beyond the parking bound). While a node is absent the graph
 * parks what is bound for it and its features stay on their arcs, so the upgrade lets nothing through.
 */
@Command(scope = "node", name = "upgrade", description = "Updates a bundle of graph nodes in place, refreshes what "
        + "is wired to it, waits for its nodes to be active again and reports the stall and the drops")
@Service
public class NodeUpgrade implements Action {

    @Reference
    GraphRuntime graph;

    @Reference
    BundleContext context;

    @Argument(index = 0, name = "bundle", description = "The bundle's symbolic name (io.sluice.sluice-acl) or id",
            required = true)
    String bundle;

    @Argument(index = 1, name = "url", description = "Where the new bundle is (mvn:, file:, http:); default: "
            + "where it was installed from")
    String url;

    @Option(name = "--timeout", description = "Seconds to wait for the refresh and for the nodes (default 60)")
    int timeoutSeconds = 60;

    @Override
    public Object execute() throws Exception {
        Bundle target = find(bundle);
        Set<String> active = activeNodes();
        long parkedBefore = parkedOverflow();
        long droppedBefore = dropped();
        String oldVersion = target.getVersion().toString();
        long start = System.nanoTime();
        if (url == null) {
            target.update();
        } else {
            try (InputStream in = URI.create(url).toURL().openStream()) {
                target.update(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("node:upgrade: cannot read " + url + ": " + e.getMessage());
            }
        }
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(target), event -> refreshed.countDown());
        long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        if (!refreshed.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("node:upgrade: the refresh of " + target.getSymbolicName()
                    + " did not finish within " + timeoutSeconds + " s");
        }
        Set<String> missing = new TreeSet<>(active);
        while (true) {
            missing.removeAll(activeNodes());
            if (missing.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(10);
        }
        long stallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("node:upgrade: " + target.getSymbolicName() + " updated, but these nodes"
                    + " are not active again after " + timeoutSeconds + " s: " + String.join(", ", missing)
                    + " (their packets are parked, then dropped and counted)");
        }
        System.out.printf("upgraded %s %s -> %s: nodes back after %d ms; dropped +%d (of which parked-overflow +%d)%n",
                target.getSymbolicName(), oldVersion, target.getVersion(), stallMillis, dropped() - droppedBefore,
                parkedOverflow() - parkedBefore);
        return null;
    }

    private Bundle find(String name) throws BundleException {
        for (Bundle candidate : context.getBundles()) {
            if (name.equals(candidate.getSymbolicName()) || name.equals(Long.toString(candidate.getBundleId()))) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("node:upgrade: no bundle '" + name + "' (a symbolic name such as "
                + "io.sluice.sluice-acl, or an id from bundle:list)");
    }

    private Set<String> activeNodes() {
        Set<String> names = new TreeSet<>();
        for (NodeInfo node : graph.nodes()) {
            if (node.state().equals("active")) {
                names.add(node.name());
            }
        }
        return names;
    }

    /** Packets for an absent node beyond the parking bound, all nodes together. */
    private long parkedOverflow() {
        long sum = 0;
        for (ErrorCount error : graph.errors()) {
            if (error.error().equals("parked-overflow")) {
                sum += error.count();
            }
        }
        return sum;
    }

    /** Packets error-drop has freed: every drop of the graph, whatever its counter. */
    private long dropped() {
        for (GraphRuntime.NodeStats node : graph.runtimeStats()) {
            if (node.name().equals(GraphRuntime.ERROR_DROP)) {
                return node.vectors();
            }
        }
        return 0;
    }
}
