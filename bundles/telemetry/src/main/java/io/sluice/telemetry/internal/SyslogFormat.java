package io.sluice.telemetry.internal;

import io.sluice.nat44.api.Nat44Event;
import io.sluice.packet.api.PacketFormat;

/**
 * NAT44 events as RFC 5424 syslog messages, one per UDP datagram (RFC 5426), in the CGN logging style VPP's NAT
 * plugin also uses (draft-ietf-behave-syslog-nat-logging): MSGID {@code SADD} / {@code SDEL} for a session added or
 * deleted, and structured data {@code nsess} naming the inside (I) and external (X) endpoints:
 *
 * <pre>
 * &lt;134&gt;1 2025-06-01T10:00:00.123Z box NAT - SADD [nsess SSUBIX="0" SVLAN="0" IATYP="IPv4" ISADDR="10.1.1.3"
 *   ISPORT="5000" XATYP="IPv4" XSADDR="192.168.16.1" XSPORT="25801" PROTO="17" XDADDR="203.0.113.51" XDPORT="53"]
 * </pre>
 *
 * (one line). PRI is facility * 8 + severity (RFC 5424 section 6.2.1): local0 (16) and informational (6) by default;
 * limits (addresses exhausted, quotas) are warnings (4) with MSGID {@code AEXH} or {@code QEXC} and a text message.
 */
final class SyslogFormat {
    private final int facility;
    private final String hostname;

    SyslogFormat(int facility, String hostname) {
        this.facility = facility;
        this.hostname = hostname;
    }

    /** The message for event {@code i}, or null for an event that is not logged. */
    String format(long[] r, int i) {
        int event = Nat44Event.natEvent(r, i);
        long time = Nat44Event.time(r, i);
        return switch (event) {
            case Nat44Event.SESSION_CREATE, Nat44Event.SESSION_DELETE -> header(Rfc5424.SEVERITY_INFORMATIONAL,
                    time, event == Nat44Event.SESSION_CREATE ? "SADD" : "SDEL")
                    + " [nsess SSUBIX=\"0\" SVLAN=\"0\" IATYP=\"IPv4\" ISADDR=\""
                    + PacketFormat.formatIp4(Nat44Event.insideAddress(r, i)) + "\" ISPORT=\"" + Nat44Event.insidePort(r, i)
                    + "\" XATYP=\"IPv4\" XSADDR=\"" + PacketFormat.formatIp4(Nat44Event.outsideAddress(r, i))
                    + "\" XSPORT=\"" + Nat44Event.outsidePort(r, i) + "\" PROTO=\"" + Nat44Event.protocol(r, i)
                    + "\" XDADDR=\"" + PacketFormat.formatIp4(Nat44Event.remoteAddress(r, i)) + "\" XDPORT=\""
                    + Nat44Event.remotePort(r, i) + "\"]";
            case Nat44Event.ADDRESSES_EXHAUSTED -> header(Rfc5424.SEVERITY_WARNING, time, "AEXH")
                    + " - NAT44 addresses exhausted: no pool address has a free port for a new session";
            case Nat44Event.QUOTA_EXCEEDED -> Nat44Event.quotaEvent(r, i) == Nat44Event.QUOTA_MAX_ENTRIES_PER_USER
                    ? header(Rfc5424.SEVERITY_WARNING, time, "QEXC") + " - NAT44 quota exceeded: inside address "
                    + PacketFormat.formatIp4(Nat44Event.insideAddress(r, i)) + " holds its maximum of "
                    + Nat44Event.limit(r, i) + " sessions"
                    : header(Rfc5424.SEVERITY_WARNING, time, "QEXC")
                    + " - NAT44 quota exceeded: the session table holds its maximum of " + Nat44Event.limit(r, i)
                    + " sessions";
            default -> null;
        };
    }

    /** PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID (RFC 5424 section 6.2). */
    private String header(int severity, long time, String msgid) {
        return Rfc5424.header(new StringBuilder(256), facility, severity, time, hostname, "NAT", msgid).toString();
    }
}
