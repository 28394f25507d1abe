package io.sluice.ip4.ping;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One ping as the control plane published it to the two nodes: what to send, how many requests it has
 * released so far ({@code due}), and the times the requests left and the replies came. The control plane only
 * raises {@code due}; ip4-ping (one worker polls it) sends up to it and stamps {@code sentAt}; ip4-icmp-echo-reply,
 * on any worker, stamps {@code repliedAt} once per sequence number. Nothing here is written by two sides.
 */
final class PingRun {

    final int identifier;
    final int source;
    final int destination;
    final int rxSwIfIndex;
    final int dataLength;
    final int count;
    /** Requests the control plane released; ip4-ping sends up to this many. */
    final AtomicInteger due = new AtomicInteger();
    /** Requests ip4-ping has sent (written by its worker only). */
    final AtomicInteger sent = new AtomicInteger();
    /** System.nanoTime() when request {@code i} (sequence {@code i + 1}) left ip4-ping, 0 until then. */
    final AtomicLongArray sentAt;
    /** System.nanoTime() when its reply reached ip4-icmp-echo-reply, 0 until then. */
    final AtomicLongArray repliedAt;

    PingRun(int identifier, int source, int destination, int rxSwIfIndex, int dataLength, int count) {
        this.identifier = identifier;
        this.source = source;
        this.destination = destination;
        this.rxSwIfIndex = rxSwIfIndex;
        this.dataLength = dataLength;
        this.count = count;
        this.sentAt = new AtomicLongArray(count);
        this.repliedAt = new AtomicLongArray(count);
    }

    /** True while a released request is not sent yet. */
    boolean pending() {
        return sent.get() < due.get();
    }

    /** Records the reply to {@code sequence} from {@code from}; false when it is none of this run's. */
    boolean reply(int from, int identifier, int sequence, long now) {
        if (from != destination || identifier != this.identifier || sequence < 1 || sequence > count) {
            return false;
        }
        return sentAt.get(sequence - 1) != 0 && repliedAt.compareAndSet(sequence - 1, 0, now);
    }

    int replies() {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (repliedAt.get(i) != 0) {
                n++;
            }
        }
        return n;
    }
}
