package io.sluice.ip4.config;

import io.sluice.vnet.api.InterfaceListener;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * A configuration that applies to a named interface: checked in full when it arrives (a bad one is refused
 * and logged, and what was applied before stays in force), then applied as soon as the interface exists,
 * now or when its driver registers it. Applying happens on one configuration thread, never inside the
 * interface table's notification (which holds the table's lock).
 */
abstract class InterfaceBoundConfig<T> implements InterfaceListener {

    private static final Executor APPLIER = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "sluice-config");
        thread.setDaemon(true);
        return thread;
    });

    protected final System.Logger log = System.getLogger(getClass().getName());
    protected final InterfaceTable interfaces;
    private final String factoryPid;
    private T wanted;
    private T applied;
    private String origin;
    /** The configuration's PID (origin when it has none), its key in {@link ConfigProgress}. */
    private String progressKey;
    private volatile boolean pending;

    InterfaceBoundConfig(InterfaceTable interfaces, String factoryPid) {
        this.interfaces = interfaces;
        this.factoryPid = factoryPid;
    }

    /** Checks every key; throws with origin, key and reason. */
    abstract T parse(ConfigValues values);

    /** The interface names {@code config} needs, all of which must exist before it is applied. */
    abstract String[] interfaceNames(T config);

    /** Applies {@code config}, replacing {@code previous} (null the first time). */
    abstract void apply(T previous, T config);

    /** Undoes {@code config}. */
    abstract void withdraw(T config);

    /** The interface {@code config} puts admin up, which must then be up and polled for the box to forward; or null. */
    String forwardingInterface(T config) {
        return null;
    }

    /** Called on activation and modification; returns false (and logs why) when the configuration is refused. */
    final boolean configure(Map<String, ?> properties) {
        ConfigValues values = new ConfigValues(factoryPid, properties);
        Object pid = properties.get("service.pid");
        T parsed;
        try {
            parsed = parse(values);
        } catch (IllegalArgumentException e) {
            log.log(System.Logger.Level.ERROR, e.getMessage() + "; refused, the previous configuration stays");
            synchronized (this) {
                progressKey = pid != null ? pid.toString() : values.origin();
                progress(ConfigProgress.State.REFUSED, e.getMessage(), values.origin());
            }
            return false;
        }
        synchronized (this) {
            wanted = parsed;
            origin = values.origin();
            progressKey = pid != null ? pid.toString() : origin;
            pending = true;
        }
        tryApply();
        return true;
    }

    final synchronized void tryApply() {
        if (!pending) {
            return;
        }
        for (String name : interfaceNames(wanted)) {
            if (interfaces.find(name) < 0) {
                log.log(System.Logger.Level.INFO, origin + ": waiting for interface " + name + " to be registered");
                progress(ConfigProgress.State.WAITING, "waiting for interface " + name + " to be registered", origin);
                return;
            }
        }
        try {
            apply(applied, wanted);
            applied = wanted;
            progress(ConfigProgress.State.APPLIED, "", origin);
        } catch (IllegalArgumentException | IllegalStateException e) {
            log.log(System.Logger.Level.ERROR, origin + ": " + e.getMessage());
            progress(ConfigProgress.State.FAILED, e.getMessage(), origin);
        }
        pending = false;
    }

    /** Records where this configuration stands. Under this object's lock. */
    private void progress(ConfigProgress.State state, String detail, String from) {
        ConfigProgress.record(progressKey, new ConfigProgress.Entry(factoryPid, from, state, detail,
                applied == null ? null : forwardingInterface(applied)));
    }

    final synchronized void remove() {
        pending = false;
        if (progressKey != null) {
            ConfigProgress.forget(progressKey);
        }
        if (applied != null) {
            try {
                withdraw(applied);
            } catch (IllegalArgumentException e) {
                log.log(System.Logger.Level.WARNING, origin + ": " + e.getMessage());
            }
            applied = null;
        }
    }

    final synchronized T applied() {
        return applied;
    }

    @Override
    public final void interfaceChanged(InterfaceSnapshot previous, InterfaceSnapshot current) {
        if (pending) {
            APPLIER.execute(this::tryApply);
        }
    }
}
