package io.sluice.graph.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a libpcap file back for tests, independently of {@link PcapFileWriter}: the file header's fields as
 * found and every record (draft-ietf-opsawg-pcap sections 4 and 5). The byte order is taken from the magic, as
 * a reader must.
 */
public record PcapReader(int magic, int versionMajor, int versionMinor, int snaplen, int linkType,
                         List<Packet> packets) {

    /** One record: its timestamp, captured and original lengths, and the captured bytes. */
    public record Packet(long seconds, int micros, int capturedLength, int originalLength, byte[] bytes) {
    }

    public static PcapReader read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt(0);
        if (magic != 0xa1b2c3d4) {
            in.order(ByteOrder.BIG_ENDIAN);
            magic = in.getInt(0);
        }
        in.position(4);
        int major = Short.toUnsignedInt(in.getShort());
        int minor = Short.toUnsignedInt(in.getShort());
        in.getInt();
        in.getInt();
        int snaplen = in.getInt();
        int linkType = in.getInt();
        List<Packet> packets = new ArrayList<>();
        while (in.remaining() >= 16) {
            long seconds = Integer.toUnsignedLong(in.getInt());
            int micros = in.getInt();
            int captured = in.getInt();
            int original = in.getInt();
            byte[] bytes = new byte[captured];
            in.get(bytes);
            packets.add(new Packet(seconds, micros, captured, original, bytes));
        }
        if (in.hasRemaining()) {
            throw new IOException(file + ": " + in.remaining() + " bytes after the last record");
        }
        return new PcapReader(magic, major, minor, snaplen, linkType, List.copyOf(packets));
    }

    /** The first {@code n} bytes of {@code bytes}: what a record of a longer packet holds. */
    public static byte[] prefix(byte[] bytes, int n) {
        return Arrays.copyOf(bytes, Math.min(n, bytes.length));
    }
}
