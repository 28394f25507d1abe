package io.sluice.nativeio.api;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a control-plane step inside a named network namespace ({@code /var/run/netns/<name>}, as iproute2
 * names them). setns(2) moves only the calling thread, so the step runs on a short-lived thread of its own;
 * a socket created there keeps that namespace for life (socket(7): its ioctls act on the namespace it was
 * created in), which is how drivers read interface flags inside a pod or set up a netdev that lives in
 * another namespace.
 */
public final class NetNamespace {

    private NetNamespace() {
    }

    /** Calls {@code action} inside {@code namespace}, or on the caller's thread when {@code namespace} is null. */
    public static <T> T call(String namespace, Callable<T> action) {
        if (namespace == null) {
            try {
                return action.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
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
        }, "netns-" + namespace);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while working in network namespace " + namespace, e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (t != null) {
            throw new IllegalStateException("in network namespace " + namespace + ": " + t.getMessage(), t);
        }
        return result.get();
    }

    /** An AF_INET datagram socket for interface ioctls (SIOCGIFFLAGS ...) inside {@code namespace}. */
    public static int controlSocket(String namespace) {
        return call(namespace, () -> Libc.socket(LinuxConstants.AF_INET,
                LinuxConstants.SOCK_DGRAM | LinuxConstants.SOCK_CLOEXEC, 0));
    }
}
