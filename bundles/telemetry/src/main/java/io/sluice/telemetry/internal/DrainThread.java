package io.sluice.telemetry.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The thread an exporter drains its event ring on: it runs the exporter's duty cycle until stopped and rests
 * {@code idleMillis} after a cycle that took less than a full batch, so a quiet box costs a wake-up per interval and a
 * busy one is drained in whole batches. Draining one event at a time as the workers write them would keep this thread
 * on the slots the workers are writing: each event would then cost the worker a cache line taken back from this
 * core. Resting until a batch has gathered, the thread reads slots the workers left long before; the ring (ring-size)
 * holds what comes in meanwhile.
 */
final class DrainThread {

    private final String name;
    private final IntSupplier dutyCycle;
    private final long idleMillis;
    private final int fullBatch;
    private volatile boolean running;
    private Thread thread;

    /**
     * @param name       the thread's name, as jstack and ttop show it
     * @param dutyCycle  one pass over the ring; returns how many events it took
     * @param idleMillis the rest after a pass that took fewer than {@code fullBatch}
     * @param fullBatch  the most events one pass takes
     */
    DrainThread(String name, IntSupplier dutyCycle, long idleMillis, int fullBatch) {
        this.name = name;
        this.dutyCycle = dutyCycle;
        this.idleMillis = idleMillis;
        this.fullBatch = fullBatch;
    }

    void start() {
        running = true;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread and waits up to 5 s for the pass it is in to end; the caller may then drain the rest. */
    void stop() {
        running = false;
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (running) {
            if (dutyCycle.getAsInt() < fullBatch) {
                try {
                    Thread.sleep(idleMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
