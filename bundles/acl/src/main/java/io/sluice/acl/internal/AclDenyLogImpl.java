package io.sluice.acl.internal;

import io.sluice.acl.api.AclDenyLog;
import org.osgi.service.component.annotations.Component;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The denied-flow log behind {@link AclDenyLog}: while enabled, a {@link Recorder} (a ring and a rate limiter) that
 * the ACL nodes read once per frame and write to for each denied packet they are to log. Published under its own
 * class too, for the bundle's nodes. Its counters cover every ring since the bundle started; events in the ring when
 * the ACL bundle is updated are lost with it, as NAT44's are.
 */
@Component(service = {AclDenyLog.class, AclDenyLogImpl.class}, immediate = true)
public final class AclDenyLogImpl implements AclDenyLog {
    static final long MIN_INTERVAL_MILLIS = 1_000;
    static final long MAX_INTERVAL_MILLIS = 3_600_000;

    private volatile Recorder active;
    /** Totals of the rings replaced or dropped, so that the counters never go back. */
    private long recordedBefore;
    private long lostBefore;
    private long rateLimitedBefore;

    /** What the nodes write to, or null while the log is disabled. */
    Recorder recorder() {
        return active;
    }

    @Override
    public synchronized void enable(int capacity, long intervalMillis) {
        if (intervalMillis < MIN_INTERVAL_MILLIS || intervalMillis > MAX_INTERVAL_MILLIS) {
            throw new IllegalArgumentException("deny log interval must be " + MIN_INTERVAL_MILLIS + ".."
                    + MAX_INTERVAL_MILLIS + " ms, got " + intervalMillis);
        }
        Recorder next = new Recorder(new DenyLogRing(capacity), new FlowRateLimiter(intervalMillis));
        retire();
        active = next;
    }

    @Override
    public synchronized void disable() {
        retire();
        active = null;
    }

    private void retire() {
        Recorder old = active;
        if (old != null) {
            recordedBefore += old.ring.recorded();
            lostBefore += old.ring.lost();
            rateLimitedBefore += old.rateLimited();
        }
    }

    @Override
    public boolean enabled() {
        return active != null;
    }

    @Override
    public int drain(long[] records, int max) {
        Recorder now = active;
        return now == null ? 0 : now.ring.drain(records, max);
    }

    @Override
    public synchronized long recorded() {
        Recorder now = active;
        return recordedBefore + (now == null ? 0 : now.ring.recorded());
    }

    @Override
    public synchronized long lost() {
        Recorder now = active;
        return lostBefore + (now == null ? 0 : now.ring.lost());
    }

    @Override
    public synchronized long rateLimited() {
        Recorder now = active;
        return rateLimitedBefore + (now == null ? 0 : now.rateLimited());
    }

    /** One enabled log: immutable but for its counters; the workers write to it without a lock. */
    static final class Recorder {
        private static final VarHandle RATE_LIMITED;

        static {
            try {
                RATE_LIMITED = MethodHandles.lookup().findVarHandle(Recorder.class, "rateLimited", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final DenyLogRing ring;
        private final FlowRateLimiter limiter;
        private volatile long rateLimited;

        Recorder(DenyLogRing ring, FlowRateLimiter limiter) {
            this.ring = ring;
            this.limiter = limiter;
        }

        /**
         * Records the denied packet's flow unless it had an event within the interval; false when it was
         * rate-limited (the caller counts those, once per frame, with {@link #countRateLimited}). A full ring counts
         * the event as lost.
         */
        boolean record(long nowMillis, int sourceAddress, int destinationAddress, int protocol, int sourcePort,
                       int destinationPort, int swIfIndex, int direction, int reason, int aclIndex, int ruleIndex) {
            if (!limiter.admit(sourceAddress, destinationAddress, protocol, sourcePort, destinationPort, swIfIndex,
                    direction, nowMillis)) {
                return false;
            }
            ring.offer(nowMillis, sourceAddress, destinationAddress, protocol, sourcePort, destinationPort, swIfIndex,
                    direction, reason, aclIndex, ruleIndex);
            return true;
        }

        void countRateLimited(long packets) {
            RATE_LIMITED.getAndAdd(this, packets);
        }

        long rateLimited() {
            return rateLimited;
        }
    }
}
