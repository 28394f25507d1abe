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
 * @param handoffQueue     buffers that may be in flight from one worker to another (a power of two): the bound of
 *                         each frame queue between two workers; beyond it a handoff node counts a congestion-drop
 * @param placement        input node to worker ({@code dpdk-input:1 virtio-input:0}); an input node not named is
 *                         polled by worker (slot mod workers), as before
 * @param adaptiveWindowMicros in rx-mode adaptive, how long a worker keeps polling after its inputs' last frame
 *                         before it sleeps in poll(2) (key {@code rx-mode.adaptive-window-us}; 1 us .. 1 s)
 * @param workerSliceMicros the EEVDF slice each worker thread asks the kernel for (key {@code worker-slice-us};
 *                         100 us .. 100 ms, the kernel's range; 0: the kernel's default, untouched)
 */
public record GraphOptions(int workers, String idle, int buffersPerWorker, int traceRecords, int parkCapacity,
                           int[] cpus, String rxMode, int handoffQueue, Map<String, Integer> placement,
                           int adaptiveWindowMicros, int workerSliceMicros) {

    public static final int DEFAULT_HANDOFF_QUEUE = 2048;
    /**
     * 200 us: a request and its answer through the box (ping, a TCP handshake) are usually closer than that, so a
     * flow in progress pays one wakeup per exchange at most, while a quiet box sleeps within a fraction of a
     * millisecond. A box whose traffic comes in sparse, latency-bound exchanges (a ping every 10 ms) sleeps
     * between them and pays a wakeup each time: a longer window keeps its core polling (docs/performance.md,
     * "Issue 16, session 8").
     */
    public static final int DEFAULT_ADAPTIVE_WINDOW_MICROS = 200;
    /** A worker in rx-mode adaptive sleeps within a second of its inputs' last frame, whatever is configured. */
    public static final int MAX_ADAPTIVE_WINDOW_MICROS = 1_000_000;

    public static final GraphOptions DEFAULTS = new GraphOptions(1, "backoff", 16384, 8192, 4096, new int[0],
            "adaptive", DEFAULT_HANDOFF_QUEUE, Map.of(), DEFAULT_ADAPTIVE_WINDOW_MICROS, 0);

    public GraphOptions(int workers, String idle, int buffersPerWorker, int traceRecords, int parkCapacity,
                        int[] cpus, String rxMode) {
        this(workers, idle, buffersPerWorker, traceRecords, parkCapacity, cpus, rxMode, DEFAULT_HANDOFF_QUEUE,
                Map.of(), DEFAULT_ADAPTIVE_WINDOW_MICROS, 0);
    }

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
        if (handoffQueue < 64 || Integer.bitCount(handoffQueue) != 1) {
            throw new IllegalArgumentException("handoff-queue: must be a power of two >= 64, got " + handoffQueue);
        }
        if (adaptiveWindowMicros < 1 || adaptiveWindowMicros > MAX_ADAPTIVE_WINDOW_MICROS) {
            throw new IllegalArgumentException("rx-mode.adaptive-window-us: must be 1.." + MAX_ADAPTIVE_WINDOW_MICROS
                    + " (us), got " + adaptiveWindowMicros);
        }
        if (workerSliceMicros != 0 && (workerSliceMicros < 100 || workerSliceMicros > 100_000)) {
            throw new IllegalArgumentException("worker-slice-us: must be 0 (the kernel's default) or 100..100000 (us,"
                    + " the kernel's range for a slice), got " + workerSliceMicros);
        }
        placement = Map.copyOf(placement);
        for (Map.Entry<String, Integer> input : placement.entrySet()) {
            if (input.getValue() < 0 || input.getValue() >= workers) {
                throw new IllegalArgumentException("placement: " + input.getKey() + " on worker " + input.getValue()
                        + ", but the workers are 0.." + (workers - 1));
            }
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
        Map<String, Integer> kept = new java.util.HashMap<>();
        placement.forEach((input, worker) -> {
            if (worker < n) {
                kept.put(input, worker);
            }
        });
        return new GraphOptions(n, idle, buffersPerWorker, traceRecords, parkCapacity, new int[0], rxMode, handoffQueue,
                kept, adaptiveWindowMicros, workerSliceMicros);
    }

    public GraphOptions withCpus(int... cores) {
        return new GraphOptions(workers, idle, buffersPerWorker, traceRecords, parkCapacity, cores, rxMode, handoffQueue,
                placement, adaptiveWindowMicros, workerSliceMicros);
    }

    public GraphOptions withIdle(String strategy) {
        return new GraphOptions(workers, strategy, buffersPerWorker, traceRecords, parkCapacity, cpus, rxMode, handoffQueue,
                placement, adaptiveWindowMicros, workerSliceMicros);
    }

    public GraphOptions withBuffersPerWorker(int n) {
        return new GraphOptions(workers, idle, n, traceRecords, parkCapacity, cpus, rxMode, handoffQueue,
                placement, adaptiveWindowMicros, workerSliceMicros);
    }

    public GraphOptions withParkCapacity(int n) {
        return new GraphOptions(workers, idle, buffersPerWorker, traceRecords, n, cpus, rxMode, handoffQueue,
                placement, adaptiveWindowMicros, workerSliceMicros);
    }

    public GraphOptions withRxMode(String mode) {
        return new GraphOptions(workers, idle, buffersPerWorker, traceRecords, parkCapacity, cpus, mode, handoffQueue,
                placement, adaptiveWindowMicros, workerSliceMicros);
    }

    public GraphOptions withHandoffQueue(int n) {
        return new GraphOptions(workers, idle, buffersPerWorker, traceRecords, parkCapacity, cpus, rxMode, n,
                placement, adaptiveWindowMicros, workerSliceMicros);
    }

    public GraphOptions withAdaptiveWindowMicros(int micros) {
        return new GraphOptions(workers, idle, buffersPerWorker, traceRecords, parkCapacity, cpus, rxMode, handoffQueue,
                placement, micros, workerSliceMicros);
    }

    public GraphOptions withWorkerSliceMicros(int micros) {
        return new GraphOptions(workers, idle, buffersPerWorker, traceRecords, parkCapacity, cpus, rxMode, handoffQueue,
                placement, adaptiveWindowMicros, micros);
    }

    public GraphOptions withPlacement(Map<String, Integer> inputs) {
        return new GraphOptions(workers, idle, buffersPerWorker, traceRecords, parkCapacity, cpus, rxMode, handoffQueue,
                inputs, adaptiveWindowMicros, workerSliceMicros);
    }

    @Override
    public Map<String, Integer> placement() {
        return placement;
    }

    /** Reads ConfigAdmin properties; missing keys keep their defaults. */
    public static GraphOptions from(Map<String, ?> properties) {
        return new GraphOptions(
                intValue(properties, "workers", DEFAULTS.workers),
                stringValue(properties, "idle", DEFAULTS.idle),
                intValue(properties, "buffers-per-worker", DEFAULTS.buffersPerWorker),
                intValue(properties, "trace-records", DEFAULTS.traceRecords),
                intValue(properties, "park-capacity", DEFAULTS.parkCapacity),
                cores(properties),
                stringValue(properties, "rx-mode", DEFAULTS.rxMode),
                intValue(properties, "handoff-queue", DEFAULT_HANDOFF_QUEUE),
                placementOf(properties.get("placement")),
                intValue(properties, "rx-mode.adaptive-window-us", DEFAULT_ADAPTIVE_WINDOW_MICROS),
                intValue(properties, "worker-slice-us", 0));
    }

    /**
     * The cores: {@code cpus} (one per worker), or VPP's {@code cpu { main-core, corelist-workers }} as
     * {@code main-core} (worker 0, sluice_main) and {@code corelist-workers} (workers 1.., "2,3" or "2-3").
     */
    private static int[] cores(Map<String, ?> properties) {
        int[] cpus = cpuList(properties.get("cpus"));
        Object main = properties.get("main-core");
        Object list = properties.get("corelist-workers");
        boolean vppKeys = main != null && !main.toString().isBlank() || list != null && !list.toString().isBlank();
        if (!vppKeys) {
            return cpus;
        }
        if (cpus.length != 0) {
            throw new IllegalArgumentException("cpus: give either cpus or main-core/corelist-workers, not both");
        }
        if (main == null || main.toString().isBlank()) {
            throw new IllegalArgumentException("main-core: required with corelist-workers (the core of sluice_main)");
        }
        int[] workerCores = coreRanges(list == null ? "" : list.toString(), "corelist-workers");
        int[] all = new int[workerCores.length + 1];
        all[0] = intValue(properties, "main-core", 0);
        System.arraycopy(workerCores, 0, all, 1, workerCores.length);
        return all;
    }

    /** "2,3", "2-3" or "1,3-5": VPP's corelist syntax. */
    static int[] coreRanges(String value, String key) {
        if (value.isBlank()) {
            return new int[0];
        }
        java.util.List<Integer> cores = new java.util.ArrayList<>();
        for (String part : value.trim().split("\\s*,\\s*")) {
            String[] ends = part.split("-", 2);
            try {
                int from = Integer.parseInt(ends[0].trim());
                int to = ends.length == 2 ? Integer.parseInt(ends[1].trim()) : from;
                if (to < from) {
                    throw new IllegalArgumentException(key + ": range '" + part + "' is empty");
                }
                for (int core = from; core <= to; core++) {
                    cores.add(core);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": '" + part + "' is not a core or a range of cores", e);
            }
        }
        return cores.stream().mapToInt(Integer::intValue).toArray();
    }

    /** "dpdk-input:1 virtio-input:0" (or comma-separated): input node name to worker. */
    private static Map<String, Integer> placementOf(Object value) {
        if (value == null || value.toString().isBlank()) {
            return Map.of();
        }
        Map<String, Integer> placement = new java.util.LinkedHashMap<>();
        for (String part : value.toString().trim().split("[,\\s]+")) {
            int colon = part.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("placement: '" + part + "' is not input-node:worker");
            }
            try {
                placement.put(part.substring(0, colon), Integer.parseInt(part.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("placement: '" + part + "' names no worker number", e);
            }
        }
        return placement;
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
