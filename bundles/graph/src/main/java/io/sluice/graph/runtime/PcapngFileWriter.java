package io.sluice.graph.runtime;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.CaptureRing;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * A pcapng file (draft-ietf-opsawg-pcapng, "PCAP Next Generation Dump File Format"): a Section Header Block,
 * then an Interface Description Block for each Sluice interface the first time one of its packets is written
 * (named by {@code if_name}, nanosecond timestamps by {@code if_tsresol} 9), and an Enhanced Packet Block per
 * packet whose {@code epb_flags} give the direction (rx and drops inbound, tx outbound) and, for a drop, an
 * {@code opt_comment} naming the node that dropped it and the error counter that counts it, as
 * {@code errors:show} names them: "dropped by ip4-lookup: no-route" (VPP's pcap drop trace records
 * {@code b->error} the same way); "dropped by &lt;node&gt;" alone when the node stamped no error.
 * Little-endian, which readers take from the byte-order magic. Used by the capture's drainer thread only: the
 * workers never touch a file.
 */
final class PcapngFileWriter implements AutoCloseable {
    static final int SECTION_HEADER_BLOCK = 0x0A0D0D0A;
    static final int INTERFACE_DESCRIPTION_BLOCK = 1;
    static final int ENHANCED_PACKET_BLOCK = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int LINKTYPE_ETHERNET = 1;
    static final short OPT_END = 0;
    static final short OPT_COMMENT = 1;
    static final short SHB_USERAPPL = 4;
    static final short IF_NAME = 2;
    static final short IF_TSRESOL = 9;
    static final short EPB_FLAGS = 2;
    static final int EPB_FLAGS_INBOUND = 1;
    static final int EPB_FLAGS_OUTBOUND = 2;
    /** An EPB without its data and options: type, length, interface, two timestamp halves, two lengths, length. */
    private static final int EPB_FIXED = 32;
    private static final int MAX_OPTION_TEXT = 256;

    private final FileChannel channel;
    private final ByteBuffer buffer;
    /** The same bytes as {@link #buffer}, as a segment to copy packets into. */
    private final MemorySegment bytes;
    private final int snaplen;
    private final IntFunction<String> interfaceNames;
    private final IntFunction<String> nodeNames;
    private final IntFunction<String> errorNames;
    /** pcapng interface id + 1 by sw_if_index (0: no IDB written yet). */
    private int[] interfaceIds = new int[16];
    private int interfaces;
    private long packets;

    /**
     * {@code interfaceNames}: sw_if_index to the name an IDB carries; {@code nodeNames}: a graph slot to the name
     * of the node, for drops.
     */
    PcapngFileWriter(Path file, int snaplen, IntFunction<String> interfaceNames, IntFunction<String> nodeNames)
            throws IOException {
        this(file, snaplen, interfaceNames, nodeNames, error -> null);
    }

    /**
     * {@code errorNames}: a global error index to "node: counter" as errors:show names it, or null when the
     * index names no counter (the comment then falls back to the node).
     */
    PcapngFileWriter(Path file, int snaplen, IntFunction<String> interfaceNames, IntFunction<String> nodeNames,
                     IntFunction<String> errorNames) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        byte[] array = new byte[Math.max(64 * 1024, 2 * (EPB_FIXED + snaplen + 3 + 2 * MAX_OPTION_TEXT))];
        this.buffer = ByteBuffer.wrap(array).order(ByteOrder.LITTLE_ENDIAN);
        this.bytes = MemorySegment.ofArray(array);
        this.snaplen = snaplen;
        this.interfaceNames = interfaceNames;
        this.nodeNames = nodeNames;
        this.errorNames = errorNames;
        int start = beginBlock(SECTION_HEADER_BLOCK);
        buffer.putInt(BYTE_ORDER_MAGIC)
                .putShort((short) 1)     // major version
                .putShort((short) 0)     // minor version
                .putLong(-1L);           // section length: not given
        putTextOption(SHB_USERAPPL, "Sluice");
        endBlock(start);
    }

    /** Appends the packet of capture record {@code record} in {@code records} (a {@link CaptureRing}'s segment). */
    void write(MemorySegment records, long record) throws IOException {
        int captured = CaptureRing.capturedLength(records, record);
        int sw = CaptureRing.swIfIndex(records, record);
        int point = CaptureRing.point(records, record);
        String comment = null;
        if (point == ArmedCapture.DROP) {
            int error = CaptureRing.error(records, record);
            String counter = error >= 0 ? errorNames.apply(error) : null;
            int node = CaptureRing.node(records, record);
            comment = counter != null ? "dropped by " + counter
                    : node >= 0 ? "dropped by " + nodeNames.apply(node) : "dropped";
        }
        int interfaceId = interfaceId(sw);
        if (buffer.remaining() < EPB_FIXED + captured + 3 + 12 + optionSize(comment)) {
            flush();
        }
        long nanos = CaptureRing.timeNanos(records, record);
        int start = beginBlock(ENHANCED_PACKET_BLOCK);
        buffer.putInt(interfaceId)
                .putInt((int) (nanos >>> 32))
                .putInt((int) nanos)
                .putInt(captured)
                .putInt(CaptureRing.originalLength(records, record));
        MemorySegment.copy(records, CaptureRing.bytesOffset(record), bytes, buffer.position(), captured);
        buffer.position(buffer.position() + captured);
        pad();
        buffer.putShort(EPB_FLAGS).putShort((short) 4)
                .putInt(point == ArmedCapture.TX ? EPB_FLAGS_OUTBOUND : EPB_FLAGS_INBOUND);
        if (comment != null) {
            putTextOption(OPT_COMMENT, comment);
        }
        endBlock(start);
        packets++;
    }

    /** The pcapng interface id of {@code sw}, writing its IDB first if this is its first packet. */
    private int interfaceId(int sw) throws IOException {
        int key = sw + 1;    // -1 (no interface) gets an IDB of its own too
        if (key < 0) {
            key = 0;
        }
        if (key >= interfaceIds.length) {
            interfaceIds = Arrays.copyOf(interfaceIds, Math.max(key + 1, interfaceIds.length * 2));
        }
        if (interfaceIds[key] == 0) {
            String name = interfaceNames.apply(sw);
            if (buffer.remaining() < 32 + optionSize(name)) {
                flush();
            }
            int start = beginBlock(INTERFACE_DESCRIPTION_BLOCK);
            buffer.putShort((short) LINKTYPE_ETHERNET).putShort((short) 0).putInt(snaplen);
            putTextOption(IF_NAME, name);
            buffer.putShort(IF_TSRESOL).putShort((short) 1).put((byte) 9).put((byte) 0).putShort((short) 0);
            endBlock(start);
            interfaceIds[key] = ++interfaces;
        }
        return interfaceIds[key] - 1;
    }

    private int beginBlock(int type) {
        int start = buffer.position();
        buffer.putInt(type).putInt(0);
        return start;
    }

    /** Ends the options with opt_endofopt and writes the block's total length at both ends. */
    private void endBlock(int start) {
        buffer.putShort(OPT_END).putShort((short) 0);
        int length = buffer.position() - start + 4;
        buffer.putInt(length);
        buffer.putInt(start + 4, length);
    }

    private static int optionSize(String text) {
        return text == null ? 0 : 4 + ((Math.min(text.length() * 3, MAX_OPTION_TEXT) + 3) & ~3);
    }

    private void putTextOption(short code, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(utf8.length, MAX_OPTION_TEXT);
        // Cut before a character, never inside one: pcapng's string options are UTF-8 (draft-ietf-opsawg-pcapng
        // section 3.5), and a continuation byte (10xxxxxx) left without its lead is not.
        while (length < utf8.length && (utf8[length] & 0xc0) == 0x80) {
            length--;
        }
        buffer.putShort(code).putShort((short) length).put(utf8, 0, length);
        pad();
    }

    /** Zero bytes up to the next 32-bit boundary: every block and option value is padded to one. */
    private void pad() {
        while ((buffer.position() & 3) != 0) {
            buffer.put((byte) 0);
        }
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
