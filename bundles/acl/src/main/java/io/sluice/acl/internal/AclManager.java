package io.sluice.acl.internal;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclService;
import io.sluice.common.FeatureKey;
import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.vnet.api.InterfaceListener;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The ACL control plane: definitions by name and index, bindings by interface name, compiled into one
 * {@link AclPolicy} snapshot per change. Interfaces are resolved by name on every change of the interface
 * table, so a binding written before its interface exists applies when the interface appears. The
 * acl-plugin features are enabled on an interface's ip4-unicast (input) or ip4-output (output) arc while
 * it has a non-empty list there; a feature that the graph cannot enable yet (its node or the arc's start
 * node not registered) is retried once a second until it can. An interface whose list is not whole (an ACL it
 * names is not defined) has no rules in the policy, and the nodes drop what no session admits there.
 */
@Component(service = {AclService.class, AclManager.class}, immediate = true)
public final class AclManager implements AclService, InterfaceListener {
    private static final System.Logger LOG = System.getLogger(AclManager.class.getName());

    private final GraphRuntime graph;
    private final InterfaceTable interfaces;
    private final Object lock = new Object();
    private final Map<String, Acl> byName = new HashMap<>();
    private final TreeMap<Integer, Acl> byIndex = new TreeMap<>();
    private final Map<String, Binding> bindings = new LinkedHashMap<>();
    /** Features the graph has enabled for us, with their sw_if_index. */
    private final Map<FeatureKey, Integer> enabled = new HashMap<>();
    private Map<FeatureKey, Integer> wanted = new HashMap<>();
    private ScheduledExecutorService retry;
    private ScheduledFuture<?> retryTask;
    private volatile AclPolicy policy = AclPolicy.EMPTY;

    private record Binding(String interfaceName, List<String> input, List<String> output) {
    }

    @Activate
    public AclManager(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces) {
        this.graph = graph;
        this.interfaces = interfaces;
        interfaces.addListener(this);
    }

    /**
     * Leaves every acl feature where it is. The features are the policy's place on the arcs, not a side effect of
     * this component being active: while the bundle is updated its nodes are absent and the graph parks (then drops
     * and counts) what is bound for them; the next instance finds them enabled and loads the lists. Only a
     * configuration that removes a binding takes a feature off an interface.
     */
    @Deactivate
    public void deactivate() {
        interfaces.removeListener(this);
        synchronized (lock) {
            if (retry != null) {
                retry.shutdownNow();
                retry = null;
            }
        }
    }

    /** The snapshot the nodes evaluate: read once per frame. */
    AclPolicy policy() {
        return policy;
    }

    @Override
    public int define(Acl acl) {
        synchronized (lock) {
            Acl previous = byName.get(acl.name());
            int index = acl.index();
            if (index >= 0) {
                Acl holder = byIndex.get(index);
                if (holder != null && !holder.name().equals(acl.name())) {
                    throw new IllegalArgumentException("ACL index " + index + " is held by ACL '" + holder.name()
                            + "'; '" + acl.name() + "' needs another index");
                }
            } else if (previous != null) {
                index = previous.index();
            } else {
                index = 0;
                while (byIndex.containsKey(index)) {
                    index++;
                }
            }
            if (previous != null) {
                byIndex.remove(previous.index());
            }
            Acl placed = acl.withIndex(index);
            byName.put(placed.name(), placed);
            byIndex.put(index, placed);
            recompute();
            return index;
        }
    }

    @Override
    public boolean remove(String name) {
        synchronized (lock) {
            Acl removed = byName.remove(name);
            if (removed == null) {
                return false;
            }
            byIndex.remove(removed.index());
            recompute();
            return true;
        }
    }

    @Override
    public List<Acl> acls() {
        synchronized (lock) {
            return List.copyOf(byIndex.values());
        }
    }

    @Override
    public void bind(String interfaceName, List<String> input, List<String> output) {
        synchronized (lock) {
            bindings.put(interfaceName, new Binding(interfaceName, List.copyOf(input), List.copyOf(output)));
            recompute();
        }
    }

    @Override
    public boolean unbind(String interfaceName) {
        synchronized (lock) {
            boolean had = bindings.remove(interfaceName) != null;
            if (had) {
                recompute();
            }
            return had;
        }
    }

    @Override
    public List<InterfaceBinding> bindings() {
        synchronized (lock) {
            InterfaceSnapshot snapshot = interfaces.snapshot();
            List<InterfaceBinding> out = new ArrayList<>();
            for (Binding binding : bindings.values()) {
                out.add(new InterfaceBinding(binding.interfaceName(), snapshot.find(binding.interfaceName()),
                        binding.input(), indices(binding.input()), binding.output(), indices(binding.output())));
            }
            return out;
        }
    }

    private List<Integer> indices(List<String> names) {
        List<Integer> out = new ArrayList<>();
        for (String name : names) {
            Acl acl = byName.get(name);
            out.add(acl == null ? -1 : acl.index());
        }
        return out;
    }

    @Override
    public void interfaceChanged(InterfaceSnapshot previous, InterfaceSnapshot current) {
        synchronized (lock) {
            recompute();
        }
    }

    /** Compiles every bound list (lists with the same ACLs share one compiled set) and publishes. */
    private void recompute() {
        InterfaceSnapshot snapshot = interfaces.snapshot();
        Map<List<String>, CompiledRuleSet> compiled = new HashMap<>();
        int span = 0;
        for (Binding binding : bindings.values()) {
            span = Math.max(span, snapshot.find(binding.interfaceName()) + 1);
        }
        CompiledRuleSet[] input = new CompiledRuleSet[span];
        CompiledRuleSet[] output = new CompiledRuleSet[span];
        Map<FeatureKey, Integer> features = new HashMap<>();
        for (Binding binding : bindings.values()) {
            int sw = snapshot.find(binding.interfaceName());
            if (sw < 0) {
                continue;
            }
            if (!binding.input().isEmpty()) {
                input[sw] = compiled.computeIfAbsent(binding.input(), this::compile);
                features.put(new FeatureKey(FeatureArc.IP4_UNICAST, AclInputNode.NAME, sw), sw);
            }
            if (!binding.output().isEmpty()) {
                output[sw] = compiled.computeIfAbsent(binding.output(), this::compile);
                features.put(new FeatureKey(FeatureArc.IP4_OUTPUT, AclOutputNode.NAME, sw), sw);
            }
        }
        policy = new AclPolicy(input, output);
        wanted = features;
        applyFeatures();
    }

    /**
     * The list's rules, or null while one of its ACLs is not defined: evaluating the others alone could permit
     * what the missing one would deny (first match wins), so the list is not in force until it is whole.
     */
    private CompiledRuleSet compile(List<String> names) {
        List<Acl> acls = new ArrayList<>();
        for (String name : names) {
            Acl acl = byName.get(name);
            if (acl == null) {
                return null;
            }
            acls.add(acl);
        }
        return new CompiledRuleSet(acls);
    }

    /** Brings the graph's enabled acl features to {@link #wanted}; schedules a retry for what fails. */
    private void applyFeatures() {
        List<String> failed = new ArrayList<>();
        for (FeatureKey key : new TreeSet<>(enabled.keySet())) {
            if (!wanted.containsKey(key) && toggle(key, false, failed)) {
                enabled.remove(key);
            }
        }
        for (FeatureKey key : new TreeSet<>(wanted.keySet())) {
            if (!enabled.containsKey(key) && toggle(key, true, failed)) {
                enabled.put(key, wanted.get(key));
            }
        }
        if (failed.isEmpty()) {
            if (retryTask != null) {
                retryTask.cancel(false);
                retryTask = null;
            }
        } else if (retryTask == null) {
            LOG.log(System.Logger.Level.WARNING, "acl: features not enabled yet, retrying every second: " + failed);
            if (retry == null) {
                retry = Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "acl-feature-retry");
                    thread.setDaemon(true);
                    return thread;
                });
            }
            retryTask = retry.scheduleWithFixedDelay(this::retryFeatures, 1, 1, TimeUnit.SECONDS);
        }
    }

    private void retryFeatures() {
        synchronized (lock) {
            applyFeatures();
        }
    }

    private boolean toggle(FeatureKey key, boolean enable, List<String> failed) {
        try {
            graph.enableFeature(key.arc(), key.node(), key.swIfIndex(), enable);
            return true;
        } catch (IllegalArgumentException e) {
            failed.add(key + ": " + e.getMessage());
            return false;
        }
    }
}
