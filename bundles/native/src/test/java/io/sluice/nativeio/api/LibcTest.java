package io.sluice.nativeio.api;

import static io.sluice.nativeio.api.LinuxConstants.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LibcTest {

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Test
    void pipeCarriesBytesFromWriteToRead() {
        int[] fds = Libc.pipe();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            MemorySegment buffer = arena.allocate(64);
            byte[] message = "sluice over a pipe".getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(message, 0, buffer, JAVA_BYTE, 8, message.length);

            assertEquals(message.length, Libc.write(state, fds[1], buffer, 8, message.length));
            MemorySegment received = arena.allocate(64);
            assertEquals(message.length, Libc.read(state, fds[0], received, 16, 48));
            assertArrayEquals(message, received.asSlice(16, message.length).toArray(JAVA_BYTE));
        } finally {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
        }
    }

    @Test
    void readOnAnEmptyNonBlockingPipeReturnsMinusEagain() {
        int[] fds = Libc.pipe();
        try (Arena arena = Arena.ofConfined()) {
            Libc.setNonBlocking(fds[0]);
            assertTrue((Libc.fcntl(fds[0], F_GETFL, 0) & O_NONBLOCK) != 0, "O_NONBLOCK set");
            MemorySegment state = Libc.newCallState(arena);
            assertEquals(-Errno.EAGAIN, Libc.read(state, fds[0], arena.allocate(16), 0, 16));
            assertEquals(Errno.EAGAIN, Libc.errno(state));
        } finally {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
        }
    }

    @Test
    void readOutsideTheBufferIsRefusedBeforeTheCall() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            assertThrows(IndexOutOfBoundsException.class, () -> Libc.read(state, 0, arena.allocate(16), 8, 16));
        }
    }

    @Test
    void pollReportsASocketReadableOnlyOnceDataIsWaiting() {
        int[] pair = Libc.socketpair(AF_UNIX, SOCK_DGRAM, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            MemorySegment pollfd = arena.allocate(POLLFD_SIZE, 4);
            pollfd.set(JAVA_INT, POLLFD_FD, pair[1]);
            pollfd.set(JAVA_SHORT, POLLFD_EVENTS, (short) POLLIN);

            assertEquals(0, Libc.poll(state, pollfd, 1, 0), "nothing sent yet");

            MemorySegment datagram = arena.allocate(32);
            assertEquals(32, Libc.sendto(state, pair[0], datagram, 0, 32, 0, MemorySegment.NULL, 0));
            assertEquals(1, Libc.poll(state, pollfd, 1, 1000));
            assertTrue((pollfd.get(JAVA_SHORT, POLLFD_REVENTS) & POLLIN) != 0, "POLLIN in revents");
            assertEquals(32, Libc.read(state, pair[1], arena.allocate(64), 0, 64));
        } finally {
            Libc.close(pair[0]);
            Libc.close(pair[1]);
        }
    }

    @Test
    void loopbackIsInterfaceOne() {
        assertEquals(1, Libc.ifNameToIndex("lo"));
    }

    @Test
    void anUnknownInterfaceNamesTheCallAndTheError() {
        NativeException e = assertThrows(NativeException.class, () -> Libc.ifNameToIndex("sltst-none0"));
        assertEquals("if_nametoindex(\"sltst-none0\") failed: ENODEV (No such device)", e.getMessage());
        assertEquals(Errno.ENODEV, e.errno());
    }

    @Test
    void anonymousMappingIsReadableWritableAndUnmapped() {
        long length = 1 << 20;
        MemorySegment region = Libc.mmap(length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertEquals(length, region.byteSize());
        assertEquals(0L, region.get(JAVA_LONG, length - 8), "anonymous pages start zeroed");
        region.set(JAVA_LONG, length - 8, 0x5eed_cafe_f00dL);
        assertEquals(0x5eed_cafe_f00dL, region.get(JAVA_LONG, length - 8));
        Libc.munmap(region);
    }

    @Test
    void openOfAMissingFileGivesTheCallAndEnoent() {
        NativeException e = assertThrows(NativeException.class,
                () -> Libc.open("/nonexistent/sluice-test", O_RDONLY));
        assertEquals("open(\"/nonexistent/sluice-test\") failed: ENOENT (No such file or directory)",
                e.getMessage());
        assertEquals("open(\"/nonexistent/sluice-test\")", e.call());
    }

    @Test
    void ioctlFailureNamesTheRequest() {
        int[] fds = Libc.pipe();
        try (Arena arena = Arena.ofConfined()) {
            NativeException e = assertThrows(NativeException.class,
                    () -> Libc.ioctl(fds[0], TUNSETIFF, arena.allocate(IFREQ_SIZE), "\"tap2\""));
            assertTrue(e.getMessage().startsWith("ioctl(TUNSETIFF, \"tap2\") failed: "), e.getMessage());
        } finally {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
        }
    }

    @Test
    void errnoNamesFollowTheKernelHeaders() {
        assertEquals("EPERM", Errno.name(1));
        assertEquals("EAGAIN", Errno.name(Errno.EAGAIN));
        assertEquals("ELOOP", Errno.name(40));
        assertEquals("ENOTSOCK", Errno.name(88));
        assertEquals("EINPROGRESS", Errno.name(115));
        assertEquals("errno 500", Errno.name(500));
        assertEquals("EPERM (Operation not permitted)", Errno.describe(Errno.EPERM));
    }

    @Test
    void htonsSwapsTheBytes() {
        assertEquals((short) 0x0300, Libc.htons(ETH_P_ALL));
        assertEquals((short) 0x0008, Libc.htons(ETH_P_IP));
    }

    @Test
    void affinityPinsTheCallingThread() throws Exception {
        AtomicReference<String> allowed = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread pinned = new Thread(() -> {
            try {
                Libc.schedSetAffinity(0, 0);
                allowed.set(cpusAllowed(Path.of("/proc/thread-self/status")));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        pinned.start();
        pinned.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals("0", allowed.get());
    }

    private static String cpusAllowed(Path status) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring("Cpus_allowed_list:".length()).trim();
            }
        }
        throw new AssertionError("no Cpus_allowed_list in " + status);
    }

    @Test
    void tunDeviceAcceptsTunsetiffAsRoot() {
        assumeTrue(isRoot(), "creating a TAP needs CAP_NET_ADMIN: run as root");
        int fd = Libc.open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment features = arena.allocate(JAVA_INT);
            Libc.ioctl(fd, TUNGETFEATURES, features, null);
            int supported = features.get(JAVA_INT, 0);
            assertEquals(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, supported & (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));

            MemorySegment ifreq = arena.allocate(IFREQ_SIZE);
            ifreq.setString(0, "sltstnat0");
            ifreq.set(JAVA_SHORT, IFREQ_UNION, (short) (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
            Libc.ioctl(fd, TUNSETIFF, ifreq, "\"sltstnat0\"");
            int index = Libc.ifNameToIndex("sltstnat0");
            assertTrue(index > 1, "the tap has an index: " + index);
            Libc.ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM, "\"sltstnat0\"");
        } finally {
            Libc.close(fd);
        }
        assertThrows(NativeException.class, () -> Libc.ifNameToIndex("sltstnat0"),
                "a non-persistent tap goes away with its descriptor");
    }

    @Test
    void setnsIntoTheCurrentNetworkNamespaceAsRoot() {
        assumeTrue(isRoot(), "setns needs CAP_SYS_ADMIN: run as root");
        int fd = Libc.open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        try {
            Libc.setns(fd, CLONE_NEWNET, "/proc/self/ns/net");
            assertEquals(1, Libc.ifNameToIndex("lo"));
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void posixFallocateGivesTheWholeFileItsBlocksAndNamesTheFileWhenItCannot(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("reserved.bin");
        int fd = Libc.open(file.toString(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        try {
            Libc.posixFallocate(fd, 0, 1 << 20, file.toString());
            assertEquals(1 << 20, Files.size(file), "the file is extended to the reserved length");
            NativeException tooBig = assertThrows(NativeException.class,
                    () -> Libc.posixFallocate(fd, 0, Long.MAX_VALUE / 2, file.toString()));
            assertTrue(tooBig.getMessage().startsWith("posix_fallocate(" + file + ", 0, "), tooBig.getMessage());
            assertTrue(tooBig.errno() == Errno.ENOSPC || tooBig.errno() == Errno.EFBIG, tooBig.getMessage());
        } finally {
            Libc.close(fd);
        }
    }
    /** A slice of its own for a thread (EEVDF, Linux 6.12+): set, read back, and back to the kernel's default. */
    @Test
    void aThreadSetsItsOwnSliceAndGetsTheDefaultBack() throws Exception {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                Libc.schedSetSlice(0, 150_000);
                long set = Libc.schedSlice(0);
                Libc.schedSetSlice(0, 0);
                result.set(new long[] {set, Libc.schedSlice(0)});
            } catch (NativeException e) {
                result.set(e);
            }
        });
        thread.start();
        thread.join();
        if (result.get() instanceof NativeException refused) {
            assumeTrue(false, "this kernel has no custom slice for SCHED_OTHER (Linux 6.12+): " + refused.getMessage());
        }
        long[] slices = (long[]) result.get();
        assertEquals(150_000, slices[0]);
        // the default is the kernel's base slice (sysctl_sched_base_slice, scaled by the cores: 1.4 ms here); a
        // thread inherits its creator's slice, so the one before the call is not necessarily the default
        assertTrue(slices[1] > 0 && slices[1] != 150_000, "0 gives the kernel's default slice back: " + slices[1]);
    }
}
