package io.sluice.driver.dpdk.internal;

/** DPDK cannot be used here: not installed, another version, or its start-up failed. The message says which. */
public final class DpdkUnavailableException extends RuntimeException {
    public DpdkUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
