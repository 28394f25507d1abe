package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.nat44.api.Nat44Event;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** IPFIX messages as RFC 7011 lays them out, with RFC 8158's NAT event templates, checked byte by byte. */
class IpfixEncoderTest {
    private static final long TIME = 1_717_236_000_123L;
    private static final int INSIDE = 0x0a010103;   // 10.1.1.3
    private static final int OUTSIDE = 0xc0a81001;  // 192.168.16.1
    private static final int REMOTE = 0xcb007133;   // 203.0.113.51

    private static long[] sessions(int n) {
        long[] r = new long[n * Nat44Event.LONGS];
        for (int i = 0; i < n; i++) {
            Nat44Event.pack(r, i * Nat44Event.LONGS, TIME + i, i % 2 == 0 ? Nat44Event.SESSION_CREATE
                    : Nat44Event.SESSION_DELETE, 0, 17, INSIDE, 5000 + i, OUTSIDE, 25801 + i, REMOTE, 53, 0);
        }
        return r;
    }

    private static byte[] bytes(ByteBuffer message) {
        byte[] b = new byte[message.remaining()];
        message.duplicate().get(b);
        return b;
    }

    @Test
    void theHeaderIsVersion10WithLengthExportTimeSequenceAndDomain() {
        IpfixEncoder encoder = new IpfixEncoder(7, 1, 1400);
        assertEquals(3, encoder.encode(sessions(3), 0, 3, TIME, false));
        ByteBuffer m = encoder.message();
        assertEquals(0x000a, m.getShort(0) & 0xffff);
        assertEquals(m.remaining(), m.getShort(2) & 0xffff, "length is the whole message");
        assertEquals((int) (TIME / 1000), m.getInt(4), "export time in seconds");
        assertEquals(0, m.getInt(8), "no data record before the first message");
        assertEquals(7, m.getInt(12));
        // Next message: the sequence counts the three data records already sent (RFC 7011 section 3.1).
        encoder.encode(sessions(2), 0, 2, TIME, false);
        assertEquals(3, encoder.message().getInt(8));
        assertEquals(5, encoder.sequence());
    }

    @Test
    void theTemplateSetListsEachTemplateWithItsFieldsInOrder() {
        IpfixEncoder encoder = new IpfixEncoder(1, 1, 1400);
        encoder.encode(new long[0], 0, 0, TIME, true);
        ByteBuffer m = encoder.message();
        assertEquals(16 + IpfixEncoder.templateSetLength(), m.remaining(), "header and the template set only");
        assertEquals(2, m.getShort(16), "set id 2: a template set");
        assertEquals(IpfixEncoder.templateSetLength(), m.getShort(18) & 0xffff);
        // Template 256: 10 fields, RFC 8158's NAT44 session template.
        assertEquals(256, m.getShort(20) & 0xffff);
        assertEquals(10, m.getShort(22));
        int[] expected = {323, 8, 230, 1, 463, 4, 4, 1, 8, 4, 7, 2, 225, 4, 227, 2, 12, 4, 11, 2};
        List<Integer> actual = new ArrayList<>();
        for (int f = 0; f < 10; f++) {
            actual.add(m.getShort(24 + f * 4) & 0xffff);
            actual.add(m.getShort(26 + f * 4) & 0xffff);
        }
        assertEquals(java.util.Arrays.stream(expected).boxed().toList(), actual);
        // Then 257, 258, 259 follow, each with its field count.
        int at = 24 + 10 * 4;
        assertEquals(257, m.getShort(at) & 0xffff);
        assertEquals(4, m.getShort(at + 2));
        at += 4 + 4 * 4;
        assertEquals(258, m.getShort(at) & 0xffff);
        assertEquals(5, m.getShort(at + 2));
        at += 4 + 5 * 4;
        assertEquals(259, m.getShort(at) & 0xffff);
        assertEquals(6, m.getShort(at + 2));
        at += 4 + 6 * 4;
        assertEquals(m.remaining(), at, "nothing after the last template");
        assertEquals(32, IpfixEncoder.recordLength(256));
        assertEquals(0, encoder.sequence(), "templates are not data records");
    }

    @Test
    void aSessionRecordIsItsFieldsBigEndianInTemplateOrder() {
        IpfixEncoder encoder = new IpfixEncoder(1, 9, 1400);
        encoder.encode(sessions(1), 0, 1, TIME, false);
        byte[] m = bytes(encoder.message());
        assertEquals(16 + 4 + 32, m.length);
        ByteBuffer set = ByteBuffer.wrap(m, 16, 36).slice();
        assertEquals(256, set.getShort(0) & 0xffff, "the data set's id is its template's");
        assertEquals(36, set.getShort(2) & 0xffff);
        byte[] record = java.util.Arrays.copyOfRange(m, 20, 52);
        byte[] expected = {
                0, 0, 0x01, (byte) 0x8f, (byte) 0xd3, 0x3d, (byte) 0xe5, 0x7b, // 1717236000123 ms
                4,                                                              // natEvent: NAT44 session create
                0, 0, 0, 9,                                                     // natInstanceID
                17,                                                             // protocolIdentifier: UDP
                10, 1, 1, 3, 0x13, (byte) 0x88,                                 // 10.1.1.3 port 5000
                (byte) 192, (byte) 168, 16, 1, 0x64, (byte) 0xc9,               // 192.168.16.1 port 25801
                (byte) 203, 0, 113, 51, 0, 53};                                 // 203.0.113.51 port 53
        assertEquals(java.util.HexFormat.of().formatHex(expected), java.util.HexFormat.of().formatHex(record));
    }

    @Test
    void eventsOfDifferentTemplatesGoInSeparateSetsWithTheirOwnLengths() {
        long[] r = new long[3 * Nat44Event.LONGS];
        Nat44Event.pack(r, 0, TIME, Nat44Event.SESSION_CREATE, 0, 6, INSIDE, 1, OUTSIDE, 2, REMOTE, 80, 0);
        Nat44Event.pack(r, Nat44Event.LONGS, TIME, Nat44Event.QUOTA_EXCEEDED, Nat44Event.QUOTA_MAX_ENTRIES_PER_USER,
                0, INSIDE, 0, 0, 0, 0, 0, 10_000);
        Nat44Event.pack(r, 2 * Nat44Event.LONGS, TIME, Nat44Event.ADDRESSES_EXHAUSTED, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        IpfixEncoder encoder = new IpfixEncoder(1, 1, 1400);
        assertEquals(3, encoder.encode(r, 0, 3, TIME, false));
        ByteBuffer m = encoder.message();
        int at = 16;
        assertEquals(256, m.getShort(at) & 0xffff);
        assertEquals(4 + 32, m.getShort(at + 2));
        at += 36;
        assertEquals(259, m.getShort(at) & 0xffff);
        assertEquals(4 + 25, m.getShort(at + 2));
        assertEquals(13, m.get(at + 4 + 8), "natEvent 13, quota exceeded");
        assertEquals(3, m.getInt(at + 4 + 13), "natQuotaExceededEvent 3: maximum entries per user");
        assertEquals(10_000, m.getInt(at + 4 + 17), "maxEntriesPerUser");
        assertEquals(INSIDE, m.getInt(at + 4 + 21), "sourceIPv4Address");
        at += 29;
        assertEquals(257, m.getShort(at) & 0xffff);
        assertEquals(4 + 17, m.getShort(at + 2));
        assertEquals(3, m.get(at + 4 + 8), "natEvent 3, addresses exhausted");
        at += 21;
        assertEquals(m.remaining(), at);
        assertEquals(m.remaining(), m.getShort(2));
    }

    @Test
    void aBatchLargerThanAMessageIsSplitAndNothingIsLeftOut() {
        IpfixEncoder encoder = new IpfixEncoder(1, 1, 512);
        long[] r = sessions(40);
        // 512 - 16 header - 4 set header = 492 bytes: 15 records of 32.
        assertEquals(15, encoder.encode(r, 0, 40, TIME, false));
        assertEquals(16 + 4 + 15 * 32, encoder.message().remaining());
        assertEquals(15, encoder.encode(r, 15, 25, TIME, false));
        assertEquals(15, encoder.message().getInt(8));
        assertEquals(10, encoder.encode(r, 30, 10, TIME, false));
        assertEquals(5000 + 30, encoder.message().getShort(16 + 4 + 18) & 0xffff, "the third starts at event 30");
        assertEquals(40, encoder.sequence());
    }

    @Test
    void anEventWithoutATemplateIsSkippedNotSent() {
        long[] r = new long[Nat44Event.LONGS];
        Nat44Event.pack(r, 0, TIME, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        IpfixEncoder encoder = new IpfixEncoder(1, 1, 1400);
        assertEquals(1, encoder.encode(r, 0, 1, TIME, false));
        assertEquals(16, encoder.message().remaining());
        assertEquals(0, encoder.sequence());
    }

    @Test
    void aMessageTooSmallForTheTemplatesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IpfixEncoder(1, 1, 64));
    }
}
