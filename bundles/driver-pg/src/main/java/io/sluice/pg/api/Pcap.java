package io.sluice.pg.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads classic libpcap files (the format of tcpdump -w; see pcap-savefile(5)): 24-byte global header whose
 * magic gives byte order and time resolution, then 16-byte record headers each followed by the captured bytes.
 * Only Ethernet (link type 1) captures are accepted, as the graph's inputs expect Ethernet frames.
 */
public final class Pcap {
    private static final int MAGIC_MICROS = 0xa1b2c3d4;
    private static final int MAGIC_NANOS = 0xa1b23c4d;
    private static final int LINKTYPE_ETHERNET = 1;

    private Pcap() {
    }

    public static List<byte[]> read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    static List<byte[]> parse(byte[] bytes, String source) {
        if (bytes.length < 24) {
            throw new IllegalArgumentException(source + ": too short for a pcap header");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = buffer.getInt(0);
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
            buffer.order(ByteOrder.BIG_ENDIAN);
            magic = buffer.getInt(0);
            if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
                throw new IllegalArgumentException(source + ": not a pcap file (magic 0x"
                        + Integer.toHexString(buffer.order(ByteOrder.LITTLE_ENDIAN).getInt(0)) + ")");
            }
        }
        int linkType = buffer.getInt(20);
        if (linkType != LINKTYPE_ETHERNET) {
            throw new IllegalArgumentException(source + ": link type " + linkType + " is not Ethernet (1)");
        }
        List<byte[]> packets = new ArrayList<>();
        int at = 24;
        while (at + 16 <= bytes.length) {
            int captured = buffer.getInt(at + 8);
            if (captured < 0 || at + 16 + captured > bytes.length) {
                throw new IllegalArgumentException(source + ": record " + packets.size() + " runs past the end");
            }
            byte[] packet = new byte[captured];
            System.arraycopy(bytes, at + 16, packet, 0, captured);
            packets.add(packet);
            at += 16 + captured;
        }
        return packets;
    }

    /** Writes packets as a microsecond pcap with Ethernet link type (for tests and captures). */
    public static void write(Path file, List<byte[]> packets) throws IOException {
        int size = 24;
        for (byte[] packet : packets) {
            size += 16 + packet.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MAGIC_MICROS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535)
                .putInt(LINKTYPE_ETHERNET);
        for (byte[] packet : packets) {
            buffer.putInt(0).putInt(0).putInt(packet.length).putInt(packet.length).put(packet);
        }
        Files.write(file, buffer.array());
    }
}
