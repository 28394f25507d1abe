package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.nat44.api.Nat44Event;
import org.junit.jupiter.api.Test;

/** NAT events as RFC 5424 lines, VPP's CGN style. */
class SyslogFormatTest {
    private static final long TIME = 1_717_236_000_123L; // 2024-06-01T10:00:00.123Z

    @Test
    void aSessionCreateIsSaddWithBothEndpoints() {
        long[] r = new long[Nat44Event.LONGS];
        Nat44Event.pack(r, 0, TIME, Nat44Event.SESSION_CREATE, 0, 17, 0x0a010103, 5000, 0xc0a81001, 25801,
                0xcb007133, 53, 0);
        assertEquals("<134>1 2024-06-01T10:00:00.123Z box1 NAT - SADD [nsess SSUBIX=\"0\" SVLAN=\"0\" IATYP=\"IPv4\""
                        + " ISADDR=\"10.1.1.3\" ISPORT=\"5000\" XATYP=\"IPv4\" XSADDR=\"192.168.16.1\" XSPORT=\"25801\""
                        + " PROTO=\"17\" XDADDR=\"203.0.113.51\" XDPORT=\"53\"]",
                new SyslogFormat(16, "box1").format(r, 0));
    }

    @Test
    void aDeleteIsSdelAndLimitsAreWarnings() {
        long[] r = new long[3 * Nat44Event.LONGS];
        Nat44Event.pack(r, 0, TIME, Nat44Event.SESSION_DELETE, 0, 6, 0x0a010103, 40000, 0xc0a81001, 1024,
                0xcb007133, 80, 0);
        Nat44Event.pack(r, Nat44Event.LONGS, TIME, Nat44Event.QUOTA_EXCEEDED, Nat44Event.QUOTA_MAX_ENTRIES_PER_USER, 0,
                0x0a010103, 0, 0, 0, 0, 0, 10_000);
        Nat44Event.pack(r, 2 * Nat44Event.LONGS, TIME, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        SyslogFormat format = new SyslogFormat(23, "-");
        assertEquals("<190>1 2024-06-01T10:00:00.123Z - NAT - SDEL [nsess SSUBIX=\"0\" SVLAN=\"0\" IATYP=\"IPv4\""
                + " ISADDR=\"10.1.1.3\" ISPORT=\"40000\" XATYP=\"IPv4\" XSADDR=\"192.168.16.1\" XSPORT=\"1024\""
                + " PROTO=\"6\" XDADDR=\"203.0.113.51\" XDPORT=\"80\"]", format.format(r, 0));
        assertEquals("<188>1 2024-06-01T10:00:00.123Z - NAT - QEXC - NAT44 quota exceeded: inside address 10.1.1.3"
                + " holds its maximum of 10000 sessions", format.format(r, 1));
        assertNull(format.format(r, 2));
    }
}
