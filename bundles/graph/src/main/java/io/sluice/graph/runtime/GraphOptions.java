package io.sluice.graph.runtime;

import java.util.Map;

/**
 * The engine's settings (ConfigAdmin PID {@code io.sluice.graph}). Every value is checked: a bad one is
 * rejected with the key and the reason.
 *
 * @param workers          worker threads; one by default on a 2-core box, leaving a core to the control plane
 * @param idle             spin | yield | backoff
 * @param buffersPerWorker buffers in each worker's pool
 * @param traceRecords     trace records each worker keeps before tracing stops
 * @param parkCapacity     buffers that may wait for one node (a power of two): the bound on parking
 * @param cpus             core of each worker (worker i on cpus[i]); empty leaves placement to the kernel
 * @param rxMode           polling | interrupt | adaptive: whether a worker whose inputs are quiet sleeps in poll(2)
 *                         on their descriptors (the idle strategy applies while it polls)
 */
public record GraphOptions(int workers, String idle, int buffersPerWorker, int traceRecords, int parkCapacity,
                           int[] cpus, String rxMode) {

    public static final GraphOptions DEFAULTS = new GraphOptions(1, "backoff", 16384, 8192, 4096, new int[0],
            "adaptive");

    public GraphOptions {
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("workers: must be 1..64, got " + workers);
        }
        IdleStrategy.named(idle);
        RxMode.named(rxMode);
        if (buffersPerWorker < 256) {
            throw new IllegalArgumentException("buffers-per-worker: must be at least 256, got " + buffersPerWorker);
        }
        if (traceRecords < 16) {
            throw new IllegalArgumentException("trace-records: must be at least 16, got " + traceRecords);
        }
        if (parkCapacity < 256 || Integer.bitCount(parkCapacity) != 1) {
            throw new IllegalArgumentException("park-capacity: must be a power of two >= 256, got " + parkCapacity);
        }
        cpus = cpus.clone();
        if (cpus.length != 0 && cpus.length != workers) {
            throw new IllegalArgumentException("cpus: " + cpus.length + " cores listed for " + workers
                    + " workers; list one per worker or none");
        }
        int available = Runtime.getRuntime().availableProcessors();
        for (int cpu : cpus) {
            if (cpu < 0 || cpu >= available) {
                throw new IllegalArgumentException("cpus: core " + cpu + " is not one of this box's 0.."
                        + (available - 1));
            }
        }
    }

    @Override
    public int[] cpus() {
        return cpus.clone();
    }

    public GraphOptions withWorkers(int n) {
        return new GraphOptions(n, idle, buffersPerWorker, traceRecords, parkCapacity, new int[0], rxMode);
    }

    public GraphOptions withCpus(int... cores) {
        return new GraphOptions(workers, idle, buffersPerWorker, traceRecords, parkCapacity, cores, rxMode);
    }

    public GraphOptions withIdle(String strategy) {
        return new GraphOptions(workers, strategy, buffersPerWorker, traceRecords, parkCapacity, cpus, rxMode);
    }

    public GraphOptions withBuffersPerWorker(int n) {
        return new GraphOptions(workers, idle, n, traceRecords, parkCapacity, cpus, rxMode);
    }

    public GraphOptions withParkCapacity(int n) {
        return new GraphOptions(workers, idle, buffersPerWorker, traceRecords, n, cpus, rxMode);
    }

    public GraphOptions withRxMode(String mode) {
        return new GraphOptions(workers, idle, buffersPerWorker, traceRecords, parkCapacity, cpus, mode);
    }

    /** Reads ConfigAdmin properties; missing keys keep their defaults. */
    public static GraphOptions from(Map<String, ?> properties) {
        return new GraphOptions(
                intValue(properties, "workers", DEFAULTS.workers),
                stringValue(properties, "idle", DEFAULTS.idle),
                intValue(properties, "buffers-per-worker", DEFAULTS.buffersPerWorker),
                intValue(properties, "trace-records", DEFAULTS.traceRecords),
                intValue(properties, "park-capacity", DEFAULTS.parkCapacity),
                cpuList(properties.get("cpus")),
                stringValue(properties, "rx-mode", DEFAULTS.rxMode));
    }

    /** "1,3" or "1 3": one core per worker. */
    private static int[] cpuList(Object value) {
        if (value == null || value.toString().isBlank()) {
            return new int[0];
        }
        String[] parts = value.toString().trim().split("[,\\s]+");
        int[] cpus = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                cpus[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("cpus: '" + parts[i] + "' is not a core number", e);
            }
        }
        return cpus;
    }

    private static int intValue(Map<String, ?> properties, String key, int fallback) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number number) {
            return number.intValue();
        }
        try {
            return Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a whole number", e);
        }
    }

    private static String stringValue(Map<String, ?> properties, String key, String fallback) {
        Object value = properties.get(key);
        return value == null ? fallback : value.toString().trim();
    }
}
