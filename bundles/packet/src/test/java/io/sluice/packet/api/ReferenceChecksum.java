package io.sluice.packet.api;

/**
 * A deliberately plain RFC 1071 sum over a heap array, one 16-bit big-endian word at a time, to check the
 * optimised {@link Checksum} against and to build test packets with.
 */
final class ReferenceChecksum {

    private ReferenceChecksum() {
    }

    /** The folded, uncomplemented one's complement sum of {@code len} bytes at {@code from}. */
    static int sum(byte[] bytes, int from, int len) {
        long acc = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = bytes[from + i] & 0xff;
            int lo = i + 1 < len ? bytes[from + i + 1] & 0xff : 0;
            acc += (hi << 8) | lo;
        }
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) acc;
    }

    /** The sum over the IPv4 pseudo-header and the whole TCP segment (checksum field included). */
    static int tcpSum(byte[] frame, int ipAt) {
        int headerLength = (frame[ipAt] & 0x0f) * 4;
        int totalLength = ((frame[ipAt + 2] & 0xff) << 8) | (frame[ipAt + 3] & 0xff);
        int tcpLength = totalLength - headerLength;
        long acc = sum(frame, ipAt + 12, 8) + 6 + tcpLength + sum(frame, ipAt + headerLength, tcpLength);
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) acc;
    }
}
