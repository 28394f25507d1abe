package io.sluice.graph.runtime;

import io.sluice.graph.api.CaptureRing;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A libpcap file (draft-ietf-opsawg-pcap, "PCAP Capture File Format"): the 24-byte file header, then per
 * packet a 16-byte record header and the captured bytes. Written in little-endian order with the microsecond
 * magic 0xa1b2c3d4, which readers recognise in either byte order (section 4); link type 1, LINKTYPE_ETHERNET.
 * Used by the capture's drainer thread only: the workers never touch a file.
 */
final class PcapFileWriter implements AutoCloseable {
    static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    static final short VERSION_MAJOR = 2;
    static final short VERSION_MINOR = 4;
    static final int LINKTYPE_ETHERNET = 1;
    static final int FILE_HEADER_SIZE = 24;
    static final int RECORD_HEADER_SIZE = 16;

    private final FileChannel channel;
    private final ByteBuffer buffer;
    /** The same bytes as {@link #buffer}, as a segment to copy packets into. */
    private final MemorySegment bytes;
    private long packets;

    PcapFileWriter(Path file, int snaplen) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        byte[] array = new byte[Math.max(64 * 1024, RECORD_HEADER_SIZE + snaplen)];
        this.buffer = ByteBuffer.wrap(array).order(ByteOrder.LITTLE_ENDIAN);
        this.bytes = MemorySegment.ofArray(array);
        buffer.putInt(MAGIC_MICROSECONDS)
                .putShort(VERSION_MAJOR)
                .putShort(VERSION_MINOR)
                .putInt(0)          // thiszone: timestamps are UTC
                .putInt(0)          // sigfigs: always 0
                .putInt(snaplen)
                .putInt(LINKTYPE_ETHERNET);
    }

    /** Appends the packet of capture record {@code record} in {@code records} (a {@link CaptureRing}'s segment). */
    void write(MemorySegment records, long record) throws IOException {
        int captured = CaptureRing.capturedLength(records, record);
        if (buffer.remaining() < RECORD_HEADER_SIZE + captured) {
            flush();
        }
        long nanos = CaptureRing.timeNanos(records, record);
        buffer.putInt((int) (nanos / 1_000_000_000L))
                .putInt((int) (nanos % 1_000_000_000L / 1_000L))
                .putInt(captured)
                .putInt(CaptureRing.originalLength(records, record));
        MemorySegment.copy(records, CaptureRing.bytesOffset(record), bytes, buffer.position(), captured);
        buffer.position(buffer.position() + captured);
        packets++;
    }

    long packets() {
        return packets;
    }

    void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }
}
