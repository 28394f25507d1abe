package io.sluice.telemetry.internal;

import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.function.IntFunction;

/**
 * A stand-in for a forwarding path's event log in the exporters' tests: records queued by the test, drained in order,
 * seen through the log's interface ({@link #as}), so that each test says only what its records hold.
 */
final class QueuedRecords {
    private final ArrayDeque<long[]> records = new ArrayDeque<>();
    private final int longs;
    int enabledWith;
    long intervalMillis;
    long lost;
    IntFunction<String> reasonNames = reason -> "reason " + reason;

    QueuedRecords(int longs) {
        this.longs = longs;
    }

    /** A new record of the log's size, queued; the test packs it. */
    long[] add() {
        long[] r = new long[longs];
        records.add(r);
        return r;
    }

    /**
     * This queue as {@code log} (AclDenyLog, Nat44EventLog, Nat44DropLog): enable, disable, enabled and drain act
     * on it, lost is {@link #lost}, reasonName {@link #reasonNames}, the other counters 0.
     */
    <T> T as(Class<T> log) {
        return log.cast(Proxy.newProxyInstance(log.getClassLoader(), new Class<?>[] {log}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "enable" -> {
                        enabledWith = (Integer) args[0];
                        intervalMillis = args.length > 1 ? (Long) args[1] : 0;
                        yield null;
                    }
                    case "disable" -> {
                        enabledWith = 0;
                        yield null;
                    }
                    case "enabled" -> enabledWith > 0;
                    case "drain" -> drain((long[]) args[0], (Integer) args[1]);
                    case "reasonName" -> reasonNames.apply((Integer) args[0]);
                    case "lost" -> lost;
                    case "recorded", "rateLimited" -> 0L;
                    case "toString" -> "QueuedRecords as " + log.getSimpleName();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                }));
    }

    private int drain(long[] out, int max) {
        int n = 0;
        while (n < max && !records.isEmpty()) {
            System.arraycopy(records.poll(), 0, out, n * longs, longs);
            n++;
        }
        return n;
    }
}
