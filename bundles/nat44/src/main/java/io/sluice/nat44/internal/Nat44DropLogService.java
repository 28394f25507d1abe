package io.sluice.nat44.internal;

import io.sluice.nat44.api.Nat44DropLog;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@link Nat44DropLog} over the drop recorder of the running NAT44 instance: published apart from
 * {@link Nat44Runtime} so that the runtime's own service stays what it was. A new runtime (a changed configuration)
 * brings a new one of these, and the exporter that enabled the old log enables the new one.
 */
@Component(service = Nat44DropLog.class, immediate = true)
public final class Nat44DropLogService implements Nat44DropLog {
    private final Nat44DropRecorder drops;

    @Activate
    public Nat44DropLogService(@Reference Nat44Runtime runtime) {
        this.drops = runtime.dataplane().drops();
    }

    @Override
    public void enable(int capacity) {
        drops.enable(capacity);
    }

    @Override
    public void disable() {
        drops.disable();
    }

    @Override
    public boolean enabled() {
        return drops.enabled();
    }

    @Override
    public int drain(long[] records, int max) {
        return drops.drain(records, max);
    }

    @Override
    public String reasonName(int reason) {
        return Nat44DropRecorder.reasonName(reason);
    }

    @Override
    public long recorded() {
        return drops.recorded();
    }

    @Override
    public long lost() {
        return drops.lost();
    }
}
