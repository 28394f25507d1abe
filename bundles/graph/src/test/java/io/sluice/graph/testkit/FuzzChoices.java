package io.sluice.graph.testkit;

import java.util.SplittableRandom;

/**
 * The choices of a property test read from a fuzzer's bytes (or a seeded generator's): small integers taken
 * from the front, zeros once the bytes run out, so every input is a valid, finite sequence of operations and a
 * shorter input is a shorter sequence. The same property runs under Jazzer ({@code @FuzzTest(byte[])}) and in
 * plain CI over {@link #seeded} inputs.
 */
public final class FuzzChoices {
    private final byte[] bytes;
    private int at;

    public FuzzChoices(byte[] bytes) {
        this.bytes = bytes;
    }

    /** {@code count} inputs of {@code length} random bytes from seed {@code seed}: the same on every run. */
    public static byte[][] seeded(long seed, int count, int length) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] inputs = new byte[count][];
        for (int i = 0; i < count; i++) {
            inputs[i] = new byte[1 + random.nextInt(length)];
            random.nextBytes(inputs[i]);
        }
        return inputs;
    }

    public boolean more() {
        return at < bytes.length;
    }

    /** A value in [0, bound): one byte for bounds up to 256, else four. */
    public int below(int bound) {
        if (bound <= 256) {
            return next() % bound;
        }
        int value = next() << 24 | next() << 16 | next() << 8 | next();
        return Math.floorMod(value, bound);
    }

    /** 32 bits. */
    public int int32() {
        return next() << 24 | next() << 16 | next() << 8 | next();
    }

    private int next() {
        return at < bytes.length ? bytes[at++] & 0xff : 0;
    }
}
