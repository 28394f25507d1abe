package io.sluice.driver.afxdp.internal;

import io.sluice.nativeio.api.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The five calls of libxdp 1.3 (Debian's libxdp1) the driver makes, all control plane: the UMEM, the socket and
 * their removal. libxdp loads its default XDP program (xsk_def_xdp_prog.o, a redirect to the XSK map by receive
 * queue) when the first socket of a netdev is created and unloads it with the last; without a bpffs mounted it
 * says so and attaches the program alone instead of through its dispatcher, which works the same for one
 * program. The ring accessors of xsk.h are static inline: the device implements them on the ring handles.
 */
final class LibXdp {

    static final String LIBRARY = "libxdp.so.1";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    private static final String UNAVAILABLE;
    private static final MethodHandle UMEM_CREATE;
    private static final MethodHandle UMEM_DELETE;
    private static final MethodHandle SOCKET_CREATE;
    private static final MethodHandle SOCKET_DELETE;
    private static final MethodHandle SOCKET_FD;

    static {
        String unavailable = null;
        MethodHandle umemCreate = null;
        MethodHandle umemDelete = null;
        MethodHandle socketCreate = null;
        MethodHandle socketDelete = null;
        MethodHandle socketFd = null;
        try {
            SymbolLookup xdp = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
            umemCreate = LINKER.downcallHandle(xdp.findOrThrow("xsk_umem__create"), FunctionDescriptor.of(INT,
                    ADDRESS, ADDRESS, ValueLayout.JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
            umemDelete = LINKER.downcallHandle(xdp.findOrThrow("xsk_umem__delete"), FunctionDescriptor.of(INT, ADDRESS));
            socketCreate = LINKER.downcallHandle(xdp.findOrThrow("xsk_socket__create"), FunctionDescriptor.of(INT,
                    ADDRESS, ADDRESS, INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
            socketDelete = LINKER.downcallHandle(xdp.findOrThrow("xsk_socket__delete"),
                    FunctionDescriptor.ofVoid(ADDRESS));
            socketFd = LINKER.downcallHandle(xdp.findOrThrow("xsk_socket__fd"), FunctionDescriptor.of(INT, ADDRESS));
            // libxdp and libbpf print progress to stderr (the box's console); what fails comes back as -errno
            MethodHandle setPrint = LINKER.downcallHandle(xdp.findOrThrow("libxdp_set_print"),
                    FunctionDescriptor.of(ADDRESS, ADDRESS));
            MemorySegment ignored = (MemorySegment) setPrint.invokeExact(MemorySegment.NULL);
            SymbolLookup bpf = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
            MethodHandle setBpfPrint = LINKER.downcallHandle(bpf.findOrThrow("libbpf_set_print"),
                    FunctionDescriptor.of(ADDRESS, ADDRESS));
            ignored = (MemorySegment) setBpfPrint.invokeExact(MemorySegment.NULL);
        } catch (Throwable t) {
            unavailable = LIBRARY + " cannot be used (apt-get install libxdp1 libbpf1): " + t.getMessage();
        }
        UNAVAILABLE = unavailable;
        UMEM_CREATE = umemCreate;
        UMEM_DELETE = umemDelete;
        SOCKET_CREATE = socketCreate;
        SOCKET_DELETE = socketDelete;
        SOCKET_FD = socketFd;
    }

    private LibXdp() {
    }

    /** Null when libxdp and libbpf are loaded, else why not, in words. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    private static void requireAvailable() {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException(UNAVAILABLE);
        }
    }

    /** xsk_umem__create: 0 or -errno; {@code umemOut} receives the struct xsk_umem pointer. */
    static int umemCreate(MemorySegment umemOut, MemorySegment area, long size, MemorySegment fill,
                          MemorySegment completion, MemorySegment config) {
        requireAvailable();
        try {
            return (int) UMEM_CREATE.invokeExact(umemOut, area, size, fill, completion, config);
        } catch (Throwable t) {
            throw new IllegalStateException("xsk_umem__create", t);
        }
    }

    static int umemDelete(MemorySegment umem) {
        try {
            return (int) UMEM_DELETE.invokeExact(umem);
        } catch (Throwable t) {
            throw new IllegalStateException("xsk_umem__delete", t);
        }
    }

    /** xsk_socket__create: 0 or -errno; {@code socketOut} receives the struct xsk_socket pointer. */
    static int socketCreate(MemorySegment socketOut, MemorySegment ifName, int queueId, MemorySegment umem,
                            MemorySegment rx, MemorySegment tx, MemorySegment config) {
        requireAvailable();
        try {
            return (int) SOCKET_CREATE.invokeExact(socketOut, ifName, queueId, umem, rx, tx, config);
        } catch (Throwable t) {
            throw new IllegalStateException("xsk_socket__create", t);
        }
    }

    /** xsk_socket__delete: closes the socket; the last one of a netdev detaches libxdp's program. */
    static void socketDelete(MemorySegment socket) {
        try {
            SOCKET_DELETE.invokeExact(socket);
        } catch (Throwable t) {
            throw new IllegalStateException("xsk_socket__delete", t);
        }
    }

    static int socketFd(MemorySegment socket) {
        try {
            return (int) SOCKET_FD.invokeExact(socket);
        } catch (Throwable t) {
            throw new IllegalStateException("xsk_socket__fd", t);
        }
    }

    /** "-95 (Operation not supported)" for a libxdp return value. */
    static String describe(int result) {
        return result + " (" + Libc.strerror(-result) + ")";
    }
}
