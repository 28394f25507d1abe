package io.sluice.shell.config;

import java.util.function.BooleanSupplier;

/**
 * Waits for a configuration the console wrote to be in force: ConfigAdmin hands it to the bundle's component on its
 * own thread, so the command returns once the bundle shows the change, or says it is written but not applied yet
 * (an interface not registered, a refusal the bundle logged).
 */
public final class InForce {
    /** Generous on a loaded box: a configuration event is delivered in milliseconds. */
    static final long DEADLINE_MILLIS = 10_000;

    private InForce() {
    }

    /** True once {@code applied} holds, false after the deadline. */
    public static boolean await(BooleanSupplier applied) {
        long deadline = System.nanoTime() + DEADLINE_MILLIS * 1_000_000;
        while (!applied.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Waits for {@code applied}; prints what an operator must know when it does not come. */
    public static void report(String what, String file, BooleanSupplier applied) {
        if (!await(applied)) {
            System.out.println(what + " is written to " + file + " but not in force yet: see karaf.log (log:display)"
                    + " for why");
        }
    }
}
