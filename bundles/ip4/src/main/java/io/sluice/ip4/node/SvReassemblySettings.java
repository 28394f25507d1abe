package io.sluice.ip4.node;

/**
 * Limits of ip4-sv-reassembly, per worker and per feature node (PID {@code io.sluice.ip4.reassembly}, documented in
 * docs/configuration.md). VPP's defaults are 1024 reassemblies, 3 fragments and 100 ms; Sluice holds up to 16
 * fragments of one datagram so that an 8000-byte datagram at MTU 1500 (6 fragments) arriving last-first passes.
 *
 * @param maxReassemblies datagrams tracked at once (contexts)
 * @param maxFragments    fragments held for one datagram before its first fragment comes
 * @param maxHeldBuffers  buffers held in all on one worker by one node
 * @param timeoutMillis   how long a datagram's context lives after its latest fragment
 */
public record SvReassemblySettings(int maxReassemblies, int maxFragments, int maxHeldBuffers, long timeoutMillis) {

    public static final SvReassemblySettings DEFAULTS = new SvReassemblySettings(1024, 16, 256, 100);

    public SvReassemblySettings {
        if (maxReassemblies < 1 || maxReassemblies > 1 << 20) {
            throw new IllegalArgumentException("max-reassemblies must be 1..1048576, got " + maxReassemblies);
        }
        if (maxFragments < 1 || maxFragments > 64) {
            throw new IllegalArgumentException("max-fragments must be 1..64, got " + maxFragments);
        }
        if (maxHeldBuffers < 0 || maxHeldBuffers > 1 << 20) {
            throw new IllegalArgumentException("max-held-buffers must be 0..1048576, got " + maxHeldBuffers);
        }
        if (timeoutMillis < 1 || timeoutMillis > 60_000) {
            throw new IllegalArgumentException("timeout-ms must be 1..60000, got " + timeoutMillis);
        }
    }
}
