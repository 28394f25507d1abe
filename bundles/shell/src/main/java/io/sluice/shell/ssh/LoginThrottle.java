package io.sluice.shell.ssh;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed SSH logins per source address and the back-off they earn; no SSHD types, so it is tested with a hand-moved
 * clock. One address's failures never slow down another address.
 *
 * <p>The rule: the first {@code freeFailures} failures from an address cost nothing (an operator's agent offers
 * several keys and each one the box does not know is a failure). Failure number {@code freeFailures + n} (n >= 1)
 * starts a back-off of {@code initialDelay * 2^(n-1)}, at most {@code maxDelay}. During a back-off, a new
 * connection from that address is refused before key exchange (no CPU spent on it), and the refusal of a failing
 * attempt on a connection already open is answered only when the back-off ends. A login that succeeds from the
 * address forgets its failures; so does {@code forgetAfter} without a failure.
 *
 * <p>At most {@code maxAddresses} addresses are remembered; beyond that the one that failed longest ago is
 * forgotten, so a flood from many addresses costs bounded memory. Thread-safe: SSHD calls it from its I/O threads,
 * briefly, under this object's lock; nothing here waits.
 */
final class LoginThrottle {

    /** The limits; checked by {@link ThrottleSettings}. Times in milliseconds. */
    record Limits(int freeFailures, long initialDelay, long maxDelay, long forgetAfter, int maxAddresses) {
    }

    /** What a new connection from an address gets: refused while its back-off lasts, or let through. */
    record Admission(boolean refused, long retryInMillis, int failures, long refusedSoFar, boolean firstRefusalOfBackOff) {
        static final Admission LET_THROUGH = new Admission(false, 0, 0, 0, false);
    }

    /** What a failed attempt earned: answer after {@code delayMillis} (0: at once), and the address's failure count. */
    record Failure(int failures, long delayMillis) {
    }

    private static final class Address {
        int failures;
        long lastFailure;
        long backOffUntil;
        long refusedConnections;
        boolean refusalAudited;
    }

    private Limits limits;
    /** In order of last failure, oldest first (access order off: a refused connection does not refresh it). */
    private final LinkedHashMap<String, Address> addresses = new LinkedHashMap<>();
    private long totalFailures;
    private long totalDelayed;
    private long totalRefusedConnections;

    LoginThrottle(Limits limits) {
        this.limits = limits;
    }

    synchronized void limits(Limits newLimits) {
        this.limits = newLimits;
    }

    synchronized Limits limits() {
        return limits;
    }

    /** A new connection from {@code address} at {@code now}. */
    synchronized Admission admit(String address, long now) {
        Address entry = current(address, now);
        if (entry == null || now >= entry.backOffUntil) {
            return Admission.LET_THROUGH;
        }
        entry.refusedConnections++;
        totalRefusedConnections++;
        // One audit line per back-off, not per refused connection: a flood must not flood the log too.
        boolean first = !entry.refusalAudited;
        entry.refusalAudited = true;
        return new Admission(true, entry.backOffUntil - now, entry.failures, entry.refusedConnections, first);
    }

    /** An attempt from {@code address} was refused at {@code now} (a key or password the box does not accept). */
    synchronized Failure failed(String address, long now) {
        Address entry = current(address, now);
        if (entry == null) {
            entry = new Address();
        }
        addresses.remove(address);
        addresses.put(address, entry);
        entry.failures++;
        entry.lastFailure = now;
        totalFailures++;
        long delay = 0;
        int beyond = entry.failures - limits.freeFailures();
        if (beyond > 0) {
            // Doubles per failure up to maxDelay; maxDelay is at most an hour (ThrottleSettings), so no overflow.
            delay = Math.min(limits.initialDelay(), limits.maxDelay());
            for (int i = 1; i < beyond && delay < limits.maxDelay(); i++) {
                delay = Math.min(limits.maxDelay(), delay * 2);
            }
            // A failure during a back-off (another connection opened before it) waits for that back-off's end too.
            long until = Math.max(entry.backOffUntil, now + delay);
            delay = until - now;
            entry.backOffUntil = until;
            entry.refusalAudited = false;
            totalDelayed++;
        }
        while (addresses.size() > limits.maxAddresses()) {
            addresses.pollFirstEntry();
        }
        return new Failure(entry.failures, delay);
    }

    /** A login from {@code address} succeeded: its failures are forgotten. */
    synchronized void succeeded(String address) {
        addresses.remove(address);
    }

    /** The address's failures, 0 when none is remembered. */
    synchronized int failures(String address, long now) {
        Address entry = current(address, now);
        return entry == null ? 0 : entry.failures;
    }

    synchronized long totalFailures() {
        return totalFailures;
    }

    synchronized long totalDelayed() {
        return totalDelayed;
    }

    synchronized long totalRefusedConnections() {
        return totalRefusedConnections;
    }

    synchronized int rememberedAddresses() {
        return addresses.size();
    }

    /** The entry, or null when none is kept or it is older than forgetAfter and its back-off is over. */
    private Address current(String address, long now) {
        Address entry = addresses.get(address);
        if (entry != null && now >= entry.backOffUntil && now - entry.lastFailure >= limits.forgetAfter()) {
            addresses.remove(address);
            return null;
        }
        return entry;
    }

    /** For tests: the remembered addresses, oldest failure first. */
    synchronized Map<String, Integer> snapshot() {
        Map<String, Integer> copy = new LinkedHashMap<>();
        addresses.forEach((address, entry) -> copy.put(address, entry.failures));
        return copy;
    }
}
