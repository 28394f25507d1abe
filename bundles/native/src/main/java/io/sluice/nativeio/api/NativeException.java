package io.sluice.nativeio.api;

/**
 * A libc call failed: the message names the call, its key argument and the errno, e.g.
 * {@code ioctl(TUNSETIFF, "tap2") failed: EPERM (Operation not permitted)}.
 */
public final class NativeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public NativeException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The call as written in the message, e.g. {@code open("/dev/net/tun")}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
