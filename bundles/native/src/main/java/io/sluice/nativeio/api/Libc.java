package io.sluice.nativeio.api;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;

/**
 * The libc calls the drivers need, through java.lang.foreign, with errno captured
 * ({@link Linker.Option#captureCallState(String...)}).
 *
 * <p>Two kinds of call:
 * <ul>
 * <li><b>Data path</b> ({@link #read}, {@link #write}, {@link #poll}, {@link #sendto}, {@link #sendmmsg}):
 * the caller passes a call-state segment it allocated once with {@link #newCallState(Arena)}; the call
 * returns the result, or {@code -errno} on failure, and throws nothing. Buffers are given as a segment and
 * an offset and passed to C as a raw address, so no slice is made: a driver's rx/tx loop allocates
 * nothing. EAGAIN on a non-blocking descriptor is an ordinary outcome there, not an exception.</li>
 * <li><b>Control plane</b> (everything else): failures throw {@link NativeException} naming the call, its
 * key argument and the errno text.</li>
 * </ul>
 *
 * <p>The method handles are static finals so that the JIT inlines the downcall stubs.
 */
public final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // ssize_t read(int fd, void *buf, size_t count): buf as a raw address (long) so no slice is made
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    // int poll(struct pollfd *fds, nfds_t nfds, int timeout)
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    // ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *dest, socklen_t)
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    // int sendmmsg(int fd, struct mmsghdr *msgvec, unsigned int vlen, int flags)
    private static final MethodHandle SENDMMSG = downcall("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));

    // int open(const char *path, int flags, ...): the mode is the variadic argument
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // int fcntl(int fd, int cmd, ...)
    private static final MethodHandle FCNTL = downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    // int ioctl(int fd, unsigned long request, ...): a pointer argument, or an integer one (TUNSETOFFLOAD)
    private static final MethodHandle IOCTL_POINTER = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_VALUE = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKETPAIR = downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle PIPE = downcall("pipe", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // int eventfd(unsigned int initval, int flags)
    private static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    // int madvise(void *addr, size_t length, int advice)
    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle IF_NAMETOINDEX = downcall("if_nametoindex",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)
    private static final MethodHandle SCHED_SETAFFINITY = downcall("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    // long syscall(long number, ...): sched_getattr(2) and sched_setattr(2), which glibc 2.36 does not wrap
    private static final MethodHandle SYSCALL_SCHED_ATTR = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SETNS = downcall("setns",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    // int posix_fallocate(int fd, off_t offset, off_t len): returns the error number itself, errno is untouched
    private static final MethodHandle POSIX_FALLOCATE = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("posix_fallocate"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    // char *strerror(int errnum): no errno capture, it is the error path itself
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** A call state per control-plane thread; data-path callers bring their own. */
    private static final ThreadLocal<MemorySegment> CONTROL_CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE_LAYOUT));

    /** x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
    private static final long SYS_SCHED_SETATTR = 314;
    private static final long SYS_SCHED_GETATTR = 315;
    /**
     * struct sched_attr (include/uapi/linux/sched/types.h): u32 size, u32 sched_policy, u64 sched_flags,
     * s32 sched_nice, u32 sched_priority, u64 sched_runtime, sched_deadline, sched_period, u32 util_min, util_max.
     */
    private static final int SCHED_ATTR_SIZE = 56;
    private static final long SCHED_ATTR_POLICY = 4;
    private static final long SCHED_ATTR_RUNTIME = 24;
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_BATCH = 3;

    /** cpu_set_t is 1024 bits in glibc. */
    private static final int CPU_SET_BYTES = 128;

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor, options);
    }

    /** A segment that receives errno after each data-path call; allocate once per thread or device. */
    public static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE_LAYOUT);
    }

    /** The errno the last call through {@code callState} left. */
    public static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    private static MemorySegment controlState() {
        return CONTROL_CALL_STATE.get();
    }

    private static long address(MemorySegment segment, long offset, long length) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        return segment.address() + offset;
    }

    // ---------------------------------------------------------------- data path: -errno, no allocation

    /** read(2) into {@code buffer[offset, offset+count)}: bytes read, or {@code -errno}. */
    public static long read(MemorySegment callState, int fd, MemorySegment buffer, long offset, long count) {
        long address = address(buffer, offset, count);
        try {
            long n = (long) READ.invokeExact(callState, fd, address, count);
            return n >= 0 ? n : -errno(callState);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** write(2) from {@code buffer[offset, offset+count)}: bytes written, or {@code -errno}. */
    public static long write(MemorySegment callState, int fd, MemorySegment buffer, long offset, long count) {
        long address = address(buffer, offset, count);
        try {
            long n = (long) WRITE.invokeExact(callState, fd, address, count);
            return n >= 0 ? n : -errno(callState);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** poll(2) over {@code nfds} struct pollfd in {@code pollfds}: ready count (0 on timeout), or {@code -errno}. */
    public static int poll(MemorySegment callState, MemorySegment pollfds, int nfds, int timeoutMillis) {
        Objects.checkFromIndexSize(0L, (long) nfds * LinuxConstants.POLLFD_SIZE, pollfds.byteSize());
        try {
            int n = (int) POLL.invokeExact(callState, pollfds, (long) nfds, timeoutMillis);
            return n >= 0 ? n : -errno(callState);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * sendto(2) of {@code buffer[offset, offset+length)}; {@code destination} may be
     * {@link MemorySegment#NULL} on a bound or connected socket. Bytes sent, or {@code -errno}.
     */
    public static long sendto(MemorySegment callState, int fd, MemorySegment buffer, long offset, long length,
                              int flags, MemorySegment destination, int destinationLength) {
        long address = address(buffer, offset, length);
        try {
            long n = (long) SENDTO.invokeExact(callState, fd, address, length, flags, destination,
                    destinationLength);
            return n >= 0 ? n : -errno(callState);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * sendmmsg(2) of {@code count} struct mmsghdr starting {@code offset} bytes into {@code messages}:
     * messages sent, or {@code -errno} when the first one failed.
     */
    public static int sendmmsg(MemorySegment callState, int fd, MemorySegment messages, long offset, int count,
                               int flags) {
        long address = address(messages, offset, (long) count * LinuxConstants.MMSGHDR_SIZE);
        try {
            int n = (int) SENDMMSG.invokeExact(callState, fd, address, count, flags);
            return n >= 0 ? n : -errno(callState);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    // ---------------------------------------------------------------- control plane: throws NativeException

    public static int open(String path, int flags) {
        return open(path, flags, 0);
    }

    public static int open(String path, int flags, int mode) {
        MemorySegment state = controlState();
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, mode);
            if (fd < 0) {
                throw new NativeException("open(\"" + path + "\")", errno(state));
            }
            return fd;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public static void close(int fd) {
        MemorySegment state = controlState();
        try {
            if ((int) CLOSE.invokeExact(state, fd) < 0) {
                throw new NativeException("close(" + fd + ")", errno(state));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** fcntl(2) with an int argument (0 for commands that take none, such as F_GETFL). */
    public static int fcntl(int fd, int command, int argument) {
        MemorySegment state = controlState();
        try {
            int result = (int) FCNTL.invokeExact(state, fd, command, argument);
            if (result < 0) {
                throw new NativeException("fcntl(" + fd + ", " + command + ")", errno(state));
            }
            return result;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** Sets O_NONBLOCK on {@code fd} (F_GETFL then F_SETFL). */
    public static void setNonBlocking(int fd) {
        int flags = fcntl(fd, LinuxConstants.F_GETFL, 0);
        fcntl(fd, LinuxConstants.F_SETFL, flags | LinuxConstants.O_NONBLOCK);
    }

    /**
     * ioctl(2) with a pointer argument. {@code context} (e.g. the interface name, quoted) goes into the
     * message beside the request's name: {@code ioctl(TUNSETIFF, "tap2") failed: EPERM (...)}.
     */
    public static int ioctl(int fd, long request, MemorySegment argument, String context) {
        MemorySegment state = controlState();
        try {
            int result = (int) IOCTL_POINTER.invokeExact(state, fd, request, argument);
            if (result < 0) {
                throw new NativeException(ioctlCall(request, context), errno(state));
            }
            return result;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** ioctl(2) whose argument is an integer passed by value (TUNSETOFFLOAD takes its flags this way). */
    public static int ioctl(int fd, long request, long value, String context) {
        MemorySegment state = controlState();
        try {
            int result = (int) IOCTL_VALUE.invokeExact(state, fd, request, value);
            if (result < 0) {
                throw new NativeException(ioctlCall(request, context), errno(state));
            }
            return result;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    private static String ioctlCall(long request, String context) {
        String name = LinuxConstants.ioctlName(request);
        return context == null ? "ioctl(" + name + ")" : "ioctl(" + name + ", " + context + ")";
    }

    public static int socket(int domain, int type, int protocol) {
        MemorySegment state = controlState();
        try {
            int fd = (int) SOCKET.invokeExact(state, domain, type, protocol);
            if (fd < 0) {
                throw new NativeException("socket(" + domain + ", " + type + ", " + protocol + ")", errno(state));
            }
            return fd;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** socketpair(2): the two descriptors. */
    public static int[] socketpair(int domain, int type, int protocol) {
        MemorySegment state = controlState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) SOCKETPAIR.invokeExact(state, domain, type, protocol, fds) < 0) {
                throw new NativeException("socketpair(" + domain + ", " + type + ")", errno(state));
            }
            return fds.toArray(JAVA_INT);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** pipe(2): {read end, write end}. */
    public static int[] pipe() {
        MemorySegment state = controlState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) PIPE.invokeExact(state, fds) < 0) {
                throw new NativeException("pipe()", errno(state));
            }
            return fds.toArray(JAVA_INT);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * eventfd(2): a counter a thread can poll(2) for POLLIN; a write(2) of 8 bytes adds to it, a read(2) takes it
     * back to 0. {@code flags}: {@link LinuxConstants#EFD_NONBLOCK}, {@link LinuxConstants#EFD_CLOEXEC}.
     */
    public static int eventfd(int initialValue, int flags) {
        MemorySegment state = controlState();
        try {
            int fd = (int) EVENTFD.invokeExact(state, initialValue, flags);
            if (fd < 0) {
                throw new NativeException("eventfd()", errno(state));
            }
            return fd;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** bind(2) to the whole of {@code address}; {@code context} names the target in the message. */
    public static void bind(int fd, MemorySegment address, String context) {
        MemorySegment state = controlState();
        try {
            if ((int) BIND.invokeExact(state, fd, address, (int) address.byteSize()) < 0) {
                throw new NativeException("bind(" + context + ")", errno(state));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** setsockopt(2) with the whole of {@code value}; {@code optionName} (e.g. PACKET_RX_RING) names it. */
    public static void setsockopt(int fd, int level, int option, MemorySegment value, String optionName) {
        MemorySegment state = controlState();
        try {
            if ((int) SETSOCKOPT.invokeExact(state, fd, level, option, value, (int) value.byteSize()) < 0) {
                throw new NativeException("setsockopt(" + optionName + ")", errno(state));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public static void setsockopt(int fd, int level, int option, int value, String optionName) {
        try (Arena arena = Arena.ofConfined()) {
            setsockopt(fd, level, option, arena.allocateFrom(JAVA_INT, value), optionName);
        }
    }

    /** getsockopt(2) into {@code value}: the length the kernel wrote. */
    public static int getsockopt(int fd, int level, int option, MemorySegment value, String optionName) {
        MemorySegment state = controlState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) value.byteSize());
            if ((int) GETSOCKOPT.invokeExact(state, fd, level, option, value, length) < 0) {
                throw new NativeException("getsockopt(" + optionName + ")", errno(state));
            }
            return length.get(JAVA_INT, 0);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public static int getsockoptInt(int fd, int level, int option, String optionName) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            getsockopt(fd, level, option, value, optionName);
            return value.get(JAVA_INT, 0);
        }
    }

    /** mmap(2) at an address the kernel picks: a segment of {@code length} bytes over the mapping. */
    public static MemorySegment mmap(long length, int protection, int flags, int fd, long offset) {
        MemorySegment state = controlState();
        try {
            MemorySegment mapped = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, protection,
                    flags, fd, offset);
            if (mapped.address() == -1L) { // MAP_FAILED
                throw new NativeException("mmap(" + length + " bytes, fd " + fd + ")", errno(state));
            }
            return mapped.reinterpret(length);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    public static void munmap(MemorySegment mapping) {
        MemorySegment state = controlState();
        try {
            if ((int) MUNMAP.invokeExact(state, mapping, mapping.byteSize()) < 0) {
                throw new NativeException("munmap(" + mapping.byteSize() + " bytes)", errno(state));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * madvise(2) over the whole of {@code mapping}, which must start on a page boundary. With
     * {@code MADV_DONTNEED} on a shared file mapping the pages leave this process's page tables (its resident
     * set) and stay the file's: dirty ones are written back as usual and the next access maps them again.
     */
    public static void madvise(MemorySegment mapping, int advice) {
        MemorySegment state = controlState();
        try {
            if ((int) MADVISE.invokeExact(state, mapping, mapping.byteSize(), advice) < 0) {
                throw new NativeException("madvise(" + mapping.byteSize() + " bytes, " + advice + ")", errno(state));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** if_nametoindex(3): the interface index of {@code name} in the calling thread's network namespace. */
    public static int ifNameToIndex(String name) {
        MemorySegment state = controlState();
        try (Arena arena = Arena.ofConfined()) {
            int index = (int) IF_NAMETOINDEX.invokeExact(state, arena.allocateFrom(name));
            if (index == 0) {
                throw new NativeException("if_nametoindex(\"" + name + "\")", errno(state));
            }
            return index;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** sched_setaffinity(2): {@code tid} 0 is the calling thread; it may then run only on {@code cpus}. */
    public static void schedSetAffinity(int tid, int... cpus) {
        MemorySegment state = controlState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(CPU_SET_BYTES, 8);
            for (int cpu : cpus) {
                if (cpu < 0 || cpu >= CPU_SET_BYTES * 8) {
                    throw new IllegalArgumentException("cpu " + cpu + " outside cpu_set_t");
                }
                long word = (long) (cpu / 64) * 8;
                mask.set(JAVA_LONG, word, mask.get(JAVA_LONG, word) | (1L << (cpu % 64)));
            }
            if ((int) SCHED_SETAFFINITY.invokeExact(state, tid, (long) CPU_SET_BYTES, mask) < 0) {
                throw new NativeException("sched_setaffinity(" + tid + ", " + Arrays.toString(cpus) + ")",
                        errno(state));
            }
        } catch (NativeException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * Sets the EEVDF slice of thread {@code tid} (0: the caller) to {@code sliceNanos}, keeping its policy and nice:
     * sched_getattr(2), then sched_setattr(2) with sched_runtime, which for SCHED_OTHER and SCHED_BATCH is the
     * task's requested slice since Linux 6.12 (kernel/sched/syscalls.c; the kernel clamps it to 0.1-100 ms). A
     * task woken with a short slice gets an early deadline and preempts a running one with a longer slice
     * (kernel/sched/fair.c, check_preempt_wakeup_fair); 0 asks for the kernel's default again. Throws with errno
     * (EINVAL before 6.12, or for a real-time thread).
     */
    public static void schedSetSlice(int tid, long sliceNanos) {
        MemorySegment state = controlState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = schedGetAttr(state, arena, tid);
            int policy = attr.get(JAVA_INT, SCHED_ATTR_POLICY);
            if (policy != SCHED_OTHER && policy != SCHED_BATCH) {
                throw new NativeException("sched_setattr(" + tid + ", slice): policy " + policy
                        + " has no EEVDF slice", Errno.EINVAL);
            }
            attr.set(JAVA_INT, 0, SCHED_ATTR_SIZE);
            attr.set(JAVA_LONG, SCHED_ATTR_RUNTIME, sliceNanos);
            if ((long) SYSCALL_SCHED_ATTR.invokeExact(state, SYS_SCHED_SETATTR, tid, attr, 0, 0) < 0) {
                throw new NativeException("sched_setattr(" + tid + ", slice " + sliceNanos + " ns)", errno(state));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** The EEVDF slice of thread {@code tid} (0: the caller) in nanoseconds, as sched_getattr(2) reports it. */
    public static long schedSlice(int tid) {
        MemorySegment state = controlState();
        try (Arena arena = Arena.ofConfined()) {
            return schedGetAttr(state, arena, tid).get(JAVA_LONG, SCHED_ATTR_RUNTIME);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** sched_getattr(2) of thread {@code tid} into a struct sched_attr allocated in {@code arena}. */
    private static MemorySegment schedGetAttr(MemorySegment state, Arena arena, int tid) throws Throwable {
        MemorySegment attr = arena.allocate(SCHED_ATTR_SIZE, 8);
        if ((long) SYSCALL_SCHED_ATTR.invokeExact(state, SYS_SCHED_GETATTR, tid, attr, SCHED_ATTR_SIZE, 0) < 0) {
            throw new NativeException("sched_getattr(" + tid + ")", errno(state));
        }
        return attr;
    }

    /** setns(2): moves the calling thread into the namespace {@code fd} refers to. */
    public static void setns(int fd, int namespaceType, String context) {
        MemorySegment state = controlState();
        try {
            if ((int) SETNS.invokeExact(state, fd, namespaceType) < 0) {
                throw new NativeException("setns(" + context + ")", errno(state));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * posix_fallocate(3): gives {@code [offset, offset+length)} of the file its blocks on the disk, so that a later
     * write there (through a shared mapping too) never needs one; a mapped page without a block faults (SIGBUS)
     * when the disk is full instead of returning ENOSPC. On a filesystem without fallocate(2) glibc writes a byte
     * per block instead. {@code context} names the file in the error (ENOSPC, EFBIG, ...).
     */
    public static void posixFallocate(int fd, long offset, long length, String context) {
        try {
            int error = (int) POSIX_FALLOCATE.invokeExact(fd, offset, length);
            if (error != 0) {
                throw new NativeException("posix_fallocate(" + context + ", " + offset + ", " + length + ")", error);
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** strerror(3): libc's text for {@code errno}. */
    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    private static IllegalStateException linkageFailure(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed to link or run", t);
    }

    /** Byte order helper for the socket calls: {@code htons}. */
    public static short htons(int hostShort) {
        return Short.reverseBytes((short) hostShort);
    }
}
