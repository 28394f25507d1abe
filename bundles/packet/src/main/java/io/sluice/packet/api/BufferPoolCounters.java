package io.sluice.packet.api;

/**
 * The fields of a {@link BufferPool} its worker writes on every allocation and free, on a cache line of their own:
 * the JVM lays a superclass's fields out before a subclass's, so the 64 bytes of padding on either side
 * ({@link BufferPoolPadBefore}, {@link BufferPoolPadded}) keep them off the line of a neighbouring object (another
 * worker's pool or its hot fields) and off the line of the pool's own final fields ({@code segment}, the free
 * stack), which another worker reads when it copies a handed-off buffer. Without the padding each of the owner's
 * frees could take that line from the reading worker and back (the false sharing that decision 0002 suspects in the
 * session-7 attempt). Only {@link BufferPool} extends these classes.
 */
abstract class BufferPoolCounters extends BufferPoolPadBefore {

    int freeCount;
    @SuppressWarnings("unused") // written through BufferPool's OUTSTANDING var handle
    int outstanding;
    long allocFailures;
    int foreignCount;
}

/** 64 bytes before a pool's counters. */
abstract class BufferPoolPadBefore {
    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7;
}

/** 64 bytes after a pool's counters, before {@link BufferPool}'s own fields. */
abstract class BufferPoolPadded extends BufferPoolCounters {
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7;
}
