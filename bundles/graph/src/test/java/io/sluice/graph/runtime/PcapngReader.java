package io.sluice.graph.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a pcapng file back for tests, independently of {@link PcapngFileWriter} (draft-ietf-opsawg-pcapng): the
 * section header's version, the interfaces described and every enhanced packet with its options. The byte
 * order is taken from the section header's magic, as a reader must; every block's two length fields must agree.
 */
public record PcapngReader(int versionMajor, int versionMinor, String application, List<Interface> interfaces,
                           List<Packet> packets) {

    public record Interface(int linkType, int snaplen, String name, int tsResolution) {
    }

    public record Packet(int interfaceId, long timestamp, int capturedLength, int originalLength, byte[] bytes,
                         int flags, String comment) {
        /** Seconds since the epoch, for an interface with nanosecond resolution. */
        public long seconds() {
            return timestamp / 1_000_000_000L;
        }
    }

    public static PcapngReader read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt(0) != 0x0A0D0D0A) {
            throw new IOException(file + ": no section header block first");
        }
        if (in.getInt(8) != 0x1A2B3C4D) {
            in.order(ByteOrder.BIG_ENDIAN);
        }
        int major = -1;
        int minor = -1;
        String application = null;
        List<Interface> interfaces = new ArrayList<>();
        List<Packet> packets = new ArrayList<>();
        while (in.remaining() > 0) {
            int start = in.position();
            int type = in.getInt();
            int length = in.getInt();
            if (length < 12 || (length & 3) != 0 || start + length > in.limit()) {
                throw new IOException(file + ": block at " + start + " has length " + length);
            }
            if (in.getInt(start + length - 4) != length) {
                throw new IOException(file + ": block at " + start + ": its two lengths differ");
            }
            int end = start + length - 4;
            switch (type) {
                case 0x0A0D0D0A -> {
                    in.getInt();
                    major = Short.toUnsignedInt(in.getShort());
                    minor = Short.toUnsignedInt(in.getShort());
                    in.getLong();
                    for (Option option : options(in, end)) {
                        if (option.code() == 4) {
                            application = option.text();
                        }
                    }
                }
                case 1 -> {
                    int linkType = Short.toUnsignedInt(in.getShort());
                    in.getShort();
                    int snaplen = in.getInt();
                    String name = null;
                    int resolution = 6;
                    for (Option option : options(in, end)) {
                        if (option.code() == 2) {
                            name = option.text();
                        } else if (option.code() == 9) {
                            resolution = option.value()[0];
                        }
                    }
                    interfaces.add(new Interface(linkType, snaplen, name, resolution));
                }
                case 6 -> {
                    int interfaceId = in.getInt();
                    long high = Integer.toUnsignedLong(in.getInt());
                    long low = Integer.toUnsignedLong(in.getInt());
                    int captured = in.getInt();
                    int original = in.getInt();
                    byte[] bytes = new byte[captured];
                    in.get(bytes);
                    in.position((in.position() + 3) & ~3);
                    int flags = 0;
                    String comment = null;
                    for (Option option : options(in, end)) {
                        if (option.code() == 2) {
                            flags = ByteBuffer.wrap(option.value()).order(in.order()).getInt();
                        } else if (option.code() == 1) {
                            comment = option.text();
                        }
                    }
                    if (interfaceId >= interfaces.size()) {
                        throw new IOException(file + ": packet on interface " + interfaceId + " before its IDB");
                    }
                    packets.add(new Packet(interfaceId, high << 32 | low, captured, original, bytes, flags, comment));
                }
                default -> {
                }
            }
            in.position(start + length);
        }
        return new PcapngReader(major, minor, application, List.copyOf(interfaces), List.copyOf(packets));
    }

    private record Option(int code, byte[] value) {
        String text() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    private static List<Option> options(ByteBuffer in, int end) throws IOException {
        List<Option> options = new ArrayList<>();
        while (in.position() + 4 <= end) {
            int code = Short.toUnsignedInt(in.getShort());
            int length = Short.toUnsignedInt(in.getShort());
            if (code == 0) {
                break;
            }
            if (in.position() + length > end) {
                throw new IOException("option " + code + " runs past its block");
            }
            byte[] value = new byte[length];
            in.get(value);
            in.position((in.position() + 3) & ~3);
            options.add(new Option(code, value));
        }
        return options;
    }

    /** The first {@code n} bytes of {@code bytes}: what a record of a longer packet holds. */
    public static byte[] prefix(byte[] bytes, int n) {
        return Arrays.copyOf(bytes, Math.min(n, bytes.length));
    }
}
