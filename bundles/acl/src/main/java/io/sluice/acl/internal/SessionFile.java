package io.sluice.acl.internal;

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

/**
 * The reflect sessions' region as a memory-mapped file, so that they survive a restart of the box as NAT44's
 * do: the pod's established connections keep their ACL session, and the replies keep passing, after
 * {@code ./sluice stop} and {@code start}. The file is the region byte for byte ({@link SessionTable}'s header,
 * then its slots), in this machine's byte order. A file of another size, or whose header is not a session
 * table's of the same slot count, is foreign: it is moved aside to {@code <file>.incompatible} (with a log
 * line) and a fresh table is created, never misread. The space is reserved when the file is made (written
 * out, not sparse), so that a full disk is an error at start naming the file and the bytes, not a fault in a
 * worker later.
 */
final class SessionFile implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SessionFile.class.getName());
    private static final int RESERVE_CHUNK = 1 << 20;

    private final Path path;
    private final Arena arena;
    private final FileChannel channel;
    private final MemorySegment region;

    private SessionFile(Path path, Arena arena, FileChannel channel, MemorySegment region) {
        this.path = path;
        this.arena = arena;
        this.channel = channel;
        this.region = region;
    }

    /** Maps {@code path} as a region of {@code size} bytes for a table of {@code slots} slots. */
    static SessionFile open(Path path, long size, int slots) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (Files.exists(path) && !holdsTable(path, size, slots)) {
            Path aside = path.resolveSibling(path.getFileName() + ".incompatible");
            Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
            LOG.log(System.Logger.Level.WARNING, path + ": not an ACL session table of " + slots
                    + " slots; moved aside to " + aside + ", starting with no sessions");
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        Arena arena = Arena.ofShared();
        try {
            reserve(path, channel, size);
            MemorySegment region = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            return new SessionFile(path, arena, channel, region);
        } catch (IOException | RuntimeException e) {
            arena.close();
            channel.close();
            throw e;
        }
    }

    /** Writes zeros up to {@code size} where the file is shorter, so every page has its blocks on the disk. */
    private static void reserve(Path path, FileChannel channel, long size) throws IOException {
        long at = channel.size();
        if (at >= size) {
            return;
        }
        ByteBuffer zeros = ByteBuffer.allocate(RESERVE_CHUNK);
        try {
            while (at < size) {
                zeros.clear().limit((int) Math.min(RESERVE_CHUNK, size - at));
                at += channel.write(zeros, at);
            }
            channel.force(false);
        } catch (IOException e) {
            channel.truncate(0);
            throw new IOException(path + ": cannot reserve the " + size + " bytes the ACL session table needs ("
                    + e.getMessage() + ")", e);
        }
    }

    private static boolean holdsTable(Path path, long size, int slots) throws IOException {
        if (Files.size(path) != size) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(SessionTable.HEADER_SIZE).order(ByteOrder.nativeOrder());
            while (header.hasRemaining() && channel.read(header) >= 0) {
                // the whole header, or what there is
            }
            header.flip();
            return header.remaining() == SessionTable.HEADER_SIZE && SessionTable.holdsTable(header, slots);
        }
    }

    MemorySegment region() {
        return region;
    }

    Path path() {
        return path;
    }

    /** Writes dirty pages to the device (msync): for power loss; a crash of the JVM loses nothing anyway. */
    void force() {
        region.force();
    }

    /** Flushes and unmaps. Call only once no worker can reach the table (its nodes removed). */
    @Override
    public void close() throws IOException {
        try {
            force();
        } finally {
            arena.close();
            channel.close();
        }
    }
}
