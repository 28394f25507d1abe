package io.sluice.graph.api;

/**
 * Up to {@link #CAPACITY} buffer indices handed to a node at once, with the next arc the node chose for
 * each. The arrays are exposed so the inner loop indexes them directly.
 */
public final class Frame {
    public static final int CAPACITY = 256;

    private final int[] buffers = new int[CAPACITY];
    private final int[] nexts = new int[CAPACITY];
    private int count;
    private boolean traced;

    public int[] buffers() {
        return buffers;
    }

    public int[] nexts() {
        return nexts;
    }

    public int count() {
        return count;
    }

    public void setCount(int count) {
        this.count = count;
    }

    /** True when at least one buffer of the frame may be traced: nodes test it once per frame. */
    public boolean traced() {
        return traced;
    }

    public void setTraced(boolean traced) {
        this.traced = traced;
    }

    public boolean isFull() {
        return count == CAPACITY;
    }

    /** Appends a buffer bound for arc {@code next}: for input nodes filling their frame. */
    public void add(int bi, int next) {
        buffers[count] = bi;
        nexts[count] = next;
        count++;
    }

    public void clear() {
        count = 0;
        traced = false;
    }
}
