package io.sluice.common.state;

import io.sluice.nativeio.api.Libc;
import io.sluice.nativeio.api.LinuxConstants;
import io.sluice.nativeio.api.NativeException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.zip.CRC32C;

/**
 * A memory-mapped file holding a table's state across restarts and bundle updates (the NAT44 sessions, the ACL
 * reflect sessions): a checked header, then the table's payload exactly as the table lays it out.
 *
 * <pre>
 *  +0  long magic "SLSTATE\1"              +32 long record count
 *  +8  int  byte-order mark 0x01020304     +40 long payload size, bytes
 *  +12 int  header version (1)             +48 long created, ms since the epoch
 *  +16 long kind (the owner's tag)         +56 int  reserved, 0
 *  +24 int  the owner's layout version     +60 int  CRC32C of bytes 0..59
 *  +28 int  record size
 *  +64 payload
 * </pre>
 *
 * <p>At open the file is checked before it is mapped: a header that is not ours (another magic), whose checksum
 * fails, that was written for another kind, layout or geometry, or a file whose size is not the header's, is
 * <em>moved aside</em> ({@code <file>.moved-<UTC timestamp>}, kept for a post-mortem) with a log line saying
 * why, and a fresh file is made. A file in the owner's format from before this header ({@link Legacy}) is
 * migrated: its payload is copied behind a header into a new file that then replaces it, so its sessions are
 * kept. The table then checks its records ({@link #open}'s {@code records}); damage there moves the file aside
 * too.
 *
 * <p>The whole file is reserved with posix_fallocate(3) when it is opened, new or not: a page of a shared
 * mapping with no block behind it faults (SIGBUS, an InternalError in Java) when it is first written on a full
 * disk, which would be in a worker. So a disk that cannot hold the file fails the open with a message naming
 * the file and the bytes, and a file that opened never needs another block. Reserving is not touching: the
 * blocks are allocated unwritten, and no page of the file is in memory until it is read or written; the owners
 * write only the records they use and give back what their open-time pass over every record read in
 * ({@link #releaseResidentPages()}), so a table sized for a million sessions holding a hundred costs a few
 * pages of the box's resident memory, not the file's size.
 *
 * <p>{@link #force()} (msync) takes no lock: msync is safe while other threads write the mapping, and what it
 * writes out is at least what was there when it was called.
 */
public final class StateFile implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StateFile.class.getName());

    public static final long MAGIC = 0x534c_5354_4154_4501L;
    public static final int BYTE_ORDER_MARK = 0x01020304;
    public static final int HEADER_VERSION = 1;
    public static final int HEADER_SIZE = 64;

    static final int H_MAGIC = 0;
    static final int H_BYTE_ORDER = 8;
    static final int H_VERSION = 12;
    static final int H_KIND = 16;
    static final int H_LAYOUT = 24;
    static final int H_RECORD_SIZE = 28;
    static final int H_RECORD_COUNT = 32;
    static final int H_PAYLOAD_SIZE = 40;
    static final int H_CREATED = 48;
    static final int H_CHECKSUM = 60;

    private static final String NOT_OURS = "not a Sluice state file";

    private static final DateTimeFormatter ASIDE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    /**
     * What the owner keeps in the file: its kind tag and layout version, the geometry (the payload is
     * {@code payloadSize} bytes, {@code recordCount} records of {@code recordSize}), and {@code purpose}, the
     * configuration that sized it, for the error messages ("max-sessions 4096").
     */
    public record Spec(long kind, int layoutVersion, int recordSize, long recordCount, long payloadSize,
                       String purpose) {
        public long fileSize() {
            return HEADER_SIZE + payloadSize;
        }
    }

    /** The owner's format from before this header: recognises such a file, whose payload starts at byte 0. */
    @FunctionalInterface
    public interface Legacy {
        /** Null when {@code head} (the file's first bytes, native order) and {@code size} are a legacy payload of this spec; else why not. */
        String mismatch(ByteBuffer head, long size);
    }

    /** The owner's check of the records it is about to attach to: null when sound, else what is wrong. */
    @FunctionalInterface
    public interface RecordCheck {
        String damage(MemorySegment payload);
    }

    /** How many bytes the filesystem holding {@code directory} still gives this process (a test replaces it). */
    @FunctionalInterface
    public interface FreeSpace {
        long usable(Path directory) throws IOException;

        FreeSpace FILESYSTEM = directory -> Files.getFileStore(directory).getUsableSpace();
    }

    /** How the file was found at open. */
    public enum Outcome { CREATED, REOPENED, MIGRATED, REPLACED }

    private final Path path;
    private final Arena arena;
    private final FileChannel channel;
    /** The whole file's mapping, header included: page-aligned, as madvise wants it. */
    private final MemorySegment mapping;
    private final MemorySegment payload;
    private final Outcome outcome;
    private final Path movedAside;

    private StateFile(Path path, Arena arena, FileChannel channel, MemorySegment mapping, Outcome outcome,
                      Path movedAside) {
        this.path = path;
        this.arena = arena;
        this.channel = channel;
        this.mapping = mapping;
        this.payload = mapping.asSlice(HEADER_SIZE);
        this.outcome = outcome;
        this.movedAside = movedAside;
    }

    /**
     * Opens {@code path} for {@code spec}: checked, migrated or replaced as the class comment says, reserved in
     * full, mapped. A fresh payload is all zeros (the owner writes its own initial state). Throws an IOException
     * naming the file and the bytes needed when its disk cannot hold it; the file is then left as it was.
     */
    public static StateFile open(Path path, Spec spec, Legacy legacy, RecordCheck records, FreeSpace freeSpace)
            throws IOException {
        Path directory = path.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path aside = null;
        Outcome outcome = Outcome.CREATED;
        if (Files.exists(path)) {
            String problem = headerProblem(path, spec);
            if (problem != null && problem.startsWith(NOT_OURS) && legacy != null) {
                String mismatch = legacy.mismatch(readHead(path, HEADER_SIZE), Files.size(path));
                problem = mismatch == null ? null : problem + ", nor " + mismatch;
                if (mismatch == null) {
                    migrate(path, spec, freeSpace);
                    outcome = Outcome.MIGRATED;
                }
            }
            if (outcome == Outcome.MIGRATED) {
                // migrated above: the new file holds the old records behind a header
            } else if (problem == null) {
                outcome = Outcome.REOPENED;
            } else {
                checkRoom(path, spec, freeSpace, 0);
                aside = moveAside(path, problem);
                outcome = Outcome.REPLACED;
            }
        } else {
            checkRoom(path, spec, freeSpace, 0);
        }
        StateFile file = map(path, spec, outcome, aside);
        if (outcome == Outcome.REOPENED || outcome == Outcome.MIGRATED) {
            String damage = records.damage(file.payload);
            if (damage != null) {
                file.closeMapping();
                Path damaged = moveAside(path, "damaged records: " + damage);
                return map(path, spec, Outcome.REPLACED, damaged);
            }
        }
        return file;
    }

    /** Null when the file is ours for {@code spec}, else why not (what the log line says). */
    static String headerProblem(Path path, Spec spec) throws IOException {
        long size = Files.size(path);
        if (size < HEADER_SIZE) {
            return "truncated: " + size + " bytes, shorter than the " + HEADER_SIZE + "-byte header";
        }
        ByteBuffer header = readHead(path, HEADER_SIZE);
        if (header.getLong(H_MAGIC) != MAGIC) {
            return String.format(NOT_OURS + " (magic %016x)", header.getLong(H_MAGIC));
        }
        if (header.getInt(H_CHECKSUM) != checksum(header)) {
            return "header checksum mismatch (damaged header)";
        }
        if (header.getInt(H_BYTE_ORDER) != BYTE_ORDER_MARK || header.getInt(H_VERSION) != HEADER_VERSION) {
            return "written by another byte order or header version (" + header.getInt(H_VERSION) + ")";
        }
        if (header.getLong(H_KIND) != spec.kind() || header.getInt(H_LAYOUT) != spec.layoutVersion()) {
            return String.format("another kind of state (kind %016x layout %d, expected %016x layout %d)",
                    header.getLong(H_KIND), header.getInt(H_LAYOUT), spec.kind(), spec.layoutVersion());
        }
        if (header.getInt(H_RECORD_SIZE) != spec.recordSize() || header.getLong(H_RECORD_COUNT) != spec.recordCount()
                || header.getLong(H_PAYLOAD_SIZE) != spec.payloadSize()) {
            return "written for " + header.getLong(H_RECORD_COUNT) + " records of " + header.getInt(H_RECORD_SIZE)
                    + " bytes, configured for " + spec.recordCount() + " of " + spec.recordSize() + " ("
                    + spec.purpose() + ")";
        }
        if (size != spec.fileSize()) {
            return "truncated or extended: " + size + " bytes, its header says " + spec.fileSize();
        }
        return null;
    }

    private static ByteBuffer readHead(Path path, int bytes) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(bytes).order(ByteOrder.nativeOrder());
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (head.hasRemaining() && channel.read(head) >= 0) {
                // the whole head, or what there is
            }
        }
        return head.clear();
    }

    static int checksum(ByteBuffer header) {
        CRC32C crc = new CRC32C();
        crc.update(header.slice(0, H_CHECKSUM));
        return (int) crc.getValue();
    }

    private static void checkRoom(Path path, Spec spec, FreeSpace freeSpace, long alreadyHeld) throws IOException {
        long needed = spec.fileSize() - alreadyHeld;
        long usable = freeSpace.usable(path.toAbsolutePath().getParent());
        if (usable < needed) {
            throw new IOException(path + ": " + spec.purpose() + " needs " + spec.fileSize() + " bytes ("
                    + HEADER_SIZE + " + " + spec.payloadSize() + "), but its filesystem has " + usable
                    + " bytes free; free " + (needed - usable) + " bytes or lower " + spec.purpose());
        }
    }

    /** Moves {@code path} aside under a timestamped name, logging why; returns where it went. */
    static Path moveAside(Path path, String why) throws IOException {
        Path aside = path.resolveSibling(path.getFileName() + ".moved-" + ASIDE_STAMP.format(Instant.now()));
        Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
        LOG.log(System.Logger.Level.WARNING, path + ": " + why + "; moved aside to " + aside
                + ", starting with a fresh file and no sessions");
        return aside;
    }

    /** Copies a legacy payload behind a header into a reserved new file, then renames it over the old one. */
    private static void migrate(Path path, Spec spec, FreeSpace freeSpace) throws IOException {
        checkRoom(path, spec, freeSpace, 0);
        Path next = path.resolveSibling(path.getFileName() + ".migrating");
        Files.deleteIfExists(next);
        try {
            reserve(next, spec);
            try (FileChannel from = FileChannel.open(path, StandardOpenOption.READ);
                 FileChannel to = FileChannel.open(next, StandardOpenOption.WRITE)) {
                to.write(header(spec), 0);
                long copied = 0;
                while (copied < spec.payloadSize()) {
                    long n = from.transferTo(copied, spec.payloadSize() - copied, to.position(HEADER_SIZE + copied));
                    if (n <= 0) {
                        break;
                    }
                    copied += n;
                }
                to.force(true);
            }
            Files.move(next, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(next);
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, path + ": migrated to the checked state file format (header version "
                + HEADER_VERSION + "), its records kept");
    }

    private static ByteBuffer header(Spec spec) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.nativeOrder());
        header.putLong(H_MAGIC, MAGIC).putInt(H_BYTE_ORDER, BYTE_ORDER_MARK).putInt(H_VERSION, HEADER_VERSION)
                .putLong(H_KIND, spec.kind()).putInt(H_LAYOUT, spec.layoutVersion())
                .putInt(H_RECORD_SIZE, spec.recordSize()).putLong(H_RECORD_COUNT, spec.recordCount())
                .putLong(H_PAYLOAD_SIZE, spec.payloadSize()).putLong(H_CREATED, System.currentTimeMillis());
        header.putInt(H_CHECKSUM, checksum(header));
        return header;
    }

    /** Creates {@code path} if absent and gives all of it its blocks (posix_fallocate). */
    private static void reserve(Path path, Spec spec) throws IOException {
        int fd;
        try {
            fd = Libc.open(path.toString(), LinuxConstants.O_RDWR | LinuxConstants.O_CREAT | LinuxConstants.O_CLOEXEC,
                    0644);
        } catch (NativeException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
        try {
            Libc.posixFallocate(fd, 0, spec.fileSize(), path.toString());
        } catch (NativeException e) {
            throw new IOException(path + ": cannot reserve the " + spec.fileSize() + " bytes " + spec.purpose()
                    + " needs (" + e.getMessage() + "); free space or lower " + spec.purpose(), e);
        } finally {
            Libc.close(fd);
        }
    }

    private static StateFile map(Path path, Spec spec, Outcome outcome, Path aside) throws IOException {
        boolean fresh = !Files.exists(path);
        try {
            reserve(path, spec);
        } catch (IOException e) {
            if (fresh) {
                Files.deleteIfExists(path);
            }
            throw e;
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_WRITE, 0, spec.fileSize(), arena);
            // A hash table's accesses are random: without this a fault reads in the pages around it too (mmap
            // read-around, mm/filemap.c), which the kernel's fault-around then maps at the next fault nearby, so
            // the resident set would follow what was read around rather than the records in use.
            Libc.madvise(whole, LinuxConstants.MADV_RANDOM);
            if (fresh) {
                MemorySegment.copy(MemorySegment.ofBuffer(header(spec)), 0, whole, 0, HEADER_SIZE);
            }
            return new StateFile(path, arena, channel, whole, outcome, aside);
        } catch (IOException | RuntimeException e) {
            arena.close();
            channel.close();
            throw e;
        }
    }

    /** The table's bytes, mapped (64-byte aligned in the file, so cache lines match records). */
    public MemorySegment payload() {
        return payload;
    }

    public Path path() {
        return path;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Where a replaced file was moved, or null. */
    public Path movedAside() {
        return movedAside;
    }

    /**
     * Takes the file's pages out of this process's resident set (madvise(2) MADV_DONTNEED): what they hold stays
     * the file's (pages of a shared file mapping live in the page cache; dirty ones are written back as usual) and
     * the next access maps a page again, with its contents. An owner calls it after a pass over every record (the
     * checks and the index rebuild at open, a full expiry sweep), which maps every page in, so that the box stays
     * resident only for the records it uses. The file's blocks stay reserved: this never makes a write fault.
     * Safe while other threads read and write the mapping (a store races with the unmapping of its page only to
     * land in the same page-cache page), and taking no lock.
     */
    public void releaseResidentPages() {
        Libc.madvise(mapping, LinuxConstants.MADV_DONTNEED);
    }

    /** The unit {@link #releaseResidentPages(long, long)} gives back: the base page of x86-64 and of arm64's usual kernels. */
    public static final long PAGE_SIZE = 4096;

    /**
     * {@link #releaseResidentPages()} for the whole pages inside {@code length} bytes of the payload from
     * {@code payloadOffset} (a page the range only partly covers stays, since the rest of it may be in use; the
     * header's page always stays): what an owner calls for pages its records have left, so that the box's
     * residency follows what the file holds rather than the most it ever held. Returns the bytes given back.
     */
    public long releaseResidentPages(long payloadOffset, long length) {
        long from = Math.max(HEADER_SIZE + payloadOffset, 0);
        long to = Math.min(HEADER_SIZE + payloadOffset + length, mapping.byteSize());
        long first = (from + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
        long end = to / PAGE_SIZE * PAGE_SIZE;
        if (end <= first) {
            return 0;
        }
        Libc.madvise(mapping.asSlice(first, end - first), LinuxConstants.MADV_DONTNEED);
        return end - first;
    }

    /** msync of the whole mapping; no lock needed or taken (see the class comment). */
    public void force() {
        payload.force();
    }

    private void closeMapping() throws IOException {
        try {
            arena.close();
        } finally {
            channel.close();
        }
    }

    /** Flushes and unmaps. Call only once no thread can reach the payload. */
    @Override
    public void close() throws IOException {
        try {
            force();
        } finally {
            closeMapping();
        }
    }

    /** Bytes of a header as {@link #open} writes it, for tests that make a file by hand. */
    public static byte[] headerBytes(Spec spec) {
        return header(spec).array();
    }
}
