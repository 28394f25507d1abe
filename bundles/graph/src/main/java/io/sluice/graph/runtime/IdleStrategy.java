package io.sluice.graph.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * What a worker does when a pass found no work (Agrona's idle strategies): spin burns a core for the lowest
 * latency; yield gives the core to others; backoff spins, then yields, then parks with a doubling sleep up
 * to a ceiling, so an idle box costs little CPU while a busy one never sleeps.
 */
abstract sealed class IdleStrategy permits IdleStrategy.Spin, IdleStrategy.Yield, IdleStrategy.Backoff {

    abstract void idle(int workDone);

    static IdleStrategy named(String name) {
        return switch (name) {
            case "spin" -> new Spin();
            case "yield" -> new Yield();
            case "backoff" -> new Backoff(100, 100, 1_000, 1_000_000);
            default -> throw new IllegalArgumentException(
                    "idle strategy '" + name + "' is not one of spin, yield, backoff");
        };
    }

    static final class Spin extends IdleStrategy {
        @Override
        void idle(int workDone) {
            if (workDone == 0) {
                Thread.onSpinWait();
            }
        }
    }

    static final class Yield extends IdleStrategy {
        @Override
        void idle(int workDone) {
            if (workDone == 0) {
                Thread.yield();
            }
        }
    }

    static final class Backoff extends IdleStrategy {
        private final int maxSpins;
        private final int maxYields;
        private final long minParkNanos;
        private final long maxParkNanos;
        private int spins;
        private int yields;
        private long parkNanos;

        Backoff(int maxSpins, int maxYields, long minParkNanos, long maxParkNanos) {
            this.maxSpins = maxSpins;
            this.maxYields = maxYields;
            this.minParkNanos = minParkNanos;
            this.maxParkNanos = maxParkNanos;
            this.parkNanos = minParkNanos;
        }

        @Override
        void idle(int workDone) {
            if (workDone > 0) {
                spins = 0;
                yields = 0;
                parkNanos = minParkNanos;
            } else if (spins < maxSpins) {
                spins++;
                Thread.onSpinWait();
            } else if (yields < maxYields) {
                yields++;
                Thread.yield();
            } else {
                LockSupport.parkNanos(parkNanos);
                parkNanos = Math.min(parkNanos << 1, maxParkNanos);
            }
        }
    }
}
