package io.sluice.driver.tap.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs iproute2's {@code ip} for control-plane steps done once per port (move to a namespace, rename,
 * address, routes). Chosen over rtnetlink through java.lang.foreign because these steps are off the data
 * path, {@code ip}'s error text is what an operator would see anyway, and a netlink message builder would
 * be several hundred lines for no gain in forwarding.
 */
public final class IpCommand {

    private static final long TIMEOUT_SECONDS = 10;
    /** Attempts to start {@code ip} before giving up, and the pause between two. */
    private static final int START_ATTEMPTS = 3;
    private static final long START_RETRY_MILLIS = 100;

    private IpCommand() {
    }

    /**
     * Starts the command. A start that fails is tried again twice: the JDK's spawn helper was seen to fail once
     * with EFAULT ("posix_spawn failed, error: 14") while DPDK's EAL was initialising on another thread of the box,
     * a transient failure of the launch, not of {@code ip}.
     */
    private static Process start(List<String> command) {
        IOException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                return new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(START_RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IllegalStateException("cannot start " + String.join(" ", command) + " (" + START_ATTEMPTS
                + " attempts)", last);
    }

    /** Runs {@code ip args...}; throws naming the command and its stderr when it exits non-zero. */
    public static String run(String... args) {
        List<String> command = new ArrayList<>(args.length + 1);
        command.add("ip");
        command.addAll(List.of(args));
        Process process = start(command);
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in "
                        + TIMEOUT_SECONDS + " s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit "
                        + process.exitValue() + "): " + output);
            }
            return output;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the output of " + String.join(" ", command), e);
        }
    }
}
