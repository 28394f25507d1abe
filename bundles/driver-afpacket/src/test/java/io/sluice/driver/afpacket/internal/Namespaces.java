package io.sluice.driver.afpacket.internal;

import io.sluice.nativeio.api.Libc;
import io.sluice.nativeio.api.LinuxConstants;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** Opens things inside a named network namespace: sockets keep the namespace they were created in. */
final class Namespaces {

    private Namespaces() {
    }

    /** Runs {@code action} on a fresh thread moved into {@code /var/run/netns/<namespace>} with setns(2). */
    static <T> T call(String namespace, Callable<T> action) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            String path = "/var/run/netns/" + namespace;
            int fd = Libc.open(path, LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC);
            try {
                Libc.setns(fd, LinuxConstants.CLONE_NEWNET, path);
                result.set(action.call());
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                Libc.close(fd);
            }
        }, "in-netns-" + namespace);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("in namespace " + namespace + ": " + failure.get(), failure.get());
        }
        return result.get();
    }
}
