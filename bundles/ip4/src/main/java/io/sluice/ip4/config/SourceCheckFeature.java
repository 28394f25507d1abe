package io.sluice.ip4.config;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.ip4.api.Ip4Graph;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Puts an interface's {@code source-check} setting on its ip4-unicast arc: ip4-source-check-via-rx (strict),
 * ip4-source-check-via-any (loose) or neither. The graph refuses a feature whose node or arc has not registered
 * yet (bundle start order); then the setting is tried again every second until it holds, so a configured check
 * is never silently missing.
 */
final class SourceCheckFeature {

    static final String STRICT = "strict";
    static final String LOOSE = "loose";
    static final String OFF = "off";

    private static final System.Logger LOG = System.getLogger(SourceCheckFeature.class.getName());
    private static final ScheduledExecutorService RETRY = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sluice-source-check");
        thread.setDaemon(true);
        return thread;
    });

    private final GraphRuntime graph;
    private final Runnable reapply;
    private boolean retrying;

    /**
     * {@code reapply} applies what the configuration wants now, under the configuration's lock (taken before this
     * object's, as a configuration thread applying a new setting takes them).
     */
    SourceCheckFeature(GraphRuntime graph, Runnable reapply) {
        this.graph = graph;
        this.reapply = reapply;
    }

    /** Applies {@code mode} on {@code sw}; when the graph cannot take it yet, retries what is wanted then. */
    synchronized void apply(int sw, String mode) {
        if (mode.equals(OFF)) {
            withdraw(sw);
            return;
        }
        try {
            set(sw, mode);
        } catch (IllegalArgumentException e) {
            if (!retrying) {
                LOG.log(System.Logger.Level.INFO, "source-check " + mode + " on sw_if_index " + sw
                        + " waits for its node: " + e.getMessage() + "; retrying every second");
                retrying = true;
                RETRY.schedule(this::retry, 1, TimeUnit.SECONDS);
            }
        }
    }

    /** Removes both checks from {@code sw}; a node that never registered was never enabled, so its refusal is fine. */
    synchronized void withdraw(int sw) {
        try {
            set(sw, OFF);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.DEBUG, "source-check off on sw_if_index " + sw + ": " + e.getMessage());
        }
    }

    private void set(int sw, String mode) {
        graph.enableFeature(FeatureArc.IP4_UNICAST, Ip4Graph.IP4_SOURCE_CHECK_VIA_RX, sw, mode.equals(STRICT));
        graph.enableFeature(FeatureArc.IP4_UNICAST, Ip4Graph.IP4_SOURCE_CHECK_VIA_ANY, sw, mode.equals(LOOSE));
    }

    private void retry() {
        synchronized (this) {
            retrying = false;
        }
        reapply.run();
    }
}
